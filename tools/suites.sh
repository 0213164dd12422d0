#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# One run: build and run the suites, then coverage and a one-screen summary.
# Exit status is 0 only when every test passed.
. "$(dirname "$0")/lib.sh"

# What the verdict depends on: the tree (commits and uncommitted edits),
# our suites and the kunitconfig (the files git sees: tracked, or new and
# not ignored), the tools a run runs (lib.sh's RUN_TOOLS), and every
# setting of the run.
inputs() {
	{
		git -C "$TREE" rev-parse HEAD
		git -C "$TREE" diff HEAD
		(cd "$TOP" && { git ls-files -co --exclude-standard -- kunit .kunitconfig 2>/dev/null ||
				find -L kunit .kunitconfig -type f -not -path '*/__pycache__/*' 2>/dev/null || true
				printf 'tools/%s\n' "${RUN_TOOLS[@]}"; } |
			LC_ALL=C sort -u | xargs -r sha1sum)
		for v in "${RUN_SETTINGS[@]}"; do echo "$v=${!v:-}"; done
		echo "$*"
	} | sha1sum | cut -d' ' -f1
}
stamp=$RESULTS/inputs.sha1
# With SKIP_UNCHANGED=1 (plain 'make'), nothing changed means no rebuild
# and no rerun: the last run's verdict stands, and is shown again.
if [ "${SKIP_UNCHANGED:-0}" = 1 ] && [ -f "$RESULTS/summary.txt" ] &&
   [ -x "$BUILD/linux" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$(inputs "$@")" ]; then
	note "nothing changed since the last run ($(date -r "$stamp" '+%F %T')); 'make run' reruns it"
	cat "$RESULTS/summary.txt"
	exit "$(cat "$RESULTS/summary.rc")"
fi
rm -f "$stamp"

# A filter whose suite part matches none of our suites is a typo: say so
# before building anything (kunit.py's glob is SUITE_GLOB[.CASE_GLOB]).
if [ $# -gt 0 ]; then
	mapfile -t suites < <(suite_names)
	matched=false
	for s in "${suites[@]}"; do
		# shellcheck disable=SC2053 # the glob is meant to match
		[[ $s == ${1%%.*} ]] && matched=true
	done
	$matched || die "SUITE='$1' matches no suite; the suites are: ${suites[*]}"
fi

set +e
"${KUNIT_RUNNER:-$TOP/tools/kunit.sh}" "$@"
kunit_rc=$?
summary() {
	python3 "$TOP/tools/kunit_results.py" summary "$RESULTS/kunit.json" \
		--ktap="$RESULTS/ktap.log" "${ALLOWED_SKIPS[@]/#/--allow-skip=}"
}
ran=$(summary 2>/dev/null | tail -n 1)
if [ $# -gt 0 ] && [[ $ran == "0 passed, 0 failed, 0 skipped" ]]; then
	set -e
	rm -f "$RESULTS/summary.txt"
	die "SUITE='$1' matched no test case (see $RESULTS/kunit.log); no coverage report"
fi
cov=
# Coverage only means something if the kernel was built and booted.
if [ "$COVERAGE" = 1 ] && [ "$FORCE_FAIL" = 0 ] && [ -f "$RESULTS/kunit.json" ]; then
	cov=$("$TOP/tools/coverage.sh" 2>&1 | grep -v '^coverage.sh: HTML') &&
		cov+=$'\nlines the series adds:\n'$("$TOP/tools/diff-coverage.sh" |
			sed -n 's/^\(lines\|branches\) \([0-9]\)/  \1 \2/p')
fi
set -e

counts="0 passed, 0 failed: no test results (the build or the boot failed, see $RESULTS/kunit.log)"
tests=
if [ -f "$RESULTS/kunit.json" ]; then
	tests=$(summary) ||
		[ "$kunit_rc" -ne 0 ] || kunit_rc=1
	counts=$(tail -n 1 <<<"$tests")
	tests=$(sed '$d' <<<"$tests")
fi
[ "$kunit_rc" -ne 0 ] || [ -n "$tests" ] || kunit_rc=1
# FORCE_FAIL=1: the cases fail, as forced; the verdict is whether they
# failed there alone, at once, and left nothing behind.
if [ "$FORCE_FAIL" = 1 ] && [ -f "$RESULTS/kunit.json" ]; then
	kunit_rc=0
	tests=$(grep -v '^  FAILED: \|^      ' <<<"$tests")
	mapfile -t expect < <(suite_names)
	tests+=$'\n'$(python3 "$TOP/tools/kunit_results.py" forced "$RESULTS/kunit.json" \
		--ktap="$RESULTS/ktap.log" --max-seconds="$FORCED_CASE_SECONDS" \
		"${expect[@]/#/--expect=}") || kunit_rc=1
	# Not kunit.py's counts: a reader of the closing line would take the
	# forced failures for real ones.
	read -r p _ f _ k _ <<<"${counts//,/}"
	counts="forced failures: $f of $((p + f + k)) cases failed as forced, $p passed, $k skipped; $(tail -n 1 <<<"$tests" | sed 's/^forced failures: //')"
fi
# A KASAN, lockdep, WARN or BUG report fails the run whatever the cases
# say, with the report and the case it happened in.
kreports=
if [ -f "$RESULTS/ktap.log" ] &&
   ! kreports=$(python3 "$TOP/tools/kunit_results.py" reports "$RESULTS/ktap.log"); then
	kunit_rc=1
	counts+=" ($(tail -n 1 <<<"$kreports"))"
fi

{
	echo
	echo "==== summary: Linux $(make -s -C "$TREE" kernelversion) + $(git -C "$TREE" rev-list --count "$SANDBOX_TAG..HEAD") patches ===="
	[ -n "$tests" ] && printf '%s\n' "$tests"
	[ "$kunit_rc" -ne 0 ] && [ -n "$kreports" ] && sed '$d' <<<"$kreports"
	[ -n "$cov" ] && printf 'coverage:\n%s\n' "$cov"
	echo "results: $RESULTS (ktap.log, kunit.json, kunit.log)"
	[ -n "$cov" ] && echo "coverage: $COVERAGE_OUT/html/index.html; added lines not covered: $COVERAGE_OUT/diff-uncovered.txt"
	# Last, alone on its line: the counts.
	echo "$counts"
} | tee "$RESULTS/summary.txt"
echo "$kunit_rc" >"$RESULTS/summary.rc"
inputs "$@" >"$stamp"
exit "$kunit_rc"
