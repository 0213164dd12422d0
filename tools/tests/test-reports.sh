#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tool tests: the reports: designs.py's property matrix and kunit_results.py,
# the one reader of kunit.json (with its unit tests).
. "$(dirname "$0")/lib.sh"

# --- designs: the property matrix ---------------------------------------
mkdir -p "$WORK/designs/ours" "$WORK/designs/dropbehind"
dj() { printf '{"name":"r","test_cases":[],"sub_groups":[{"name":"uncached_writeback_error","test_cases":[],"sub_groups":[{"name":"writeback_error_returned","test_cases":[{"name":"iomap_eio","status":"%s"}],"sub_groups":[]}]},{"name":"uncached_plumbing","test_cases":[{"name":"uncached_flag_abi","status":"PASS"}],"sub_groups":[]}]}' "$1"; }
dj PASS >"$WORK/designs/ours/kunit.json"
dj FAIL >"$WORK/designs/dropbehind/kunit.json"
check "designs: the matrix is made" python3 "$TOOLS/designs.py" "$WORK/designs"
check "designs: ours passes the error row, drop-behind fails it, naming the case" \
	grep -qx '| writeback error returned by the write | pass | FAIL: writeback_error_returned.iomap_eio |' "$WORK/designs.md"
check "designs: a row whose cases did not run says so" \
	grep -qx '| no write through a stale mapping | no case ran | no case ran |' "$WORK/designs.md"
check "designs: designs.json has every design" \
	python3 -c "import json; d = json.load(open('$WORK/designs.json')); assert d['designs'] == ['ours', 'dropbehind']"

# Every property's globs name cases that exist (suite and case, in the
# sources of kunit/): a renamed case must not leave a row checking nothing.
check "designs: every glob of a property names a suite and a case that exist" python3 - "$TOOLS" <<'PY'
import fnmatch, glob, os, re, sys
sys.path.insert(0, sys.argv[1])
import designs
names = []
for f in glob.glob(os.path.join(sys.argv[1], '..', 'kunit', '*_test.c')):
    text = open(f).read()
    suite = re.search(r'\.name = "([a-z0-9_]+)",', text).group(1)
    names += [f'{suite}.{c}' for c in re.findall(r'KUNIT_CASE(?:_PARAM|_SLOW)?\((\w+)', text)]
bad = [g for _, globs in designs.PROPERTIES for g in globs
       if not any(fnmatch.fnmatchcase(n, '.'.join(g.split('.')[:2])) for n in names)]
assert not bad, f'globs that match no case: {bad}'
PY

# --- upstream-bugs: what catches each planted bug -----------------------
ub=$WORK/ub/upstream-bugs
uj() { printf '{"name":"r","test_cases":[],"sub_groups":[{"name":"uncached_race","test_cases":[{"name":"x","status":"%s"},{"name":"y","status":"%s"}],"sub_groups":[]}]}' "$1" "$2"; }
mkdir -p "$ub/model/suites" "$ub/model/debug" "$ub/01-a/suites" "$ub/01-a/debug" \
	"$ub/02-b/suites" "$ub/02-b/debug" "$ub/03-c/suites" "$ub/03-c/debug"
printf 'Upstream bug: one.\nCaught by: uncached_race.x\n\ndiff --git a/f b/f\n' >"$ub/01-a/bug.patch"
printf 'Upstream bug: two.\nCaught by: none yet\n\ndiff --git a/f b/f\n' >"$ub/02-b/bug.patch"
printf 'Upstream bug: three.\nCaught by: uncached_race.x\n\ndiff --git a/f b/f\n' >"$ub/03-c/bug.patch"
# The model fails y by design: that is not a catch.
for d in model/suites model/debug 01-a/suites 02-b/suites 02-b/debug 03-c/suites; do
	uj PASS FAIL >"$ub/$d/kunit.json"
	echo 7 >"$ub/$d/seconds"
done
uj FAIL FAIL >"$ub/01-a/debug/kunit.json"
echo 65 >"$ub/01-a/debug/seconds"
# 03: a case passes, but the kernel reported something in it.
uj PASS FAIL >"$ub/03-c/debug/kunit.json"
printf 'KTAP version 1\n    # Subtest: uncached_race\nBUG: sleeping function called from invalid context\n    ok 1 y\n' >"$ub/03-c/debug/ktap.log"
check_fails "upstream-bugs: a bug caught by nothing fails the report" \
	python3 "$TOOLS/upstream_bugs.py" "$ub" suites debug
check "upstream-bugs: the failing case the model passes catches it, with the time" \
	grep -qx '| 01-a | not caught | caught in 1m05s: uncached_race.x |' "$WORK/ub/upstream-bugs.md"
check "upstream-bugs: a case the model fails too catches nothing" \
	grep -qx '| 02-b | not caught | not caught |' "$WORK/ub/upstream-bugs.md"
check "upstream-bugs: a kernel report catches it, and is shown" \
	grep -q '^03-c, debug: uncached_race.y: BUG: sleeping function' "$WORK/ub/upstream-bugs.md"
check "upstream-bugs: says which bug is caught by nothing" grep -q '02-b: caught by no gate' "$WORK/out"
check "upstream-bugs: only the cases its header names catch it" \
	grep -qF '03-c: caught by no gate (its Caught by: uncached_race.x)' "$WORK/out"
rm -r "$ub/02-b"
printf 'Upstream bug: three.\nCaught by: uncached_race.y\n\ndiff --git a/f b/f\n' >"$ub/03-c/bug.patch"
check "upstream-bugs: every bug caught as its header says passes" \
	python3 "$TOOLS/upstream_bugs.py" "$ub" suites debug
