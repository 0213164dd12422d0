#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot the end-to-end machine: the patched tree built as a small UML
# kernel (tools/e2e/machine.config, in $E2E_BUILD, incremental, ccache),
# the host's root read-only through hostfs, ubd disks formatted here with
# Debian's mkfs.xfs and mkfs.ext4, and tools/e2e/init.sh as PID 1 running
# our programs.  MODE is check ('make e2e'), bench ('make bench'), profile
# ('make profile': the kernel's profile of the bench's streams), fstests
# (tools/fstests.sh: FSTESTS_SRC, FSTESTS_ARGS, FSTESTS_EXCLUDE), or
# script FILE: a shell script of the developer's own, run with the XFS
# and ext4 disks mounted at $E2E_BUILD/mnt/{xfs,ext4} and our programs in
# $E2E_BUILD/bin.  E2E_STEPS=a,b runs only those steps of init.sh.
# DEBUG=1: the debug kernel (tools/e2e/debug.config and kunit/debug.config,
# in build/e2e-debug).  A checker's report, a BUG or a WARNING in the
# guest's log fails the run.
# Exits with the guest's verdict; shows its log on failure or timeout.
. "$(dirname "$0")/../lib.sh"

MODE=${1:-check}
SCRIPT=
if [ "$MODE" = script ]; then
	[ -f "${2:-}" ] || die "usage: machine.sh script FILE (a shell script for the guest)"
	SCRIPT=$(realpath "$2")
fi
FRAGMENT=$TOP/tools/e2e/machine.config
fragments=("$FRAGMENT")
boot_args=()
reps=$E2E_BENCH_REPS
# The kernel's profiler (CONFIG_PROFILING) samples every 4 bytes of text.
if [ "$MODE" = profile ]; then boot_args=(profile=2) reps=$E2E_PROFILE_REPS; fi
if [ "$DEBUG" = 1 ]; then
	fragments+=("$TOP/kunit/debug.config" "$TOP/tools/e2e/debug.config")
	boot_args+=(page_poison=1)
fi
make_opts=(ARCH=um O="$E2E_BUILD" CC="$KBUILD_CC" --jobs="$(nproc)")
# No gcov in this kernel: a clone in another folder reuses its objects.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$BUILD_ROOT}

# The guest is given its folders on the kernel's command line, which
# cannot carry a space (lib.sh's BUILD_ROOT has none), by their real
# paths: init.sh's own_tmp tells by them whether they lie below /tmp.
mkdir -p "$E2E_BUILD"
E2E_BUILD=$(realpath "$E2E_BUILD")
[ -z "${FSTESTS_SRC:-}" ] || FSTESTS_SRC=$(realpath "$FSTESTS_SRC")
case $E2E_BUILD${FSTESTS_SRC:-} in
*[[:space:]]*) die "the guest's folders may not have a space: E2E_BUILD=$E2E_BUILD FSTESTS_SRC=${FSTESTS_SRC:-}" ;;
esac
[ -f "$TREE/Makefile" ] || die "no kernel tree at $TREE (run 'make tree')"
for t in mkfs.xfs xfs_repair mkfs.ext4 e2fsck dmsetup; do
	command -v "$t" >/dev/null ||
		die "$t is not in PATH or $SBIN_DIRS: run 'make deps' (xfsprogs, e2fsprogs, dmsetup)"
done
[ -f "$E2E_BUILD/.config" ] || check_disk "$(dirname "$E2E_BUILD")"
mkdir -p "$E2E_BUILD" "$E2E_RESULTS"

