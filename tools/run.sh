#!/usr/bin/env bash
# One run: build and run the suites, then coverage and a one-screen summary.
# Exit status is 0 only when every test passed.
. "$(dirname "$0")/lib.sh"

set +e
"$TOP/tools/run-kunit.sh" "$@"
kunit_rc=$?
cov=
# Coverage only means something if the kernel was built and booted.
if [ "${COVERAGE:-1}" = 1 ] && [ -f "$RESULTS/kunit.json" ]; then
	cov=$("$TOP/tools/coverage.sh" 2>&1 | grep -v '^coverage.sh: HTML') &&
		cov+=$'\nlines the series adds:\n'$("$TOP/tools/diff-coverage.sh" |
			sed -n 's/^\(lines\|branches\) \([0-9]\)/  \1 \2/p')
fi
set -e

counts="0 passed, 0 failed: no test results (the build or the boot failed, see $RESULTS/kunit.log)"
tests=
if [ -f "$RESULTS/kunit.json" ]; then
	tests=$(python3 "$TOP/tools/kunit-summary.py" "$RESULTS/kunit.json") ||
		[ "$kunit_rc" -ne 0 ] || kunit_rc=1
	counts=$(tail -n 1 <<<"$tests")
	tests=$(sed '$d' <<<"$tests")
fi
[ "$kunit_rc" -ne 0 ] || [ -n "$tests" ] || kunit_rc=1

echo
echo "==== summary: Linux $(make -s -C "$TREE" kernelversion) + $(git -C "$TREE" rev-list --count "$SANDBOX_TAG..HEAD") patches ===="
[ -n "$tests" ] && printf '%s\n' "$tests"
[ -n "$cov" ] && printf 'coverage:\n%s\n' "$cov"
echo "results: $RESULTS (ktap.log, kunit.json, kunit.log)"
[ -n "$cov" ] && echo "coverage: coverage/html/index.html; added lines not covered: coverage/diff-uncovered.txt"
# Last, alone on its line: the counts.
echo "$counts"
exit "$kunit_rc"
