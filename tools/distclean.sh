#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Remove the unpacked tree, unless it holds work that is not in the series.
. "$(dirname "$0")/lib.sh"

[ -d "$TREE" ] || exit 0
if [ -d "$TREE/.git" ] && [ "${FORCE:-0}" != 1 ]; then
	mapfile -t patches < <(series_patches)
	if [ "$(patch_ids_of_range "$SANDBOX_TAG..HEAD" 2>/dev/null)" != "$(patch_ids_of_files "${patches[@]}")" ]; then
		git -C "$TREE" log --oneline "$SANDBOX_TAG..HEAD" >&2
		die "$TREE has commits that differ from mm/ and fs/; 'make export' first, or 'make distclean FORCE=1'"
	fi
	if [ -n "$(git -C "$TREE" status --porcelain --untracked-files=no)" ]; then
		die "$TREE has uncommitted changes; commit and 'make export', or 'make distclean FORCE=1'"
	fi
fi
# The worktrees of bisect, designs, upstream-bugs and fstests-ab live next
# to the tree.
rm -rf "$TREE" "$TREE.tmp" "$BISECT_TREE" "$DESIGNS_TREE" "$FSTESTS_AB_TREE"
