#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Which mutants the end-to-end machine notices: the KUnit gate's
# (kunit/mutants/), and those of the filesystems' own lines, which no
# KUnit case reaches (tools/e2e/mutants/, whose "Killed by:" names the
# e2e steps that must fail).  Each named mutant is applied on top of the
# series, the e2e kernel rebuilt incrementally and 'make e2e' run (a
# shorter exerciser run, E2E_MUTANT_FSX_OPS; E2E_STEPS for some steps only),
# then reverted.  A report, not a gate.
# Arguments: mutant names (globs); default all.
. "$(dirname "$0")/../lib.sh"

OUT=$RESULTS/e2e-mutants
export E2E_FSX_OPS=$E2E_MUTANT_FSX_OPS
git -C "$TREE" diff --quiet || die "$TREE has uncommitted changes: mutants are applied on a clean series"
mkdir -p "$OUT"
rm -f "$OUT/summary.txt"

for m in "$TOP"/kunit/mutants/*.patch "$TOP"/tools/e2e/mutants/*.patch; do
	name=$(basename "$m" .patch)
	matches_globs "$name" "$@" || continue
	progress "$name: $(mutant_field Mutant "$m")"
	apply_patch "$TREE" "$m" "$E2E_BUILD" || die "$name does not apply"
	if E2E_RESULTS=$OUT/$name "$TOP/tools/e2e/machine.sh" check >"$OUT/$name.log" 2>&1; then
		verdict=survived
	elif step=$(grep -o 'e2e check: fail [a-z0-9-]*' "$OUT/$name.log"); then
		step=${step#e2e check: fail }
		verdict="killed ($step: $(grep -m1 'FAIL' "$OUT/$name.log" | cut -c1-110))"
		# The filesystems' mutants name the steps that must notice them.
		[[ $m != */tools/e2e/mutants/* ]] ||
			matches_globs "$step" $(mutant_field 'Killed by' "$m") ||
			verdict="killed by the wrong step: $verdict"
	else
		verdict="broken (no verdict; see $OUT/$name.log)"
	fi
	revert_patches
	printf '%-40s %s\n' "$name" "$verdict" | tee -a "$OUT/summary.txt"
done
