#!/usr/bin/env bash
# Mutation testing: apply each known-bad variant in kunit/mutants/ on top
# of the series, rebuild incrementally, run the suites, and revert it.
#
# Each mutant's header says the mistake ("Mutant: ...") and which cases
# must notice it ("Killed by: GLOB..."; globs over dotted case names such
# as uncached_read.read_error_drops_what_it_brought_in.*).  A mutant is
# killed only when one of those cases fails: a failure elsewhere alone (a
# flaky race, a broken build) does not count, and is reported.  A
# survivor fails the gate with its name, its mistake and its diff.
# Arguments: mutant names (globs) to run.
. "$(dirname "$0")/lib.sh"

MUTANTS=${MUTANTS:-$TOP/kunit/mutants}
OUT=$RESULTS/mutants
export KUNIT_TIMEOUT=$MUTANT_TIMEOUT

[ -d "$TREE/.git" ] || die "no tree at $TREE (run 'make tree')"
if ! git -C "$TREE" diff --quiet; then
	die "$TREE has uncommitted changes: mutants are applied on a clean series"
fi
mapfile -t all < <(find "$MUTANTS" -name '*.patch' | sort)
[ ${#all[@]} -gt 0 ] || die "no mutants in $MUTANTS"
chosen=()
for m in "${all[@]}"; do
	matches_globs "$(basename "$m" .patch)" "$@" && chosen+=("$m")
done
[ ${#chosen[@]} -gt 0 ] || die "no mutant matches $*"
mkdir -p "$OUT"

applied=
revert() { [ -n "$applied" ] && git -C "$TREE" apply -R "$applied"; applied=; }
trap revert EXIT

killed=0 n=0 bad=()
for m in "${chosen[@]}"; do
	n=$((n + 1))
	name=$(basename "$m" .patch)
	mistake=$(mutant_field Mutant "$m")
	read -r -a killers <<<"$(mutant_field 'Killed by' "$m")"
	progress "mutant $n of ${#chosen[@]}: $name"
	if [ -z "$mistake" ] || [ ${#killers[@]} -eq 0 ]; then
		bad+=("$name (its header needs 'Mutant:' and 'Killed by:' lines)")
		printf 'BAD       %s: no Mutant: or Killed by: line\n' "$name"
		continue
	fi
	git -C "$TREE" apply "$m" 2>"$OUT/$name.log" || {
		cat "$OUT/$name.log" >&2
		bad+=("$name (does not apply)"); continue
	}
	applied=$m
	rc=0
	RESULTS=$OUT/$name "${KUNIT_RUNNER:-$TOP/tools/kunit.sh}" >"$OUT/$name.log" 2>&1 || rc=$?
	revert
	failed=$(python3 "$TOP/tools/kunit_results.py" failed "$OUT/$name/kunit.json" 2>/dev/null || true)
	by=()
	while read -r c; do
		[ -n "$c" ] && matches_globs "$c" "${killers[@]}" && by+=("$c")
	done <<<"$failed"
	if [ ${#by[@]} -gt 0 ]; then
		killed=$((killed + 1))
		printf 'killed    %-40s %s\n' "$name" "$(printf '%s\n' "${by[@]}" | head -n 3 | paste -sd' ')"
	elif [ -n "$failed" ]; then
		bad+=("$name (killed only by cases its header does not name: $(echo "$failed" | head -n 3 | paste -sd' '))")
		printf 'WRONG     %s: %s\n' "$name" "$mistake"
	elif [ "$rc" -ne 0 ]; then
		# No case failed: the build broke, or the kernel crashed or hung.
		bad+=("$name (no case failed; see $OUT/$name.log)")
		printf 'broken    %s\n' "$name"
		tail -n 5 "$OUT/$name.log" | sed 's/^/          /'
	else
		bad+=("$name (survived)")
		printf 'SURVIVED  %s: %s\n' "$name" "$mistake"
		sed -n '/^diff --git/,$p' "$m"
	fi
done
# The last run's gcov data is a mutant's: do not let it pass for coverage.
find "$BUILD" -name '*.gcda' -delete 2>/dev/null || true

echo "mutants: $killed killed, ${#bad[@]} not killed"
for b in "${bad[@]}"; do echo "  $b"; done
[ ${#bad[@]} -eq 0 ]
