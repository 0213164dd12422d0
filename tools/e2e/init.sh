#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the end-to-end machine (tools/e2e/machine.sh boots it).  The root
# is the host's, read-only through hostfs; the guest writes only to its
# ubd disks and to $E2E_BUILD/scratch.  Each step's verdict goes to
# scratch/steps.tsv, the first failure ends the run; the last line of
# scratch/status is "pass" or "fail STEP".  Settings come from the kernel
# command line: E2E_MODE (check, bench, profile, fstests: FSTESTS_SRC's check with
# the arguments in the file FSTESTS_ARGS, or script: run E2E_SCRIPT, for
# a developer's own experiments, with the disks mounted), E2E_BUILD, E2E_FSX_OPS,
# E2E_BENCH_REPS, E2E_BENCH_SIZE, E2E_STEPS.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
BIN=$E2E_BUILD/bin
MNT=$E2E_BUILD/mnt
SCRATCH=$MNT/scratch
FAULT_DEV=/dev/mapper/e2e-fault

finish() {
	echo "$1" >"$SCRATCH/status"
	echo "e2e: $1"
	cd /
	umount -a -r >/dev/null 2>&1
	"$BIN/e2e-poweroff"
}

# step NAME COMMAND...: run, time and record one step; stop at a failure.
# With E2E_STEPS (comma-separated names), only those steps run.
step() {
	name=$1
	shift
	case ",${E2E_STEPS:-$name}," in
	*",$name,"*) ;;
	*) return 0 ;;
	esac
	echo "e2e: --- $name"
	t0=$(date +%s)
	if "$@"; then
		printf '%s\tpass\t%s\n' "$name" "$(($(date +%s) - t0))" >>"$SCRATCH/steps.tsv"
	else
		printf '%s\tfail\t%s\n' "$name" "$(($(date +%s) - t0))" >>"$SCRATCH/steps.tsv"
		finish "fail $name"
	fi
}