rm "$ub/01-a/debug/kunit.json"
echo 'build failed; the errors:' >"$ub/01-a/debug/kunit.log"
check_fails "upstream-bugs: a build that failed catches nothing" \
	python3 "$TOOLS/upstream_bugs.py" "$ub" suites debug
check "upstream-bugs: and says the build failed" grep -qx '| 01-a | not caught | the build failed |' "$WORK/ub/upstream-bugs.md"
echo 'KTAP version 1' >"$ub/01-a/debug/kunit.log"
check_fails "upstream-bugs: a kernel that crashed with no results catches it through no case" \
	python3 "$TOOLS/upstream_bugs.py" "$ub" suites debug
check "upstream-bugs: and says the kernel crashed" \
	grep -qx '| 01-a | not caught | no results: the kernel crashed |' "$WORK/ub/upstream-bugs.md"

# The rules gate: a rule's report the model does not have catches a bug.
uc=$WORK/uc/upstream-bugs
mkdir -p "$uc/model/rules" "$uc/01-a/rules" "$uc/02-b/rules"
echo 'rule.b mm/filemap.c:3: on the model too' >"$uc/model/rules/run.log"
printf 'rule.a mm/filemap.c:12: folio removed\nrule.b mm/filemap.c:3: x\n' >"$uc/01-a/rules/run.log"
cp "$uc/model/rules/run.log" "$uc/02-b/rules/run.log"
echo 3 >"$uc/01-a/rules/seconds"
printf 'Upstream bug: one.\nCaught by: rule.a\n\ndiff --git a/f b/f\n' >"$uc/01-a/bug.patch"
printf 'Upstream bug: two.\nCaught by: rule.b\n\ndiff --git a/f b/f\n' >"$uc/02-b/bug.patch"
check_fails "upstream-bugs: a rule that reports on the model too catches nothing" \
	python3 "$TOOLS/upstream_bugs.py" "$uc" rules
check "upstream-bugs: a rule's report the model does not have catches it, and is shown" \
	bash -c "grep -qx '| 01-a | caught in 0m03s: rule.a |' '$WORK/uc/upstream-bugs.md' &&
		 grep -qx '01-a, rules: rule.a: mm/filemap.c:12: folio removed' '$WORK/uc/upstream-bugs.md' &&
		 grep -qx '| 02-b | not caught |' '$WORK/uc/upstream-bugs.md'"

# --- kunit_results: the one reader of kunit.json ------------------------
check "kunit_results: unit tests" python3 -m unittest -q "$HERE/test_kunit_results.py"
cat >"$WORK/k.json" <<'JSON'
{"name": "KUnit Test Group", "sub_groups": [
 {"name": "uncached_plumbing", "sub_groups": [], "test_cases": [
  {"name": "a", "status": "PASS"}, {"name": "b", "status": "SKIP"}]},
 {"name": "uncached_staleness", "sub_groups": [], "test_cases": [
  {"name": "c", "status": "FAIL"}]}], "test_cases": []}
JSON
check_fails "kunit_results summary: a failed case fails" python3 "$TOOLS/kunit_results.py" summary "$WORK/k.json"
check "kunit_results summary: counts" grep -qx '1 passed, 1 failed, 1 skipped' "$WORK/out"
check "kunit_results summary: names the failed case" grep -q 'FAILED: uncached_staleness.c' "$WORK/out"
# The kernel's report patterns, one list for KUnit (kunit_results.py) and
# the e2e machine (grep -Ef): both find the same lines.
check "kernel-reports.txt: no blank line (grep -f would match every line)" \
	bash -c "! grep -qx '' '$TOOLS/kernel-reports.txt'"
cat >"$WORK/reports.log" <<'LOG'
[   12.5] BUG: KASAN: slab-use-after-free in utfs_async_write_fn+0x10/0x20
WARNING: CPU: 0 PID: 1 at mm/filemap.c:100 filemap_read+0x1/0x2
WARNING: possible circular locking dependency detected
UBSAN: shift-out-of-bounds in mm/filemap.c:3:4
BUG: Bad page state in process fsx  pfn:1234
list_del corruption. prev->next should be 0000000060a4b0c8
Kernel panic - not syncing: Segfault with no mm
unreferenced object 0x000000006f2e3c40 (size 64):
ODEBUG: free active (active state 0) object: 000000006f2e3c40
INFO: task fsx:412 blocked for more than 120 seconds.
------------[ cut here ]------------
kernel BUG at mm/filemap.c:1234!
pagealloc: memory corruption
LOG
cat >"$WORK/clean.log" <<'LOG'
    ok 1 uncached_read
    # c: EXPECTATION FAILED at kunit/read_test.c:10
e2e: --- fsx on xfs
Warning: no swap
LOG
check "kernel-reports.txt: grep -Ef finds every report line, and nothing else" \
	bash -c "test \$(grep -cEf '$TOOLS/kernel-reports.txt' '$WORK/reports.log') -eq \$(wc -l <'$WORK/reports.log') &&
		 ! grep -Ef '$TOOLS/kernel-reports.txt' '$WORK/clean.log'"
check "kernel-reports.txt: kunit_results.py finds the same lines" python3 - "$TOOLS" "$WORK" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import kunit_results
for name, want in (('reports.log', True), ('clean.log', False)):
    for line in open(f'{sys.argv[2]}/{name}'):
        assert bool(kunit_results.REPORT.search(line)) == want, line
PY
check_fails "kunit_results: an unknown command is refused" python3 "$TOOLS/kunit_results.py" sumary "$WORK/k.json"


finish
