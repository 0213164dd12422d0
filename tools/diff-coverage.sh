#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Coverage of exactly the lines the series adds: keep, from the last
# run's lcov data, the line and branch records of added lines only, let
# lcov count them, and name every added line or branch that never ran.
# With --check, fail below the thresholds in coverage/thresholds.
. "$(dirname "$0")/lib.sh"

OUT=$COVERAGE_OUT
INFO=$OUT/coverage.info
[ -f "$INFO" ] || die "no $INFO: run 'make' (with coverage) first"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "path:line" for every line the series adds to a .c or .h file.
added_lines "$SANDBOX_TAG..HEAD" -- '*.c' '*.h' | awk -v tree="$TREE" '{ print tree "/" $0 }' >"$tmp/added"

# Files the UML suites cannot run (coverage/thresholds: "elsewhere=PATH
# why"): their added lines are listed with the reason, not counted.  Any
# other file with added lines must have coverage data.
# An entry is a file, or a folder if it ends in /.
sed -n 's/^elsewhere=//p' "$TOP/coverage/thresholds" >"$tmp/elsewhere"
: >"$tmp/apart"
: >"$tmp/used"
grep -o '^SF:.*' "$INFO" | cut -c4- | sort -u >"$tmp/measured"
missing=0
while IFS= read -r f; do
	n=$(grep -cF "$TREE/$f:" "$tmp/added")
	why=$(awk -v f="$f" '
		($1 ~ /\/$/ && index(f, $1) == 1) || f == $1 {
			print $1 >>"'"$tmp/used"'"; sub(/^[^ ]+ */, ""); print; exit
		}' "$tmp/elsewhere")
	if [ -n "$why" ]; then
		echo "$f: $n added lines, not counted: $why" >>"$tmp/apart"
		{ grep -vF "$TREE/$f:" "$tmp/added" || true; } >"$tmp/kept"
		mv "$tmp/kept" "$tmp/added"
	elif [[ $f == *.c ]] && ! grep -qxF "$TREE/$f" "$tmp/measured"; then
		echo "$f: $n added lines, no coverage data (not built, or not captured by tools/coverage.sh)" >>"$tmp/apart"
		missing=$((missing + 1))
	fi
done < <(cut -d: -f1 "$tmp/added" | cut -c$((${#TREE} + 2))- | sort -u)
# An entry that matches no file the series changes is stale.
stale=$(cut -d' ' -f1 "$tmp/elsewhere" | grep -vxFf "$tmp/used" || true)

# The tracefile, reduced to the added lines; lcov recounts the totals.
awk -F'[:,]' '
	NR == FNR { added[$0]; next }
	/^SF:/ { sf = substr($0, 4); print; next }
	/^(DA|BRDA):/ { if ((sf ":" $2) in added) print; next }
	/^(LF|LH|BRF|BRH|FN|FNDA|FNF|FNH):/ { next }
	{ print }' "$tmp/added" "$INFO" >"$tmp/diff.info"
lcov -q --rc lcov_branch_coverage=1 -a "$tmp/diff.info" -o "$OUT/diff.info" 2>/dev/null
summary=$(lcov --rc lcov_branch_coverage=1 --summary "$OUT/diff.info" 2>&1 |
	sed -n 's/^ *\(lines\|branches\)\.*: /\1 /p')

# Added lines and branches that never ran, with their source.
awk -F'[:,]' '
	/^SF:/ { sf = substr($0, 4); next }
	/^DA:/ && $3 == 0 { print sf ":" $2 ": line never ran" }
	/^BRDA:/ && ($5 == "-" || $5 == 0) { print sf ":" $2 ": branch " $4 " of block " $3 " never taken" }' \
	"$OUT/diff.info" | sort -t: -k1,1 -k2,2n | uniq |
while IFS=: read -r file line what; do
	printf '  %s:%s:%s: %s\n' "${file#"$TREE"/}" "$line" "$what" \
		"$(sed -n "${line}{s/^[[:space:]]*//;p}" "$file")"
done >"$OUT/diff-uncovered.txt"

{
	echo "lines the series adds: $(grep -c . "$tmp/added") (instrumented ones count)"
	printf '%s\n' "$summary"
	if [ -s "$OUT/diff-uncovered.txt" ]; then
		echo "not covered:"
		cat "$OUT/diff-uncovered.txt"
	fi
	if [ -s "$tmp/apart" ]; then
		echo "apart:"
		sed 's/^/  /' "$tmp/apart"
	fi
} | tee "$OUT/diff-summary.txt"

[ "${1:-}" = --check ] || exit 0
fails=0
if [ "$missing" -gt 0 ]; then
	echo "FAIL diff coverage: $missing files with added lines have no coverage data (apart:, above)"
	fails=1
fi
if [ -n "$stale" ]; then
	echo "FAIL diff coverage: coverage/thresholds: elsewhere= entries that match no file the series changes: $(echo $stale)"
	fails=1
fi
while IFS== read -r what min; do
	[[ $what =~ ^(lines|branches)$ ]] || continue
	got=$(sed -n "s/^$what \([0-9.]*\)%.*/\1/p" <<<"$summary")
	if [ -z "$got" ] || awk -v g="$got" -v m="$min" 'BEGIN { exit !(g < m) }'; then
		echo "FAIL diff coverage: $what ${got:-?}% < $min%"
		fails=$((fails + 1))
	else
		echo "ok   diff coverage: $what $got% >= $min%"
	fi
done <"$TOP/coverage/thresholds"
[ "$fails" -eq 0 ]
