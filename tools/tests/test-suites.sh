#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tool tests: running the suites: suites.sh (nothing changed, SUITE globs),
# kunit.sh (configuration, an interrupted build, settings that reach
# kunit.py), lib.sh's folders, the Makefile's environment, and deps.sh.
. "$(dirname "$0")/lib.sh"

new_sandbox a
# A copy of the tools, which these tests edit.
rm "$T/tools" && cp -r "$TOOLS" "$T/tools" && rm -rf "$T/tools/__pycache__"
# --- make with nothing changed -------------------------------------------
# A stand-in for run-kunit.sh that counts its runs.
printf '#!/bin/sh\necho run >>"%s/runs"\nmkdir -p "$RESULTS"\n' "$WORK" >"$WORK/count-run-kunit"
printf 'printf %s >"$RESULTS/kunit.json"\n' "'{\"name\":\"r\",\"test_cases\":[],\"sub_groups\":[{\"name\":\"s\",\"sub_groups\":[],\"test_cases\":[{\"name\":\"c\",\"status\":\"PASS\"}]}]}'" >>"$WORK/count-run-kunit"
chmod +x "$WORK/count-run-kunit"
mkdir -p "$WORK/rbuild" && touch "$WORK/rbuild/linux" && chmod +x "$WORK/rbuild/linux"
runs() { wc -l <"$WORK/runs" 2>/dev/null || echo 0; }
noop() { env SKIP_UNCHANGED=1 COVERAGE=0 KUNIT_RUNNER="$WORK/count-run-kunit" BUILD="$WORK/rbuild" RESULTS="$WORK/rres" "$T/tools/suites.sh"; }
check "make: the first run runs" bash -c "$(declare -f noop); WORK='$WORK' T='$T'; noop"
check "make: nothing changed, no rerun, same verdict" \
	bash -c "$(declare -f noop runs); WORK='$WORK' T='$T'; noop | grep -q '^1 passed, 0 failed' && test \$(runs) -eq 1"
echo "/* edit */" >>"$TREE/fs/iomap.c"
check "make: an uncommitted edit in the tree reruns" \
	bash -c "$(declare -f noop runs); WORK='$WORK' T='$T'; noop && test \$(runs) -eq 2"
git -C "$TREE" checkout -q -- fs/iomap.c
check "make: a changed setting reruns (RACE_ITERATIONS)" \
	bash -c "$(declare -f noop runs); WORK='$WORK' T='$T'; RACE_ITERATIONS=1000 noop && test \$(runs) -eq 3"
check "make: ... and the same setting again does not" \
	bash -c "$(declare -f noop runs); WORK='$WORK' T='$T'; RACE_ITERATIONS=1000 noop && test \$(runs) -eq 3"
mkdir -p "$T/kunit/__pycache__" && echo x >"$T/kunit/__pycache__/x.pyc"
check "make: Python's byte code next to the tools is no change" \
	bash -c "$(declare -f noop runs); WORK='$WORK' T='$T'; RACE_ITERATIONS=1000 noop && test \$(runs) -eq 3"
rm -r "$T/kunit/__pycache__"
echo '/* edit */' >>"$T/tools/e2e/bench.c"
check "make: an edit of a tool the suites do not run (an e2e program) is no change" \
	bash -c "$(declare -f noop runs); WORK='$WORK' T='$T'; RACE_ITERATIONS=1000 noop && test \$(runs) -eq 3"
echo '# edit' >>"$T/tools/kunit_results.py"
check "make: an edit of a tool the suites run reruns (kunit_results.py)" \
	bash -c "$(declare -f noop runs); WORK='$WORK' T='$T'; RACE_ITERATIONS=1000 noop && test \$(runs) -eq 4"
