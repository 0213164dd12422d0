#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tool tests: the gates: check.sh, checkpatch.sh, mutants.sh, bisect.sh,
# coverage.sh and diff-coverage.sh, against a fake tree.
. "$(dirname "$0")/lib.sh"

new_sandbox a
# --- check.sh: every gate, one in the background ------------------------
# b runs beside c: c sees b still running (b waits for c's mark), and b's
# failure fails make check, in the table at its place.
# (Gates are command lines of words, as lib.sh's are: here, scripts.)
printf 'echo a done\n' >"$WORK/gate-a"
printf 'for i in $(seq 100); do [ -e %s/c-ran ] && { echo b saw c; exit ${B_RC:-3}; }; sleep 0.1; done; echo b alone\n' "$WORK" >"$WORK/gate-b"
printf 'touch %s/c-ran && echo c beside b\n' "$WORK" >"$WORK/gate-c"
printf '%s\n' "a:bash $WORK/gate-a" "b:bash $WORK/gate-b" "c:bash $WORK/gate-c" >"$WORK/gates"
checkrun() { env CHECK_SH_GATES="$(cat "$WORK/gates")" CHECK_SH_BESIDE=b TREE="$WORK/no-tree" \
	RESULTS="$WORK/check-res" "$T/tools/check.sh"; }
check_fails "check: a gate in the background that fails fails make check" checkrun
check "check: it ran beside the gate after it, and its output is shown when it ends" \
	bash -c "grep -q '^c beside b' '$WORK/out' && grep -q '^b saw c' '$WORK/out' &&
		 grep -q 'gate 2 of 3: b: fail in' '$WORK/out' && grep -q 'make check: 1 of 3 gates failed' '$WORK/out'"
check "check: the table keeps the gates' order, each with its verdict and last line" \
	test "$(cut -f1,2,4 "$WORK/check-res/gates.tsv" | tr '\t\n' ',;')" = "a,pass,a done;b,fail,b saw c;c,pass,c beside b;"
# make check stopped (a signal for its process group, as ^C or CI's) ends
# a gate in the background, down to a process in a group of its own (the
# fstests machine's timeout(1)).
printf 'setsid sleep 60 & echo $! >%s/b-child; wait\n' "$WORK" >"$WORK/gate-b2"
printf 'sleep 60\n' >"$WORK/gate-c2"
setsid env CHECK_SH_GATES="$(printf '%s\n' "b:bash $WORK/gate-b2" "c:bash $WORK/gate-c2")" CHECK_SH_BESIDE=b \
	TREE="$WORK/no-tree" RESULTS="$WORK/check-res2" "$T/tools/check.sh" >"$WORK/stopped.out" 2>&1 &
stopped=$!
for _ in $(seq 100); do [ -s "$WORK/b-child" ] && break; sleep 0.1; done
sleep 0.5
kill -TERM -- -"$stopped"
wait "$stopped" 2>/dev/null || true
# Gone, or a zombie its new parent has not reaped yet.
running() { ps -o stat= -p "$1" | grep -qv '^Z'; }
check "check: stopped, it leaves no gate running in the background" \
	bash -c "$(declare -f running); p=\$(cat '$WORK/b-child') && for _ in \$(seq 50); do running \$p || exit 0; sleep 0.1; done; exit 1"
