#!/usr/bin/env bash
# Tests of the tools/ scripts against a small fake kernel tarball: no
# kernel build, a few seconds.  Prints "N passed, N failed".
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOOLS=$(dirname "$HERE")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# No git identity anywhere, and git may not guess one: the tools must work
# on a machine where nobody configured git (a new user, a CI container).
unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL EMAIL
export HOME=$WORK/home GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=user.useConfigOnly GIT_CONFIG_VALUE_0=true
mkdir -p "$HOME"
# The test's own commits (fixtures, and what a developer commits in the
# tree) say who makes them, as a developer's configuration would.
ugit() { git -c user.name=Test -c user.email=test@localhost "$@"; }
export MIN_FREE_GB=0
# The fake trees have no arch/x86/um for the e2e machine's platform fix.
export E2E_PLATFORM=$WORK/no-platform-fixes

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
# check_fails "name" command...: the command must fail; its output is in $WORK/out
check_fails() { local name=$1; shift; if "$@" >"$WORK/out" 2>&1; then not_ok "$name"; sed 's/^/#   /' "$WORK/out"; else ok "$name"; fi; }
# check "name" command...: the command must succeed
check() { local name=$1; shift; if "$@" >"$WORK/check.out" 2>&1; then ok "$name"; else not_ok "$name"; sed 's/^/#   /' "$WORK/check.out"; fi; }

# A fake linux-source tarball: enough for prepare-tree.sh.
make_tarball() {
	local src=$WORK/src/linux-source-6.12
	mkdir -p "$src/fs" "$src/mm" "$src/include/linux"
	printf 'kernelversion:\n\t@echo 6.12.99\n' >"$src/Makefile"
	printf '*.o\n/*\n!/debian/\n' >"$src/.gitignore"
	printf 'menu "fs"\nendmenu\n' >"$src/fs/Kconfig"
	printf 'obj-y := open.o\n' >"$src/fs/Makefile"
	printf 'int filemap(void)\n{\n\treturn 0;\n}\n' >"$src/mm/filemap.c"
	printf 'int iomap(void)\n{\n\treturn 0;\n}\n' >"$src/fs/iomap.c"
	printf '#define RWF_X 1\n' >"$src/include/linux/fs.h"
	# The real checkpatch, when Debian's tarball is there.
	if [ -r /usr/src/linux-source-6.12.tar.xz ]; then
		tar -C "$WORK/src" -xJf /usr/src/linux-source-6.12.tar.xz \
			linux-source-6.12/scripts/checkpatch.pl \
			linux-source-6.12/scripts/spelling.txt \
			linux-source-6.12/scripts/const_structs.checkpatch
	fi
	tar -C "$WORK/src" -cJf "$WORK/linux-source-6.12.tar.xz" linux-source-6.12
}

# A sandbox checkout: our tools, empty series, one platform patch.
new_top() {
	local top=$WORK/$1
	mkdir -p "$top/mm" "$top/fs" "$top/kunit" "$top/coverage/platform"
	ln -s "$TOOLS" "$top/tools"
	echo "$top"
}

# A patch made in a scratch copy of the fake tree: $1 file, $2 sed, $3 subject.
make_patch() {
	local file=$1 expr=$2 subject=$3 out=$4 d=$WORK/scratch
	rm -rf "$d" && cp -r "$WORK/src/linux-source-6.12" "$d"
	[ -n "${5:-}" ] && (cd "$d" && eval "$5")
	git -C "$d" init -q && git -C "$d" add -A -f && ugit -C "$d" commit -qm base
	sed -i "$expr" "$d/$file"
	ugit -C "$d" commit -qam "$subject" -m "Body." -m "Signed-off-by: Test <test@localhost>"
	git -C "$d" format-patch -q --zero-commit --no-signature -1 --stdout >"$out"
}

make_tarball
export TARBALL=$WORK/linux-source-6.12.tar.xz

# --- prepare-tree: fresh tree, tags, layer, series --------------------
T=$(new_top a)
export TOP=$T TREE=$T/work/linux
make_patch mm/filemap.c 's/return 0/return 1/' 'mm/filemap: one' "$T/mm/0001-mm-filemap-one.patch"
make_patch fs/iomap.c 's/return 0/return 2/' 'iomap: two' "$T/fs/0002-iomap-two.patch"
make_patch Makefile '$a # um' 'um: platform fix' "$T/coverage/platform/0001-um-platform-fix.patch"

