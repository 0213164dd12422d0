#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tool tests: the sources of the tools themselves: each says its licence,
# and each fact they share is written once.
. "$(dirname "$0")/lib.sh"

# --- SPDX: every source file under tools/ says its licence --------------
# no_spdx REPO: the source files (by their ending, or a #! line) of
# REPO's tools/, tracked or new, whose first three lines have no SPDX line.
no_spdx() {
	local f
	(cd "$1" && git ls-files -co --exclude-standard -- tools) | while read -r f; do
		[ -f "$1/$f" ] || continue
		case $f in
		*.sh | *.py | *.c | *.h | *.cocci) ;;
		*) head -c 2 "$1/$f" | grep -q '^#!' || continue ;;
		esac
		head -n 3 "$1/$f" | grep -q 'SPDX-License-Identifier: ' || echo "$f"
	done
}
check "SPDX: every source file of tools/ has its line" bash -c "$(declare -f no_spdx)
	out=\$(no_spdx '$TOOLS/..'); [ -z \"\$out\" ] || { echo \"\$out\"; false; }"
mkdir -p "$WORK/repo/tools" && git -C "$WORK/repo" init -q
printf '#!/bin/sh\n# SPDX-License-Identifier: GPL-2.0\n' >"$WORK/repo/tools/a.sh"
printf '#!/bin/sh\necho new\n' >"$WORK/repo/tools/run-me"
printf 'int main(void);\n' >"$WORK/repo/tools/b.c"
printf 'not a source\n' >"$WORK/repo/tools/list"
check "SPDX: a script or a source without it is named, and only those" \
	bash -c "$(declare -f no_spdx); test \"\$(no_spdx '$WORK/repo' | sort | paste -sd' ')\" = 'tools/b.c tools/run-me'"

# --- settings: the Python tools take lib.sh's ---------------------------
T=$(new_top settings)
check "settings.py: lib.sh's folders, DEBUG=1's its own" \
	bash -c "test \"\$(env -u RESULTS -u E2E_RESULTS TOP='$T' DEBUG=1 python3 '$TOOLS/settings.py' RESULTS E2E_RESULTS | paste -sd' ')\" = '$T/results/debug $T/results/debug/e2e'"
check "settings.py: an array has its elements, an unset setting none" python3 - "$TOOLS" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import settings
assert settings.array('GATES')[0].startswith('test-tools:'), settings.array('GATES')
assert settings.load('NO_SUCH_SETTING') == {'NO_SUCH_SETTING': []}
assert settings.get('NO_SUCH_SETTING') == ''
PY
check "bench_report.py: reads the debug machine's results with DEBUG=1" \
	bash -c "cd '$TOOLS/e2e' && test \"\$(env -u RESULTS -u E2E_RESULTS TOP='$T' DEBUG=1 python3 -c 'import bench_report; print(bench_report.RAW)')\" = '$T/results/debug/e2e/bench.csv'"
# No Python tool derives a path of lib.sh's again from where it lives.
check "the Python tools take no RESULTS or TOP of their own" \
	bash -c "! grep -n \"environ.get('\\(RESULTS\\|E2E_RESULTS\\|TOP\\|DEBUG\\|E2E_MEM\\)'\\|^TOP = \" '$TOOLS'/*.py '$TOOLS'/e2e/*.py"

# --- gate names: lib.sh's GATES, named elsewhere only as references -----
# kunit_results.py's KCIDB builds name the gate that ran each, and the
# results folder lib.sh gives that gate's configuration.
check "kcidb: every gate a build names is one of lib.sh's GATES, with lib.sh's folder" python3 - "$TOOLS" "$T" <<'PY'
import os, subprocess, sys
sys.path.insert(0, sys.argv[1])
import kunit_results, settings
gates = [g.split(':', 1)[0] for g in settings.array('GATES')]
env = {'suites': {}, 'debug': {'DEBUG': '1'}, 'x86_64': {'KUNIT_ARCH': 'x86_64'}}
for build, _, _, folder, gate in kunit_results.KCIDB_BUILDS:
    assert gate in gates, f'{build}: no gate {gate} in {gates}'
    if folder is None:
        continue
    e = {k: v for k, v in os.environ.items() if k not in ('RESULTS', 'DEBUG', 'KUNIT_ARCH')}
    e.update(env[gate], TOP=sys.argv[2])
    got = subprocess.run(['bash', '-c', '. "$1"; echo "$RESULTS"', '_', settings.LIB], env=e,
                         check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    assert got == os.path.join(sys.argv[2], 'results', folder).rstrip('/'), (build, got)
PY
check "list.sh and check.sh take the gates from lib.sh's GATES" \
	bash -c "grep -q '\"\${GATES\[@\]}\"' '$TOOLS/list.sh' && grep -q '\"\${GATES\[@\]}\"' '$TOOLS/check.sh'"

finish
