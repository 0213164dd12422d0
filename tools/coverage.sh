#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Capture the gcov data of the objects the series changes (and of our
# suites) with geninfo/lcov, write the HTML report and summary.txt into
# $COVERAGE_OUT.
. "$(dirname "$0")/lib.sh"

OUT=$COVERAGE_OUT
# The gcov data captured: the objects holding the series' code
# (series_objects) and our suites.  Naming the objects, not whole
# folders, keeps capture at about a second: geninfo costs a perl start-up
# per file.  What the report keeps: those files, the headers the series
# changes, and our suites.
objs=$(series_objects) && headers=$(git -C "$TREE" diff --name-only "$SANDBOX_TAG..HEAD" -- '*.h') ||
	die "no series in $TREE (run 'make tree')"
mapfile -t objs <<<"$objs"
mapfile -t headers <<<"$headers"
GCDA=("${objs[@]/%/.gcda}" "$SUITES_DIR"/'*.gcda')
KEEP=("${objs[@]/#/*/}")
KEEP=("${KEEP[@]/%/.c}" "${headers[@]/#/*/}" "*/$SUITES_DIR/*")
LCOV=(lcov -q --rc lcov_branch_coverage=1)
# Debian's lcov 1.16 prints "Subroutine ... redefined" warnings from geninfo.
lcov() { command lcov "$@" 2> >(grep -v ' redefined at ' >&2); }

mkdir -p "$OUT"
rm -rf "$OUT/html" "$OUT/coverage.info" "$OUT/summary.txt"
if [ -z "$(find "$BUILD" -name '*.gcda' -print -quit 2>/dev/null)" ]; then
	msg="coverage unavailable: no .gcda files in $BUILD"
	msg+=" (UML did not halt cleanly: a crash or timeout loses all coverage;"
	msg+=" or the build has no CONFIG_GCOV)"
	echo "$msg" >"$OUT/summary.txt"
	die "$msg"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files=()
for g in "${GCDA[@]}"; do
	for f in "$BUILD"/$g; do [ -f "$f" ] && files+=("$f"); done
done
# Two geninfo processes, one per half of the files, on the two cores.
half=$(( (${#files[@]} + 1) / 2 ))
geninfo_q() { geninfo -q --rc lcov_branch_coverage=1 -b "$BUILD" "$@" 2> >(grep -v ' redefined at ' >&2); }
geninfo_q -o "$tmp/a.info" "${files[@]:0:half}" &
geninfo_q -o "$tmp/b.info" "${files[@]:half}"
wait $!
"${LCOV[@]}" -a "$tmp/a.info" -a "$tmp/b.info" -o "$tmp/all.info" >/dev/null
"${LCOV[@]}" --extract "$tmp/all.info" "${KEEP[@]}" -o "$OUT/coverage.info"
genhtml -q --branch-coverage --legend --title "RWF_UNCACHED suites" \
	-o "$OUT/html" "$OUT/coverage.info" >/dev/null

# One line per group: name, lines hit/found, branches hit/found.
group() {
	local name=$1; shift
	"${LCOV[@]}" --extract "$OUT/coverage.info" "$@" -o "$tmp/g.info" >/dev/null 2>&1 || true
	awk -v name="$name" -F: '
		/^LH:/ { lh += $2 } /^LF:/ { lf += $2 }
		/^BRH:/ { bh += $2 } /^BRF:/ { bf += $2 }
		function pct(h, f) { return f ? sprintf("%5.1f%% (%d/%d)", 100 * h / f, h, f) : "    -" }
		END { printf "%-22s lines %-22s branches %s\n", name, pct(lh, lf), pct(bh, bf) }' "$tmp/g.info"
}
{
	for o in "${objs[@]}"; do
		group "$o.c" "*/$o.c"
	done
	group "kunit suites" "*/$SUITES_DIR/*"
} >"$OUT/summary.txt"
cat "$OUT/summary.txt"
note "HTML report: $OUT/html/index.html"
