#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Make $TREE hold: the pristine kernel (tag "base"), the sandbox-only
# commits (platform fixes for coverage and for the e2e machine's user
# processes, suite hookup; tag "sandbox"), and our
# series from mm/ and fs/.  Touches nothing when the tree already matches,
# so an unchanged tree is never rebuilt, and never resets a tree that has
# commits not exported with "make export".
. "$(dirname "$0")/lib.sh"

GIT=(git -C "$TREE")
STATE=$TREE/.git/sandbox-applied	# patch ids of the series last applied/exported

git_tree() { "${GIT[@]}" "${SANDBOX_IDENTITY[@]}" "$@"; }

# Hash of what the sandbox layer is made of; stored in the tag message.
sandbox_inputs() {
	{ cat "$TOP"/coverage/platform/*.patch "$E2E_PLATFORM"/*.patch; echo "$SUITES_DIR"; } 2>/dev/null |
		sha1sum | cut -d' ' -f1
}


# Apply patches with git am; on failure name the patch, show git's message,
# and leave the tree at $1 (never half-applied).
am_or_reset() {
	local reset_to=$1 out; shift
	[ $# -gt 0 ] || return 0
	if ! out=$(git_tree am --3way -q "$@" 2>&1); then
		local failed
		failed=$(sed -n 's/^Patch failed at [0-9]* //p' <<<"$out" | head -n1)
		git_tree am --abort >/dev/null 2>&1 || true
		git_tree reset -q --hard "$reset_to"
		rm -f "$STATE"
		printf '%s\n' "$out" >&2
		die "patch does not apply: ${failed:-$*}; tree left at '$reset_to'"
	fi
}

build_sandbox_layer() {
	git_tree reset -q --hard "$BASE_TAG"
	local platform
	shopt -s nullglob
	platform=("$TOP"/coverage/platform/*.patch "$E2E_PLATFORM"/*.patch)
	shopt -u nullglob
	am_or_reset "$BASE_TAG" "${platform[@]}"
	# Debian's .gitignore ignores everything at the top level: without
	# that rule, new files in the tree show up in git status as usual.
	sed -i -e '\|^/\*$|d' -e '\|^!/debian/$|d' "$TREE/.gitignore"
	# Hook our suites into the build: kunit/ is linked at $SUITES_DIR.
	printf 'source "%s/Kconfig"\n' "$SUITES_DIR" >>"$TREE/fs/Kconfig"
	printf 'obj-$(CONFIG_UNCACHED_KUNIT_TEST)\t+= %s/\n' "${SUITES_DIR#fs/}" >>"$TREE/fs/Makefile"
	git_tree commit -q -a -m "sandbox: build the RWF_UNCACHED KUnit suites from $SUITES_DIR" \
		-m "Not part of the series: builds the sandbox's kunit/ folder, linked there, and drops Debian's rule that ignores every top-level file."
	git_tree tag -f -a -m "$(sandbox_inputs)" "$SANDBOX_TAG" >/dev/null
}

link_suites() {
	local link=$TREE/$SUITES_DIR
	if [ "$(readlink "$link" 2>/dev/null)" != "$TOP/kunit" ]; then
		rm -rf "$link"
		ln -s "$TOP/kunit" "$link"
	fi
	grep -qxF "/$SUITES_DIR" "$TREE/.git/info/exclude" 2>/dev/null ||
		printf '/%s\n/.kunit/\n' "$SUITES_DIR" >>"$TREE/.git/info/exclude"
}

unpack() {
	local tmp=$TREE.tmp version
	[ -r "$TARBALL" ] || die "$TARBALL not found (apt-get install linux-source-6.12)"
	check_disk "$(dirname "$TREE")"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	note "unpacking $TARBALL"
	tar -C "$tmp" --strip-components=1 -xf "$TARBALL"
	version=$(make -s -C "$tmp" kernelversion 2>/dev/null) || die "no kernel Makefile in $TARBALL"
	git -C "$tmp" init -q
	# -f: Debian's .gitignore ignores every top-level entry.
	git -C "$tmp" add -A -f
	git -C "$tmp" "${SANDBOX_IDENTITY[@]}" commit -q -m "Linux $version from $(basename "$TARBALL")"
	git -C "$tmp" "${SANDBOX_IDENTITY[@]}" tag -a -m "Linux $version" "$BASE_TAG"
	mv "$tmp" "$TREE"
}

# A previous run may have been interrupted anywhere: recover first.
rm -rf "$TREE.tmp"
# Anything else at $TREE is not ours to change (or is broken): say so.
if [ -e "$TREE" ] &&
   ! git -C "$TREE" rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null 2>&1; then
	die "$TREE is not a tree this sandbox made (no git repository with a '$BASE_TAG' tag, or a broken one): move it away, or remove it with 'make distclean FORCE=1'"
fi
[ -d "$TREE/.git" ] || unpack
if [ -d "$TREE/.git/rebase-apply" ]; then
	note "aborting an interrupted git am in $TREE"
	git_tree am --abort >/dev/null 2>&1 || true
fi

mapfile -t patches < <(series_patches)
want=$(patch_ids_of_files "${patches[@]}")
recorded=$(cat "$STATE" 2>/dev/null || true)
have=
"${GIT[@]}" rev-parse -q --verify "refs/tags/$SANDBOX_TAG" >/dev/null &&
	have=$(patch_ids_of_range "$SANDBOX_TAG..HEAD")
layer_ok=false
[ "$(git_tree tag -l --format='%(contents:subject)' "$SANDBOX_TAG")" = "$(sandbox_inputs)" ] && layer_ok=true

if $layer_ok && [ "$want" = "$recorded" ] && [ -f "$STATE" ]; then
	# The series has not changed since the tree was synced: build the tree
	# as it is, with whatever the developer committed or edited there.
	[ "$have" = "$want" ] || note "the tree has commits not in mm/ and fs/: 'make export' saves them"
elif $layer_ok && [ "$have" = "$want" ]; then
	printf '%s\n' "$want" >"$STATE"
else
	if [ -n "$have" ] && [ "$have" != "$recorded" ]; then
		"${GIT[@]}" log --oneline "$SANDBOX_TAG..HEAD" >&2
		die "$TREE has commits that are not in mm/ and fs/ (above); run 'make export' to keep them, or 'git -C $TREE reset --hard $SANDBOX_TAG' to drop them"
	fi
	if [ -n "$("${GIT[@]}" status --porcelain --untracked-files=no)" ]; then
		"${GIT[@]}" status --short --untracked-files=no >&2
		die "$TREE has uncommitted changes (above) and the series changed; commit them and 'make export', or discard them"
	fi
	$layer_ok || build_sandbox_layer
	git_tree reset -q --hard "$SANDBOX_TAG"
	am_or_reset "$SANDBOX_TAG" "${patches[@]}"
	printf '%s\n' "$want" >"$STATE"
fi
link_suites
note "Linux $(make -s -C "$TREE" kernelversion) + $("${GIT[@]}" rev-list --count "$SANDBOX_TAG..HEAD") patches at $TREE"
