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
on=" to the series"
shopt -s nullglob
for d in "$TOP"/kunit/designs/*/design.patch "$TOP"/kunit/designs/dropbehind/bugs/*.patch; do
	if [[ $d == */bugs/* && $on != *drop-behind* ]]; then
		git -C "$TREE" apply --cached <"$TOP/kunit/designs/dropbehind/design.patch" || die "the drop-behind design does not apply"
		on=" to the series and the drop-behind design"
	fi
	if ! out=$(git -C "$TREE" apply --cached --check 2>&1 <"$d"); then
		printf '%s\n' "$out" >&2
		die "${d#"$TOP"/} does not apply$on"
	fi
done
echo "series: ${#patches[@]} patches apply to Linux $(make -s -C "$TREE" kernelversion)"