# RUN_TOOLS is closed: every file of tools/ that one of them names (but
# lib.sh, whose gates and helpers name every script) is in it.
check "make: RUN_TOOLS holds every tool the suites' tools name" bash -c "
	. '$TOOLS/lib.sh'; cd '$TOOLS'; missing=
	for f in \"\${RUN_TOOLS[@]}\"; do
		[ \$f = lib.sh ] && continue
		for n in \$(grep -oE '[a-z0-9_-]+\.(sh|py|txt)' \$f | sort -u); do
			[ -e \$n ] && [[ \" \${RUN_TOOLS[*]} \" != *\" \$n \"* ]] && missing+=\" \$f:\$n\"
		done
	done
	[ -z \"\$missing\" ] || { echo \"not in RUN_TOOLS:\$missing\"; false; }"

# --- SUITE that matches nothing ------------------------------------------
printf 'static struct kunit_suite s = {\n\t.name = "uncached_fake",\n};\n' >"$T/kunit/fake_test.c"
: >"$WORK/runs"
suite() { env COVERAGE=0 KUNIT_RUNNER="$WORK/count-run-kunit" BUILD="$WORK/rbuild" RESULTS="$WORK/rres" "$T/tools/suites.sh" "$@"; }
check_fails "make SUITE: a glob that matches no suite fails" bash -c "$(declare -f suite); WORK='$WORK' T='$T'; suite no_such_suite"
check "make SUITE: says so, lists the suites, builds nothing" \
	bash -c "grep -q \"SUITE='no_such_suite' matches no suite; the suites are: uncached_fake\" '$WORK/out' && test \$(wc -l <'$WORK/runs') -eq 0"
check "make SUITE: a glob that matches a suite runs" bash -c "$(declare -f suite); WORK='$WORK' T='$T'; suite 'uncached_f*.c'"
printf '#!/bin/sh\nmkdir -p "$RESULTS"\necho %s >"$RESULTS/kunit.json"\n' "'{\"name\":\"r\",\"test_cases\":[],\"sub_groups\":[]}'" >"$WORK/none-run-kunit"
chmod +x "$WORK/none-run-kunit"
check_fails "make SUITE: a case glob that matches no case fails" \
	env COVERAGE=0 KUNIT_RUNNER="$WORK/none-run-kunit" BUILD="$WORK/rbuild" RESULTS="$WORK/rres" "$T/tools/suites.sh" 'uncached_fake.nothing*'
check "make SUITE: says no case matched, prints no counts" \
	bash -c "grep -q \"matched no test case\" '$WORK/out' && ! grep -q '0 passed, 0 failed' '$WORK/out'"
rm "$T/kunit/fake_test.c"
# --- deps: not root ----------------------------------------------------
mkdir -p "$WORK/bin"
printf '#!/bin/sh\nexit 1\n' >"$WORK/bin/dpkg-query"
printf '#!/bin/sh\necho 1000\n' >"$WORK/bin/id"
chmod +x "$WORK/bin/"*
check_fails "deps: missing packages without root fail" env PATH=$WORK/bin:$PATH "$T/tools/deps.sh"
check "deps: prints the apt-get line" grep -q 'apt-get install -y .*linux-source-6.12' "$WORK/out"
# --- run-kunit: an option that does not exist, an interrupted build ----
# A fake tree: kunit.py config refuses options it does not know, as the
# real one does; the build sleeps while FAKE_SLOW is set, so that it can
# be interrupted.
KT=$WORK/ktree
mkdir -p "$KT/tools/testing/kunit"
cat >"$KT/tools/testing/kunit/kunit.py" <<'PY'
import json, sys
args = sys.argv[2:]
open(sys.argv[0] + '.args', 'a').write(' '.join(sys.argv[1:]) + '\n')
opt = lambda n: [a.split('=', 1)[1] for a in args if a.startswith('--' + n + '=')]
if sys.argv[1] == 'config':
    lines = [l.strip() for k in opt('kunitconfig') for l in open(k) if l.startswith('CONFIG_')]
    missing = [l for l in lines if 'NO_SUCH' in l]
    if missing:
        print('ERROR:root:Not all Kconfig options selected in kunitconfig were in the generated .config.\n'
              'This is probably due to unsatisfied dependencies.\nMissing: ' + ', '.join(missing))
        sys.exit(1)
    open(opt('build_dir')[0] + '/.config', 'w').write('\n'.join(lines) + '\n')
else:
    print('[01:02:03] Starting KUnit Kernel (1/1)...\n'
          '[01:02:03] ============ uncached_fake (3 subtests) ============\n'
          '[01:02:03] [PASSED] c\n[01:02:03] [SKIPPED] d\n'
          '[01:02:03] # e: EXPECTATION FAILED at kunit/fake_test.c:9\n[01:02:03] [FAILED] e\n'
          '[01:02:03] ============== [FAILED] uncached_fake ==============\n'
          '[01:02:03] Testing complete. Ran 3 tests: passed: 1, failed: 1, skipped: 1')
    json.dump({'name': 'r', 'test_cases': [], 'sub_groups': [{'name': 'uncached_fake', 'sub_groups': [],
               'test_cases': [{'name': 'c', 'status': 'PASS'}]}]}, open(opt('json')[0], 'w'))
PY
printf 'kernelversion:\n\t@echo 6.12.99\nall:\n\t@if [ -n "$$FAKE_SLOW" ]; then sleep 30; fi\n\t@touch $(O)/linux\n' >"$KT/Makefile"
git -C "$KT" init -q && ugit -C "$KT" add -A && ugit -C "$KT" commit -qm tree
printf 'CONFIG_KUNIT=y\nCONFIG_NO_SUCH_OPTION=y\n' >"$WORK/bad.kunitconfig"
printf 'CONFIG_KUNIT=y\n' >"$WORK/good.kunitconfig"
touch "$T/kunit/Kconfig"
rk() { env TREE="$WORK/ktree" BUILD="$WORK/kbuild" RESULTS="$WORK/kres" COVERAGE=0 TOP="$T" "$TOOLS/kunit.sh"; }
check_fails "run-kunit: a kunitconfig option that does not exist fails" \
	env KUNITCONFIG="$WORK/bad.kunitconfig" bash -c "$(declare -f rk); WORK='$WORK' T='$T' TOOLS='$TOOLS'; rk"
check "run-kunit: kunit.py's message names the option" grep -q 'Missing: CONFIG_NO_SUCH_OPTION=y' "$WORK/out"
check "run-kunit: and nothing was built" test ! -e "$WORK/kbuild/linux"
check "run-kunit: one run recovers once the option is gone" \
	env KUNITCONFIG="$WORK/good.kunitconfig" bash -c "$(declare -f rk); WORK='$WORK' T='$T' TOOLS='$TOOLS'; rk"
rm -f "$WORK/kbuild/linux"
check_fails "run-kunit: an interrupted build fails" \
	env KUNITCONFIG="$WORK/good.kunitconfig" FAKE_SLOW=1 timeout -s INT 3 bash -c "$(declare -f rk); WORK='$WORK' T='$T' TOOLS='$TOOLS'; rk"
check "run-kunit: and reports no verdict" test ! -e "$WORK/kres/kunit.json"
check "run-kunit: one run recovers after an interrupted build" \
	env KUNITCONFIG="$WORK/good.kunitconfig" bash -c "$(declare -f rk); WORK='$WORK' T='$T' TOOLS='$TOOLS'; rk && test -e '$WORK/kres/kunit.json'"
# make check runs each gate from a script that sourced lib.sh: a gate of
# another configuration must get its own folders, also when make passed
# the settings on empty.
# child_folders SETTING: the folders a child script run with SETTING gets,
# from a script that sourced lib.sh with BUILD and RESULTS passed on empty.
child_folders() {
	env BUILD= RESULTS= TOOLS="$TOOLS" SETTING="$1" bash -c \
		'. "$TOOLS/lib.sh"; env "$SETTING" bash -c ". \"\$TOOLS/lib.sh\"; echo \$BUILD \$RESULTS"'
}
check "lib.sh: a child of another configuration gets its own build folder" \
	test "$(child_folders DEBUG=1)" = "$TOP/build/kunit-debug $TOP/results/debug"
check "lib.sh: ... and an x86_64 one its own" \
	test "$(child_folders KUNIT_ARCH=x86_64)" = "$TOP/build/kunit-x86_64 $TOP/results/x86_64"
# The environment make's recipes see, with our Makefile and no settings.
recipe_env() {
	(cd "$(dirname "$TOOLS")" && printf '_recipe_env:\n\t@env\n' |
		env -u BUILD -u RESULTS -u TREE -u COVERAGE make -s -f Makefile -f - _recipe_env)
}
check "make passes no empty settings on" \
	bash -c "$(declare -f recipe_env); TOOLS='$TOOLS'; ! recipe_env | grep -q '^\(BUILD\|RESULTS\|TREE\|COVERAGE\)='"
printf 'CONFIG_TRANSPARENT_HUGEPAGE=y\n' >"$T/kunit/x86_64.config"
: >"$KT/tools/testing/kunit/kunit.py.args"
check "run-kunit: RACE_ITERATIONS reaches the kernel's command line" \
	env KUNITCONFIG="$WORK/good.kunitconfig" RACE_ITERATIONS=7 bash -c "$(declare -f rk); WORK='$WORK' T='$T' TOOLS='$TOOLS'; rk &&
		grep -q '^exec .*--kernel_args=uncached_kunit.race_iterations=7' '$KT/tools/testing/kunit/kunit.py.args'"
: >"$KT/tools/testing/kunit/kunit.py.args"
check "run-kunit: KUNIT_ARCH=x86_64 configures with its fragment, runs on two CPUs" \
	env KUNITCONFIG="$WORK/good.kunitconfig" KUNIT_ARCH=x86_64 bash -c "$(declare -f rk); WORK='$WORK' T='$T' TOOLS='$TOOLS'; rk &&
		grep -q '^config --arch=x86_64 .*--kunitconfig=$T/kunit/x86_64.config' '$KT/tools/testing/kunit/kunit.py.args' &&
		grep -q '^exec --arch=x86_64 .*--qemu_args=-smp 2' '$KT/tools/testing/kunit/kunit.py.args'"
rm "$T/kunit/x86_64.config"
# The terminal: progress, the failures and the verdict; kunit.log: all.
check "run-kunit: the terminal shows a failed case, what it said, and the counts" \
	env KUNITCONFIG="$WORK/good.kunitconfig" bash -c "$(declare -f rk); WORK='$WORK' T='$T' TOOLS='$TOOLS'; rk >'$WORK/terminal' 2>&1 &&
		grep -q '\[FAILED\] e' '$WORK/terminal' && grep -q 'EXPECTATION FAILED at kunit/fake_test.c:9' '$WORK/terminal' &&
		grep -q 'Testing complete' '$WORK/terminal'"
check "run-kunit: and the progress of the cases" grep -q '^the suites: 1 passed, 1 failed, 1 skipped, done in' "$WORK/terminal"
check "run-kunit: not kunit.py's listing of the cases that passed or skipped" \
	bash -c "! grep -q '\[PASSED\]\|\[SKIPPED\]\|====' '$WORK/terminal'"
check "run-kunit: which kunit.log has, with all the rest" \
	bash -c "grep -q '\[PASSED\] c' '$WORK/kres/kunit.log' && grep -q '\[SKIPPED\] d' '$WORK/kres/kunit.log' &&
		 grep -q '\[FAILED\] e' '$WORK/kres/kunit.log' && grep -q 'Testing complete' '$WORK/kres/kunit.log'"

finish