rm -f "$WORK/c-ran"
check "check: all gates passing, one in the background, pass" env B_RC=0 bash -c "$(declare -f checkrun); WORK='$WORK' T='$T' checkrun"
# --- checkpatch gate ----------------------------------------------------
if [ -f "$TREE/scripts/checkpatch.pl" ]; then
	check "checkpatch: the series is clean" "$T/tools/checkpatch.sh"
	make_patch mm/filemap.c 's/return 0;/return 3; /' 'mm/filemap: trailing space' "$WORK/ws.patch"
	check_fails "checkpatch: a patch with a checkpatch error fails" "$T/tools/checkpatch.sh" "$WORK/ws.patch"
	check "checkpatch: names the patch and the error" \
		bash -c "grep -q 'FAIL.*ws.patch' '$WORK/out' && grep -q 'trailing whitespace' '$WORK/out'"
	sed '/^Signed-off-by/d' "$T/mm/0001-mm-filemap-one.patch" >"$WORK/nosob.patch"
	check_fails "checkpatch: a patch without Signed-off-by fails" "$T/tools/checkpatch.sh" "$WORK/nosob.patch"
	# A CHECK (BIT_MACRO) is justified only by a message that names it.
	make_patch mm/filemap.c '$G; $a #define FILEMAP_FLAG\t(1 << 3)' 'mm/filemap: a flag' "$WORK/check.patch"
	sed -i 's/^Body\.$/Body that mentions checkpatch, and no reason./' "$WORK/check.patch"
	check_fails "checkpatch: a CHECK whose type the message does not name fails" \
		"$T/tools/checkpatch.sh" "$WORK/check.patch"
	check "checkpatch: names the CHECK's type" grep -q 'does not justify by name: BIT_MACRO' "$WORK/out"
	sed -i 's/^Body that mentions.*/BIT() is not used (BIT_MACRO): the neighbours do not./' "$WORK/check.patch"
	check "checkpatch: a CHECK the message names by type passes" "$T/tools/checkpatch.sh" "$WORK/check.patch"
	# Our own C, whole files: a suite's file with a checkpatch error.
	printf '// SPDX-License-Identifier: GPL-2.0\nint uncached_one(int a)\n{\n\tif (a) return 1;\n\treturn 0;\n}\n' >"$T/kunit/one_test.c"
	check_fails "checkpatch: a suite's file with a checkpatch error fails" "$T/tools/checkpatch.sh"
	check "checkpatch: names the file and the error" \
		bash -c "grep -q 'FAIL kunit/one_test.c' '$WORK/out' && grep -q 'TRAILING_STATEMENTS' '$WORK/out'"
	sed -i 's/if (a) return 1;/if (a)\n\t\treturn 1;/' "$T/kunit/one_test.c"
	check "checkpatch: the file put right passes" "$T/tools/checkpatch.sh"
	rm "$T/kunit/one_test.c"
else
	echo "skip - checkpatch tests: no /usr/src/linux-source-6.12.tar.xz"
fi

# --- static rules (tools/rules.sh) -------------------------------------
if command -v spatch >/dev/null; then
	ct=$WORK/rules-tree
	git clone -q "$TREE" "$ct"
	check "rules: the series has no report" env TREE="$ct" "$T/tools/rules.sh"
	cat >>"$ct/mm/filemap.c" <<'C'
