#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bisect: bisectability and new warnings (not a gate of make
# check: over its budget, README).  In a git worktree of the tree with its
# own build folder (no gcov), build the kernel after each patch of the
# series, incrementally, and run the plumbing suite; and build the .c files
# the series touches with W=1 and sparse (C=2) at the sandbox base and at
# the end of the series: any warning the base does not have fails.
. "$(dirname "$0")/lib.sh"

WT=$BISECT_TREE
WBUILD=$BISECT_BUILD
OUT=$RESULTS/bisect

[ -d "$TREE/.git" ] || die "no tree at $TREE (run 'make tree')"
mapfile -t commits < <(git -C "$TREE" rev-list --reverse "$SANDBOX_TAG..HEAD")
[ ${#commits[@]} -gt 0 ] || die "no series on top of '$SANDBOX_TAG' in $TREE"
mkdir -p "$OUT" "$WBUILD"
# The verdict make cover-letter reads is of this series, and none is left
# from an earlier run until this one has its own.
rm -f "$OUT/summary" "$OUT/series-id"
series=$(series_id 2>/dev/null) || series=

checkout() { worktree "$WT" "$1"; }

# One step: build the tree as it is and run the plumbing suite.
step() {
	if [ -n "${BISECT_STEP:-}" ]; then
		(cd "$WT" && $BISECT_STEP)
		return
	fi
	# The same incremental build and run as 'make run', in the worktree,
	# with the test filesystem and the plumbing suite only.
	TREE=$WT BUILD=$WBUILD COVERAGE=0 RESULTS=$OUT/step KUNIT_TIMEOUT=$MUTANT_TIMEOUT \
		KUNITCONFIG_EXTRA="$TOP/kunit/bisect.config" \
		"$TOP/tools/kunit.sh" uncached_plumbing
}

# Warnings of the touched objects, without line numbers, one per line;
# none is an empty list, and a build that fails is an error, shown.
# BISECT_MAKE: the make to run (the tool tests give a fake one).
mapfile -t objs < <(git -C "$TREE" diff --name-only "$SANDBOX_TAG..HEAD" -- '*.c' | sed 's/\.c$/.o/')
warnings() {
	local log=$OUT/warnings-$1.log
	: >"$OUT/warnings.$1"
	[ ${#objs[@]} -gt 0 ] || return 0
	[ -f "$WBUILD/.config" ] || (cd "$WT" && python3 "$KUNIT_PY" config \
		--arch=um --build_dir="$WBUILD" --kunitconfig="$TOP/.kunitconfig" \
		--make_options="CC=$KBUILD_CC") >/dev/null
	if ! ${BISECT_MAKE:-make} -C "$WT" -s ARCH=um O="$WBUILD" CC="$KBUILD_CC" W=1 C=2 \
	     "${objs[@]}" >"$log" 2>&1; then
		build_errors "$log" >&2
		die "the W=1/sparse build of ${objs[*]} failed at $1 (all of it: $log)"
	fi
	{ grep -E ': (warning|error):' "$log" || true; } |
		sed -E 's/:[0-9]+(:[0-9]+)?: /: /' | sort -u >"$OUT/warnings.$1"
}

# The plumbing suite prints a digest of what plain reads read ahead
# (uncached_plumbing.plain_readahead_digest): it must be the same after
# every patch, the flag patch's being the base kernel's read path.
digest_of() {
	sed -n 's/.*plain readahead digest \([0-9a-f]*\).*/\1/p' "$OUT/step/ktap.log" 2>/dev/null | tail -n 1
}

fails=0
n=0
first_digest=
for c in "${commits[@]}"; do
	n=$((n + 1))
	subject=$(git -C "$TREE" log -1 --format=%s "$c")
	checkout "$c"
	rm -f "$OUT/step/ktap.log"
	if step >"$OUT/step-$n.log" 2>&1; then
		printf 'ok   %d/%d %s\n' "$n" ${#commits[@]} "$subject"
	else
		fails=$((fails + 1))
		printf 'FAIL %d/%d %s (see %s)\n' "$n" ${#commits[@]} "$subject" "$OUT/step-$n.log"
		grep -E 'error:|FAILED|Error' "$OUT/step-$n.log" | head -n 5 | sed 's/^/     /' || true
	fi
	digest=$(digest_of)
	if [ -z "$digest" ] && [ -z "${BISECT_STEP:-}" ]; then
		fails=$((fails + 1))
		printf 'FAIL %d/%d %s: no plain readahead digest in %s\n' "$n" ${#commits[@]} "$subject" "$OUT/step/ktap.log"
	elif [ -n "$digest" ] && [ -z "$first_digest" ]; then
		first_digest=$digest
	elif [ -n "$digest" ] && [ "$digest" != "$first_digest" ]; then
		fails=$((fails + 1))
		printf 'FAIL %d/%d %s: plain reads read ahead differently (digest %s, %s before)\n' \
			"$n" ${#commits[@]} "$subject" "$digest" "$first_digest"
	fi
done
[ -z "$first_digest" ] || echo "ok   plain reads read ahead the same after every patch (digest $first_digest)"
# The W=1/sparse builds: of the objects the steps' configuration built
# (UML has no THP or migration: mm/huge_memory.c and mm/migrate.c are
# not in it), at the base and at the series' end.
built=()
for o in "${objs[@]}"; do
	if [ -e "$WBUILD/$o" ]; then built+=("$o"); else echo "note $o: not in this configuration, not built"; fi
done
objs=(${built[@]+"${built[@]}"})
checkout "$SANDBOX_TAG"
warnings base
checkout "${commits[-1]}"
warnings series
new=$(comm -13 "$OUT/warnings.base" "$OUT/warnings.series")
if [ -n "$new" ]; then
	fails=$((fails + 1))
	echo "FAIL new W=1/sparse warnings in ${objs[*]}:"
	printf '%s\n' "$new" | sed 's/^/     /'
else
	echo "ok   no new W=1/sparse warnings in ${objs[*]:-(no .c files)}"
fi
summary="bisect: ${#commits[@]} patches, $fails failures"
echo "$summary"
# For make cover-letter: the verdict, and the series it is of.
echo "$summary" >"$OUT/summary"
[ -z "$series" ] || echo "$series" >"$OUT/series-id"
[ "$fails" -eq 0 ]