check_fails "setup: git has no identity to give (so prepare must not need one)" git var GIT_COMMITTER_IDENT
check "prepare: fresh tree is made" "$T/tools/prepare-tree.sh"
check "prepare: the base tag has the sandbox's tagger" bash -c "git -C '$TREE' tag -l --format='%(taggeremail)' base | grep -qx '<sandbox@localhost>'"
check "prepare: base and sandbox tags" bash -c "git -C '$TREE' rev-parse -q --verify base && git -C '$TREE' rev-parse -q --verify sandbox"
check "prepare: series applied in order" bash -c "git -C '$TREE' log --format=%s sandbox..HEAD | tr '\n' '|' | grep -qx 'iomap: two|mm/filemap: one|'"
check "prepare: suites linked" test "$(readlink "$TREE/fs/uncached_test")" = "$T/kunit"
check "prepare: Debian's ignore-all rule dropped" bash -c "! grep -qx '/\*' '$TREE/.gitignore'"
check "prepare: suite hookup in fs/Kconfig" grep -q 'source "fs/uncached_test/Kconfig"' "$TREE/fs/Kconfig"

head=$(git -C "$TREE" rev-parse HEAD)
stamp=$(stat -c %Y "$TREE/mm/filemap.c")
sleep 1
check "prepare: second run succeeds" "$T/tools/prepare-tree.sh"
check "prepare: second run leaves HEAD and mtimes alone" \
	test "$head $stamp" = "$(git -C "$TREE" rev-parse HEAD) $(stat -c %Y "$TREE/mm/filemap.c")"

# Uncommitted edits in the tree are built as they are.
echo "/* edit */" >>"$TREE/fs/iomap.c"
check "prepare: keeps uncommitted edits when the series is unchanged" \
	bash -c "'$T/tools/prepare-tree.sh' && grep -q edit '$TREE/fs/iomap.c'"
git -C "$TREE" checkout -q -- fs/iomap.c

# --- a patch that does not apply ---------------------------------------
cp "$T/fs/0002-iomap-two.patch" "$WORK/saved.patch"
make_patch fs/iomap.c 's/return 7/return 3/; s/iomap(void)/iomap_bad(void)/' 'iomap: bad' "$WORK/bad.patch" \
	"sed -i 's/int iomap/long iomap/' fs/iomap.c"
cp "$WORK/bad.patch" "$T/fs/0002-iomap-two.patch"
check_fails "prepare: a patch that does not apply fails" "$T/tools/prepare-tree.sh"
check "prepare: the message names the patch" grep -q 'iomap: bad\|0002-iomap-two.patch' "$WORK/out"
check "prepare: tree left at the sandbox base, not half-applied" \
	test "$(git -C "$TREE" rev-parse HEAD)" = "$(git -C "$TREE" rev-parse sandbox^{commit})"
check "prepare: no git am left in progress" test ! -d "$TREE/.git/rebase-apply"
cp "$WORK/saved.patch" "$T/fs/0002-iomap-two.patch"
check "prepare: recovers once the patch is fixed" "$T/tools/prepare-tree.sh"

# --- commits in the tree, export, refusal -------------------------------
sed -i 's/return 2/return 4/' "$TREE/fs/iomap.c"
ugit -C "$TREE" commit -qam "iomap: three" -m "Body." -m "Signed-off-by: Test <test@localhost>"
check "prepare: builds a tree with new commits when the series is unchanged" "$T/tools/prepare-tree.sh"
# Now the series changes under it (a pull): make must refuse, not reset.
sed -i 's/^Subject: \[PATCH\] mm\/filemap: one/Subject: [PATCH] mm\/filemap: one, reworded/' "$T/mm/0001-mm-filemap-one.patch"
sed -i 's/return 1;/return 11;/' "$T/mm/0001-mm-filemap-one.patch"
check_fails "prepare: refuses to reset a tree with unexported commits" "$T/tools/prepare-tree.sh"
check "prepare: the refusal says make export" grep -q "make export" "$WORK/out"
check "prepare: the unexported commit is still there" \
	bash -c "git -C '$TREE' log --format=%s -1 | grep -qx 'iomap: three'"

