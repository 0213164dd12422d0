#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the UML kernel in $BUILD and run our suites, the kunit_tool way
# but without its fixed costs when nothing in the configuration changed:
# kunit.py config runs only when the kunitconfig, the tree's commit or a
# Kconfig file changed (its stamp is in $BUILD); the build is kbuild's
# own incremental make (kunit.py would also regenerate
# compile_commands.json every time: 'make compdb' does that on request);
# kunit.py exec boots the kernel and parses and reports as kunit.py run
# does.  Arguments are passed to kunit.py exec (e.g. a filter glob).
. "$(dirname "$0")/lib.sh"

KUNITCONFIG=${KUNITCONFIG:-$TOP/.kunitconfig}
KUNIT=(python3 "$KUNIT_PY")

[ -f "$TREE/$KUNIT_PY" ] || die "no kernel tree at $TREE (run 'make tree')"
[ -f "$BUILD/.config" ] || check_disk "$(dirname "$BUILD")"
mkdir -p "$BUILD" "$RESULTS"

configs=(--kunitconfig="$KUNITCONFIG")
[ "$COVERAGE" = 1 ] &&
	configs+=(--kunitconfig="$TREE/tools/testing/kunit/configs/coverage_uml.config")
[ "$DEBUG" = 1 ] && configs+=(--kunitconfig="$TOP/kunit/debug.config")
[ "$KUNIT_ARCH" = um ] || configs+=(--kunitconfig="$TOP/kunit/$KUNIT_ARCH.config")
# A further fragment, e.g. make bisect's.
[ -n "${KUNITCONFIG_EXTRA:-}" ] && configs+=(--kunitconfig="$KUNITCONFIG_EXTRA")
exec_opts=(--arch="$KUNIT_ARCH" --build_dir="$BUILD" --timeout="$KUNIT_TIMEOUT"
	   --json="$RESULTS/kunit.json")
# Two CPUs: the race cases then really run in parallel.
[ "$KUNIT_ARCH" = um ] || exec_opts+=(--qemu_args="-smp 2")
[ -z "$RACE_ITERATIONS" ] ||
	exec_opts+=(--kernel_args="uncached_kunit.race_iterations=$RACE_ITERATIONS")
[ -z "$MODEL_CASE" ] ||
	exec_opts+=(--kernel_args="uncached_kunit.model_case=$MODEL_CASE")
# The forced failures, timed by the kernel's clock.
[ "$FORCE_FAIL" = 0 ] ||
	exec_opts+=(--kernel_args=uncached_kunit.force_fail=1 --kernel_args=printk.time=1)
make_opts=(ARCH="$KUNIT_ARCH" O="$BUILD" CC="$KBUILD_CC" --jobs="$(nproc)")

# What the .config depends on: the kunitconfigs, the tree's commit, and
# uncommitted edits of Kconfig files, and ours in kunit/ (outside git).
kunitconfig_inputs() {
	local files=("$TOP/kunit/Kconfig") c
	for c in "${configs[@]}"; do files+=("${c#--kunitconfig=}"); done
	config_inputs "${files[@]}"
}
stamp=$BUILD/.sandbox-config

# Coverage from an earlier run must not pass for this run's.
find "$BUILD" -name '*.gcda' -delete 2>/dev/null || true
rm -f "$RESULTS/kunit.json" "$RESULTS/ktap.log"

note "Linux $(make -s -C "$TREE" kernelversion), build in $BUILD, coverage $([ "$COVERAGE" = 1 ] && echo on || echo off)$([ "$DEBUG" = 1 ] && echo ', debug checkers on')"
cd "$TREE"
set +e
# Everything goes into kunit.log.  On the terminal: the build's progress
# (not in kunit.log), then the suites' (cases passed, failed and skipped
# so far), each failed case with what it said, and errors; kunit.py's
# listing of every case only in kunit.log (tools/progress.py --kunit).
exec 3>&2
# The last run's raw output is not this run's (a build that fails runs
# nothing): gone before, so that ktap.log is this run's or absent.
rm -f "$BUILD/test.log" "$RESULTS/ktap.log"
{
	rc=0
	if [ "$(cat "$stamp" 2>/dev/null)" != "$(kunitconfig_inputs)" ]; then
		rm -f "$stamp"
		"${KUNIT[@]}" config --arch="$KUNIT_ARCH" --build_dir="$BUILD" "${configs[@]}" \
			--make_options="CC=$KBUILD_CC" && kunitconfig_inputs >"$stamp" || rc=$?
	fi
	# As kunit.py run, keep the build's output to show when it fails.
	if [ "$rc" -eq 0 ] && ! PROGRESS_FD=3 build "$BUILD" "$RESULTS/build.log" \
	     "the $KUNIT_ARCH kernel" make "${make_opts[@]}" all; then
		rc=1
		echo "build failed; the errors (all of it: $RESULTS/build.log):"
		build_errors "$RESULTS/build.log"
	fi
	[ "$rc" -ne 0 ] || "${KUNIT[@]}" exec "${exec_opts[@]}" "$@" || rc=$?
	exit "$rc"
} 2>&1 | python3 "$TOP/tools/progress.py" --kunit --log "$RESULTS/kunit.log" --what "the suites"
rc=${PIPESTATUS[0]}
set -e
# The kernel's raw KTAP output, as kunit.py saved it.
[ -f "$BUILD/test.log" ] && cp "$BUILD/test.log" "$RESULTS/ktap.log"
exit "$rc"