void drop(struct address_space *m, struct folio *f)
{
	if (folio_test_writeback(f) || folio_test_dirty(f))
		return;
	if (folio_trylock(f)) {
		invalidate_complete_folio2(m, f);
		folio_unlock(f);
	}
}
C
	check_fails "rules: a folio dropped with its writeback tested only before the lock is reported" \
		env TREE="$ct" "$T/tools/rules.sh"
	check "rules: names the rule and the line" \
		grep -q '^rule.folio-removal-writeback mm/filemap.c:10: folio removed' "$WORK/out"
	ugit -C "$ct" commit -qam "below the sandbox layer" && git -C "$ct" tag -f sandbox >/dev/null
	echo '/* a change elsewhere in the file */' >>"$ct/mm/filemap.c"
	check "rules: a report on a line the change does not add is not counted" env TREE="$ct" "$T/tools/rules.sh"
	sed -i 's/^\t\tinvalidate_complete_folio2(m, f);/\t\tif (!folio_test_writeback(f))\n\t\t\tinvalidate_complete_folio2(m, f);/' "$ct/mm/filemap.c"
	check "rules: tested again under the lock, the drop is not reported" env TREE="$ct" "$T/tools/rules.sh"
	sed -i 's/folio_test_writeback(f))$/folio_test_dirty(f))/' "$ct/mm/filemap.c"
	check_fails "rules: a test of dirty alone under the lock is reported" env TREE="$ct" "$T/tools/rules.sh"
	# The split rule: a page flag the change adds must be on the split's list.
	git -C "$ct" checkout -q -- . && mkdir -p "$ct/include/linux"
	printf 'enum pageflags {\n\tPG_locked,\n\tPG_dirty,\n\tPG_private,\n};\n' >"$ct/include/linux/page-flags.h"
	printf 'static void __split_huge_page_tail(struct folio *folio)\n{\n\tnew->flags |= (folio->flags &\n\t\t((1L << PG_locked) |\n\t\t (1L << PG_dirty)));\n}\n' >"$ct/mm/huge_memory.c"
	ugit -C "$ct" add -A && ugit -C "$ct" commit -qm "page flags" && git -C "$ct" tag -f sandbox >/dev/null
	check "rules: the kernel's own flags that a split does not copy are not judged" env TREE="$ct" "$T/tools/rules.sh"
	sed -i 's/^\tPG_private,$/\tPG_private,\n\tPG_dropbehind,/' "$ct/include/linux/page-flags.h"
	check_fails "rules: a page flag the change adds that a split does not copy is reported" \
		env TREE="$ct" "$T/tools/rules.sh"
	check "rules: names the flag and its line" grep -q '^rule.split-copies-page-flags include/linux/page-flags.h:5: PG_dropbehind is not copied' "$WORK/out"
	sed -i 's/(1L << PG_dirty)/(1L << PG_dirty) | (1L << PG_dropbehind)/' "$ct/mm/huge_memory.c"
	check "rules: on the split's list, it is not reported" env TREE="$ct" "$T/tools/rules.sh"
	git -C "$ct" checkout -q -- mm/huge_memory.c
	sed -i 's/^\tPG_dropbehind,$/\tPG_dropbehind,\t\/* not copied on split: each part is checked again *\//' "$ct/include/linux/page-flags.h"
	check "rules: a flag whose line says it is not copied on split is not reported" env TREE="$ct" "$T/tools/rules.sh"
else
	echo "skip - rules tests: no spatch (make deps installs coccinelle)"
fi

# --- mutants gate --------------------------------------------------------
# A stand-in for kunit.sh: case s.c fails when mm/filemap.c changed, case
# s.flaky when fs/iomap.c did.
cat >"$WORK/fake-run-kunit" <<'SH'
#!/bin/sh
mkdir -p "$RESULTS"
c=PASS f=PASS
git -C "$TREE" diff --quiet -- mm/filemap.c || c=FAIL
git -C "$TREE" diff --quiet -- fs/iomap.c || f=FAIL
printf '{"name":"r","test_cases":[],"sub_groups":[{"name":"s","sub_groups":[],"test_cases":[{"name":"c","status":"%s"},{"name":"flaky","status":"%s"}]}]}\n' "$c" "$f" >"$RESULTS/kunit.json"
# A README that says crash: the kernel panics in the run (kunit.py then
# reports no case of it, and kunit.sh says nothing).
: >"$RESULTS/ktap.log"
grep -q crash "$TREE/README" &&
	printf 'KTAP version 1\n1..1\n    # Subtest: s\nBUG: failure at fs/inode.c:677/clear_inode()!\nKernel panic - not syncing: BUG!\n' >"$RESULTS/ktap.log"
