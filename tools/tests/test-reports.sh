#!/usr/bin/env bash
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
check_fails "kunit_results: an unknown command is refused" python3 "$TOOLS/kunit_results.py" sumary "$WORK/k.json"


finish
