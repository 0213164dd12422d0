#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The developer's loop, measured (a benchmark, not a test).  In one run,
# interleaved, REPS times each, on the same warm build folder:
#   ours   one edited .c file in fs/iomap -> verdict + coverage summary
#          ('make run', i.e. tools/suites.sh)
#   bare   the same edit -> a bare 'kunit.py run' with the same kunitconfigs
#          and make options (so that it does not rebuild everything)
#   floor  the same edit -> kbuild's incremental make + kunit.py exec:
#          compile, link, boot, nothing else
#   noop   'make run' with nothing changed
# Each edit appends a unique comment, so ccache cannot answer for it.
# Prints median [min-max] per measurement and ratios of medians; writes
# results/bench-loop.txt.  'tools/bench.sh cold' adds COLD_REPS builds from
# scratch each (bare kunit.py vs tools/suites.sh with an empty ccache), about
# 8 min a repetition.
. "$(dirname "$0")/lib.sh"

REPS=${REPS:-5}
COLD_REPS=${COLD_REPS:-3}
[ -x "$BUILD/linux" ] || die "no build in $BUILD: run 'make' first"
file=$TREE/fs/iomap/buffered-io.c
out=$RESULTS/bench-loop.txt
scratch=$(mktemp -d "$TOP/build/bench.XXXXXX")
trap 'rm -rf "$scratch"; git -C "$TREE" checkout -q -- fs/iomap/buffered-io.c' EXIT
git -C "$TREE" diff --quiet -- fs/iomap/buffered-io.c ||
	die "$file has uncommitted edits: commit or stash them first"

cov=$TREE/tools/testing/kunit/configs/coverage_uml.config
kunit() { (cd "$TREE" && python3 "$KUNIT_PY" "$@"); }
# A bare 'kunit.py run' in build folder $1, further options after it: as
# a user types it (gcc, no ccache) from scratch; on the warm build with
# its make options, so that it does not rebuild everything.
bare_run() {
	kunit run --arch=um --build_dir="$1" --kunitconfig="$TOP/.kunitconfig" \
		--kunitconfig="$cov" --jobs="$(nproc)" "${@:2}"
}
bare() { bare_run "$1" --make_options="CC=$KBUILD_CC"; }
floor() {
	make -s -C "$TREE" ARCH=um O="$BUILD" CC="$KBUILD_CC" --jobs="$(nproc)" all &&
		kunit exec --arch=um --build_dir="$BUILD"
}
edit() { printf '/* bench %s */\n' "$RANDOM$RANDOM$SECONDS" >>"$file"; }
# seconds NAME COMMAND...: run it, append its wall-clock seconds to NAME
seconds() {
	local name=$1 t0; shift
	t0=$EPOCHREALTIME
	"$@" >"$scratch/last.log" 2>&1 || { tail -20 "$scratch/last.log" >&2; die "failed: $*"; }
	echo "$EPOCHREALTIME - $t0" | bc >>"$scratch/$name"
}

tools/suites.sh >/dev/null 2>&1 || true	# warm: build what is stale
for i in $(seq "$REPS"); do
	note "repetition $i of $REPS"
	edit; seconds bare bare "$BUILD"
	edit; seconds ours "$TOP/tools/suites.sh"
	edit; seconds floor floor
	seconds noop "$TOP/tools/suites.sh"
done
# From scratch: a bare 'kunit.py run' against 'make run' with an empty
# ccache, interleaved, each in a new build folder.
if [ "${1:-}" = cold ]; then
	for i in $(seq "$COLD_REPS"); do
		note "build from scratch, repetition $i of $COLD_REPS"
		seconds cold-bare bare_run "$scratch/cold"
		rm -rf "$scratch/cold"
		seconds cold-ours env BUILD="$scratch/cold" RESULTS="$scratch/results" \
			CCACHE_DIR="$scratch/ccache" "$TOP/tools/suites.sh"
		rm -rf "$scratch/cold" "$scratch/results" "$scratch/ccache"
	done
fi

stats() {	# median min max of a file of numbers
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.1f %.1f %.1f\n", m, v[1], v[NR] }'
}
{
	echo "Linux $(make -s -C "$TREE" kernelversion), $(nproc) cores," \
		"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
		"$(free -g | awk '/^Mem:/ { print $2 }') GiB, $(date -u +%F), $REPS repetitions" \
		"$([ "${1:-}" = cold ] && echo "($COLD_REPS from scratch)")"
	printf '%-50s %8s %14s\n' "measurement" "median" "[min-max] s"
	for n in bare ours floor noop cold-bare cold-ours; do
		[ -f "$scratch/$n" ] || continue
		read -r m lo hi < <(stats "$scratch/$n")
		printf '%-50s %8s %14s\n' "$n" "$m" "[$lo-$hi]"
		echo "$m" >"$scratch/$n.median"
	done
	ratio() { echo "scale=2; $(cat "$scratch/$1.median") / $(cat "$scratch/$2.median")" | bc; }
	echo "ours / bare (one edited file, verdict):  $(ratio ours bare)x"
	echo "floor / bare (compile + link + boot):    $(ratio floor bare)x"
	if [ -f "$scratch/cold-ours.median" ]; then
		echo "cold build, ours / bare:                 $(ratio cold-ours cold-bare)x"
	fi
} | tee "$out"