[ "$c$f" = PASSPASS ]
SH
chmod +x "$WORK/fake-run-kunit"
mkdir -p "$WORK/mutants"
# mutant NAME FILE HEADER...: a mutant that appends a comment to FILE.
mutant() {
	local name=$1 file=$2; shift 2
	echo "/* mutant */" >>"$TREE/$file"
	{ printf '%s\n' "$@" ""; git -C "$TREE" diff -- "$file"; } >"$WORK/mutants/$name.patch"
	git -C "$TREE" checkout -q -- "$file"
}
mutant 01-killed mm/filemap.c "Mutant: a killed one." "Killed by: s.c s.other*"
printf 'x\n' >"$TREE/README" && ugit -C "$TREE" add README && ugit -C "$TREE" commit -qm readme
mutant 02-survives README "Mutant: one nothing notices." "Killed by: s.c"
mutant 03-wrong-case fs/iomap.c "Mutant: one only a flaky case notices." "Killed by: s.c"
mutant 04-no-header mm/filemap.c
echo crash >>"$TREE/README"
{ printf '%s\n' "Mutant: one that panics the kernel." "Killed by: s.c" ""; git -C "$TREE" diff -- README; } >"$WORK/mutants/05-crash.patch"
git -C "$TREE" checkout -q -- README
mkdir -p "$WORK/nobuild/mm" "$WORK/nobuild/fs" && touch "$WORK/nobuild/mm/filemap.o" "$WORK/nobuild/fs/inode.o"
check "mutants: a killed mutant passes the gate" \
	env KUNIT_RUNNER="$WORK/fake-run-kunit" MUTANTS="$WORK/mutants" RESULTS="$WORK/res" BUILD="$WORK/nobuild" \
	"$T/tools/mutants.sh" '01-*'
check "mutants: no object built from a mutated file is left, the others are" \
	test ! -e "$WORK/nobuild/mm/filemap.o" -a -e "$WORK/nobuild/fs/inode.o"
check_fails "mutants: a surviving mutant fails the gate" \
	env KUNIT_RUNNER="$WORK/fake-run-kunit" MUTANTS="$WORK/mutants" RESULTS="$WORK/res" BUILD="$WORK/nobuild" \
	"$T/tools/mutants.sh"
check "mutants: names the survivor, its mistake, and shows its diff" \
	bash -c "grep -q 'SURVIVED  02-survives: one nothing notices.' '$WORK/out' && grep -q '^+/\* mutant \*/' '$WORK/out'"
check "mutants: a failure only in a case the header does not name is not a kill" \
	grep -q '03-wrong-case (killed only by cases its header does not name: s.flaky)' "$WORK/out"
check "mutants: a mutant without Mutant: and Killed by: lines is refused" \
	grep -q '04-no-header (its header needs' "$WORK/out"
check "mutants: says which mutant of how many it is at" grep -q 'mutant 3 of 5: 03-wrong-case' "$WORK/out"
check "mutants: a kernel report in the named cases' run is a kill" \
	grep -q '^killed    05-crash .*s.c (a kernel report: BUG: failure at fs/inode.c:677' "$WORK/out"
MUTANT_EVERY_KILLER=1 KUNIT_RUNNER="$WORK/fake-run-kunit" MUTANTS="$WORK/mutants" \
	RESULTS="$WORK/res" BUILD="$WORK/nobuild" "$T/tools/mutants.sh" '05-*' >"$WORK/every.out" 2>&1 || true
check "mutants: with every killer asked for, a kernel report kills too" \
	grep -q '^          s.c  *kills$' "$WORK/every.out"
