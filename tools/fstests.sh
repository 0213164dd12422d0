#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make fstests: fstests (FSTESTS: a git checkout, an unpacked snapshot or a
# .tar.xz one) copied to $FSTESTS_BUILD and built there with its own
# configure, never in place; then run in the e2e machine, as fstests'
# documentation describes: a local.config with an [xfs] and an [ext4]
# section, each with a TEST_DEV and a SCRATCH_DEV on ubd disks.  The tests:
# FSTESTS_TESTS (names, or "-g group"), else FSTESTS_LIST (a file of
# names, default tools/fstests/default.list); tools/fstests/exclude goes to
# fstests' -E; FSTESTS_SECTIONS, the sections (default both).  fstests'
# own results (check.log, result.xml in its xunit format, each failure's
# .out.bad and .full) land in $RESULTS/fstests/SECTION/;
# a summary per section follows, with each failure's diff.  Exit status 1
# if a test failed or a section did not finish.
. "$(dirname "$0")/lib.sh"

if [ -z "${FSTESTS:-}" ]; then
	die "FSTESTS is not set: point it at fstests, a git checkout
  (git clone https://git.kernel.org/pub/scm/fs/xfs/xfstests-dev.git) or a
  snapshot (.tar.xz), e.g. make fstests FSTESTS=../shared/fstests/fstests-63a29724.tar.xz"
fi
[ -e "$FSTESTS" ] || die "FSTESTS=$FSTESTS does not exist"
FSTESTS=$(realpath "$FSTESTS")

# Whether FSTESTS is the top of a git checkout.
is_checkout() {
	[ "$(git -C "$FSTESTS" rev-parse --show-toplevel 2>/dev/null)" = "$FSTESTS" ]
}

# What the source is, to build again only when it changes: the tarball's
# hash; a checkout's commit and edits; any other folder's file list.
source_id() {
	if [ -f "$FSTESTS" ]; then
		sha1sum <"$FSTESTS"
	elif is_checkout; then
		{ git -C "$FSTESTS" rev-parse HEAD; git -C "$FSTESTS" diff HEAD; } | sha1sum
	else
		find "$FSTESTS" -type f -printf '%P %s %T@\n' | sort | sha1sum
	fi
}

# fstests, before anything is copied: a tree with fstests' check script.
if [ -f "$FSTESTS" ]; then
	tar -tf "$FSTESTS" 2>/dev/null | grep -E '^([^/]+/)?check$' >/dev/null ||
		die "$FSTESTS holds no fstests tree (no 'check' script at its top)"
else
	[ -f "$FSTESTS/check" ] || die "$FSTESTS is not fstests (no 'check' script)"
fi

src=$FSTESTS_BUILD/src
log=$RESULTS/fstests/build.log
mkdir -p "$FSTESTS_BUILD" "$RESULTS/fstests"
id=$(source_id | cut -d' ' -f1)
if [ "$(cat "$FSTESTS_BUILD/.source" 2>/dev/null)" != "$id" ] || [ ! -x "$src/ltp/fsx" ]; then
	rm -rf "$src" "$FSTESTS_BUILD/.source"
	mkdir -p "$src"
	note "copying $FSTESTS to $src"
	if [ -f "$FSTESTS" ]; then
		tar -xf "$FSTESTS" -C "$src" || die "cannot unpack $FSTESTS"
		# A snapshot may hold the tree in one top folder.
		top=$(find "$src" -maxdepth 2 -name check -type f -printf '%d %h\n' | sort -n |
			head -n 1 | cut -d' ' -f2-)
		if [ "$top" != "$src" ]; then mv "$top" "$src.tree" && rm -rf "$src" && mv "$src.tree" "$src"; fi
	elif is_checkout; then
		# The checkout's files as they are, edits included, not its build products.
		git -C "$FSTESTS" ls-files -z | (cd "$FSTESTS" && xargs -0 cp --parents -t "$src")
	else
		cp -a "$FSTESTS/." "$src/"
	fi
	note "building fstests in $src (log: $log)"
	# Our DEBUG (the debug kernel) is not fstests' (its compiler flags:
	# DEBUG=1 reaches gcc as a file name), and make passes its command
	# line's variables on in MAKEFLAGS: fstests' build sees neither.
	if ! (cd "$src" && unset DEBUG MAKEFLAGS MFLAGS MAKELEVEL && { [ -x configure ] || make configure; } && ./configure &&
	      make -j"$(nproc)") >"$log" 2>&1; then
		grep -E 'error|Error|not found' "$log" | head -n 30 >&2
		die "fstests did not build (all of it: $log); its build needs Debian's ${FSTESTS_PKGS[*]} ('make deps')"
	fi
	echo "$id" >"$FSTESTS_BUILD/.source"
fi

# The tests, as arguments of fstests' check, comma-separated for the
# guest's command line.
if [ -n "${FSTESTS_TESTS:-}" ]; then
	tests=$FSTESTS_TESTS
else
	[ -f "$FSTESTS_LIST" ] || die "no list of tests at $FSTESTS_LIST"
	tests=$(sed 's/#.*//' "$FSTESTS_LIST" | xargs)
fi
[ -n "$tests" ] || die "no tests to run"
prev=
for t in $tests; do
	case $prev in -g | -x | -e | -E | -s) prev=$t; continue ;; esac
	prev=$t
	case $t in -*) continue ;; esac
	[ -f "$src/tests/$t" ] || die "$t is not a test of this fstests ($src/tests/$t)"
