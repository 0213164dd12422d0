#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tool tests: the e2e machine's host side (e2e/machine.sh) with a fake guest
# and a fake kernel tree: a guest that fails, hangs, panics or escapes,
# disks that cannot be made, options the kernel did not take, tools that
# are missing.
. "$(dirname "$0")/lib.sh"

# --- e2e machine: a guest that fails, hangs, panics or escapes --------
# A fake tree whose allnoconfig copies the fragment (less $DROP) and
# whose build installs a fake UML kernel: a script that acts as the guest
# named by $FAKE_GUEST would, writing to its scratch folder.
cat >"$WORK/fake-guest" <<'GUEST'
#!/bin/sh
for a; do case $a in E2E_BUILD=*) b=${a#E2E_BUILD=} ;; esac; done
s=$b/scratch
echo "Linux version 6.12 (fake)"
case $FAKE_GUEST in
pass) printf 'mount\tpass\t0\nfsx-xfs\tpass\t3\n' >"$s/steps.tsv"; echo pass >"$s/status" ;;
fsx) printf 'e2e: --- fsx-xfs\r\ne2e-fsx: FAIL (pid 7): read: byte 0x10 is 0x1, the model says 0x3\r\ne2e-fsx: seed 1, operation 42; the last operations:\r\n' 
     printf 'mount\tpass\t0\nfsx-xfs\tfail\t3\n' >"$s/steps.tsv"; echo "fail fsx-xfs" >"$s/status" ;;
panic) echo "Kernel panic - not syncing: Attempted to kill init!"; exit 134 ;;
stop) echo "init: stopped early"; exit 1 ;;
hang) sleep 60 ;;
escape) touch "$b/probe"; echo pass >"$s/status" ;;
whoami) for a; do case $a in E2E_UNPRIVILEGED=*) echo "${a#*=}" >"$s/unprivileged" ;; esac; done
	id -u >"$s/uid"; printf 'mount\tpass\t0\n' >"$s/steps.tsv"; echo pass >"$s/status" ;;
kasan) echo "BUG: KASAN: use-after-free in folio_end_writeback+0x10/0x20"; echo "Call Trace:"
       printf 'mount\tpass\t0\n' >"$s/steps.tsv"; echo pass >"$s/status" ;;
esac
GUEST
chmod +x "$WORK/fake-guest"
fake_e2e_tree "$WORK/fake-guest"
# The fake machine runs as whoever runs the tests (as root: stays root);
# the drop to an unprivileged user has its own checks below.
export E2E_USER=$(id -un)
e2e() { env PATH="$WORK/e2ebin:$PATH" TREE="$E2T" E2E_BUILD="$WORK/e2ebuild" E2E_RESULTS="$WORK/e2eres" \
	E2E_TIMEOUT=3 "$TOOLS/e2e/machine.sh" check; }
check "e2e: a guest that passes passes" env FAKE_GUEST=pass bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e >'$WORK/e2e.out' 2>&1"
check "e2e: and lists its steps" grep -q 'e2e check: all 2 steps passed' "$WORK/e2e.out"
check "e2e: the programs build, static" bash -c "file '$WORK/e2ebuild/bin/e2e-fsx' | grep -q 'statically linked'"
rm -f "$WORK/e2eres/build.log"
check "e2e: E2E_PREBUILT=1 boots the kernel built before, building nothing" \
	env FAKE_GUEST=pass E2E_PREBUILT=1 bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e && [ ! -e '$WORK/e2eres/build.log' ]"
mv "$WORK/e2ebuild/linux" "$WORK/linux.kept"
check_fails "e2e: E2E_PREBUILT=1 without a kernel fails" \
	env FAKE_GUEST=pass E2E_PREBUILT=1 bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check "e2e: and says to build it" grep -q "E2E_PREBUILT=1: no e2e kernel of this tree and configuration .*run 'make e2e' first" "$WORK/out"
mv "$WORK/linux.kept" "$WORK/e2ebuild/linux"
# A build of a new commit that fails leaves the kernel before it, which
# E2E_PREBUILT=1 must not boot.
cp "$E2T/Makefile" "$WORK/Makefile.kept"
sed -i 's/^\t@cp .*/\t@echo "fake.c:1:1: error: broken"; false/' "$E2T/Makefile"
ugit -C "$E2T" commit -qam "a commit that does not build"
check_fails "e2e: a kernel that does not build fails" env FAKE_GUEST=pass bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check_fails "e2e: then E2E_PREBUILT=1 does not boot the kernel of the build before" \
	env FAKE_GUEST=pass E2E_PREBUILT=1 bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check "e2e: (and says so)" grep -q "E2E_PREBUILT=1: no e2e kernel of this tree" "$WORK/out"