# E2E_PREBUILT=1: the kernel in E2E_BUILD, as it is (lib.sh), if its
# last build, of this configuration and commit, succeeded ($built): a
# build that failed leaves the kernel before it.
stamp=$E2E_BUILD/.sandbox-config
built=$E2E_BUILD/.sandbox-built
inputs=$(config_inputs "${fragments[@]}")
if [ "$E2E_PREBUILT" = 1 ]; then
	[ -x "$E2E_BUILD/linux" ] && [ "$(cat "$built" 2>/dev/null)" = "$inputs" ] ||
		die "E2E_PREBUILT=1: no e2e kernel of this tree and configuration in $E2E_BUILD (run 'make e2e' first)"
	note "the e2e kernel as built in $E2E_BUILD (E2E_PREBUILT=1)"
else
	# The kernel: allnoconfig plus the fragment, configured again only when
	# the fragment, the tree's commit or a Kconfig file changed.
	if [ "$(cat "$stamp" 2>/dev/null)" != "$inputs" ]; then
		rm -f "$stamp"
		cat "${fragments[@]}" >"$E2E_BUILD/sandbox.config"
		make -s -C "$TREE" "${make_opts[@]}" KCONFIG_ALLCONFIG="$E2E_BUILD/sandbox.config" allnoconfig \
			>"$E2E_RESULTS/config.log" 2>&1 || { cat "$E2E_RESULTS/config.log"; die "kernel configuration failed"; }
		missing=$(grep -h '^CONFIG_' "${fragments[@]}" | grep -vxF -f "$E2E_BUILD/.config" || true)
		[ -z "$missing" ] ||
			die "not in $E2E_BUILD/.config (unknown option, or a dependency is off): $(echo $missing)"
		echo "$inputs" >"$stamp"
	fi
	note "building the e2e kernel in $E2E_BUILD (log: $E2E_RESULTS/build.log)"
	rm -f "$built"
	if ! build "$E2E_BUILD" "$E2E_RESULTS/build.log" "the e2e kernel" \
	     make -C "$TREE" "${make_opts[@]}" all; then
		build_errors "$E2E_RESULTS/build.log" >&2
		die "the e2e kernel did not build (all of it: $E2E_RESULTS/build.log)"
	fi
	echo "$inputs" >"$built"
fi

