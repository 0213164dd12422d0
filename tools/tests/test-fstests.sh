#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tool tests: make fstests' host side (fstests.sh, fstests_report.py) with
# a fake fstests and a fake guest: no FSTESTS, a FSTESTS that is not
# fstests, a build that fails, a tarball and a checkout built out of
# place and only when they change, and reports with failures, tests that
# did not run and sections that did not finish; FSTESTS_SHARD's parts and
# make fstests-report's merge of them; make fstests-ab.
. "$(dirname "$0")/lib.sh"

# A checkout of the tools whose fstests lists and machine are fakes:
# copies, so that nothing here writes through to the real ones.
T=$WORK/top
mkdir -p "$T/tools/fstests" "$T/tools/e2e"
cp "$TOOLS"/*.sh "$TOOLS"/*.py "$TOOLS/kernel-reports.txt" "$T/tools/"
printf 'generic/001\n# a comment\ngeneric/002\n' >"$T/tools/fstests/default.list"
: >"$T/tools/fstests/exclude"
# A fake machine: what the guest's check would leave in the scratch
# folder, by FAKE_RESULT; it counts its runs.
mkdir -p "$T/tools/e2e"
cat >"$T/tools/e2e/machine.sh" <<'M'
#!/usr/bin/env bash
echo "$FSTESTS_ARGS" >>"$E2E_BUILD/machine-runs"
s=$E2E_BUILD/scratch/fstests
rm -rf "${E2E_BUILD:?}/scratch"; mkdir -p "$s/xfs" "$s/ext4"
case $FAKE_RESULT in
pass) c='<testcase name="generic/001" time="1"/>' ;;
fail) c='<testcase name="generic/001" time="1"><failure message="- output mismatch" type="TestFail"/><system-err><![CDATA[-expected
+got]]></system-err></testcase>' ;;
notrun) c='<testcase name="generic/001" time="1"/><testcase name="generic/002" time="0"><skipped message="not on this fs"/></testcase>' ;;
esac
for sec in xfs ext4; do
	[ "$FAKE_RESULT:$sec" = unfinished:ext4 ] && continue
	# fsx's log of operations, which a test that passes -P keeps: xfs only
	if [ "$sec" = xfs ]; then
		mkdir -p "$s/xfs/generic"
		printf '1 write 0x0 thru 0xfff (0x1000 bytes) dontcache=1 atomic_wr=0\n2 write 0x0 thru 0xfff (0x1000 bytes) dontcache=0 atomic_wr=0\n' >"$s/xfs/generic/001.0.fsxlog"
	fi
	printf '<testsuite name="xfstests" time="3">%s</testsuite>\n' "${c:-<testcase name=\"generic/001\"/>}" >"$s/$sec/result.xml"
done
[ "$FAKE_RESULT" = pass ] || [ "$FAKE_RESULT" = notrun ]
M
chmod +x "$T/tools/e2e/machine.sh"
# A fake fstests: configure and make that build ltp/fsx; FAKE_BROKEN
# breaks its build.
F=$WORK/fstests
mkdir -p "$F/ltp" "$F/tests/generic"
printf '#!/bin/sh\n' >"$F/check"
touch "$F/tests/generic/001" "$F/tests/generic/002" "$F/tests/generic/003" "$F/ltp/fsx.c"
# The groups, as fstests' build lists them (FSTESTS_SHARD expands them).
printf '# generated\n001 auto quick\n002 auto\n003 auto quick rw\n' >"$F/tests/generic/group.list"
mkdir -p "$F/tests/xfs" "$F/tests/ext4"
printf '001 auto quick\n' >"$F/tests/xfs/group.list"
printf '001 auto\n' >"$F/tests/ext4/group.list"
touch "$F/tests/xfs/001" "$F/tests/ext4/001"
printf '#!/bin/sh\n[ -z "$FAKE_BROKEN" ] || { echo "configure: error: xfs/xfs.h not found"; exit 1; }\n' >"$F/configure"
printf 'all:\n\techo built >>../builds; printf "#!/bin/sh\\n" >ltp/fsx; chmod +x ltp/fsx\n' >"$F/Makefile"
chmod +x "$F/check" "$F/configure"
fst() { env TOP="$T" RESULTS="$WORK/res" FSTESTS_BUILD="$WORK/b/fstests" E2E_BUILD="$WORK/b/e2e" \
	FSTESTS_LIST="$T/tools/fstests/default.list" "$@" "$T/tools/fstests.sh"; }
mkdir -p "$WORK/b/e2e"

check_fails "fstests: without FSTESTS fails" fst env FSTESTS=
check "fstests: and says where to get fstests and how to pass it" \
	bash -c "grep -q 'FSTESTS is not set' '$WORK/out' && grep -q 'git clone' '$WORK/out' && grep -q 'make fstests FSTESTS=' '$WORK/out'"
check_fails "fstests: a FSTESTS that is not fstests fails" fst env FSTESTS="$WORK"/b
check "fstests: and says so" grep -q "is not fstests\|holds no fstests" "$WORK/out"
check_fails "fstests: a build that fails fails" fst env FSTESTS="$F" FAKE_BROKEN=1 FAKE_RESULT=pass
check "fstests: shows the error and names the build dependencies" \
	bash -c "grep -q 'xfs/xfs.h not found' '$WORK/out' && grep -q 'xfslibs-dev' '$WORK/out'"
check "fstests: a folder that passes passes" fst env FSTESTS="$F" FAKE_RESULT=pass
check "fstests: built out of place, never in the user's folder" \
	bash -c "[ -x '$WORK/b/fstests/src/ltp/fsx' ] && [ ! -e '$F/ltp/fsx' ]"
check "fstests: runs the list without its comments" grep -qx 'generic/001,generic/002' "$WORK/b/e2e/machine-runs"
check "fstests: copies fstests' results per section" test -f "$WORK/res/fstests/ext4/result.xml"
check "fstests: the same source is not built again" fst env FSTESTS="$F" FAKE_RESULT=pass
check "fstests: (built once)" test "$(grep -c built "$WORK/b/fstests/builds")" = 1
touch "$F/tests/generic/003"
check "fstests: a changed source is built again" \
	bash -c "$(declare -f fst); T='$T' WORK='$WORK'; fst env FSTESTS='$F' FAKE_RESULT=pass && test \$(grep -c built '$WORK/b/fstests/builds') = 2"
check "fstests: FSTESTS_TESTS instead of the list" fst env FSTESTS="$F" FAKE_RESULT=pass FSTESTS_TESTS="generic/002 -g quick"
check "fstests: (passed to check as given)" bash -c "tail -n 1 '$WORK/b/e2e/machine-runs' | grep -qx 'generic/002,-g,quick'"
check_fails "fstests: a test this fstests does not have fails" fst env FSTESTS="$F" FAKE_RESULT=pass FSTESTS_TESTS=generic/999
check "fstests: and names it" grep -q 'generic/999 is not a test' "$WORK/out"
tar -C "$WORK" -cJf "$WORK/fstests.tar.xz" fstests
check "fstests: a .tar.xz snapshot (one top folder) passes" fst env FSTESTS="$WORK/fstests.tar.xz" FAKE_RESULT=pass
G=$WORK/checkout
cp -r "$F" "$G" && rm -f "$G/builds" && git -C "$G" init -q && ugit -C "$G" add . && ugit -C "$G" commit -qm fstests
echo junk >"$G/untracked-build-product"
check "fstests: a git checkout passes" fst env FSTESTS="$G" FAKE_RESULT=pass
check "fstests: (its tracked files copied, not its build products)" \
	bash -c "[ -f '$WORK/b/fstests/src/check' ] && [ ! -e '$WORK/b/fstests/src/untracked-build-product' ]"
check_fails "fstests: a failing test fails" fst env FSTESTS="$F" FAKE_RESULT=fail
check "fstests: counts it per section and shows its diff" \
	bash -c "grep -q 'xfs    ran 1, passed 0, failed 1' '$WORK/out' && grep -q '^+got' '$WORK/out'"
check "fstests: counts fsx's uncached writes from its log of operations" \
	grep -q 'xfs .*, 1 fsx writes with the flag' "$WORK/res/fstests/summary.txt"
check "fstests: and says when fsx kept no log, rather than count 0" \
	grep -q 'ext4 .*no fsx log of operations' "$WORK/res/fstests/summary.txt"
check "fstests: a test that did not run passes, reported as not run" bash -c "$(declare -f fst); T=$T WORK=$WORK; fst env FSTESTS=$F FAKE_RESULT=notrun >$WORK/notrun.out"
check "fstests: (not run, never passed)" grep -q "ran 1, passed 1, failed 0, not run 1" "$WORK/notrun.out"
check_fails "fstests: a section that did not finish fails" fst env FSTESTS="$F" FAKE_RESULT=unfinished
check "fstests: and says so" grep -q 'ext4 .*did not finish' "$WORK/out"

# FSTESTS_SHARD=i/n: every n-th of each section's tests, groups expanded
# as check does, over generic/ and the section's own folder, a machine
# run per section; the part recorded with the results.
check "fstests: FSTESTS_SHARD=1/2 of -g quick passes" fst env FSTESTS="$F" FAKE_RESULT=pass FSTESTS_TESTS="-g quick" FSTESTS_SHARD=1/2
check "fstests: (xfs: the first and third of generic/001, generic/003, xfs/001; ext4: generic/001)" \
	bash -c "tail -n 2 '$WORK/b/e2e/machine-runs' | tr '\n' ' ' | grep -qx -- '-s,xfs,generic/001,xfs/001 -s,ext4,generic/001 '"
check "fstests: (the part recorded with the results, and the lists' id)" \
	grep -qx '1/2 3 tests [0-9a-f]\{16\}' "$WORK/res/fstests/shard"
check "fstests: FSTESTS_SHARD=2/2, -x rw: the rest, less that group" \
	fst env FSTESTS="$F" FAKE_RESULT=pass FSTESTS_TESTS="-g quick -x rw generic/002" FSTESTS_SHARD=2/2
check "fstests: (generic/002 alone, in each section)" \
	bash -c "tail -n 2 '$WORK/b/e2e/machine-runs' | tr '\n' ' ' | grep -qx -- '-s,xfs,generic/002 -s,ext4,generic/002 '"
check "fstests: (one section: the other's folder not expanded)" \
	fst env FSTESTS="$F" FAKE_RESULT=pass FSTESTS_TESTS="-g quick" FSTESTS_SHARD=1/1 FSTESTS_SECTIONS=ext4
check "fstests: (-s ext4, generic/001 generic/003)" \
	bash -c "tail -n 1 '$WORK/b/e2e/machine-runs' | grep -qx -- '-s,ext4,generic/001,generic/003'"
check "fstests: a run without FSTESTS_SHARD records no part" \
	bash -c "$(declare -f fst); T=$T WORK=$WORK; fst env FSTESTS=$F FAKE_RESULT=pass >/dev/null 2>&1 && test ! -e $WORK/res/fstests/shard"
check_fails "fstests: FSTESTS_SHARD=3/2 fails" fst env FSTESTS="$F" FAKE_RESULT=pass FSTESTS_SHARD=3/2
check "fstests: and says why" grep -q 'FSTESTS_SHARD=3/2: not i/n' "$WORK/out"
check_fails "fstests: FSTESTS_SHARD with an unknown group fails" \
	fst env FSTESTS="$F" FAKE_RESULT=pass FSTESTS_TESTS="-g nosuch" FSTESTS_SHARD=1/2
check "fstests: and names it" grep -q "no group 'nosuch'" "$WORK/out"

# make fstests-report: parts of make fstests, made by hand.
part() {	# DIR I/N XFS-CASES EXT4-CASES [LISTS-ID]
	mkdir -p "$1/xfs" "$1/ext4" && echo "$2 1 tests ${5:-L1}" >"$1/shard" &&
		printf '<testsuite name="xfstests">%s</testsuite>\n' "$3" >"$1/xfs/result.xml" &&
		printf '<testsuite name="xfstests">%s</testsuite>\n' "$4" >"$1/ext4/result.xml"
}
P=$WORK/parts
part "$P/1" 1/2 '<testcase name="generic/001" time="1"/>' '<testcase name="generic/001" time="1"/>'
part "$P/2" 2/2 '<testcase name="generic/003" time="1"><failure message="- output mismatch"/></testcase>' \
	'<testcase name="generic/003" time="2"/>'
merge() { env TOP="$T" RESULTS="$WORK/res" python3 "$T/tools/fstests_merge.py" "$@"; }
check_fails "fstests-report: two parts, a failure in one: fails" merge "$P/1" "$P/2"
check "fstests-report: (one summary of both parts)" \
	bash -c "grep -q 'parts 1/2, 2/2 merged: all 2' '$WORK/out' && grep -q 'xfs    ran 2, passed 1, failed 1' '$WORK/res/fstests-report/summary.txt' && grep -q 'ext4   ran 2, passed 2, failed 0, not run 0, 3 s' '$WORK/res/fstests-report/summary.txt'"
check_fails "fstests-report: one part of two is no verdict" merge "$P/1"
check "fstests-report: (it names the missing one)" \
	bash -c "grep -q 'missing: 2 of 2' '$WORK/out' && grep -q 'incomplete, parts 2 missing' '$WORK/out'"
part "$P/6" 2/2 '<testcase name="generic/003"/>' '' L2
check_fails "fstests-report: parts of different lists of tests fail" merge "$P/1" "$P/6"
check "fstests-report: and say so" grep -q 'different lists of tests' "$WORK/out"
part "$P/3" 2/2 '<testcase name="generic/001" time="1"/>' ''
check_fails "fstests-report: two parts with one test fail" merge "$P/1" "$P/3"
check "fstests-report: and name it" grep -q 'generic/001 is in two parts' "$WORK/out"
part "$P/4" 2/3 '' ''
check_fails "fstests-report: parts of different splits fail" merge "$P/1" "$P/4"
mkdir -p "$P/5/xfs"
check_fails "fstests-report: a folder with no part recorded fails" merge "$P/1" "$P/5"
check_fails "fstests-report: no parts fail" merge
check "fstests-report: and say how to name them" grep -q "FSTESTS_REPORTS=" "$WORK/out"
# Parts of make fstests-ab: a regression in one, a kernel report in the other.
abpart() {	# DIR I/N BASE-XFS SERIES-XFS
	for side in base series; do
		c=$3; [ $side = series ] && c=$4
		mkdir -p "$1/$side/run/fstests/xfs" "$1/$side/run/fstests/ext4" "$1/$side/run/e2e" &&
			echo "$2 1 tests L1" >"$1/$side/run/fstests/shard" && echo S1 >"$1/series-id" &&
			printf '<testsuite name="xfstests">%s</testsuite>\n' "$c" >"$1/$side/run/fstests/xfs/result.xml" &&
			printf '<testsuite name="xfstests"></testsuite>\n' >"$1/$side/run/fstests/ext4/result.xml" &&
			: >"$1/$side/run/e2e/guest.log"
	done
}
abpart "$P/ab1" 1/2 '<testcase name="generic/001"/>' '<testcase name="generic/001"/>'
abpart "$P/ab2" 2/2 '<testcase name="generic/003"/>' '<testcase name="generic/003"><failure message="x"/></testcase>'
check_fails "fstests-report: fstests-ab parts, a regression in one: fails" merge "$P/ab1" "$P/ab2"
check "fstests-report: (named, with both parts' counts)" \
	bash -c "grep -q 'regression: generic/003 (failed base 0/1, series 1/1)' '$WORK/out' && grep -q 'xfs   base: ran 2, passed 2' '$WORK/res/fstests-report/summary.txt'"
check "fstests-report: (the series recorded with the merge, for make cover-letter)" \
	grep -qx S1 "$WORK/res/fstests-report/series-id"
abpart "$P/ab2" 2/2 '<testcase name="generic/003"/>' '<testcase name="generic/003"/>'
echo "WARNING: CPU: 0 PID: 1 at mm/filemap.c:1 x" >"$P/ab1/series/run/e2e/guest.log"
check_fails "fstests-report: a kernel report in a part's guest log fails" merge "$P/ab1" "$P/ab2"
check "fstests-report: and shows it" grep -q 'kernel report: series/part1/e2e/guest.log: WARNING' "$WORK/out"
echo S2 >"$P/ab2/series-id"
check_fails "fstests-report: fstests-ab parts of two series fail" merge "$P/ab1" "$P/ab2"
check_fails "fstests-report: parts of make fstests and of make fstests-ab fail" merge "$P/1" "$P/ab2"

# make fstests-ab: a fake tree with a series on the sandbox base, and a
# fake machine whose results depend on the side (its build folder) and on
# how often it ran (flaky: generic/001 fails every other run, the first included).
K=$WORK/tree
mkdir -p "$K/fs" && git -C "$K" init -q && echo base >"$K/Makefile" && : >"$K/fs/Kconfig" && ugit -C "$K" add . &&
	ugit -C "$K" commit -qm base && ugit -C "$K" tag -a -m base sandbox &&
	echo series >>"$K/Makefile" && ugit -C "$K" commit -qam series
cat >"$T/tools/e2e/machine.sh" <<'M'
#!/usr/bin/env bash
n=$(( $(cat "$E2E_BUILD/runs" 2>/dev/null || echo 0) + 1 )); echo "$n" >"$E2E_BUILD/runs"
echo "$FSTESTS_ARGS" >>"$E2E_BUILD/machine-runs"
s=$E2E_BUILD/scratch/fstests
rm -rf "${E2E_BUILD:?}/scratch"; mkdir -p "$s/xfs" "$s/ext4" "$RESULTS/e2e"
case $E2E_BUILD in *base*) r=$FAKE_BASE ;; *) r=$FAKE_SERIES ;; esac
[ "$r" != flaky ] || { [ $((n % 2)) = 1 ] && r=fail || r=pass; }
[ "$r" != report ] || { echo "WARNING: CPU: 0 PID: 1 at mm/filemap.c:1 x" >"$RESULTS/e2e/guest.log"; r=pass; }
ok='<testcase name="generic/001" time="1"/>'
bad='<testcase name="generic/001" time="1"><failure message="- output mismatch"/></testcase>'
for sec in xfs ext4; do
	[ "$r:$sec" = unfinished:ext4 ] && continue
	case ",$FSTESTS_ARGS," in *,-s,*) case ",$FSTESTS_ARGS," in *",$sec,"*) ;; *) continue ;; esac ;; esac
	c=$ok; [ "$r" = fail ] && c=$bad
	printf '<testsuite name="xfstests">%s<testcase name="generic/002"/></testsuite>\n' "$c" >"$s/$sec/result.xml"
done
[ "$r" = pass ]
M
chmod +x "$T/tools/e2e/machine.sh"
ab() { rm -rf "$WORK/ab"; env TOP="$T" TREE="$K" RESULTS="$WORK/ab/res" FSTESTS="$F" \
	FSTESTS_BUILD="$WORK/b/fstests" E2E_BUILD="$WORK/ab/e2e" FSTESTS_AB_BUILD="$WORK/ab/e2e-base" \
	FSTESTS_AB_TREE="$WORK/ab/base-tree" FSTESTS_LIST="$T/tools/fstests/default.list" \
	FSTESTS_RERUNS=3 "$@" "$T/tools/fstests-ab.sh"; }
check "fstests-ab: the same results on both sides pass" ab env FAKE_BASE=pass FAKE_SERIES=pass
check "fstests-ab: (the base side ran the sandbox base, in a worktree)" \
	bash -c "[ \"\$(git -C '$WORK/ab/base-tree' rev-parse HEAD)\" = \"\$(git -C '$K' rev-parse 'sandbox^{commit}')\" ]"
check "fstests-ab: (and prints both sides and the comparison)" \
	bash -c "grep -q 'base: .*xfs .*ran 2' '$WORK/out' 2>/dev/null || grep -q 'xfs   base: ran 2, passed 2' '$WORK/ab/res/fstests-ab/summary.txt'"
check_fails "fstests-ab: a test that passes on the base and fails on the series fails" \
	ab env FAKE_BASE=pass FAKE_SERIES=fail
check "fstests-ab: named a regression, failed 4 of 4 on the series, 0 of 4 on the base" \
	grep -q 'regression: generic/001 (failed base 0/4, series 4/4)' "$WORK/out"
check "fstests-ab: (each rerun in its section alone)" \
	grep -qx -- '-s,xfs,generic/001' "$WORK/ab/e2e/machine-runs"
check "fstests-ab: a test that fails on both is the base's, not a regression" \
	ab env FAKE_BASE=fail FAKE_SERIES=fail
check "fstests-ab: (listed as the base's)" grep -q "the base's: generic/001" "$WORK/ab/res/fstests-ab/summary.txt"
check_fails "fstests-ab: a test that fails sometimes on the series, never on the base, fails" \
	ab env FAKE_BASE=pass FAKE_SERIES=flaky
check "fstests-ab: (an intermittent regression, with its rate)" \
	grep -q "regression: generic/001 (failed base 0/4, series 2/4: intermittent" "$WORK/out"
check "fstests-ab: a test that fails sometimes on both is flaky, not a regression" \
	ab env FAKE_BASE=flaky FAKE_SERIES=flaky
check "fstests-ab: (named flaky, with its rate on each side)" \
	grep -q "flaky: generic/001 (failed base 2/4, series 2/4)" "$WORK/ab/res/fstests-ab/summary.txt"
check_fails "fstests-ab: a section that did not finish fails" ab env FAKE_BASE=pass FAKE_SERIES=unfinished
check "fstests-ab: and says which" grep -q 'ext4  did not finish on series' "$WORK/out"
check_fails "fstests-ab: a kernel report on the base fails" ab env FAKE_BASE=report FAKE_SERIES=pass
check "fstests-ab: and shows it" grep -q 'kernel report: base/run/e2e/guest.log: WARNING' "$WORK/out"
check_fails "fstests-ab: a tree without the sandbox base fails" \
	env TOP="$T" TREE="$WORK/b" RESULTS="$WORK/ab/res" "$T/tools/fstests-ab.sh"
git -C "$K" checkout -q --detach sandbox
check_fails "fstests-ab: a tree with no series on the base (an annotated tag) fails" ab env FAKE_BASE=pass FAKE_SERIES=pass
check "fstests-ab: and says there is nothing to compare" grep -q 'no series on top' "$WORK/out"
finish
