#!/usr/bin/env bash
# Mutation testing: apply each known-bad variant in kunit/mutants/ on top
# of the series, rebuild incrementally, run the suites, and revert it.
# Every mutant must make at least one KUnit case fail; a survivor fails
# the gate with its name and diff.  Arguments: mutant names (globs) to run.
. "$(dirname "$0")/lib.sh"

MUTANTS=${MUTANTS:-$TOP/kunit/mutants}
OUT=$RESULTS/mutants
export KUNIT_TIMEOUT=${KUNIT_TIMEOUT:-120}

[ -d "$TREE/.git" ] || die "no tree at $TREE (run 'make tree')"
if ! git -C "$TREE" diff --quiet; then
	die "$TREE has uncommitted changes: mutants are applied on a clean series"
fi
mapfile -t all < <(find "$MUTANTS" -name '*.patch' | sort)
[ ${#all[@]} -gt 0 ] || die "no mutants in $MUTANTS"
mkdir -p "$OUT"

applied=
revert() { [ -n "$applied" ] && git -C "$TREE" apply -R "$applied"; applied=; }
trap revert EXIT

killed=0 bad=()
for m in "${all[@]}"; do
	name=$(basename "$m" .patch)
	matches_globs "$name" "$@" || continue
	git -C "$TREE" apply "$m" 2>"$OUT/$name.log" || {
		cat "$OUT/$name.log" >&2
		bad+=("$name (does not apply)"); continue
	}
	applied=$m
	rc=0
	RESULTS=$OUT/$name "${RUN_KUNIT:-$TOP/tools/run-kunit.sh}" >"$OUT/$name.log" 2>&1 || rc=$?
	revert
	failed=$(python3 "$TOP/tools/kunit_results.py" failed "$OUT/$name/kunit.json" 2>/dev/null || true)
	if [ -n "$failed" ]; then
		killed=$((killed + 1))
		printf 'killed    %-40s %s\n' "$name" "$(echo "$failed" | head -n 3 | cut -d' ' -f1 | paste -sd' ')"
	elif [ "$rc" -ne 0 ]; then
		# No case failed: the build broke, or the kernel crashed or hung.
		bad+=("$name (no case failed; see $OUT/$name.log)")
		printf 'broken    %s\n' "$name"
	else
		bad+=("$name (survived)")
		printf 'SURVIVED  %s\n' "$name"
		sed -n '/^diff --git/,$p' "$m"
	fi
done
# The last run's gcov data is a mutant's: do not let it pass for coverage.
find "$BUILD" -name '*.gcda' -delete 2>/dev/null || true

echo "mutants: $killed killed, ${#bad[@]} not killed"
for b in "${bad[@]}"; do echo "  $b"; done
[ ${#bad[@]} -eq 0 ]