# Our programs, static, rebuilt when their source changed.
mkdir -p "$E2E_BUILD/bin"
for src in "$TOP"/tools/e2e/*.c; do
	prog=$E2E_BUILD/bin/e2e-$(basename "$src" .c)
	[ "$prog" -nt "$src" ] && [ "$prog" -nt "$TOP/tools/e2e/e2e.h" ] && continue
	gcc -static -O2 -Wall -Wextra -Werror -o "$prog" "$src" -lpthread -luring ||
		die "$src does not build"
done

# Fresh disks every run: sparse files, formatted by Debian's tools.
disks=()
make_disk() {
	local img=$E2E_BUILD/disks/$1.img
	rm -f "$img"
	mkdir -p "$E2E_BUILD/disks"
	if ! truncate -s "$2" "$img" || ! "${@:3}" "$img" >"$E2E_RESULTS/mkfs.log" 2>&1; then
		cat "$E2E_RESULTS/mkfs.log" >&2
		die "cannot create the disk image $img ($(df -h --output=avail "$E2E_BUILD" | tail -n 1 | tr -d ' ') free there; is the disk full?)"
	fi
	disks+=("ubd${#disks[@]}=$img")
}
if [ "$MODE" = fstests ]; then
	# fstests' TEST_DEV and SCRATCH_DEV of each section (init.sh writes
	# its local.config): ubda and ubdb XFS, ubdc and ubdd ext4.
	[ -x "${FSTESTS_SRC:-}/check" ] || die "FSTESTS_SRC: no built fstests (tools/fstests.sh runs this mode)"
	make_disk fstests-xfs-test 4G mkfs.xfs -q -f
	make_disk fstests-xfs-scratch 4G mkfs.xfs -q -f
	make_disk fstests-ext4-test 4G mkfs.ext4 -q -F
	make_disk fstests-ext4-scratch 4G mkfs.ext4 -q -F
else
	make_disk xfs 1G mkfs.xfs -q -f
	make_disk ext4 1G mkfs.ext4 -q -F
	make_disk fault 1G mkfs.xfs -q -f
	make_disk journal 256M mkfs.ext4 -q -F
	make_disk space 400M mkfs.xfs -q -f
fi
if [ "$MODE" = bench ] || [ "$MODE" = profile ]; then
	MIN_FREE_GB=$((E2E_BENCH_SIZE * 4 / 1024 / 1024 / 1024 + 1)) check_disk "$E2E_BUILD"
	make_disk bench $((E2E_BENCH_SIZE * 4)) mkfs.xfs -q -f
	make_disk bench-ext4 $((E2E_BENCH_SIZE * 2)) mkfs.ext4 -q -F
fi

# What the guest reads of the clone (init.sh, the user's script, fstests'
# exclude list) is copied into the build folder: the clone's own path may
# have a space, which the kernel's command line cannot carry, and may lie
# below the /tmp that the guest keeps for itself (init.sh's own_tmp).
guest=$E2E_BUILD/guest
rm -rf "$guest" && mkdir -p "$guest"
cp "$TOP/tools/e2e/init.sh" "$guest/init.sh"
if [ -n "$SCRIPT" ]; then cp "$SCRIPT" "$guest/script.sh" && SCRIPT=$guest/script.sh; fi
if [ -n "${FSTESTS_EXCLUDE:-}" ]; then
	cp "$FSTESTS_EXCLUDE" "$guest/fstests.exclude" && FSTESTS_EXCLUDE=$guest/fstests.exclude
fi
# check's arguments, comma-separated, in a file: the kernel's command line
# (4096 bytes under UML) cannot carry a long list of tests.
[ -z "${FSTESTS_ARGS:-}" ] || echo "$FSTESTS_ARGS" >"$guest/fstests.args"
chmod -R a+rX "$guest"
rm -rf "$E2E_BUILD/scratch" "$E2E_BUILD/probe" "$E2E_BUILD/uml"
# UML's own folder (uml_dir=; its default is ~/.uml), the machine's like
# the scratch folder.
mkdir -p "$E2E_BUILD/scratch" "$E2E_BUILD/mnt" "$E2E_BUILD/uml"
log=$E2E_RESULTS/guest.log
# As root, the UML process runs as E2E_USER, owning only its disks and
# scratch folder; it must still reach the kernel, init.sh, our programs
# and fstests.  As an ordinary user it runs as that user.
runas=() unprivileged=0
uid=$(id -u "$E2E_USER" 2>/dev/null) && gid=$(id -g "$E2E_USER") ||
	die "no host user $E2E_USER for the machine to run as (E2E_USER)"
if [ "$(id -u)" = 0 ] && [ "$uid" != 0 ]; then
	chown -R "$uid:$gid" "$E2E_BUILD/disks" "$E2E_BUILD/scratch" "$E2E_BUILD/uml"
	runas=(setpriv --reuid="$uid" --regid="$gid" --clear-groups --)
	for f in "$E2E_BUILD/linux" "$guest/init.sh" "$E2E_BUILD/bin/e2e-poweroff" \
		 ${FSTESTS_SRC:+"$FSTESTS_SRC/check"}; do
		"${runas[@]}" test -r "$f" ||
			die "$E2E_USER (E2E_USER) cannot read $f: the folders above it must be readable by all"
	done
	unprivileged=1
fi
# No AVX in the guest's user processes: on a host whose XSAVE area UML
# cannot set whole (AMX), UML keeps only their x87/SSE state across a
# page fault (tools/e2e/platform/), and glibc's AVX string functions
# would lose register contents mid-copy.
tunables=glibc.cpu.hwcaps=-AVX,-AVX2,-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX_Fast_Unaligned_Load
note "booting the e2e machine ($MODE, mem=$E2E_MEM; log: $log; at most ${E2E_TIMEOUT}s)"
set +e
timeout -k 10 "$E2E_TIMEOUT" ${runas[@]+"${runas[@]}"} "$E2E_BUILD/linux" mem="$E2E_MEM" uml_dir="$E2E_BUILD/uml" "${disks[@]}" ${boot_args[@]+"${boot_args[@]}"} \
	root=/dev/root rootfstype=hostfs rootflags=/ ro init="$guest/init.sh" \
	con0=null,fd:1 con=null E2E_MODE="$MODE" E2E_BUILD="$E2E_BUILD" \
	E2E_FSX_OPS="$E2E_FSX_OPS" E2E_BENCH_REPS="$reps" \
	E2E_BENCH_SIZE="$E2E_BENCH_SIZE" E2E_SCRIPT="$SCRIPT" GLIBC_TUNABLES="$tunables" \
	${FSTESTS_SRC:+FSTESTS_SRC="$FSTESTS_SRC" FSTESTS_ARGS="$guest/fstests.args" FSTESTS_EXCLUDE="$FSTESTS_EXCLUDE"} \
	E2E_UNPRIVILEGED=$unprivileged ${E2E_STEPS:+E2E_STEPS="$E2E_STEPS"} </dev/null 2>&1 |
	# The guest's console ends its lines with CR LF.  Its steps, as
	# they start, are the machine's progress.
	stdbuf -oL tr -d '\r' | tee "$log" | { grep --line-buffered '^e2e: --- ' || true; } |
	sed -u "s/^e2e: --- /${0##*/}: step /" >&2
