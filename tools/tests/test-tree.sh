#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tool tests: the tree: prepare-tree.sh (fresh tree, a patch that does not
# apply, commits of the developer's, interrupted runs, trees that are not
# ours), export.sh, check-series.sh and distclean.sh.
. "$(dirname "$0")/lib.sh"

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

ugit -C "$TREE" commit -q --allow-empty -m "fixup! iomap: three"
check_fails "export: refuses a fixup that is not squashed" "$T/tools/export.sh"
check "export: says how to squash it" grep -q 'rebase -i --autosquash' "$WORK/out"
ugit -C "$TREE" reset -q --hard HEAD~1
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
# A design make designs applies on the series, and one that no longer does.
mkdir -p "$T/kunit/designs/good" "$T/kunit/designs/stale"
sed -i 's/return 5;/return 8;/' "$TREE/fs/iomap.c"
git -C "$TREE" diff -- fs/iomap.c >"$T/kunit/designs/good/design.patch"
git -C "$TREE" checkout -q -- fs/iomap.c
check "check-series: a design that applies on the series passes" "$T/tools/check-series.sh"
sed 's/return 5;/return 9;/' "$T/kunit/designs/good/design.patch" >"$T/kunit/designs/stale/design.patch"
check_fails "check-series: a design that does not apply on the series fails" "$T/tools/check-series.sh"
check "check-series: names the design" grep -q 'kunit/designs/stale/design.patch does not apply' "$WORK/out"
rm -r "$T/kunit/designs/stale"
# Upstream's bugs apply on the drop-behind design, not on the series.
mkdir -p "$T/kunit/designs/dropbehind/bugs"
sed -i 's/return 5;/return 6;/' "$TREE/fs/iomap.c"
git -C "$TREE" diff -- fs/iomap.c >"$T/kunit/designs/dropbehind/design.patch"
sed -i 's/return 6;/return 7;/' "$TREE/fs/iomap.c"
git -C "$TREE" diff -- fs/iomap.c | sed 's/return 5;/return 6;/' >"$T/kunit/designs/dropbehind/bugs/01-bug.patch"
git -C "$TREE" checkout -q -- fs/iomap.c
check "check-series: a bug that applies on the drop-behind design passes" "$T/tools/check-series.sh"
sed 's/return 6;/return 5;/' "$T/kunit/designs/dropbehind/bugs/01-bug.patch" >"$T/kunit/designs/dropbehind/bugs/02-stale.patch"
check_fails "check-series: a bug that does not apply on the drop-behind design fails" "$T/tools/check-series.sh"
check "check-series: names the bug" grep -q 'bugs/02-stale.patch does not apply to the series and the drop-behind design' "$WORK/out"
rm -r "$T/kunit/designs"

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

finish