check "export: writes the series" "$T/tools/export.sh"
check "export: three numbered patches, mm first" \
	bash -c "cd '$T' && test \"\$(echo mm/*.patch fs/*.patch)\" = 'mm/0001-mm-filemap-one.patch fs/0002-iomap-two.patch fs/0003-iomap-three.patch'"
check "export: patches carry their commit messages" grep -q '^Subject: \[PATCH 3/3\] iomap: three' "$T/fs/0003-iomap-three.patch"
# The folder is decided by what a patch touches, not by where it stands.
echo '/* four */' >>"$TREE/mm/filemap.c"
ugit -C "$TREE" commit -qam "mm/filemap: four" -m "Body." -m "Signed-off-by: Test <test@localhost>"
check "export: an mm patch after fs patches goes to mm/" \
	bash -c "'$T/tools/export.sh' && cd '$T' && test \"\$(echo mm/*.patch fs/*.patch)\" = 'mm/0001-mm-filemap-one.patch mm/0004-mm-filemap-four.patch fs/0002-iomap-two.patch fs/0003-iomap-three.patch'"
check "series: applied in number order across mm/ and fs/" \
	bash -c ". '$T/tools/lib.sh'; series_patches | sed 's|.*/||' | tr '\n' ' ' | grep -qx '0001-mm-filemap-one.patch 0002-iomap-two.patch 0003-iomap-three.patch 0004-mm-filemap-four.patch '"
ugit -C "$TREE" reset -q --hard HEAD~1
"$T/tools/export.sh" 2>/dev/null
head=$(git -C "$TREE" rev-parse HEAD)
check "prepare: after export the tree is in sync and untouched" \
	bash -c "'$T/tools/prepare-tree.sh' && test '$head' = \$(git -C '$TREE' rev-parse HEAD)"

# A changed series is applied when the tree has nothing of its own.
sed -i 's/return 4;/return 5;/' "$T/fs/0003-iomap-three.patch"
check "prepare: applies a changed series" "$T/tools/prepare-tree.sh"
check "prepare: the tree has the changed patch" grep -q 'return 5;' "$TREE/fs/iomap.c"

# --- check-series ------------------------------------------------------
check "check-series: series applies to the pristine base" "$T/tools/check-series.sh"
cp "$WORK/bad.patch" "$T/fs/0004-iomap-bad.patch"
check_fails "check-series: a patch that does not apply fails" "$T/tools/check-series.sh"
check "check-series: names the patch" grep -q '0004-iomap-bad.patch' "$WORK/out"
rm "$T/fs/0004-iomap-bad.patch"

# --- distclean ---------------------------------------------------------
ugit -C "$TREE" commit -q --allow-empty -m "empty"
sed -i 's/return 5/return 6/' "$TREE/fs/iomap.c" && ugit -C "$TREE" commit -qam "iomap: four"
check_fails "distclean: refuses with unexported commits" "$T/tools/distclean.sh"
check "distclean: tree still there" test -d "$TREE/.git"
check "distclean: FORCE=1 removes it" env FORCE=1 "$T/tools/distclean.sh"
check "distclean: tree gone" test ! -e "$TREE"

# --- interrupted runs --------------------------------------------------
mkdir -p "$TREE.tmp/junk"
check "prepare: recovers from an interrupted unpack" "$T/tools/prepare-tree.sh"
check "prepare: no leftover temporary tree" test ! -e "$TREE.tmp"
mkdir -p "$TREE/.git/rebase-apply"
check "prepare: recovers from an interrupted git am" "$T/tools/prepare-tree.sh"

# --- a tree that is not ours, a broken one, a full disk -------------------
mv "$TREE" "$WORK/good-tree"
mkdir -p "$TREE/fs"
check_fails "prepare: a folder that is not a tree is refused" "$T/tools/prepare-tree.sh"
check "prepare: says what it is and what to do" grep -q "is not a tree this sandbox made.*distclean FORCE=1" "$WORK/out"
rm -rf "$TREE" && cp -a "$WORK/good-tree" "$TREE" && echo garbage >"$TREE/.git/HEAD"
check_fails "prepare: a broken git repository is refused" "$T/tools/prepare-tree.sh"
check "prepare: and left as it was" grep -qx garbage "$TREE/.git/HEAD"
check "distclean: FORCE=1 removes a broken tree" env FORCE=1 "$T/tools/distclean.sh"
check_fails "prepare: a full disk stops before unpacking" env MIN_FREE_GB=1000000 "$T/tools/prepare-tree.sh"
check "prepare: says how much is free and needed, leaves nothing" \
	bash -c "grep -q 'GiB free in .*need 1000000 GiB' '$WORK/out' && test ! -e '$TREE' && test ! -e '$TREE.tmp'"
