#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tool tests: a clone anywhere.  A clone under /tmp, under /var/tmp and in
# a path with a space: where lib.sh puts its tree and builds (kbuild
# refuses a space), what the e2e machine's kernel is given (its command
# line cannot carry a space), the guest's own /tmp that leaves the host's
# folders it needs visible, and make check's checks before its first gate.
. "$(dirname "$0")/lib.sh"

# lib.sh's paths for a clone at $1 (its tools linked in), one a line.
paths_of() {
	local top=$1
	mkdir -p "$top" && ln -sfn "$TOOLS" "$top/tools"
	env -u TREE -u BUILD -u E2E_BUILD -u FSTESTS_BUILD -u BUILD_ROOT TOP="$top" bash -c \
		'. "$TOP/tools/lib.sh"; printf "%s\n" "$BUILD_ROOT" "$TREE" "$BUILD" "$BISECT_TREE" "$BISECT_BUILD" "$E2E_BUILD" "$FSTESTS_BUILD"'
}
for base in /tmp /var/tmp; do
	top=$(mktemp -d "$base/sandbox-test.XXXXXX")
	paths_of "$top/clone" >"$WORK/paths"
	check "paths: a clone in $base builds in itself" \
		bash -c "[ \"\$(head -n 1 '$WORK/paths')\" = '$top/clone' ] && ! grep -v '^$top/clone/' '$WORK/paths' | grep -vx '$top/clone'"
	rm -rf "$top"
done
spaced="$WORK/a clone: with a space"
paths_of "$spaced" >"$WORK/paths"
root=$(head -n 1 "$WORK/paths")
check "paths: a clone whose path has a space builds elsewhere, in no path with a space or a colon" \
	bash -c "! grep -q '[[:space:]:]' '$WORK/paths' && [ \"$root\" != \"$spaced\" ]"
check "paths: its work and build are links to there" \
	bash -c "[ \"\$(readlink '$spaced/work')\" = '$root/work' ] && [ \"\$(readlink '$spaced/build')\" = '$root/build' ]"
check "paths: the same clone finds the same folder again" test "$(paths_of "$spaced" | head -n 1)" = "$root"
rm -rf "$root"

