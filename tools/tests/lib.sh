# SPDX-License-Identifier: GPL-2.0
# Shared by the tool tests (sourced): a work folder, helpers that count
# results, and a small fake kernel tarball with no kernel in it.  Each
# test file sources this, runs its checks and ends with 'finish'.

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

# A fake linux-source tarball: enough for prepare-tree.sh.  all.sh makes
# it once for every test file (TEST_TARBALL); a file run alone makes its
# own.
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

if [ -r "${TEST_TARBALL:-}" ]; then
	mkdir -p "$WORK/src"
	tar -C "$WORK/src" -xJf "$TEST_TARBALL"
	cp "$TEST_TARBALL" "$WORK/linux-source-6.12.tar.xz"
else
	make_tarball
fi
export TARBALL=$WORK/linux-source-6.12.tar.xz

# A sandbox checkout $1 with a two-patch series (mm/ then fs/) and a
# platform patch, its tree prepared: sets and exports T, TOP and TREE.
new_sandbox() {
	T=$(new_top "$1")
	export TOP=$T TREE=$T/work/linux
	make_patch mm/filemap.c 's/return 0/return 1/' 'mm/filemap: one' "$T/mm/0001-mm-filemap-one.patch"
	make_patch fs/iomap.c 's/return 0/return 2/' 'iomap: two' "$T/fs/0002-iomap-two.patch"
	make_patch Makefile '$a # um' 'um: platform fix' "$T/coverage/platform/0001-um-platform-fix.patch"
	"$T/tools/prepare-tree.sh" >/dev/null 2>&1 || { not_ok "setup: prepare-tree"; return 1; }
}

# fake_e2e_tree KERNEL: a fake kernel tree, $E2T, whose allnoconfig copies
# the fragment (less $DROP) and whose build installs KERNEL, a script that
# acts as the e2e machine's guest would; and Debian's mkfs & co in
# $WORK/e2ebin as fakes ($FAKE_FULL: a disk that cannot be made).
fake_e2e_tree() {
	E2T=$WORK/e2etree
	mkdir -p "$E2T" "$WORK/e2ebin"
	printf 'allnoconfig:\n\t@grep "^CONFIG_" $(KCONFIG_ALLCONFIG) | grep -v "$(or $(DROP),NONE)" >$(O)/.config\nall:\n\t@cp %s $(O)/linux\n' \
		"$1" >"$E2T/Makefile"
	git -C "$E2T" init -q && ugit -C "$E2T" add Makefile && ugit -C "$E2T" commit -qm tree
	for t in mkfs.xfs mkfs.ext4 xfs_repair e2fsck dmsetup; do
		printf '#!/bin/sh\n[ -z "$FAKE_FULL" ] || { echo "mkfs: pwrite failed: No space left on device"; exit 1; }\n' >"$WORK/e2ebin/$t"
	done
	chmod +x "$WORK/e2ebin"/*
}

# The file's verdict: its counts, and exit 1 if a check failed.
finish() {
	[ -n "${KEEP_WORK:-}" ] && { trap - EXIT; echo "work: $WORK"; }
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