cp "$WORK/Makefile.kept" "$E2T/Makefile"
ugit -C "$E2T" commit -qam "it builds again"
check_fails "e2e: a failing step fails" env FAKE_GUEST=fsx bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check "e2e: names the step and shows the exerciser's seed and operation" \
	bash -c "grep -q 'e2e check: fail fsx-xfs' '$WORK/out' && grep -q 'seed 1, operation 42' '$WORK/out'"
check_fails "e2e: a guest that panics fails" env FAKE_GUEST=panic bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check "e2e: says the kernel reported its panic, and shows the log" \
	bash -c "grep -q 'kernel reported.*Kernel panic' '$WORK/out' && grep -q 'Linux version 6.12 (fake)' '$WORK/out'"
check_fails "e2e: a guest that stops with no verdict fails" env FAKE_GUEST=stop bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check "e2e: says there was no verdict and shows the log" \
	bash -c "grep -q 'no verdict' '$WORK/out' && grep -q 'init: stopped early' '$WORK/out'"
check_fails "e2e: a guest that hangs fails" env FAKE_GUEST=hang bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check "e2e: says it timed out and shows the log" \
	bash -c "grep -q 'did not finish in 3s' '$WORK/out' && grep -q 'Linux version 6.12 (fake)' '$WORK/out'"
check_fails "e2e: a guest that writes outside its scratch folder fails" env FAKE_GUEST=escape bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check "e2e: says the host's root was writable" grep -q "host's root was writable" "$WORK/out"
check_fails "e2e: a guest whose kernel reports fails, whatever its steps said" env FAKE_GUEST=kasan bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check "e2e: prints the report" \
	bash -c "grep -q 'kernel reported' '$WORK/out' && grep -q 'KASAN: use-after-free in folio_end_writeback' '$WORK/out'"
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$WORK"
	check "e2e: run as root, the machine runs as E2E_USER" \
		env FAKE_GUEST=whoami E2E_USER=nobody bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
	check "e2e: (its uid, and the guest is told)" \
		bash -c "[ \$(cat '$WORK/e2ebuild/scratch/uid') = $(id -u nobody) ] && [ \$(cat '$WORK/e2ebuild/scratch/unprivileged') = 1 ]"
	check "e2e: (owning its disks and scratch folder)" \
		bash -c "[ \$(stat -c %U '$WORK/e2ebuild/disks/xfs.img') = nobody ] && [ \$(stat -c %U '$WORK/e2ebuild/scratch') = nobody ]"
else
	check "e2e: run as an ordinary user, the machine runs as that user" \
		env FAKE_GUEST=whoami bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
	check "e2e: (and the guest is told)" \
		bash -c "[ \$(cat '$WORK/e2ebuild/scratch/unprivileged') = 0 ]"
fi
check_fails "e2e: a disk image that cannot be made fails" env FAKE_GUEST=pass FAKE_FULL=1 bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check "e2e: says which image and why" \
	bash -c "grep -q 'cannot create the disk image .*xfs.img' '$WORK/out' && grep -q 'No space left' '$WORK/out'"
rm "$WORK/e2ebuild/.sandbox-config"
check_fails "e2e: a config option the kernel did not take fails" \
	env FAKE_GUEST=pass DROP=CONFIG_XFS_FS bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; e2e"
check "e2e: names the option" grep -q 'not in .*/.config .*CONFIG_XFS_FS' "$WORK/out"
rm "$WORK/e2ebin/mkfs.xfs"
check_fails "e2e: a missing mkfs.xfs fails" env FAKE_GUEST=pass SBIN_DIRS="$WORK/no-sbin" PATH="$WORK/e2ebin:/usr/bin:/bin" bash -c "$(declare -f e2e); WORK='$WORK' E2T='$E2T' TOOLS='$TOOLS'; PATH=/usr/bin:/bin; e2e"
check "e2e: says what to install" grep -q "mkfs.xfs is not in PATH or .*: run 'make deps'" "$WORK/out"
# An ordinary user's PATH has no sbin, where Debian puts mkfs.xfs & co.
mkdir -p "$WORK/sbin" && mv "$WORK/e2ebin"/* "$WORK/sbin/"
printf '#!/bin/sh\n' >"$WORK/sbin/mkfs.xfs" && chmod +x "$WORK/sbin/mkfs.xfs"
check "e2e: finds Debian's tools in sbin with an ordinary user's PATH" \
	env FAKE_GUEST=pass SBIN_DIRS="$WORK/sbin" PATH=/usr/local/bin:/usr/bin:/bin \
	TREE="$E2T" E2E_BUILD="$WORK/e2ebuild" E2E_RESULTS="$WORK/e2eres" E2E_TIMEOUT=3 \
	"$TOOLS/e2e/machine.sh" check

finish
