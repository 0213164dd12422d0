#!/usr/bin/env bash
# Boot the end-to-end machine: the patched tree built as a small UML
# kernel (tools/e2e/machine.config, in $E2E_BUILD, incremental, ccache),
# the host's root read-only through hostfs, ubd disks formatted here with
# Debian's mkfs.xfs and mkfs.ext4, and tools/e2e/init.sh as PID 1 running
# our programs.  MODE is check ('make e2e'), bench ('make bench'), or
# script FILE: a shell script of the developer's own, run with the XFS
# and ext4 disks mounted at $E2E_BUILD/mnt/{xfs,ext4} and our programs in
# $E2E_BUILD/bin.  E2E_STEPS=a,b runs only those steps of init.sh.
# Exits with the guest's verdict; shows its log on failure or timeout.
. "$(dirname "$0")/../lib.sh"

MODE=${1:-check}
SCRIPT=
if [ "$MODE" = script ]; then
	[ -f "${2:-}" ] || die "usage: machine.sh script FILE (a shell script for the guest)"
	SCRIPT=$(realpath "$2")
fi
FRAGMENT=$TOP/tools/e2e/machine.config
make_opts=(ARCH=um O="$E2E_BUILD" CC="$KBUILD_CC" --jobs="$(nproc)")
# No gcov in this kernel: a clone in another folder reuses its objects.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$TOP}

[ -f "$TREE/Makefile" ] || die "no kernel tree at $TREE (run 'make tree')"
for t in mkfs.xfs xfs_repair mkfs.ext4 e2fsck dmsetup; do
	command -v "$t" >/dev/null ||
		die "$t is not in PATH or $SBIN_DIRS: run 'make deps' (xfsprogs, e2fsprogs, dmsetup)"
done
[ -f "$E2E_BUILD/.config" ] || check_disk "$(dirname "$E2E_BUILD")"
mkdir -p "$E2E_BUILD" "$E2E_RESULTS"

# The kernel: allnoconfig plus the fragment, configured again only when
# the fragment, the tree's commit or a Kconfig file changed.
stamp=$E2E_BUILD/.sandbox-config
if [ "$(cat "$stamp" 2>/dev/null)" != "$(config_inputs "$FRAGMENT")" ]; then
	rm -f "$stamp"
	make -s -C "$TREE" "${make_opts[@]}" KCONFIG_ALLCONFIG="$FRAGMENT" allnoconfig \
		>"$E2E_RESULTS/config.log" 2>&1 || { cat "$E2E_RESULTS/config.log"; die "kernel configuration failed"; }
	missing=$(grep '^CONFIG_' "$FRAGMENT" | grep -vxF -f "$E2E_BUILD/.config" || true)
	[ -z "$missing" ] ||
		die "not in $E2E_BUILD/.config (unknown option, or a dependency is off): $(echo $missing)"
	config_inputs "$FRAGMENT" >"$stamp"
fi
note "building the e2e kernel in $E2E_BUILD (log: $E2E_RESULTS/build.log)"
if ! build "$E2E_BUILD" "$E2E_RESULTS/build.log" "the e2e kernel" \
     make -C "$TREE" "${make_opts[@]}" all; then
	build_errors "$E2E_RESULTS/build.log" >&2
	die "the e2e kernel did not build (all of it: $E2E_RESULTS/build.log)"
fi

# Our programs, static, rebuilt when their source changed.
mkdir -p "$E2E_BUILD/bin"
for src in "$TOP"/tools/e2e/*.c; do
	prog=$E2E_BUILD/bin/e2e-$(basename "$src" .c)
	[ "$prog" -nt "$src" ] && [ "$prog" -nt "$TOP/tools/e2e/e2e.h" ] && continue
	gcc -static -O2 -Wall -Wextra -Werror -o "$prog" "$src" -lpthread ||
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
make_disk xfs 1G mkfs.xfs -q -f
make_disk ext4 1G mkfs.ext4 -q -F
make_disk fault 1G mkfs.xfs -q -f
make_disk journal 256M mkfs.ext4 -q -F
make_disk space 400M mkfs.xfs -q -f
if [ "$MODE" = bench ]; then
	MIN_FREE_GB=$((E2E_BENCH_SIZE * 3 / 1024 / 1024 / 1024 + 1)) check_disk "$E2E_BUILD"
	make_disk bench $((E2E_BENCH_SIZE * 4)) mkfs.xfs -q -f
fi

rm -rf "$E2E_BUILD/scratch" "$E2E_BUILD/probe"
mkdir -p "$E2E_BUILD/scratch" "$E2E_BUILD/mnt"
log=$E2E_RESULTS/guest.log
# No AVX in the guest's user processes: on a host whose XSAVE area UML
# cannot set whole (AMX), UML keeps only their x87/SSE state across a
# page fault (tools/e2e/platform/), and glibc's AVX string functions
# would lose register contents mid-copy.
tunables=glibc.cpu.hwcaps=-AVX,-AVX2,-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX_Fast_Unaligned_Load
note "booting the e2e machine ($MODE, mem=$E2E_MEM; log: $log; at most ${E2E_TIMEOUT}s)"
set +e
timeout -k 10 "$E2E_TIMEOUT" "$E2E_BUILD/linux" mem="$E2E_MEM" "${disks[@]}" \
	root=/dev/root rootfstype=hostfs rootflags=/ ro init="$TOP/tools/e2e/init.sh" \
	con0=null,fd:1 con=null E2E_MODE="$MODE" E2E_BUILD="$E2E_BUILD" \
	E2E_FSX_OPS="$E2E_FSX_OPS" E2E_BENCH_REPS="$E2E_BENCH_REPS" \
	E2E_BENCH_SIZE="$E2E_BENCH_SIZE" E2E_SCRIPT="$SCRIPT" GLIBC_TUNABLES="$tunables" \
	${E2E_STEPS:+E2E_STEPS="$E2E_STEPS"} </dev/null 2>&1 |
	# The guest's console ends its lines with CR LF.  Its steps, as
	# they start, are the machine's progress.
	tr -d '\r' | tee "$log" | { grep --line-buffered '^e2e: --- ' || true; } |
	sed -u "s/^e2e: --- /${0##*/}: step /" >&2
rc=${PIPESTATUS[0]}
set -e
cp "$E2E_BUILD"/scratch/*.{tsv,csv} "$E2E_RESULTS/" 2>/dev/null || true
status=$(tail -n 1 "$E2E_BUILD/scratch/status" 2>/dev/null || true)

[ ! -e "$E2E_BUILD/probe" ] || die "the guest created $E2E_BUILD/probe: the host's root was writable"
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	tail -n 60 "$log" >&2
	die "the guest did not finish in ${E2E_TIMEOUT}s (hung?); the end of its log is above, all of it in $log"
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
