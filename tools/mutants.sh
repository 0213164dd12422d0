#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Mutation testing: apply each known-bad variant in kunit/mutants/ on top
# of the series, rebuild incrementally, run the suites, and revert it.
#
# Each mutant's header says the mistake ("Mutant: ...") and which cases
# must notice it ("Killed by: GLOB..."; kunit.py filter globs, SUITE.CASE,
# such as uncached_read.read_error_drops_what_it_brought_in*).  Those
# cases alone run, a glob at a time until one kills it: a mutant is
# killed only when a case its header names fails, never by a flaky case
# elsewhere.  A survivor fails the gate with its name, its mistake and its
# diff.  With KUNIT_ARCH=x86_64 ('make check-arch') the header's "Killed
# on x86_64 by:" names the cases instead (large folios: UML has none), and
# only the mutants that have one run.  MUTANT_EVERY_KILLER=1 runs every
# glob of each header and says which killed (to check a header).
# Arguments: mutant names (globs).
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
field="Killed by"
[ "$KUNIT_ARCH" = um ] || field="Killed on $KUNIT_ARCH by"
chosen=()
for m in "${all[@]}"; do
	matches_globs "$(basename "$m" .patch)" "$@" || continue
	# A mutant for another architecture's cases only is not this run's.
	[ "$KUNIT_ARCH" = um ] && [ -z "$(mutant_field "$field" "$m")" ] &&
		[ -n "$(grep -m1 '^Killed on .* by:' "$m")" ] && continue
	[ "$KUNIT_ARCH" != um ] && [ -z "$(mutant_field "$field" "$m")" ] && continue
	chosen+=("$m")
done
[ ${#chosen[@]} -gt 0 ] || die "no mutant matches $*"
mkdir -p "$OUT"

killed=0 n=0 bad=()
for m in "${chosen[@]}"; do
	n=$((n + 1))
	name=$(basename "$m" .patch)
	mistake=$(mutant_field Mutant "$m")
	read -r -a killers <<<"$(mutant_field "$field" "$m")"
	progress "mutant $n of ${#chosen[@]}: $name"
	if [ -z "$mistake" ] || [ ${#killers[@]} -eq 0 ]; then
		bad+=("$name (its header needs 'Mutant:' and '$field:' lines)")
		printf 'BAD       %s: no Mutant: or Killed by: line\n' "$name"
		continue
	fi
	apply_patch "$TREE" "$m" "$BUILD" 2>"$OUT/$name.log" || {
		cat "$OUT/$name.log" >&2
		bad+=("$name (does not apply)"); continue
	}
	rc=0 failed= by=()
	: >"$OUT/$name.log"
	for g in "${killers[@]}"; do
		RESULTS=$OUT/$name "${KUNIT_RUNNER:-$TOP/tools/kunit.sh}" "$g" >>"$OUT/$name.log" 2>&1 || rc=$?
		new=$(python3 "$TOP/tools/kunit_results.py" failed "$OUT/$name/kunit.json" 2>/dev/null || true)
		# A kernel report (a BUG, a panic) ends the run inside a case
		# that kunit.py then leaves out: only the glob's cases ran
		# (kunit.sh leaves no ktap.log of an earlier run).
		rrc=0
		[ -n "$new" ] || [ ! -f "$OUT/$name/ktap.log" ] ||
			python3 "$TOP/tools/kunit_results.py" reports "$OUT/$name/ktap.log" \
				>"$OUT/$name/reports.txt" 2>&1 || rrc=$?
		[ "$rrc" -ne 3 ] ||
			by+=("$g (a kernel report: $(sed -n '2{s/^ *//;p}' "$OUT/$name/reports.txt" | cut -c1-60))")
		failed+=${new:+$new$'\n'}
		while read -r c; do
			# A crash leaves its suite's name only ("suite."): it ran
			# the cases of this glob alone.
			[ -n "$c" ] && { matches_globs "$c" "${killers[@]}" ||
				[[ $c == *. && $g == "$c"* ]]; } && by+=("$c")
		done <<<"$new"
		[ -n "${MUTANT_EVERY_KILLER:-}" ] || [ ${#by[@]} -eq 0 ] || break
		[ -z "${MUTANT_EVERY_KILLER:-}" ] ||
			printf '          %-60s %s\n' "$g" "$( [ -n "$new" ] || [ "$rrc" -eq 3 ] && echo kills || echo 'does not kill')"
	done
	revert_patches
	failed=${failed%$'\n'}
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

{
	echo "mutants: $killed killed, ${#bad[@]} not killed"
	for b in "${bad[@]}"; do echo "  $b"; done
} | tee "$RESULTS/mutants.txt"
[ ${#bad[@]} -eq 0 ]
