#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check, before its first gate: what the gates will need, checked in
# a second, each missing thing with the line that fixes it, rather than a
# gate failing half an hour in.  The packages (tools/deps.sh) come first;
# then FSTESTS (the fstests gate's source), the disk space of the build
# folders not made yet, and, run as root, that the e2e machine's user
# (E2E_USER) can reach the clone's build folders.  Exit 1 on the first
# thing missing.
. "$(dirname "$0")/lib.sh"

"$TOP/tools/deps.sh"

# The fstests gate's fstests: given, there, and fstests.
[ -n "${FSTESTS:-}" ] ||
	die "FSTESTS is not set; the fstests gate needs fstests: make check FSTESTS=../shared/fstests/fstests-63a29724.tar.xz (or a checkout)"
[ -r "$FSTESTS" ] || die "FSTESTS=$FSTESTS cannot be read"
if [ -d "$FSTESTS" ]; then
	[ -f "$FSTESTS/check" ] || die "FSTESTS=$FSTESTS is not fstests (no 'check' script at its top)"
else
	tar -tf "$FSTESTS" 2>/dev/null | grep -E '^([^/]+/)?check$' >/dev/null ||
		die "FSTESTS=$FSTESTS holds no fstests tree (no 'check' script at its top)"
fi

# Disk: the build folders make check makes, in GiB, rounded up from what
# a cold run left (2026-12-06: the tree 1.9, kunit 0.6, debug 0.2,
# x86_64 0.3, e2e with its disks 0.7, fstests 0.03), counted only for
# those not there yet; ccache's own folder aside.
declare -A size=([work/linux]=2 [build/kunit]=1 [build/kunit-debug]=1
		 [build/e2e]=1 [build/fstests]=1 [build/kunit-x86_64]=1)
need=0
for d in "${!size[@]}"; do
	[ -e "$BUILD_ROOT/$d" ] || need=$((need + size[$d]))
done
mkdir -p "$BUILD_ROOT/build"
free=$(df -Pk "$BUILD_ROOT/build" | awk 'NR==2 { print int($4 / 1048576) }')
[ "$free" -ge "$need" ] ||
	die "only $free GiB free in $BUILD_ROOT; make check's build folders need $need GiB more (make clean frees them)"

# As root, the e2e machine runs as E2E_USER, which must reach its kernel,
# programs and fstests below the build folder: every folder above it
# must let others in (a clone in root's 0700 home does not).
if [ "$(id -u)" = 0 ] && [ "$(id -u "$E2E_USER" 2>/dev/null)" != 0 ]; then
	id -u "$E2E_USER" >/dev/null 2>&1 || die "no host user $E2E_USER for the e2e machine to run as (E2E_USER)"
	setpriv --reuid="$(id -u "$E2E_USER")" --regid="$(id -g "$E2E_USER")" --clear-groups -- \
		test -x "$BUILD_ROOT/build" ||
		die "$E2E_USER (E2E_USER, the e2e machine's user) cannot enter $BUILD_ROOT/build: let others into the folders above it (chmod o+x), or clone elsewhere"
fi
note "make check needs are met: packages, FSTESTS=$FSTESTS, $free GiB free ($need needed), builds in $BUILD_ROOT"