mv "$WORK/good-tree" "$TREE"
check "prepare: recovers once the tree is back" "$T/tools/prepare-tree.sh"

# --- checkpatch gate ----------------------------------------------------
if [ -f "$TREE/scripts/checkpatch.pl" ]; then
	check "checkpatch: the series is clean" "$T/tools/checkpatch.sh"
	make_patch mm/filemap.c 's/return 0;/return 3; /' 'mm/filemap: trailing space' "$WORK/ws.patch"
	check_fails "checkpatch: a patch with a checkpatch error fails" "$T/tools/checkpatch.sh" "$WORK/ws.patch"
	check "checkpatch: names the patch and the error" \
		bash -c "grep -q 'FAIL.*ws.patch' '$WORK/out' && grep -q 'trailing whitespace' '$WORK/out'"
	sed '/^Signed-off-by/d' "$T/mm/0001-mm-filemap-one.patch" >"$WORK/nosob.patch"
	check_fails "checkpatch: a patch without Signed-off-by fails" "$T/tools/checkpatch.sh" "$WORK/nosob.patch"
else
	echo "skip - checkpatch tests: no /usr/src/linux-source-6.12.tar.xz"
fi

# --- mutants gate --------------------------------------------------------
# A stand-in for run-kunit.sh: its one case fails when mm/filemap.c changed.
cat >"$WORK/fake-run-kunit" <<'SH'
#!/bin/sh
mkdir -p "$RESULTS"
if git -C "$TREE" diff --quiet -- mm/filemap.c; then status=PASS; else status=FAIL; fi
printf '{"name":"r","test_cases":[],"sub_groups":[{"name":"s","sub_groups":[],"test_cases":[{"name":"c","status":"%s"}]}]}\n' "$status" >"$RESULTS/kunit.json"
[ "$status" = PASS ]
SH
chmod +x "$WORK/fake-run-kunit"
mkdir -p "$WORK/mutants"
echo "/* mutant */" >>"$TREE/mm/filemap.c"
git -C "$TREE" diff -- mm/filemap.c >"$WORK/mutants/01-killed.patch"
git -C "$TREE" checkout -q -- mm/filemap.c
echo "/* mutant */" >>"$TREE/fs/iomap.c"
git -C "$TREE" diff -- fs/iomap.c >"$WORK/mutants/02-survives.patch"
git -C "$TREE" checkout -q -- fs/iomap.c
check "mutants: a killed mutant passes the gate" \
	env RUN_KUNIT="$WORK/fake-run-kunit" MUTANTS="$WORK/mutants" RESULTS="$WORK/res" BUILD="$WORK/nobuild" \
	"$T/tools/mutants.sh" '01-*'
check_fails "mutants: a surviving mutant fails the gate" \
	env RUN_KUNIT="$WORK/fake-run-kunit" MUTANTS="$WORK/mutants" RESULTS="$WORK/res" BUILD="$WORK/nobuild" \
	"$T/tools/mutants.sh"
check "mutants: names the survivor and shows its diff" \
	bash -c "grep -q 'SURVIVED  02-survives' '$WORK/out' && grep -q '^+/\* mutant \*/' '$WORK/out'"
check "mutants: the tree is left as it was" git -C "$TREE" diff --quiet

