#!/usr/bin/env bash
# Measure the figures in README (a benchmark, not a test).  Needs a
# prepared tree; takes about half an hour on 2 cores, since it builds
# twice from scratch.  Results: results/bench.txt.
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "no tree: run 'make tree' first"
out=$RESULTS/bench.txt
scratch=$(mktemp -d "$TOP/build/bench.XXXXXX")
trap 'rm -rf "$scratch"; git -C "$TREE" checkout -q -- fs/iomap/buffered-io.c' EXIT
mkdir -p "$RESULTS"
: >"$out"

# seconds COMMAND...: run it, print its wall-clock time
seconds() {
	local t0=$SECONDS
	"$@" >"$scratch/last.log" 2>&1 || { tail -20 "$scratch/last.log" >&2; die "failed: $*"; }
	echo $((SECONDS - t0))
}
record() { printf '%-58s %6s s\n' "$1" "$2" | tee -a "$out"; }

cov="$TREE/tools/testing/kunit/configs/coverage_uml.config"
bare() {
	cd "$TREE" && python3 tools/testing/kunit/kunit.py run --arch=um \
		--build_dir="$scratch/bare" --kunitconfig="$TOP/.kunitconfig" \
		--kunitconfig="$cov" --jobs="$(nproc)"
}
record "bare kunit.py run, cold, no ccache (same kunitconfig)" "$(seconds bare)"
record "tools/run.sh, cold build folder, empty ccache" \
	"$(seconds env BUILD="$scratch/cold" CCACHE_DIR="$scratch/ccache" "$TOP/tools/run.sh")"
record "make, nothing changed (warm build folder)" "$(seconds make -C "$TOP")"
echo "/* bench */" >>"$TREE/fs/iomap/buffered-io.c"
record "make run, one edited .c file in fs/iomap" "$(seconds make -C "$TOP" run)"
git -C "$TREE" checkout -q -- fs/iomap/buffered-io.c
record "tools/coverage.sh alone (capture + HTML)" "$(seconds "$TOP/tools/coverage.sh")"
echo "Linux $(make -s -C "$TREE" kernelversion), $(nproc) cores, $(date -u +%F)" | tee -a "$out"
