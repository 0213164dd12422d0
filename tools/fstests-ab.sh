#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make fstests-ab: the same fstests (tools/fstests.sh: the same FSTESTS,
# tests, exclude list, disks and local.config) first on the pristine
# kernel, then on the series, in the e2e machine.  The pristine kernel is
# the sandbox base (Debian's 6.12 with the platform fixes, no series),
# checked out in a worktree ($FSTESTS_AB_TREE) and built in its own folder
# ($FSTESTS_AB_BUILD).  Every test that fails on either side runs again
# FSTESTS_RERUNS times on each side, in its section alone; then
# tools/fstests_ab.py compares: a regression never fails on the base and
# fails on the series (every time, or sometimes: an intermittent one); a
# test that fails on both every time is the base's; any other failure is
# flaky, with its failure rate on each side.  Results: $RESULTS/fstests-ab/{base,series}
# (fstests' own files per section, and each rerun's), and summary.txt.
# Exit status 1 on a regression, a section that did not finish, a kernel
# report on either side, or a base that does not build.
. "$(dirname "$0")/lib.sh"

OUT=$RESULTS/fstests-ab
[ -d "$TREE/.git" ] || die "no tree at $TREE (run 'make tree')"
base=$(git -C "$TREE" rev-parse -q --verify "$SANDBOX_TAG^{commit}") ||
	die "no '$SANDBOX_TAG' tag in $TREE: the pristine base is not known (run 'make tree')"
[ "$base" != "$(git -C "$TREE" rev-parse HEAD)" ] ||
	die "$TREE has no series on top of '$SANDBOX_TAG': nothing to compare"
worktree "$FSTESTS_AB_TREE" "$base"
rm -rf "$OUT"
mkdir -p "$OUT"
# What make cover-letter checks that these results are of.
series_id >"$OUT/series-id"

# side NAME RUN [VAR=VALUE...]: tools/fstests.sh on one side's kernel,
# its results in $OUT/NAME/RUN; its output in RUN.log.
side() {
	local name=$1 run=$2 tree=$TREE build=$E2E_BUILD
	shift 2
	if [ "$name" = base ]; then tree=$FSTESTS_AB_TREE build=$FSTESTS_AB_BUILD; fi
	mkdir -p "$OUT/$name"
	note "$name, $run: $(git -C "$tree" log -1 --format='%h %s')"
	# Its progress (the machine's steps: each test as it starts) shows.
	{ env "$@" TREE="$tree" E2E_BUILD="$build" RESULTS="$OUT/$name/$run" \
		E2E_RESULTS="$OUT/$name/$run/e2e" "$TOP/tools/fstests.sh" </dev/null 2>&1 ||
		true; } | tee "$OUT/$name/$run.log" |
		{ grep --line-buffered '^machine.sh: step fstests: [a-z]*/[0-9]' || true; } |
		sed -u "s/^machine.sh: step fstests: /  $name: /" >&2
	sed -n '/^fstests summary/,$p' "$OUT/$name/$run.log" | sed "s/^/  $name: /" >&2
	grep -q 'the e2e kernel did not build' "$OUT/$name/$run.log" &&
		die "the $name kernel did not build: $OUT/$name/$run.log"
	return 0
}

side base run
side series run
# The failures of either side, each again on both, in its section alone.
python3 "$TOP/tools/fstests_ab.py" --failures "$OUT" >"$OUT/failures"
while read -r sec t rerun; do
	for i in $(seq 1 "$FSTESTS_RERUNS"); do
		for name in base series; do
			side "$name" "$rerun-$i" FSTESTS_SECTIONS="$sec" FSTESTS_TESTS="$t" \
				FSTESTS_SHARD=
		done
	done
done <"$OUT/failures"
python3 "$TOP/tools/fstests_ab.py" --reports "$TOP/tools/kernel-reports.txt" "$OUT"