# --- make with nothing changed -------------------------------------------
# A stand-in for run-kunit.sh that counts its runs.
printf '#!/bin/sh\necho run >>"%s/runs"\nmkdir -p "$RESULTS"\n' "$WORK" >"$WORK/count-run-kunit"
printf 'printf %s >"$RESULTS/kunit.json"\n' "'{\"name\":\"r\",\"test_cases\":[],\"sub_groups\":[{\"name\":\"s\",\"sub_groups\":[],\"test_cases\":[{\"name\":\"c\",\"status\":\"PASS\"}]}]}'" >>"$WORK/count-run-kunit"
chmod +x "$WORK/count-run-kunit"
mkdir -p "$WORK/rbuild" && touch "$WORK/rbuild/linux" && chmod +x "$WORK/rbuild/linux"
runs() { wc -l <"$WORK/runs" 2>/dev/null || echo 0; }
noop() { env SKIP_UNCHANGED=1 COVERAGE=0 RUN_KUNIT="$WORK/count-run-kunit" BUILD="$WORK/rbuild" RESULTS="$WORK/rres" "$T/tools/run.sh"; }
check "make: the first run runs" bash -c "$(declare -f noop); WORK='$WORK' T='$T'; noop"
check "make: nothing changed, no rerun, same verdict" \
	bash -c "$(declare -f noop runs); WORK='$WORK' T='$T'; noop | grep -q '^1 passed, 0 failed' && test \$(runs) -eq 1"
echo "/* edit */" >>"$TREE/fs/iomap.c"
check "make: an uncommitted edit in the tree reruns" \
	bash -c "$(declare -f noop runs); WORK='$WORK' T='$T'; noop && test \$(runs) -eq 2"
git -C "$TREE" checkout -q -- fs/iomap.c

# --- SUITE that matches nothing ------------------------------------------
printf 'static struct kunit_suite s = {\n\t.name = "uncached_fake",\n};\n' >"$T/kunit/fake_test.c"
: >"$WORK/runs"
suite() { env COVERAGE=0 RUN_KUNIT="$WORK/count-run-kunit" BUILD="$WORK/rbuild" RESULTS="$WORK/rres" "$T/tools/run.sh" "$@"; }
check_fails "make SUITE: a glob that matches no suite fails" bash -c "$(declare -f suite); WORK='$WORK' T='$T'; suite no_such_suite"
check "make SUITE: says so, lists the suites, builds nothing" \
	bash -c "grep -q \"SUITE='no_such_suite' matches no suite; the suites are: uncached_fake\" '$WORK/out' && test \$(wc -l <'$WORK/runs') -eq 0"
check "make SUITE: a glob that matches a suite runs" bash -c "$(declare -f suite); WORK='$WORK' T='$T'; suite 'uncached_f*.c'"
printf '#!/bin/sh\nmkdir -p "$RESULTS"\necho %s >"$RESULTS/kunit.json"\n' "'{\"name\":\"r\",\"test_cases\":[],\"sub_groups\":[]}'" >"$WORK/none-run-kunit"
chmod +x "$WORK/none-run-kunit"
check_fails "make SUITE: a case glob that matches no case fails" \
	env COVERAGE=0 RUN_KUNIT="$WORK/none-run-kunit" BUILD="$WORK/rbuild" RESULTS="$WORK/rres" "$T/tools/run.sh" 'uncached_fake.nothing*'
check "make SUITE: says no case matched, prints no counts" \
	bash -c "grep -q \"matched no test case\" '$WORK/out' && ! grep -q '0 passed, 0 failed' '$WORK/out'"
rm "$T/kunit/fake_test.c"

# --- bisect gate ---------------------------------------------------------
# A stand-in for one build-and-run step: fails while fs/iomap.c is broken.
printf '#!/bin/sh\n! grep -q broken fs/iomap.c\n' >"$WORK/fake-step"
chmod +x "$WORK/fake-step"
bisect() { env BISECT_STEP="$WORK/fake-step" BISECT_TREE="$WORK/wt" BISECT_BUILD="$WORK/wtbuild" \
	RESULTS="$WORK/res" "$T/tools/bisect.sh"; }
check "bisect: every patch builds" bisect
echo "/* broken */" >>"$TREE/fs/iomap.c"
ugit -C "$TREE" commit -qam "iomap: break the build" -m "Body."
sed -i '/broken/d' "$TREE/fs/iomap.c"
ugit -C "$TREE" commit -qam "iomap: fix the build" -m "Body."
check_fails "bisect: a middle patch that does not build fails" bisect
cp "$WORK/out" "$WORK/bisect.out"
check "bisect: names that patch, and only that one" \
	bash -c "grep -q '^FAIL .* iomap: break the build' '$WORK/bisect.out' && grep -q '^ok .* iomap: fix the build' '$WORK/bisect.out'"
git -C "$TREE" reset -q --hard HEAD~2

