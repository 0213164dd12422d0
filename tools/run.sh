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

echo
echo "==== summary: Linux $(make -s -C "$TREE" kernelversion) + $(git -C "$TREE" rev-list --count "$SANDBOX_TAG..HEAD") patches ===="
if [ -f "$RESULTS/kunit.json" ]; then
	python3 "$TOP/tools/kunit-summary.py" "$RESULTS/kunit.json" || [ "$kunit_rc" -ne 0 ] || kunit_rc=1
else
	echo "no test results: the build or the boot failed (see $RESULTS/kunit.log)"
	[ "$kunit_rc" -ne 0 ] || kunit_rc=1
fi
[ -n "$cov" ] && printf 'coverage:\n%s\n' "$cov"
echo "results: $RESULTS (ktap.log, kunit.json, kunit.log)"
echo "coverage: coverage/html/index.html; added lines not covered: coverage/diff-uncovered.txt"
exit "$kunit_rc"
