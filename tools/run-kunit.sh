#!/usr/bin/env bash
# Build the UML kernel in $BUILD and run our suites with kunit.py.
# Arguments are passed to kunit.py (e.g. a filter glob).
. "$(dirname "$0")/lib.sh"

KUNITCONFIG=${KUNITCONFIG:-$TOP/.kunitconfig}
KUNIT_TIMEOUT=${KUNIT_TIMEOUT:-300}

[ -f "$TREE/tools/testing/kunit/kunit.py" ] || die "no kernel tree at $TREE (run 'make tree')"
[ -f "$BUILD/.config" ] || check_disk "$(dirname "$BUILD")"
mkdir -p "$BUILD" "$RESULTS"

args=(run --arch=um --build_dir="$BUILD" --kunitconfig="$KUNITCONFIG"
      --make_options="CC=ccache gcc" --jobs="$(nproc)"
      --timeout="$KUNIT_TIMEOUT" --json="$RESULTS/kunit.json")
[ "$COVERAGE" = 1 ] &&
	args+=(--kunitconfig="$TREE/tools/testing/kunit/configs/coverage_uml.config")

# Coverage from an earlier run must not pass for this run's.
find "$BUILD" -name '*.gcda' -delete 2>/dev/null || true
rm -f "$RESULTS/kunit.json" "$RESULTS/ktap.log"

note "Linux $(make -s -C "$TREE" kernelversion), build in $BUILD, coverage $([ "$COVERAGE" = 1 ] && echo on || echo off)"
cd "$TREE"
set +e
python3 tools/testing/kunit/kunit.py "${args[@]}" "$@" 2>&1 | tee "$RESULTS/kunit.log"
rc=${PIPESTATUS[0]}
set -e
# The kernel's raw KTAP output, as kunit.py saved it.
[ -f "$BUILD/test.log" ] && cp "$BUILD/test.log" "$RESULTS/ktap.log"
exit "$rc"