done

# FSTESTS_SECTIONS: the sections of local.config to run (check's -s).
sections=${FSTESTS_SECTIONS:-xfs ext4}
for sec in $sections; do
	case $sec in xfs | ext4) ;; *) die "FSTESTS_SECTIONS: no section '$sec' (xfs, ext4)" ;; esac
done
# run ARGS...: check with those arguments in the machine (its guest log in
# $E2E_RESULTS, or $E2E_RESULTS/$log_dir); the sections it ran, copied to
# the results.
run() {
	note "running fstests in the e2e machine: $*"
	rm -rf "$E2E_BUILD/scratch/fstests"
	E2E_TIMEOUT=$FSTESTS_TIMEOUT FSTESTS_SRC=$src FSTESTS_ARGS=$(tr ' ' , <<<"$*") \
		FSTESTS_EXCLUDE=$TOP/tools/fstests/exclude E2E_RESULTS=$E2E_RESULTS${log_dir:+/$log_dir} \
		"$TOP/tools/e2e/machine.sh" fstests || rc=$?
	cp -r "$E2E_BUILD/scratch/fstests/." "$RESULTS/fstests/" 2>/dev/null || true
}

rc=0
log_dir=
rm -rf "$RESULTS/fstests/xfs" "$RESULTS/fstests/ext4" "$RESULTS/fstests/shard"
mkdir -p "$RESULTS/fstests"
if [ -z "$FSTESTS_SHARD" ]; then
	args=$tests
	for sec in $sections; do
		[ "$sections" = "xfs ext4" ] || args="-s $sec $args"
	done
	# shellcheck disable=SC2086 # check's arguments, one word each
	run $args
else
	# FSTESTS_SHARD=i/n: this machine's part of each section's list (check
	# expands a group per section), a machine run per section; the part
	# and the whole lists' id recorded for make fstests-report.
	# shellcheck disable=SC2086 # check's arguments, one word each
	id=$(python3 "$TOP/tools/fstests_shard.py" --id "$src" "$sections" $tests) ||
		die "FSTESTS_SHARD=$FSTESTS_SHARD: see above"
	count=0
	for sec in $sections; do
		# shellcheck disable=SC2086 # check's arguments, one word each
		part=$(python3 "$TOP/tools/fstests_shard.py" "$src" "$FSTESTS_SHARD" "$sec" $tests) ||
			die "FSTESTS_SHARD=$FSTESTS_SHARD: see above"
		count=$((count + $(wc -w <<<"$part")))
		log_dir=$sec
		# shellcheck disable=SC2086 # the part's tests, one word each
		run -s "$sec" $part
	done
	echo "$FSTESTS_SHARD $count tests $id" >"$RESULTS/fstests/shard"
fi

# shellcheck disable=SC2086 # the sections, one argument each
python3 "$TOP/tools/fstests_report.py" "$RESULTS/fstests" $sections || rc=1
exit "$rc"