check "mutants: the tree is left as it was" git -C "$TREE" diff --quiet
# --- upstream-bugs: the planted bugs of the drop-behind model -----------
# A stand-in for kunit.sh: case s.c fails when the tree has a bug, s.flaky
# when fs/iomap.c changed.
cat >"$WORK/fake-bugs-kunit" <<'SH'
#!/bin/sh
mkdir -p "$RESULTS"
c=PASS f=PASS
grep -q 'bug' "$TREE/mm/filemap.c" && c=FAIL
git -C "$TREE" diff --quiet -- fs/iomap.c || f=FAIL
printf '{"name":"r","test_cases":[],"sub_groups":[{"name":"s","sub_groups":[],"test_cases":[{"name":"c","status":"%s"},{"name":"flaky","status":"%s"}]}]}\n' "$c" "$f" >"$RESULTS/kunit.json"
echo "$TREE" >>"$TREES_SEEN"
SH
chmod +x "$WORK/fake-bugs-kunit"
export TREES_SEEN=$WORK/trees-seen
# When each file of the shared tree last changed: make designs and make
# upstream-bugs must not touch it (or 'make' rebuilds after them).
stamps() { (cd "$TREE" && git ls-files | xargs stat -c '%n %y'); }
db=$T/kunit/designs/dropbehind
mkdir -p "$db/bugs"
# The model: a line in mm/filemap.c; 01 a bug on it that s.c notices, 02
# an edit that only s.flaky notices.
echo "/* design */" >>"$TREE/mm/filemap.c"
{ printf 'Design: a model.\n\n'; git -C "$TREE" diff; } >"$db/design.patch"
git -C "$TREE" add mm/filemap.c
echo "/* bug */" >>"$TREE/mm/filemap.c"
{ printf 'Upstream bug: one a case catches.\nCaught by: s.c\n\n'; git -C "$TREE" diff -- mm/filemap.c; } >"$db/bugs/01-caught.patch"
git -C "$TREE" checkout -q -- mm/filemap.c
echo "/* not a bug */" >>"$TREE/fs/iomap.c"
{ printf 'Upstream bug: one only a flaky case notices.\nCaught by: s.c\n\n'; git -C "$TREE" diff -- fs/iomap.c; } >"$WORK/02.patch"
git -C "$TREE" checkout -q -- fs/iomap.c
git -C "$TREE" reset -q -- mm/filemap.c
git -C "$TREE" checkout -q -- mm/filemap.c
stamps >"$WORK/stamps-before"
ub() { env KUNIT_RUNNER="$WORK/fake-bugs-kunit" RESULTS="$WORK/ubres" \
	UPSTREAM_BUGS_GATES="${UPSTREAM_BUGS_GATES:-suites debug}" "$T/tools/upstream-bugs.sh" "$@"; }
check "upstream-bugs: a bug its named case catches passes" bash -c "$(declare -f ub); WORK='$WORK' T='$T'; ub"
check "upstream-bugs: the table says which gate caught it with which case" \
	grep -q '^| 01-caught | caught in 0m0.s: s.c | caught in 0m0.s: s.c |$' "$WORK/ubres/upstream-bugs.md"
check "upstream-bugs: the tree is left as it was" git -C "$TREE" diff --quiet
check "upstream-bugs: runs in its worktree, never in the shared tree" \
	bash -c "test \"\$(sort -u '$TREES_SEEN')\" = '$T/work/designs'"
check "upstream-bugs: no file of the shared tree was touched (make rebuilds nothing)" \
	bash -c "$(declare -f stamps); TREE='$TREE'; stamps | cmp -s - '$WORK/stamps-before'"
check "upstream-bugs: the worktree is left with no bug applied" git -C "$T/work/designs" diff --quiet
cp "$WORK/02.patch" "$db/bugs/02-flaky-only.patch"
check_fails "upstream-bugs: a bug only a case its header does not name notices fails" \
	bash -c "$(declare -f ub); WORK='$WORK' T='$T'; ub"
check "upstream-bugs: and says so" grep -qF '02-flaky-only: caught by no gate (its Caught by: s.c)' "$WORK/out"
check "upstream-bugs: BUG= runs only the bugs it names" bash -c "$(declare -f ub); WORK='$WORK' T='$T'; ub '01-*'"
check "upstream-bugs: the tree is left as it was after a failure too" git -C "$TREE" diff --quiet
check_fails "upstream-bugs: an unknown gate is refused" \
	bash -c "$(declare -f ub); WORK='$WORK' T='$T'; UPSTREAM_BUGS_GATES='suites e2d' ub"
