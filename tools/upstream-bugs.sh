#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make upstream-bugs: the defects upstream shipped in its version of the
# flag (RWF_DONTCACHE), planted in the drop-behind model, and what in the
# sandbox catches each.  Each kunit/designs/dropbehind/bugs/*.patch is
# applied on top of the model (design.patch, itself on the series), like
# a mutant, and reverted afterwards; the model alone runs first.  All of
# it in a worktree of the tree's commit (DESIGNS_TREE, as make designs),
# never in the shared tree, so that 'make' afterwards rebuilds nothing;
# the e2e gates' kernel in build/e2e-upstream-bugs.  Gates
# (UPSTREAM_BUGS_GATES, in this order by default: rules suites debug):
#   rules    our static rules (tools/rules.sh) on the lines the model adds
#   suites   the suites, no gcov (build/design-dropbehind)
#   debug    the suites under kunit/debug.config (build/design-dropbehind-debug)
#   e2e      the e2e machine with the checkers (make e2e DEBUG=1)
#   fstests  fstests' check list in that machine (make fstests DEBUG=1)
# A gate catches a bug when, with the bug, a case fails, a rule reports or
# a kernel report appears that the model alone does not have (the e2e gates: when the run
# fails and the model's passed).  Writes results/upstream-bugs/ and,
# through tools/upstream_bugs.py, the table (results/upstream-bugs.md);
# exit status 1 if a bug is caught by nothing, or not by the cases its
# header's "Caught by:" names.  Arguments: bug names (globs).
. "$(dirname "$0")/lib.sh"

MODEL=$TOP/kunit/designs/dropbehind
OUT=$RESULTS/upstream-bugs
GATES_RUN=${UPSTREAM_BUGS_GATES:-rules suites debug}
runner=${KUNIT_RUNNER:-$TOP/tools/kunit.sh}

git -C "$TREE" diff --quiet || die "$TREE has uncommitted changes: the bugs are applied on a clean series"
KNOWN_GATES="rules suites debug e2e fstests"
for g in $GATES_RUN; do
	[[ " $KNOWN_GATES " == *" $g "* ]] || die "UPSTREAM_BUGS_GATES: no gate '$g' ($KNOWN_GATES)"
done
case " $GATES_RUN " in *" fstests "*) [ -n "${FSTESTS:-}" ] ||
	die "the fstests gate needs FSTESTS=PATH (see 'make fstests')";; esac
bugs=()
for b in "$MODEL"/bugs/*.patch; do
	[ -f "$b" ] && matches_globs "$(basename "$b" .patch)" "$@" && bugs+=("$b")
done
[ ${#bugs[@]} -gt 0 ] || die "no bug in $MODEL/bugs matches ${*:-*}"

WT=$DESIGNS_TREE
worktree "$WT" "$(git -C "$TREE" rev-parse HEAD)"
apply() { apply_patch "$WT" "$1" || die "$1 does not apply"; }

# One gate on the tree as it is now; its verdict files in $1/$2.
run_gate() {
	local dir=$1/$2 start=$SECONDS rc=0
	rm -rf "$dir" && mkdir -p "$dir"
	note "$(basename "$1"): $2"
	case $2 in
	rules) TREE=$WT "$TOP/tools/rules.sh" >"$dir/run.log" 2>&1 || rc=$? ;;
	suites) TREE=$WT COVERAGE=0 BUILD=$BUILD_ROOT/build/design-dropbehind RESULTS=$dir \
			"$runner" >"$dir/run.log" 2>&1 || rc=$? ;;
	debug) TREE=$WT DEBUG=1 BUILD=$BUILD_ROOT/build/design-dropbehind-debug RESULTS=$dir \
			"$runner" >"$dir/run.log" 2>&1 || rc=$? ;;
	e2e) TREE=$WT DEBUG=1 E2E_BUILD=$BUILD_ROOT/build/e2e-upstream-bugs E2E_RESULTS=$dir \
			"$TOP/tools/e2e/machine.sh" >"$dir/run.log" 2>&1 || rc=$? ;;
	fstests) TREE=$WT DEBUG=1 E2E_BUILD=$BUILD_ROOT/build/e2e-upstream-bugs RESULTS=$dir \
			FSTESTS_LIST=$TOP/tools/fstests/check.list \
			"$TOP/tools/fstests.sh" >"$dir/run.log" 2>&1 || rc=$? ;;
	esac
	echo "$rc" >"$dir/rc"
	echo $((SECONDS - start)) >"$dir/seconds"
}

rm -rf "$OUT"
mkdir -p "$OUT"
apply "$MODEL/design.patch"
for g in $GATES_RUN; do run_gate "$OUT/model" "$g"; done
for b in "${bugs[@]}"; do
	name=$(basename "$b" .patch)
	mkdir -p "$OUT/$name"
	cp "$b" "$OUT/$name/bug.patch"
	apply "$b"
	for g in $GATES_RUN; do run_gate "$OUT/$name" "$g"; done
	revert_patches 1 || die "could not revert $b"
done
revert_patches
python3 "$TOP/tools/upstream_bugs.py" "$OUT" $GATES_RUN