rc=${PIPESTATUS[0]}
set -e
cp "$E2E_BUILD"/scratch/*.{tsv,csv} "$E2E_RESULTS/" 2>/dev/null || true
if [ -d "$E2E_BUILD/scratch/profile" ]; then
	rm -rf "$E2E_RESULTS/profile" && mkdir -p "$E2E_RESULTS/profile"
	cp "$E2E_BUILD"/scratch/profile/*.txt "$E2E_RESULTS/profile/" 2>/dev/null || true
fi
status=$(tail -n 1 "$E2E_BUILD/scratch/status" 2>/dev/null || true)

[ ! -e "$E2E_BUILD/probe" ] || die "the guest created $E2E_BUILD/probe: the host's root was writable"
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	tail -n 60 "$log" >&2
	die "the guest did not finish in ${E2E_TIMEOUT}s (hung?); the end of its log is above, all of it in $log"
fi
# A report of the kernel's checkers (KASAN, lockdep, DEBUG_VM, list and
# object debugging, page poisoning), a BUG or a WARNING fails the run,
# whatever the steps said.
reports=$(grep -nEf "$TOP/tools/kernel-reports.txt" "$log" || true)
if [ -n "$reports" ]; then
	first=$(head -n 1 <<<"$reports" | cut -d: -f1)
	sed -n "$((first > 5 ? first - 5 : 1)),$((first + 60))p" "$log" >&2
	die "the guest's kernel reported (first report above; all $(wc -l <<<"$reports") lines: grep in $log): $(head -n 1 <<<"$reports" | cut -d: -f2-)"
fi
if [ "$status" != pass ]; then
	if [ -n "$status" ]; then
		sed -n "/^e2e: --- ${status#fail }\$/,\$p" "$log" | head -n 150 >&2
	else
		tail -n 60 "$log" >&2
		status="no verdict: the guest stopped before its init finished (panic?), exit status $rc"
	fi
	die "e2e $MODE: $status; the guest's log is above, all of it in $log"
fi
[ "$MODE" != check ] || grep -h '^e2e-fsx: .* operations/s' "$log" || true
awk -F'\t' '{ printf "  %-16s %-5s %4ss\n", $1, $2, $3 }' "$E2E_RESULTS/steps.tsv"
echo "e2e $MODE: all $(wc -l <"$E2E_RESULTS/steps.tsv") steps passed"