# --- deps: not root ----------------------------------------------------
mkdir -p "$WORK/bin"
printf '#!/bin/sh\nexit 1\n' >"$WORK/bin/dpkg-query"
printf '#!/bin/sh\necho 1000\n' >"$WORK/bin/id"
chmod +x "$WORK/bin/"*
check_fails "deps: missing packages without root fail" env PATH=$WORK/bin:$PATH "$T/tools/deps.sh"
check "deps: prints the apt-get line" grep -q 'apt-get install -y .*linux-source-6.12' "$WORK/out"

# --- coverage without data ---------------------------------------------
mkdir -p "$WORK/emptybuild"
check_fails "coverage: no .gcda files is an error" env BUILD=$WORK/emptybuild COVERAGE_OUT=$WORK/cov "$T/tools/coverage.sh"
check "coverage: says unavailable, not 0%" grep -q 'coverage unavailable' "$WORK/out"

# --- diff coverage gate -----------------------------------------------
# The series changes one line of mm/filemap.c; say that line never ran.
line=$(git -C "$TREE" diff -U0 sandbox..HEAD -- mm/filemap.c | sed -n 's/^@@ .* +\([0-9]*\).* @@.*/\1/p' | head -n1)
mkdir -p "$WORK/dcov"
printf 'TN:\nSF:%s\nDA:1,5\nDA:%s,0\nBRDA:%s,0,0,-\nBRDA:%s,0,1,3\nend_of_record\n' \
	"$TREE/mm/filemap.c" "$line" "$line" "$line" >"$WORK/dcov/coverage.info"
mkdir -p "$T/coverage" && cp "$TOOLS/../coverage/thresholds" "$T/coverage/thresholds"
check_fails "diff-coverage: an added line that never ran fails the gate" env COVERAGE_OUT=$WORK/dcov "$T/tools/diff-coverage.sh" --check
check "diff-coverage: names the line" grep -q "mm/filemap.c:$line: line never ran" "$WORK/out"
check "diff-coverage: counts only added lines (1 of 1)" grep -q 'lines 0.0% (0 of 1 line)' "$WORK/out"
sed -i "s/^DA:$line,0/DA:$line,2/; s/^BRDA:$line,0,0,-/BRDA:$line,0,0,1/" "$WORK/dcov/coverage.info"
check "diff-coverage: passes once it ran" env COVERAGE_OUT="$WORK/dcov" "$T/tools/diff-coverage.sh" --check

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
    print('KTAP version 1\n1..1\nok 1 uncached_fake')
    json.dump({'name': 'r', 'test_cases': [], 'sub_groups': [{'name': 'uncached_fake', 'sub_groups': [],
               'test_cases': [{'name': 'c', 'status': 'PASS'}]}]}, open(opt('json')[0], 'w'))
PY
printf 'kernelversion:\n\t@echo 6.12.99\nall:\n\t@if [ -n "$$FAKE_SLOW" ]; then sleep 30; fi\n\t@touch $(O)/linux\n' >"$KT/Makefile"
git -C "$KT" init -q && ugit -C "$KT" add -A && ugit -C "$KT" commit -qm tree
printf 'CONFIG_KUNIT=y\nCONFIG_NO_SUCH_OPTION=y\n' >"$WORK/bad.kunitconfig"
printf 'CONFIG_KUNIT=y\n' >"$WORK/good.kunitconfig"
touch "$T/kunit/Kconfig"
rk() { env TREE="$WORK/ktree" BUILD="$WORK/kbuild" RESULTS="$WORK/kres" COVERAGE=0 TOP="$T" "$TOOLS/run-kunit.sh"; }
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

# --- e2e machine: a guest that fails, hangs, panics or escapes --------
# A fake tree whose allnoconfig copies the fragment (less $DROP) and
# whose build installs a fake UML kernel: a script that acts as the guest
# named by $FAKE_GUEST would, writing to its scratch folder.
E2T=$WORK/e2etree
mkdir -p "$E2T" "$WORK/e2ebin"
printf 'allnoconfig:\n\t@grep "^CONFIG_" $(KCONFIG_ALLCONFIG) | grep -v "$(or $(DROP),NONE)" >$(O)/.config\nall:\n\t@cp %s $(O)/linux\n' \
	"$WORK/fake-guest" >"$E2T/Makefile"
