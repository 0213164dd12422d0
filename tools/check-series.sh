#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Check that the series (in number order across mm/ and fs/) applies to the pristine base, without
# the sandbox layer, as a maintainer would apply it.  Works on a temporary
# index: the tree and its work files are not touched.
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || "$TOP/tools/prepare-tree.sh"
mapfile -t patches < <(series_patches)
[ ${#patches[@]} -gt 0 ] || die "no patches in mm/ or fs/"

export GIT_INDEX_FILE
GIT_INDEX_FILE=$(mktemp)
trap 'rm -f "$GIT_INDEX_FILE"' EXIT
git -C "$TREE" read-tree "$BASE_TAG"
for p in "${patches[@]}"; do
	grep -q '^Subject: ' "$p" || die "${p#"$TOP"/}: not a git format-patch file"
	if ! out=$(git -C "$TREE" apply --cached 2>&1 <"$p"); then
		printf '%s\n' "$out" >&2
		die "${p#"$TOP"/} does not apply to the pristine base ($(git -C "$TREE" describe --always "$BASE_TAG"))"
	fi
done
echo "series: ${#patches[@]} patches apply to Linux $(make -s -C "$TREE" kernelversion)"