# fstests writes to /tmp and /var/tmp: there the guest has its own, tmpfs,
# mounted first.  A host folder the guest needs that lies below them (a
# clone in /tmp, or builds in /var/tmp: tools/lib.sh's BUILD_ROOT) is
# mounted again from the host at its own path, read-only, before anything
# is mounted inside it; outer folders first.
own_tmp() {
	mount -t tmpfs tmp /tmp && mount -t tmpfs vartmp /var/tmp || return 1
	printf '%s\n' "$E2E_BUILD" ${FSTESTS_SRC:+"$FSTESTS_SRC"} | sort |
		while IFS= read -r dir; do
			case $dir in /tmp/* | /var/tmp/*) ;; *) continue ;; esac
			mkdir -p "$dir" && mount -t hostfs -o ro,"$dir" hostfs "$dir" || exit 1
		done
}

mount -t proc proc /proc && mount -t sysfs sys /sys && mount -t devtmpfs dev /dev &&
	{ [ "${E2E_MODE:-}" != fstests ] || own_tmp; } &&
	mount -t tmpfs tmp "$MNT" && mkdir "$MNT/scratch" "$MNT/xfs" "$MNT/ext4" \
		"$MNT/fault" "$MNT/journal" "$MNT/space" "$MNT/bench" "$MNT/tmpfs" &&
	mount -t hostfs -o "$E2E_BUILD/scratch" hostfs "$SCRATCH" || {
	echo "e2e: the guest could not mount its filesystems"
	"$BIN/e2e-poweroff"
}
# ubd allocates with GFP_ATOMIC when it dispatches a request: keep a
# reserve for it, or streaming writes in 256M starve it.
echo 16384 >/proc/sys/vm/min_free_kbytes
echo "e2e: $(uname -r), $(grep MemTotal /proc/meminfo | tr -s ' ')"

# The host is safe: its root is read-only here, the probe (outside the
# scratch folder) cannot be created, and the scratch folder can.
host_is_read_only() {
	grep -q '^/dev/root / hostfs ro[,[:space:]]' /proc/mounts &&
		! touch "$E2E_BUILD/probe" 2>/dev/null &&
		touch "$SCRATCH/probe" && rm "$SCRATCH/probe"
}

# Run by root on the host, the machine's process is an unprivileged host
# user (E2E_UNPRIVILEGED=1): with its root remounted read-write, the guest
# still cannot create a file outside its scratch folder.  Run by an
# ordinary user, it could write what that user can (README says so).
host_is_safe() {
	if [ "${E2E_UNPRIVILEGED:-0}" != 1 ]; then
		echo "e2e: the machine runs as the user who started it, not a user of its own: not checked"
		return 0
	fi
	mount -o remount,rw / || { echo "e2e: could not remount the root read-write"; return 1; }
	grep -q '^/dev/root / hostfs rw[,[:space:]]' /proc/mounts || {
		echo "e2e: the root is not read-write after the remount"; return 1; }
	if touch "$E2E_BUILD/probe" 2>/dev/null; then
		echo "e2e: the guest created $E2E_BUILD/probe with its root read-write"
		return 1
	fi
	touch "$SCRATCH/probe" && rm "$SCRATCH/probe" && mount -o remount,ro / &&
		echo "ok: the root read-write, and still nothing outside the scratch folder writable"
}

mount_disks() {
	mount -t xfs /dev/ubda "$MNT/xfs" && mount -t ext4 /dev/ubdb "$MNT/ext4"
}

remount() {
	umount "$MNT/xfs" "$MNT/ext4" && mount_disks
}

# FS: RWF_UNCACHED semantics, and the data after unmount and mount.
semantics() {
	"$BIN/e2e-semantics" write "$MNT/xfs" && "$BIN/e2e-semantics" write "$MNT/ext4" &&
		remount &&
		"$BIN/e2e-semantics" verify "$MNT/xfs" && "$BIN/e2e-semantics" verify "$MNT/ext4"
}

# O_DIRECT | RWF_UNCACHED writes that the filesystem does in buffered
# I/O: unaligned to a reflinked XFS file (-ENOTBLK), and any on ext4
# mounted data=journal.  Nothing may stay dirty; on XFS nothing cached.
direct() {
	"$BIN/e2e-semantics" direct-prepare "$MNT/xfs/direct-orig" &&
		cp --reflink=always "$MNT/xfs/direct-orig" "$MNT/xfs/direct" &&
		"$BIN/e2e-semantics" direct "$MNT/xfs/direct" 1 &&
		mount -t ext4 -o data=journal /dev/ubdd "$MNT/journal" &&
		"$BIN/e2e-semantics" direct-prepare "$MNT/journal/direct" &&
		"$BIN/e2e-semantics" direct "$MNT/journal/direct" 0 &&
		umount "$MNT/journal" && remount &&
		mount -t ext4 -o data=journal /dev/ubdd "$MNT/journal" &&
		"$BIN/e2e-semantics" direct-verify "$MNT/xfs/direct" &&
		"$BIN/e2e-semantics" direct-verify "$MNT/journal/direct" &&
		umount "$MNT/journal"
}

# ENOSPC and EDQUOT: an XFS of its own with a fixed speculative
# preallocation (allocsize) and a project quota; the uncached write goes
# through xfs_file_buffered_write()'s retry.
space() {
	mount -t xfs -o allocsize=64m,prjquota /dev/ubde "$MNT/space" &&
		mkdir "$MNT/space/quota" &&
		xfs_quota -x -c "project -s -p $MNT/space/quota 42" \
			-c "limit -p bhard=8m 42" "$MNT/space" >/dev/null &&
		"$BIN/e2e-space" edquot "$MNT/space/quota" &&
		"$BIN/e2e-space" enospc "$MNT/space" &&
		"$BIN/e2e-space" full "$MNT/space" &&
		umount "$MNT/space" && mount -t xfs -o prjquota /dev/ubde "$MNT/space" &&
		"$BIN/e2e-space" verify "$MNT/space" && umount "$MNT/space"
}

# Filesystems that did not opt in: tmpfs, and hostfs.
unsupported() {
	mount -t tmpfs tmpfs "$MNT/tmpfs" &&
		"$BIN/e2e-semantics" unsupported "$MNT/tmpfs" &&
		"$BIN/e2e-semantics" unsupported "$SCRATCH" &&
		"$BIN/e2e-uring" unsupported "$MNT/tmpfs"
}

# io_uring, a real client: the flag in rw_flags, the inline IOCB_NOWAIT
# attempt's EAGAIN and io-wq's retry, on both filesystems.
uring() {
	"$BIN/e2e-uring" run "$MNT/xfs" && "$BIN/e2e-uring" run "$MNT/ext4"
}

# The exerciser must fail, with its seed, when the file changes behind
# its model's back.
fsx_self_test() {
	if "$BIN/e2e-fsx" -n 2000 -x 1000 "$MNT/xfs/fsx-self-test" >"$MNT/self-test.log" 2>&1; then
		cat "$MNT/self-test.log"
		echo "e2e: the exerciser did not notice a changed byte"
		return 1
	fi
	grep -q 'seed 1, operation 1000' "$MNT/self-test.log" || {
		cat "$MNT/self-test.log"
		echo "e2e: the exerciser's failure report has no seed and operation"
		return 1
	}
	echo "ok: the exerciser fails on a changed byte and prints its seed and operation"
}

fsx() {
	"$BIN/e2e-fsx" -s "$2" -n "$E2E_FSX_OPS" "$MNT/$1/fsx" &&
		"$BIN/e2e-fsx" -s "$2" -n "$((E2E_FSX_OPS / 4))" -p 2 "$MNT/$1/fsx-shared"
}

DM="dmsetup --noudevsync --noudevrules"

# dm-flakey fails the writes to one region of a file on XFS; the
# metadata and the log stay healthy.
faults() {
	sectors=$(cat /sys/block/ubdc/size)
	echo "0 $sectors linear /dev/ubdc 0" >"$MNT/healthy.table"
	switch="$DM suspend e2e-fault && $DM load e2e-fault"
	$DM create e2e-fault "$MNT/healthy.table" && $DM mknodes e2e-fault &&
		mount -t xfs "$FAULT_DEV" "$MNT/fault" &&
		"$BIN/e2e-faults" prepare "$MNT/fault/file" &&
		"$BIN/e2e-faults" table "$MNT/fault/file" /dev/ubdc "$sectors" >"$MNT/faulty.table" &&
		cat "$MNT/faulty.table" &&
		"$BIN/e2e-faults" run "$MNT/fault/file" \
			"$switch $MNT/faulty.table && $DM resume e2e-fault" \
			"$switch $MNT/healthy.table && $DM resume e2e-fault" &&
		umount "$MNT/fault" && mount -t xfs "$FAULT_DEV" "$MNT/fault" &&
		"$BIN/e2e-faults" verify "$MNT/fault/file" &&
		umount "$MNT/fault"
}

repair() {
	umount "$MNT/xfs" "$MNT/ext4" &&
		xfs_repair -n /dev/ubda && xfs_repair -n "$FAULT_DEV" && e2fsck -fn /dev/ubdb &&
		e2fsck -fn /dev/ubdd && xfs_repair -n /dev/ubde
}

# The sequential passes of every mode and request size.
bench_seq() {
	for mode in buffered uncached direct; do
		for req in 1048576 65536; do
			"$BIN/e2e-bench" seq "$MNT/bench" $mode $req "$E2E_BENCH_SIZE" || return 1
		done
	done
}

# bench_one SCENARIO MODE ARGS...: one measurement, its files removed after.
bench_one() {
	scenario=$1
	shift
	"$BIN/e2e-bench" "$scenario" "$MNT/bench" "$@" &&
		find "$MNT/bench" -maxdepth 1 -type f -delete
}

# One repetition of every measurement, the modes side by side: the
# stream alone, then what it does to everybody else.
bench_rep() {
	bench_seq || return 1
	for mode in buffered uncached direct; do
		bench_one peak $mode "$E2E_BENCH_SIZE" &&
			bench_one workset $mode $((E2E_BENCH_SIZE / 16)) "$E2E_BENCH_SIZE" &&
			bench_one latency $mode 1048576 "$E2E_BENCH_SIZE" &&
			bench_one latency $mode 65536 "$E2E_BENCH_SIZE" &&
			bench_one writers $mode 4 "$E2E_BENCH_SIZE" &&
			bench_one writers $mode 32 "$E2E_BENCH_SIZE" &&
			bench_one samefile $mode "$E2E_BENCH_SIZE" &&
			bench_one twowriters $mode "$E2E_BENCH_SIZE" &&
			bench_one random $mode $((E2E_BENCH_SIZE / 16)) &&
			bench_one uring $mode $((E2E_BENCH_SIZE / 16)) || return 1
	done
}

# On ext4: the streams, and random reads.
bench_ext4() {
	bench_seq || return 1
	for mode in buffered uncached direct; do
		bench_one random $mode $((E2E_BENCH_SIZE / 16)) || return 1
	done
}

# bench_reps FSTYPE DEVICE COMMAND: E2E_BENCH_REPS repetitions of COMMAND
# on that filesystem, each appended with its number to BENCH_CSV (else
# the scratch folder's bench.csv).
bench_reps() {
	mount -t "$1" "$2" "$MNT/bench" || return 1
	rep=1
	while [ "$rep" -le "$E2E_BENCH_REPS" ]; do
		"$3" >"$MNT/rep.csv" || return 1
		cat "$MNT/rep.csv"
		sed "s/^/$rep,/" "$MNT/rep.csv" >>"${BENCH_CSV:-$SCRATCH/bench.csv}"
		rep=$((rep + 1))
	done
	find "$MNT/bench" -maxdepth 1 -type f -delete
	umount "$MNT/bench"
}

# Everything on XFS (ubdf); the sequential passes again on ext4 (ubdg),
# as seqwrite-ext4 and seqread-ext4.
bench() {
	bench_reps xfs /dev/ubdf bench_rep || return 1
	export E2E_BENCH_FS=ext4
	bench_reps ext4 /dev/ubdg bench_ext4
}

run_check() {
	step host-read-only host_is_read_only
	step host-safe host_is_safe
	step mount mount_disks
	step semantics semantics
	step direct direct
	step space space
	step uring uring
	step unsupported unsupported
	step fsx-self-test fsx_self_test
	step fsx-xfs fsx xfs 1
	step fsx-ext4 fsx ext4 2
	step faults faults
	step repair repair
	finish pass
}

# fstests (tools/fstests.sh): its check, in FSTESTS_SRC, with a
# local.config of two sections, [xfs] on ubda and ubdb and [ext4] on ubdc
# and ubdd, its results in the scratch folder; /tmp and /var/tmp are the
# guest's own (own_tmp).  Each test's line of check's output is a progress line.
fstests_config() {
	set -- xfs a b ext4 c d
	while [ $# -gt 0 ]; do
		mkdir -p "$MNT/fstests/test-$1" "$MNT/fstests/scratch-$1" || return 1
		printf '[%s]\nFSTYP=%s\nTEST_DEV=/dev/ubd%s\nTEST_DIR=%s\nSCRATCH_DEV=/dev/ubd%s\nSCRATCH_MNT=%s\nRESULT_BASE=%s\n\n' \
			"$1" "$1" "$2" "$MNT/fstests/test-$1" "$3" "$MNT/fstests/scratch-$1" \
			"$SCRATCH/fstests"
		shift 3
	done >"$MNT/fstests/local.config"
}

fstests() {
	mkdir -p "$MNT/fstests" &&
		fstests_config && cat "$MNT/fstests/local.config" && cd "$FSTESTS_SRC" || return 1
	# shellcheck disable=SC2046 # the tests: check's arguments
	{ HOST_OPTIONS=$MNT/fstests/local.config ./check -R xunit -E "$FSTESTS_EXCLUDE" \
		$(tr , ' ' <"$FSTESTS_ARGS") 2>&1; echo "$?" >"$MNT/fstests/rc"; } |
		while IFS= read -r line; do
			echo "$line"
			case $line in
			SECTION*|[a-z]*/[0-9]*) echo "e2e: --- fstests: $line" ;;
			esac
		done
	cd / && [ "$(cat "$MNT/fstests/rc")" = 0 ]
}

run_bench() {
	step bench bench
	finish pass
}

# 'make profile' (a kernel booted with profile=2): the sequential passes
# on XFS, E2E_BENCH_REPS times, each pass's samples of the kernel's
# profile summed per test, mode and request size by e2e-bench
# (E2E_PROFILE), then readprofile's count per function of each sum.
profile() {
	mkdir -p "$SCRATCH/profile" || return 1
	E2E_PROFILE=$SCRATCH/profile BENCH_CSV=/dev/null bench_reps xfs /dev/ubdf bench_seq >/dev/null ||
		return 1
	for f in "$SCRATCH"/profile/*,*; do
		readprofile -m "$E2E_BUILD/System.map" -p "$f" >"$f.txt" || return 1
	done
}

case "${E2E_MODE:-}" in
check) run_check ;;
bench) run_bench ;;
profile) step profile profile; finish pass ;;
fstests) step fstests fstests; finish pass ;;
script) step mount mount_disks; step script sh "$E2E_SCRIPT"; finish pass ;;
*) finish "fail unknown E2E_MODE '${E2E_MODE:-}'" ;;
esac