git -C "$E2T" init -q && ugit -C "$E2T" add Makefile && ugit -C "$E2T" commit -qm tree
cat >"$WORK/fake-guest" <<'GUEST'
#!/bin/sh
for a; do case $a in E2E_BUILD=*) b=${a#E2E_BUILD=} ;; esac; done
s=$b/scratch
echo "Linux version 6.12 (fake)"
case $FAKE_GUEST in
pass) printf 'mount\tpass\t0\nfsx-xfs\tpass\t3\n' >"$s/steps.tsv"; echo pass >"$s/status" ;;
fsx) printf 'e2e: --- fsx-xfs\r\ne2e-fsx: FAIL (pid 7): read: byte 0x10 is 0x1, the model says 0x3\r\ne2e-fsx: seed 1, operation 42; the last operations:\r\n' 
     printf 'mount\tpass\t0\nfsx-xfs\tfail\t3\n' >"$s/steps.tsv"; echo "fail fsx-xfs" >"$s/status" ;;
panic) echo "Kernel panic - not syncing: Attempted to kill init!"; exit 134 ;;
hang) sleep 60 ;;
escape) touch "$b/probe"; echo pass >"$s/status" ;;
esac
GUEST
for t in mkfs.xfs mkfs.ext4 xfs_repair e2fsck dmsetup; do
	printf '#!/bin/sh\n[ -z "$FAKE_FULL" ] || { echo "mkfs: pwrite failed: No space left on device"; exit 1; }\n' >"$WORK/e2ebin/$t"
done
chmod +x "$WORK/fake-guest" "$WORK/e2ebin"/*
e2e() { env PATH="$WORK/e2ebin:$PATH" TREE="$E2T" E2E_BUILD="$WORK/e2ebuild" E2E_RESULTS="$WORK/e2eres" \
	E2E_TIMEOUT=3 "$TOOLS/e2e/run.sh" check; }
check "e2e: a guest that passes passes" env FAKE_GUEST=pass bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e >'$WORK/e2e.out' 2>&1"
check "e2e: and lists its steps" grep -q 'e2e check: all 2 steps passed' "$WORK/e2e.out"
check "e2e: the programs build, static" bash -c "file '$WORK/e2ebuild/bin/e2e-fsx' | grep -q 'statically linked'"
check_fails "e2e: a failing step fails" env FAKE_GUEST=fsx bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check "e2e: names the step and shows the exerciser's seed and operation" \
	bash -c "grep -q 'e2e check: fail fsx-xfs' '$WORK/out' && grep -q 'seed 1, operation 42' '$WORK/out'"
check_fails "e2e: a guest that panics fails" env FAKE_GUEST=panic bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check "e2e: says there was no verdict and shows the log" \
	bash -c "grep -q 'no verdict' '$WORK/out' && grep -q 'Kernel panic' '$WORK/out'"
check_fails "e2e: a guest that hangs fails" env FAKE_GUEST=hang bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check "e2e: says it timed out and shows the log" \
	bash -c "grep -q 'did not finish in 3s' '$WORK/out' && grep -q 'Linux version 6.12 (fake)' '$WORK/out'"
check_fails "e2e: a guest that writes outside its scratch folder fails" env FAKE_GUEST=escape bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check "e2e: says the host's root was writable" grep -q "host's root was writable" "$WORK/out"
check_fails "e2e: a disk image that cannot be made fails" env FAKE_GUEST=pass FAKE_FULL=1 bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check "e2e: says which image and why" \
	bash -c "grep -q 'cannot create the disk image .*xfs.img' '$WORK/out' && grep -q 'No space left' '$WORK/out'"
rm "$WORK/e2ebuild/.sandbox-config"
check_fails "e2e: a config option the kernel did not take fails" \
	env FAKE_GUEST=pass DROP=CONFIG_XFS_FS bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check "e2e: names the option" grep -q 'not in .*/.config .*CONFIG_XFS_FS' "$WORK/out"
rm "$WORK/e2ebin/mkfs.xfs"
check_fails "e2e: a missing mkfs.xfs fails" env FAKE_GUEST=pass PATH="$WORK/e2ebin:/usr/bin:/bin" bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; PATH=/usr/bin:/bin; e2e"
check "e2e: says what to install" grep -q "mkfs.xfs is missing: run 'make deps'" "$WORK/out"

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

[ -n "${KEEP_WORK:-}" ] && { trap - EXIT; echo "work: $WORK"; }
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
