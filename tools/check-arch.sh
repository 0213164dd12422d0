#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check-arch: the suites in an x86_64 kernel under QEMU (TCG; there
# is no KVM here), with kunit/x86_64.config: transparent huge pages, so
# that the page cache has large folios, and two CPUs, so that the race
# cases run in parallel.  No gcov.  Then the mutants whose header says
# which large-folio cases kill them ("Killed on x86_64 by:"; UML has no
# large folios).  Arguments: a filter glob, as 'make' (then no mutants).
. "$(dirname "$0")/lib.sh"

"$TOP/tools/deps.sh" qemu-system-x86 libelf-dev
export KUNIT_ARCH=x86_64
rc=0
"$TOP/tools/suites.sh" "$@" || rc=$?
# The race cases run in parallel only if the second CPU came up.
if [ -f "$RESULTS/x86_64/ktap.log" ] && ! grep -q 'Brought up .* 2 CPUs' "$RESULTS/x86_64/ktap.log"; then
	echo "check-arch: the kernel did not bring up two CPUs (its log: $RESULTS/x86_64/ktap.log): the race cases ran on one" >&2
	rc=1
fi
if [ $# -eq 0 ] && [ "$rc" -eq 0 ]; then
	# Without ccache: twice (stop 36, 2026-12-07) this gate's kernel ran
	# as if mutant 56 were or were not applied against the tree, each
	# time once in several runs, and a run again right after was right.
	# Whatever ccache answers for a mutated file, a mutant is now built
	# by gcc, and nothing is stored from it.
	CCACHE_DISABLE=1 "$TOP/tools/mutants.sh" || rc=$?
	# The last line the gate shows: the suites' counts, and the mutants'.
	echo "$(tail -n 1 "$RESULTS/x86_64/summary.txt"); $(tail -n 1 "$RESULTS/x86_64/mutants.txt" 2>/dev/null)"
fi
exit "$rc"