check "upstream-bugs: naming the gates there are" grep -q "no gate 'e2d' (rules suites debug e2e fstests)" "$WORK/out"
check_fails "upstream-bugs: the fstests gate without FSTESTS is refused" \
	bash -c "$(declare -f ub); WORK='$WORK' T='$T'; FSTESTS= UPSTREAM_BUGS_GATES=fstests ub"
echo "/* edit */" >>"$TREE/fs/iomap.c"
check_fails "upstream-bugs: a tree with uncommitted changes is refused" \
	bash -c "$(declare -f ub); WORK='$WORK' T='$T'; ub"
git -C "$TREE" checkout -q -- fs/iomap.c
# --- designs: the same suites against each design ------------------------
: >"$TREES_SEEN"
stamps >"$WORK/stamps-before"
ds() { env KUNIT_RUNNER="$WORK/fake-bugs-kunit" RESULTS="$WORK/dsres" "$T/tools/designs.sh" "$@"; }
check "designs: each design runs" bash -c "$(declare -f ds); WORK='$WORK' T='$T'; ds"
check "designs: ours and the design have results" \
	test -s "$WORK/dsres/designs/ours/kunit.json" -a -s "$WORK/dsres/designs/dropbehind/kunit.json"
check "designs: run in their worktree, never in the shared tree" \
	bash -c "test \"\$(sort -u '$TREES_SEEN')\" = '$T/work/designs'"
check "designs: no file of the shared tree was touched (make rebuilds nothing)" \
	bash -c "$(declare -f stamps); TREE='$TREE'; stamps | cmp -s - '$WORK/stamps-before'"
check "designs: the worktree is left with no design applied" git -C "$T/work/designs" diff --quiet
echo "/* left over */" >>"$T/work/designs/fs/iomap.c"
check "designs: a worktree an earlier run left edited is made clean again" \
	bash -c "$(declare -f ds); WORK='$WORK' T='$T'; DESIGNS=ours ds && git -C '$T/work/designs' diff --quiet"
rm -r "$T/kunit/designs"
# --- lib.sh: patches applied for a while, reverted on exit ---------------
p1=$T/kunit/mutants-p1.patch p2=$T/kunit/mutants-p2.patch
echo "/* p1 */" >>"$TREE/mm/filemap.c" && git -C "$TREE" diff >"$p1" && git -C "$TREE" checkout -q -- .
echo "/* p2 */" >>"$TREE/fs/iomap.c" && git -C "$TREE" diff >"$p2" && git -C "$TREE" checkout -q -- .
check_fails "lib.sh: a script that applied patches and fails..." bash -c ". '$T/tools/lib.sh'
	apply_patch \"\$TREE\" '$p1'; apply_patch \"\$TREE\" '$p2'; die 'a failure'"
check "lib.sh: ... leaves the tree as it was" git -C "$TREE" diff --quiet
mkdir -p "$WORK/trapbuild/mm" "$WORK/trapbuild/fs" &&
	touch "$WORK/trapbuild/mm/filemap.o" "$WORK/trapbuild/fs/iomap.o" "$WORK/trapbuild/fs/inode.o"
check_fails "lib.sh: a script that built patched C files and fails..." bash -c ". '$T/tools/lib.sh'
	apply_patch \"\$TREE\" '$p1' '$WORK/trapbuild'; apply_patch \"\$TREE\" '$p2' '$WORK/trapbuild'
	die 'a failure'"
check "lib.sh: ... leaves no object of them in its build folders, and the others" \
	test ! -e "$WORK/trapbuild/mm/filemap.o" -a ! -e "$WORK/trapbuild/fs/iomap.o" -a -e "$WORK/trapbuild/fs/inode.o"
