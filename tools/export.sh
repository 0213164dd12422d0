#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Turn the commits on top of the sandbox layer in $TREE back into the
# series: git format-patch files numbered in series order, each in the
# folder of the subsystem it changes (see patch_subsystem in lib.sh).
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "no tree at $TREE (run 'make tree')"
if [ -n "$(git -C "$TREE" status --porcelain --untracked-files=no)" ]; then
	git -C "$TREE" status --short --untracked-files=no >&2
	note "uncommitted changes in $TREE are not exported (above): commit them first"
fi

# A fixup is part of the patch it fixes, not a patch of the series.
fixups=$(git -C "$TREE" log --format='%h %s' "$SANDBOX_TAG..HEAD" | grep -E '^[0-9a-f]+ (fixup|squash|amend)!' || true)
[ -z "$fixups" ] ||
	die "commits to squash first (git -C $TREE rebase -i --autosquash $SANDBOX_TAG): $(echo $fixups)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The index lines' blob ids at a fixed length: git's default grows with
# the repository, and a fresh tree would rewrite every patch.
git -C "$TREE" -c core.abbrev=9 format-patch -q --numbered --zero-commit \
	--signature=uncached-sandbox -o "$tmp" "$SANDBOX_TAG..HEAD"

rm -f "$TOP"/mm/*.patch "$TOP"/fs/*.patch
for p in "$tmp"/*.patch; do
	[ -e "$p" ] || break
	dest=$(patch_subsystem "$p")
	mkdir -p "$TOP/$dest"
	mv "$p" "$TOP/$dest/"
	note "$dest/${p##*/}"
done
# The tree and the series now agree: a later 'make' leaves the tree as is.
mapfile -t patches < <(series_patches)
patch_ids_of_files "${patches[@]}" >"$TREE/.git/sandbox-applied"
note "exported ${#patches[@]} patches; review with 'git -C $TOP diff --stat'"
