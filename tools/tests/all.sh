#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The tool tests ('make test-tools'): every tools/tests/test-*.sh against
# small fake kernel trees (no kernel build, under a minute), each file in
# a work folder of its own.  Prints each file's counts and the total,
# "N passed, N failed"; exit 1 if a check failed.  Arguments: test files
# to run (default: all of them).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=$(mktemp -d)
trap 'rm -rf "$SHARED"' EXIT

# The fake tarball, once for every file (lib.sh makes it).
(WORK=$SHARED; . "$HERE/lib.sh" >/dev/null; cp "$TARBALL" "$SHARED/tarball.tar.xz"; trap - EXIT)
export TEST_TARBALL=$SHARED/tarball.tar.xz

passed=0 failed=0
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$HERE"/test-*.sh)
for f in "${files[@]}"; do
	out=$(bash "$f" 2>&1)
	counts=$(tail -n 1 <<<"$out")
	grep '^not ok\|^#   ' <<<"$out"
	printf '%-18s %s\n' "$(basename "$f" .sh)" "$counts"
	read -r p _ q _ <<<"$counts"
	[[ $p =~ ^[0-9]+$ && $q =~ ^[0-9]+$ ]] || { p=0 q=1; echo "$f did not finish:"; tail -n 20 <<<"$out"; }
	passed=$((passed + p)) failed=$((failed + q))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
