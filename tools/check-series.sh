#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Check that the series (in number order across mm/ and fs/) applies to the pristine base, without
# the sandbox layer, as a maintainer would apply it, and that the designs
# make designs compares and upstream's bugs apply on it.  Works on a
# temporary index: the tree and its work files are not touched.
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
# What make designs and make upstream-bugs apply on the series: each
# design, and upstream's bugs on the drop-behind design.
shopt -s nullglob
applies() {
	local out
	out=$(git -C "$TREE" apply --cached --check 2>&1 <"$1") && return
	printf '%s\n' "$out" >&2
	die "${1#"$TOP"/} does not apply $2"
}
designs=$TOP/kunit/designs
for d in "$designs"/*/design.patch; do
	applies "$d" "to the series"
done
bugs=("$designs"/dropbehind/bugs/*.patch)
if [ ${#bugs[@]} -gt 0 ]; then
	git -C "$TREE" apply --cached <"$designs/dropbehind/design.patch" ||
		die "kunit/designs/dropbehind/design.patch does not apply to the series"
	for b in "${bugs[@]}"; do
		applies "$b" "to the series and the drop-behind design"
	done
fi
echo "series: ${#patches[@]} patches apply to Linux $(make -s -C "$TREE" kernelversion)"