# --- the e2e machine from a clone with a space ------------------------
# A fake tree whose build installs a fake UML kernel that keeps its
# arguments, one a line, and passes.
cat >"$WORK/fake-kernel" <<'KERNEL'
#!/bin/sh
for a; do case $a in E2E_BUILD=*) b=${a#E2E_BUILD=} ;; esac; done
printf '%s\n' "$@" >"$b/scratch/argv"
printf 'mount\tpass\t0\n' >"$b/scratch/steps.tsv"; echo pass >"$b/scratch/status"
KERNEL
chmod +x "$WORK/fake-kernel"
fake_e2e_tree "$WORK/fake-kernel"
clone="$WORK/the clone"
mkdir -p "$clone/tools" && cp -r "$TOOLS/." "$clone/tools/"
eb=$WORK/e2ebuild
check "e2e: a clone whose path has a space boots its machine" \
	env PATH="$WORK/e2ebin:$PATH" TOP="$clone" TREE="$E2T" E2E_BUILD="$eb" E2E_RESULTS="$WORK/e2eres" \
	E2E_USER="$(id -un)" E2E_TIMEOUT=5 "$clone/tools/e2e/machine.sh" check
check "e2e: no argument of its kernel has a space" bash -c "! grep -q ' ' '$eb/scratch/argv'"
check "e2e: its init is a copy of init.sh in the build folder" \
	bash -c "i=\$(sed -n 's/^init=//p' '$eb/scratch/argv') && [ \"\$i\" = '$eb/guest/init.sh' ] && [ -x \"\$i\" ] && cmp -s \"\$i\" '$TOOLS/e2e/init.sh'"
check_fails "e2e: a build folder with a space is refused, not booted" \
	env PATH="$WORK/e2ebin:$PATH" TOP="$clone" TREE="$E2T" E2E_BUILD="$WORK/e2e build" E2E_RESULTS="$WORK/e2eres" \
	E2E_USER="$(id -un)" E2E_TIMEOUT=5 "$clone/tools/e2e/machine.sh" check
check "e2e: and says why" grep -q "folders may not have a space" "$WORK/out"

# --- the guest's own /tmp ----------------------------------------------
# init.sh's own_tmp with mount and mkdir that only say what they do: the
# tmpfs first, then each host folder below /tmp or /var/tmp again, outer
# first, and nothing for a folder elsewhere.
own_tmp_calls() {
	(
		mount() { echo "mount $*"; }
		mkdir() { echo "mkdir $*"; }
		eval "$(sed -n '/^own_tmp() {/,/^}/p' "$TOOLS/e2e/init.sh")"
		E2E_BUILD=$1 FSTESTS_SRC=$2 own_tmp
	)
}
own_tmp_calls /tmp/c/build/e2e /tmp/c/build/fstests/src >"$WORK/calls"
check "own_tmp: the guest's /tmp and /var/tmp first" \
	bash -c "head -n 2 '$WORK/calls' | tr '\n' ' ' | grep -qx 'mount -t tmpfs tmp /tmp mount -t tmpfs vartmp /var/tmp '"
check "own_tmp: then a build folder in /tmp, again from the host, read-only" \
	grep -qx 'mount -t hostfs -o ro,/tmp/c/build/e2e hostfs /tmp/c/build/e2e' "$WORK/calls"
check "own_tmp: and fstests' folder" \
	grep -qx 'mount -t hostfs -o ro,/tmp/c/build/fstests/src hostfs /tmp/c/build/fstests/src' "$WORK/calls"
own_tmp_calls /var/tmp/s/build/e2e "" >"$WORK/calls"
check "own_tmp: a folder in /var/tmp too" grep -qx 'mount -t hostfs -o ro,/var/tmp/s/build/e2e hostfs /var/tmp/s/build/e2e' "$WORK/calls"
own_tmp_calls /home/u/c/build/e2e /home/u/c/build/fstests/src >"$WORK/calls"
check "own_tmp: a clone elsewhere is left as it is" bash -c "! grep -q hostfs '$WORK/calls'"

# --- make check's checks, before the first gate --------------------------
# dpkg-query says every package is there; the checks after it are real.
mkdir -p "$WORK/pfbin"
printf '#!/bin/sh\necho "install ok installed"\n' >"$WORK/pfbin/dpkg-query"
chmod +x "$WORK/pfbin/dpkg-query"
pf() { env PATH="$WORK/pfbin:$PATH" TOP="$clone" BUILD_ROOT="$WORK/pfroot" E2E_USER="$(id -un)" "$@" "$clone/tools/preflight.sh"; }
check_fails "preflight: no FSTESTS stops make check" pf env -u FSTESTS
check "preflight: with the line that sets it" grep -q 'make check FSTESTS=' "$WORK/out"
check_fails "preflight: a FSTESTS that is not fstests stops it" pf env FSTESTS="$WORK"
check "preflight: and says so" grep -q 'is not fstests' "$WORK/out"
mkdir -p "$WORK/fst" && touch "$WORK/fst/check"
check "preflight: fstests, and room for the builds, pass" pf env FSTESTS="$WORK/fst"
# A snapshot whose check comes first and many files after it: the
# listing goes on after the match (a 'grep -q' there would kill tar).
mkdir -p "$WORK/snap/fstests-1/tests" && touch "$WORK/snap/fstests-1/check" &&
	(cd "$WORK/snap/fstests-1/tests" && seq 3000 | xargs touch)
tar -C "$WORK/snap" -cJf "$WORK/snap.tar.xz" fstests-1/check fstests-1/tests
check "preflight: a snapshot of fstests passes" pf env FSTESTS="$WORK/snap.tar.xz"
check_fails "preflight: too little room for the builds stops it" \
	pf env FSTESTS="$WORK/fst" PATH="$WORK/pfbin:$PATH" DF_FAKE=1 bash -c 'df() { echo; echo "x 1 1 0 1% /"; }; export -f df; exec "$0" "$@"'
check "preflight: and says how much is needed" grep -q 'GiB free in .* need .* GiB more' "$WORK/out"
printf '#!/bin/sh\n[ "$1" = "-W" ] && [ "$3" = gdb ] && exit 1\necho "install ok installed"\n' >"$WORK/pfbin/dpkg-query"
# An ordinary user without a package (as root: nobody, which cannot
# install it either).
as_user=()
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$WORK" && as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
t0=$SECONDS
check_fails "preflight: a missing package stops it, for an ordinary user" \
	pf ${as_user[@]+"${as_user[@]}"} env FSTESTS="$WORK/fst"
check "preflight: at once, with the apt-get line" \
	bash -c "[ $((SECONDS - t0)) -le 5 ] && grep -q 'apt-get install -y gdb' '$WORK/out'"

finish
