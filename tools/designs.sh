#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make designs: the same suites (and, with DESIGNS_BENCH=1, the e2e
# benchmark) against designs of RWF_UNCACHED: ours (the series), and
# each in kunit/designs/ (a patch applied on top of the series,
# like a mutant, and reverted afterwards), in a worktree of the tree's
# commit (DESIGNS_TREE: work/designs), never in the shared tree, so that
# 'make' afterwards rebuilds nothing.  Each design's suites build in a
# folder of its own (build/design-NAME, no gcov, ccache); the benchmark's
# e2e kernel in build/e2e-designs, rebuilt incrementally.  Writes
# results/designs/NAME/ and, through tools/designs.py, the matrix:
# results/designs.md and results/designs.json (DESIGNS="NAME...": run only
# those again, the matrix from every result there is).  A report, not a gate:
# exit status 0 whatever the cells say, 1 if a design does not build.
. "$(dirname "$0")/lib.sh"

OUT=$RESULTS/designs
git -C "$TREE" diff --quiet || die "$TREE has uncommitted changes: designs are applied on a clean series"
mkdir -p "$OUT"
WT=$DESIGNS_TREE
worktree "$WT" "$(git -C "$TREE" rev-parse HEAD)"

for d in ours "$TOP"/kunit/designs/*/; do
	name=$(basename "$d")
	# DESIGNS="NAME...": only those run again; the others' results stay.
	[[ -z ${DESIGNS:-} || " $DESIGNS " == *" $name "* ]] || continue
	rm -rf "${OUT:?}/$name"
	mkdir -p "$OUT/$name"
	if [ "$name" != ours ]; then
		apply_patch "$WT" "$d/design.patch" || die "kunit/designs/$name/design.patch does not apply"
	fi
	note "$name: the suites (build/design-$name)"
	TREE=$WT COVERAGE=0 BUILD=$BUILD_ROOT/build/design-$name RESULTS=$OUT/$name \
		"${KUNIT_RUNNER:-$TOP/tools/kunit.sh}" >"$OUT/$name/suites.log" 2>&1 || true
	[ -s "$OUT/$name/kunit.json" ] || { tail -n 30 "$OUT/$name/suites.log" >&2; die "$name: no results (build failed?)"; }
	if [ "${DESIGNS_BENCH:-0}" = 1 ]; then
		note "$name: the benchmark in the e2e machine"
		TREE=$WT E2E_BUILD=$BUILD_ROOT/build/e2e-designs E2E_RESULTS=$OUT/$name/e2e \
			E2E_BENCH_REPS=${DESIGNS_BENCH_REPS:-3} "$TOP/tools/e2e/machine.sh" bench >"$OUT/$name/bench.log" 2>&1 ||
			{ tail -n 30 "$OUT/$name/bench.log" >&2; die "$name: the benchmark failed"; }
	fi
	revert_patches
done
python3 "$TOP/tools/designs.py" "$OUT"