check "lib.sh: revert_patches 1 reverts the last patch only" bash -c ". '$T/tools/lib.sh'
	apply_patch \"\$TREE\" '$p1'; apply_patch \"\$TREE\" '$p2'; revert_patches 1
	git -C \"\$TREE\" diff --quiet -- fs/iomap.c && ! git -C \"\$TREE\" diff --quiet -- mm/filemap.c"
check "lib.sh: ... and the rest on exit" git -C "$TREE" diff --quiet
rm "$p1" "$p2"
# The routine exists once: no script applies or reverts a patch itself.
check "lib.sh: no other script applies a patch and reverts it itself" \
	bash -c "! grep -n 'apply -R' '$TOOLS'/*.sh '$TOOLS'/e2e/*.sh | grep -v '^$TOOLS/lib.sh:'"
# One reader of "the lines a change adds": lib.sh's added_lines.
check "lib.sh: no other script reads the lines a diff adds itself" \
	bash -c "! grep -n 'diff -U0' '$TOOLS'/*.sh '$TOOLS'/e2e/*.sh | grep -v '^$TOOLS/lib.sh:'"
# --- make bisect ---------------------------------------------------------
# A stand-in for one build-and-run step: fails while fs/iomap.c is broken.
# Its plain readahead digest: 0f0f, or what a commit's message says.
cat >"$WORK/fake-step" <<'SH'
#!/bin/sh
mkdir -p "$RESULTS/bisect/step"
d=$(git log -1 --format=%b | sed -n 's/^digest: //p')
echo "# plain_readahead_digest: plain readahead digest ${d:-0f0f}" >"$RESULTS/bisect/step/ktap.log"
! grep -q broken fs/iomap.c
SH
chmod +x "$WORK/fake-step"
# A stand-in for the W=1/sparse build: the warnings of $FAKE_WARNINGS
# (none if empty) at the series' end, or a failed build with FAKE_BROKEN.
cat >"$WORK/fake-make" <<'SH'
#!/bin/sh
[ -z "$FAKE_BROKEN" ] || { echo "mm/filemap.c:1:1: error: broken"; exit 2; }
git -C "$BISECT_TREE" log -1 --format=%s | grep -q '^sandbox' || printf '%s\n' "$FAKE_WARNINGS"
SH
chmod +x "$WORK/fake-make"
mkdir -p "$WORK/wtbuild" && touch "$WORK/wtbuild/.config"
# What the steps built: the warnings build takes only those objects.
mkdir -p "$WORK/wtbuild/mm" "$WORK/wtbuild/fs" && touch "$WORK/wtbuild/mm/filemap.o" "$WORK/wtbuild/fs/iomap.o"
bisect() { env BISECT_STEP="$WORK/fake-step" BISECT_TREE="$WORK/wt" BISECT_BUILD="$WORK/wtbuild" \
	BISECT_MAKE="$WORK/fake-make" RESULTS="$WORK/res" "$T/tools/bisect.sh"; }
check "bisect: every patch builds" bisect
check "bisect: a series with no warnings at all passes, and says so" \
	bash -c "$(declare -f bisect); WORK='$WORK' T='$T'; FAKE_WARNINGS= bisect | grep -q '^ok   no new W=1/sparse warnings'"
check_fails "bisect: a new warning fails" env FAKE_WARNINGS="mm/filemap.c:3:1: warning: unused variable 'x'" \
	bash -c "$(declare -f bisect); WORK='$WORK' T='$T'; bisect"
check "bisect: names the warning, without its line number" grep -q "mm/filemap.c: warning: unused variable 'x'" "$WORK/out"
check_fails "bisect: a warnings build that fails fails, and says so" env FAKE_BROKEN=1 \
	bash -c "$(declare -f bisect); WORK='$WORK' T='$T'; bisect"
