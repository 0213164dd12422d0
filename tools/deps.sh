#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the sandbox needs, or, when not root, say
# which apt-get line would: every gate's and target's (make check-arch's
# qemu, make bench's gnuplot, make gdb's gdb).  Arguments: further packages.
. "$(dirname "$0")/lib.sh"

PKGS=(linux-source-6.12 gcc make flex bison bc python3 git perl xz-utils procps
      ccache lcov sparse coccinelle libc6-dev xfsprogs e2fsprogs dmsetup "${FSTESTS_PKGS[@]}"
      qemu-system-x86 libelf-dev gnuplot-nox gdb "$@")

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	die "missing packages; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
fi
note "installing ${missing[*]}"
if ! apt-get update -q >"${TMPDIR:-/tmp}/sandbox-apt-update.log" 2>&1 ||
   grep -q '^\(Err\|W: Failed\)' "${TMPDIR:-/tmp}/sandbox-apt-update.log"; then
	cat "${TMPDIR:-/tmp}/sandbox-apt-update.log" >&2
	die "apt-get update failed: is Debian's package archive reachable?"
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" ||
	die "apt-get install ${missing[*]} failed (message above)"