check "bisect: shows the build's error" grep -q "error: broken" "$WORK/out"
echo "/* broken */" >>"$TREE/fs/iomap.c"
ugit -C "$TREE" commit -qam "iomap: break the build" -m "Body."
sed -i '/broken/d' "$TREE/fs/iomap.c"
ugit -C "$TREE" commit -qam "iomap: fix the build" -m "Body."
check_fails "bisect: a middle patch that does not build fails" bisect
cp "$WORK/out" "$WORK/bisect.out"
check "bisect: names that patch, and only that one" \
	bash -c "grep -q '^FAIL .* iomap: break the build' '$WORK/bisect.out' && grep -q '^ok .* iomap: fix the build' '$WORK/bisect.out'"
git -C "$TREE" reset -q --hard HEAD~2
check "bisect: the same plain readahead after every patch, said" \
	bash -c "$(declare -f bisect); WORK='$WORK' T='$T'; bisect | grep -q '^ok   plain reads read ahead the same after every patch (digest 0f0f)'"
echo "/* reads */" >>"$TREE/fs/iomap.c"
ugit -C "$TREE" commit -qam "iomap: change plain readahead" -m "digest: 1234"
check_fails "bisect: a patch that changes what plain reads read ahead fails" bisect
check "bisect: names it" grep -q '^FAIL .* iomap: change plain readahead: plain reads read ahead differently (digest 1234, 0f0f before)' "$WORK/out"
git -C "$TREE" reset -q --hard HEAD~1
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
mkdir -p "$T/coverage" && grep -v "^elsewhere=" "$TOOLS/../coverage/thresholds" >"$T/coverage/thresholds"
check_fails "diff-coverage: an added line that never ran fails the gate" env COVERAGE_OUT=$WORK/dcov "$T/tools/diff-coverage.sh" --check
check "diff-coverage: names the line" grep -q "mm/filemap.c:$line: line never ran" "$WORK/out"
check "diff-coverage: counts only added lines (1 of 1)" grep -q 'lines 0.0% (0 of 1 line)' "$WORK/out"
sed -i "s/^DA:$line,0/DA:$line,2/; s/^BRDA:$line,0,0,-/BRDA:$line,0,0,1/" "$WORK/dcov/coverage.info"
# The series also changes fs/iomap.c, of which there is no coverage data.
check_fails "diff-coverage: a changed file with no coverage data fails" env COVERAGE_OUT="$WORK/dcov" "$T/tools/diff-coverage.sh" --check
check "diff-coverage: names it" grep -q 'fs/iomap.c: 1 added lines, no coverage data' "$WORK/out"
echo 'elsewhere=fs/iomap.c the UML kernel has  no iomap here' >>"$T/coverage/thresholds"
check "diff-coverage: passes once it ran, a file apart named" bash -c "COVERAGE_OUT='$WORK/dcov' '$T/tools/diff-coverage.sh' --check >'$WORK/apart.out'"
check "diff-coverage: says why that file is apart" grep -q 'fs/iomap.c: 1 added lines, not counted: the UML kernel has  no iomap here' "$WORK/apart.out"
echo 'elsewhere=fs/xfs/ no such folder in the series' >>"$T/coverage/thresholds"
check_fails "diff-coverage: an elsewhere= entry that matches no file fails" env COVERAGE_OUT="$WORK/dcov" "$T/tools/diff-coverage.sh" --check
check "diff-coverage: names it" grep -q 'elsewhere= entries that match no file the series changes: fs/xfs/' "$WORK/out"
sed -i '/^elsewhere=fs\/xfs\//d; s/^elsewhere=fs\/iomap.c /elsewhere=fs\/iom /' "$T/coverage/thresholds"
check_fails "diff-coverage: an entry is a file or a folder, not a prefix" env COVERAGE_OUT="$WORK/dcov" "$T/tools/diff-coverage.sh" --check
check "diff-coverage: the file is not apart then" grep -q 'fs/iomap.c: 1 added lines, no coverage data' "$WORK/out"

finish
