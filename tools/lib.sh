# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers for the tools/ scripts (sourced, not run).
# Every path can be overridden from the environment, which is how
# tools/tests/ points the scripts at small fake trees.
set -euo pipefail

TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# Debian installs mkfs.xfs, xfs_repair, mkfs.ext4, e2fsck and dmsetup in
# /usr/sbin and /sbin, which an ordinary user's PATH does not hold.
SBIN_DIRS=${SBIN_DIRS:-/usr/local/sbin /usr/sbin /sbin}
for _d in $SBIN_DIRS; do
	case ":$PATH:" in *":$_d:"*) ;; *) PATH=$PATH:$_d ;; esac
done
unset _d
TARBALL=${TARBALL:-/usr/src/linux-source-6.12.tar.xz}
# Where the unpacked tree (work/) and the build folders (build/) live: in
# the clone, unless its path has a space or a colon, which kbuild refuses
# ("source directory cannot contain spaces or colons"); then in a folder
# of the clone's own under /var/tmp, which the clone's work and build
# links lead to, so that every path below reads the same.
if [ -z "${BUILD_ROOT:-}" ]; then
	case $TOP in
	*[[:space:]:]*)
		BUILD_ROOT=/var/tmp/uncached-sandbox-$(id -u)/$(printf '%s' "$TOP" | sha1sum | cut -c1-12)
		# Ours alone: nobody else may have made it, or may write in it.
		mkdir -p -m 0755 "${BUILD_ROOT%/*}"
		if [ ! -O "${BUILD_ROOT%/*}" ] || [ -n "$(find "${BUILD_ROOT%/*}" -maxdepth 0 -perm /022)" ]; then
			echo "lib.sh: ${BUILD_ROOT%/*} is not this user's alone (owner or mode): remove it, or set BUILD_ROOT" >&2
			exit 1
		fi
		for _d in work build; do
			mkdir -p "$BUILD_ROOT/$_d"
			[ -L "$TOP/$_d" ] || [ ! -e "$TOP/$_d" ] ||
				{ echo "lib.sh: $TOP/$_d is in the way of a link to $BUILD_ROOT/$_d" >&2; exit 1; }
			[ "$(readlink "$TOP/$_d")" = "$BUILD_ROOT/$_d" ] || ln -sfn "$BUILD_ROOT/$_d" "$TOP/$_d"
		done
		unset _d ;;
	*) BUILD_ROOT=$TOP ;;
	esac
fi
TREE=${TREE:-$BUILD_ROOT/work/linux}
# DEBUG=1: the debug configuration (kunit/debug.config: KASAN, lockdep,
# DEBUG_VM...), without gcov.  COVERAGE=0 builds without gcov.  Each
# configuration has its own build folder.
# KUNIT_ARCH=x86_64 ('make check-arch'): the suites in an x86_64 kernel
# under QEMU (TCG), with kunit/x86_64.config (transparent huge pages, so
# the page cache has large folios; two CPUs), without gcov.
DEBUG=${DEBUG:-0}
COVERAGE=${COVERAGE:-1}
KUNIT_ARCH=${KUNIT_ARCH:-um}
[ "$DEBUG" = 0 ] && [ "$KUNIT_ARCH" = um ] || COVERAGE=0
# A folder computed here is this configuration's: not passed on to the
# scripts this one runs, which may run another (make check's gates).
if [ -z "${BUILD:-}" ]; then
	export -n BUILD 2>/dev/null || true
	BUILD=$BUILD_ROOT/build/kunit
	if [ "$KUNIT_ARCH" != um ]; then BUILD+=-$KUNIT_ARCH
	elif [ "$DEBUG" = 1 ]; then BUILD+=-debug
	elif [ "$COVERAGE" = 0 ]; then BUILD+=-nocov; fi
fi
# Everything a run generates: KTAP, JSON, logs, gate reports, and the
# coverage report (COVERAGE_OUT); a debug run's in results/debug, an
# x86_64 run's in results/x86_64.
if [ -z "${RESULTS:-}" ]; then
	export -n RESULTS 2>/dev/null || true
	RESULTS=$TOP/results
	if [ "$KUNIT_ARCH" != um ]; then RESULTS+=/$KUNIT_ARCH
	elif [ "$DEBUG" = 1 ]; then RESULTS+=/debug; fi
	[ "${FORCE_FAIL:-0}" = 0 ] || RESULTS+=/forced
fi
# FORCE_FAIL=1: one assertion of every suite fails (the kernel argument
# uncached_kunit.force_fail=1), to show that a failing case ends at once
# and leaves nothing behind; the verdict is kunit_results.py's 'forced'.
# Its results are in RESULTS/forced, and it makes no coverage report.
FORCE_FAIL=${FORCE_FAIL:-0}
FORCED_CASE_SECONDS=${FORCED_CASE_SECONDS:-5}
COVERAGE_OUT=${COVERAGE_OUT:-$RESULTS/coverage}
# In builds without gcov (debug, bisect, COVERAGE=0), ccache sees paths
# below $TOP as relative, so that a clone in another folder reuses their
# objects (compiler messages then name files relative to the build
# folder).  gcov objects embed their .gcda path and cannot be shared; the
# coverage build keeps absolute paths.
[ "$COVERAGE" = 1 ] || export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$BUILD_ROOT}
# ccache's depend mode: on a miss it hashes the dependency file that
# kbuild's -Wp,-MMD makes anyway, instead of running the preprocessor a
# second time, so that a cold build costs what one without ccache does
# (README, "Performance").  CCACHE_NODEPEND=1: ccache's default mode.
[ -n "${CCACHE_NODEPEND:-}" ] || export CCACHE_DEPEND=${CCACHE_DEPEND:-true}
# make bisect's worktree of the tree, and its build folder (no gcov).
BISECT_TREE=${BISECT_TREE:-$BUILD_ROOT/work/bisect}
BISECT_BUILD=${BISECT_BUILD:-$BUILD_ROOT/build/bisect}
# The worktree where make designs and make upstream-bugs apply their
# patches (never the shared tree: 'make' afterwards rebuilds nothing).
DESIGNS_TREE=${DESIGNS_TREE:-$BUILD_ROOT/work/designs}
# The end-to-end machine (tools/e2e/): its kernel's build folder (which
# also holds its programs, disk images and scratch folder), where its
# results go, its memory, how long it may run, and the sizes of the
# exerciser's run and of the benchmark's data set (4x the memory).
# DEBUG=1: the debug kernel (tools/e2e/debug.config), in build/e2e-debug.
if [ "$DEBUG" = 1 ]; then E2E_BUILD=${E2E_BUILD:-$BUILD_ROOT/build/e2e-debug}; fi
E2E_BUILD=${E2E_BUILD:-$BUILD_ROOT/build/e2e}
# Host-platform fixes for the UML machine's user processes, applied in the
# sandbox layer below the series, as coverage/platform/ is.
E2E_PLATFORM=${E2E_PLATFORM:-$TOP/tools/e2e/platform}
E2E_RESULTS=${E2E_RESULTS:-$RESULTS/e2e}
E2E_MEM=${E2E_MEM:-256M}
# Run as root (CI), the machine's UML process drops to this host user, so
# that a guest that remounts its root read-write still cannot write the
# host outside its disks and scratch folder (root: it stays root).
E2E_USER=${E2E_USER:-nobody}
E2E_TIMEOUT=${E2E_TIMEOUT:-$((DEBUG == 1 ? 3600 : 1200))}
E2E_FSX_OPS=${E2E_FSX_OPS:-50000}
# E2E_PREBUILT=1: boot the kernel already built in E2E_BUILD as it is,
# neither configured nor built again from the tree (make check's fstests
# gate, beside the mutants gate, which changes the tree).
E2E_PREBUILT=${E2E_PREBUILT:-0}
# The exerciser's run for a mutant (make e2e-mutants, and make mutate's
# mutants of the filesystems' lines): shorter than make e2e's.
E2E_MUTANT_FSX_OPS=${E2E_MUTANT_FSX_OPS:-5000}
E2E_BENCH_REPS=${E2E_BENCH_REPS:-3}
# make profile's passes of each stream: the timer tick samples at HZ=100.
E2E_PROFILE_REPS=${E2E_PROFILE_REPS:-16}
E2E_BENCH_SIZE=${E2E_BENCH_SIZE:-$((1024 * 1024 * 1024))}
# fstests (make fstests; FSTESTS: the user's checkout or snapshot): where
# it is copied and built, the list of tests it runs without FSTESTS_TESTS
# (make check's gate: FSTESTS_LIST=tools/fstests/check.list), how long the
# machine may run them, and what its build needs from Debian.
FSTESTS_BUILD=${FSTESTS_BUILD:-$BUILD_ROOT/build/fstests}
FSTESTS_LIST=${FSTESTS_LIST:-$TOP/tools/fstests/default.list}
FSTESTS_TIMEOUT=${FSTESTS_TIMEOUT:-5400}
# FSTESTS_SHARD=i/n: machine i of n runs every n-th of those tests
# (tools/fstests_shard.py); make fstests-report merges the parts' results.
FSTESTS_SHARD=${FSTESTS_SHARD:-}
# make fstests-ab: the pristine kernel's worktree (the sandbox base: the
# platform fixes, no series) and its e2e build folder; how many times a
# test that failed on either side runs again on each.
FSTESTS_AB_TREE=${FSTESTS_AB_TREE:-$BUILD_ROOT/work/fstests-base}
FSTESTS_AB_BUILD=${FSTESTS_AB_BUILD:-$BUILD_ROOT/build/e2e-base}
FSTESTS_RERUNS=${FSTESTS_RERUNS:-3}
FSTESTS_PKGS=(autoconf automake libtool pkg-config xfslibs-dev uuid-dev libattr1-dev
	      libacl1-dev libaio-dev liburing-dev attr acl psmisc)
# make mutate (tools/mutate.py): the part of the generated mutants this
# machine runs (i/n), a regular expression of FILE:FUNCTION:ID choosing
# some, and the results folders make mutate-report merges.
MUTATE_SHARD=${MUTATE_SHARD:-1/1}
MUTATE_ONLY=${MUTATE_ONLY:-}
MUTATE_RESULTS=${MUTATE_RESULTS:-$RESULTS/mutate}
# How often each case of the uncached_race suite repeats its race (the
# suite's own default, 40, when empty): a kernel argument of the run.
RACE_ITERATIONS=${RACE_ITERATIONS:-}
# One case of the generated uncached_model suite, by name (a kernel
# argument); empty: all of them.
MODEL_CASE=${MODEL_CASE:-}
# The cases a run may skip; any other skipped case fails it.  UML has no
# transparent huge pages, so there the large-folio cases skip (make
# check-arch runs them).  Two races need preemption, which only the
# debug configuration has.
ALLOWED_SKIPS=()
[ "$KUNIT_ARCH" != um ] || ALLOWED_SKIPS=('uncached_large_folio.*')
[ "$DEBUG" = 1 ] || ALLOWED_SKIPS+=('uncached_race.writeback_restarted_before_drop.*'
				     'uncached_race.uncached_read_vs_rewrite.*')
# Every setting a run of the suites depends on: 'make' reruns when one
# changes (tools/suites.sh's nothing-changed check).
RUN_SETTINGS=(COVERAGE DEBUG KUNIT_ARCH BUILD RESULTS RACE_ITERATIONS MODEL_CASE FORCE_FAIL
	      KUNIT_TIMEOUT KUNITCONFIG KUNITCONFIG_EXTRA KBUILD_CC)
# The files of tools/ a run of the suites reads or runs: 'make' reruns
# when one changes, and not for the others (an e2e program, a gate).
RUN_TOOLS=(lib.sh suites.sh kunit.sh progress.py kunit_results.py kernel-reports.txt
	   coverage.sh diff-coverage.sh)
# The in-tree folder that holds our suites (a symlink to kunit/).
SUITES_DIR=${SUITES_DIR:-fs/uncached_test}
# Tags in the tree: the pristine base, and base + sandbox-only commits
# (coverage platform fix, suite hookup) on which the series is applied.
BASE_TAG=base
SANDBOX_TAG=sandbox
# The sandbox's own commits and tags in the tree (the base, the sandbox
# layer, the series applied with git am) carry this identity, so that a
# machine without a git identity (new user, CI container) can run make.
# Commits a developer makes in the tree are theirs, with their identity.
SANDBOX_IDENTITY=(-c user.name="uncached sandbox" -c user.email=sandbox@localhost)

# The tree plus a gcov build with debug info take about 8 GiB.
MIN_FREE_GB=${MIN_FREE_GB:-8}

check_disk() {
	local dir=$1 free
	mkdir -p "$dir"
	free=$(df -Pk "$dir" | awk 'NR==2 { print int($4 / 1048576) }')
	[ "$free" -ge "$MIN_FREE_GB" ] ||
		die "only ${free} GiB free in $dir; the tree and a gcov build need ${MIN_FREE_GB} GiB"
}

# kunit.py's timeout for one boot and run of the suites, in seconds; the
# mutants gate and make bisect boot a kernel that is already known to pass
# and use the shorter one.
KUNIT_TIMEOUT=${KUNIT_TIMEOUT:-300}
MUTANT_TIMEOUT=${MUTANT_TIMEOUT:-120}
# The compiler, for every kernel build (ccache's depend mode above).
KBUILD_CC=${KBUILD_CC:-ccache gcc}
# kunit_tool, relative to a kernel tree.
KUNIT_PY=tools/testing/kunit/kunit.py

# make check's gates, in order: NAME:COMMAND (tools/check.sh runs them;
# README's table is a copy of the one it writes: gates_table).
GATES=(
	"test-tools:tools/tests/all.sh"
	"check-series:tools/check-series.sh"
	"checkpatch:tools/checkpatch.sh"
	"suites:tools/suites.sh"
	"diff-coverage:tools/diff-coverage.sh --check"
	"forced:env FORCE_FAIL=1 tools/suites.sh"
	"e2e:tools/e2e/machine.sh check"
	"fstests:env E2E_PREBUILT=1 FSTESTS_LIST=tools/fstests/check.list tools/fstests.sh"
	"mutants:tools/mutants.sh"
	"debug:env DEBUG=1 tools/suites.sh"
	"x86_64:tools/check-arch.sh"
)
# The gates that run in the background, beside the gates after them,
# until those are done: check.sh waits for them before its report.  The
# fstests gate builds fstests (a minute or two, cold), then its machine
# is one UML process, on one core, for about ten minutes; the mutants
# gate beside it is mostly links and short runs.  It
# boots the kernel the e2e gate built (E2E_PREBUILT), as the mutants gate
# changes the tree meanwhile.  Its time in the table is its own: make
# check's total is less than the gates' sum.
GATES_BESIDE=(fstests)
# Not a gate (over make check's budget: README, "The gates"): make bisect,
# each patch built and the plumbing suite run, about 13 minutes cold.
# What makes each gate fail, for the table check.sh writes (README keeps
# a measured copy of it).
declare -A GATE_FAILS=(
	[test-tools]="a test of the tools fails (fake trees, no kernel build)"
	[check-series]="a patch does not apply to the pristine base, in order, or a design (\`kunit/designs/\`) or an upstream bug does not apply on it"
	[checkpatch]="a patch, a file of \`kunit/\` or an e2e program has a checkpatch \`--strict\` error or warning, a patch a CHECK its message does not justify by name, no subject, body or Signed-off-by; a static rule (\`make rules\`) reports"
	[suites]="a case fails or is skipped that may not be, the build fails, the kernel crashes, hangs or reports"
	[diff-coverage]="the lines the series adds are below \`coverage/thresholds\`, or a C file it changes has no coverage data and no \`elsewhere=\` line there"
	[forced]="with one assertion of every suite made to fail (\`FORCE_FAIL=1\`), a case fails elsewhere too or takes more than \`FORCED_CASE_SECONDS\` to fail, a suite does not run, or the counters the kernel keeps are not back after the suites (\`uncached_counters\`)"
	[mutants]="a mutant (\`kunit/mutants/\`) is not killed by a case its header names"
	[debug]="a case fails under KASAN, lockdep, DEBUG_VM and the other checkers of \`kunit/debug.config\`, or one of them reports"
	[e2e]="a step of \`tools/e2e/init.sh\` fails in the UML machine (XFS, ext4, device faults, io_uring, the exerciser), or its kernel reports"
	[fstests]="a test of \`tools/fstests/check.list\` fails in fstests, on XFS or ext4 in the UML machine (\`FSTESTS\`: fstests' source)"
	[x86_64]="a case fails in the x86_64 kernel under QEMU (large folios, two CPUs), its second CPU does not come up, or a large-folio mutant survives there"
)

# gates_table TSV: make check's table, from the lines check.sh records
# (name, verdict, seconds, the gate's last line), one row a gate.
gates_table() {
	local name verdict seconds figures
	echo "| gate | command | fails when | verdict | time | its last line |"
	echo "| --- | --- | --- | --- | --- | --- |"
	while IFS=$'\t' read -r name verdict seconds figures; do
		printf '| %s | `%s` | %s | %s | %s | %s |\n' "$name" "$(gate_command "$name")" \
			"${GATE_FAILS[$name]:-}" "$verdict" "$(elapsed "$seconds")" "${figures//|/\\|}"
	done <"$1"
}
gate_command() {
	local g
	for g in "${GATES[@]}"; do [ "${g%%:*}" != "$1" ] || { echo "${g#*:}"; return; }; done
}
# KCIDB's origin for results/kcidb.json: who submits the results.
KCIDB_ORIGIN=${KCIDB_ORIGIN:-uncached_sandbox}

# The names of our KUnit suites, from their definitions in kunit/.
suite_names() {
	sed -n 's/^[[:space:]]*\.name = "\([a-z0-9_]*\)",$/\1/p' "$TOP"/kunit/*.c | sort
}

# A hash of what a build folder's .config is made from: the given
# fragments, the tree's commit, and uncommitted edits of Kconfig files.
# The configuration is made again only when it changes.
config_inputs() {
	{ cat "$@"; git -C "$TREE" rev-parse HEAD
	  git -C "$TREE" diff HEAD -- ':(glob)**/Kconfig*'; } | sha1sum | cut -d' ' -f1
}

# build DIR LOG WHAT COMMAND...: a kernel build (kbuild's make) into DIR,
# all of its output to LOG, with one line of progress on standard error:
# objects compiled, of how many DIR's last complete build had, and the
# time so far; updating on a terminal, every 30 s otherwise
# (tools/progress.py).  PROGRESS_FD: the descriptor for that line when
# standard error is a pipe into a log.
build() {
	local dir=$1 log=$2 what=$3; shift 3
	"$@" 2>&1 | python3 "$TOP/tools/progress.py" --log "$log" --what "$what" \
		--count "$dir/.sandbox-objects" 2>&"${PROGRESS_FD:-2}"
	return "${PIPESTATUS[0]}"
}

# The errors of a failed kernel build, from its log.
build_errors() {
	grep -E ': (fatal )?error:|\*\*\* ' "$1" | head -n 40
}

# Whether name $1 matches one of the globs that follow (all, if none).
matches_globs() {
	local name=$1 g
	shift
	[ $# -eq 0 ] && return 0
	for g in "$@"; do [[ $name == $g ]] && return 0; done
	return 1
}

# A mutant's header field (Mutant:, Killed by:), from the lines before
# its diff.
mutant_field() {
	sed -n "/^diff --git/q; s/^$1: *//p" "$2" | head -n 1
}

# What a long step is at, one line (make check's gates, mutants, e2e).
progress() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

# The machine figures are measured on: cores, CPU model, memory.
machine_name() {
	printf '%s cores, %s, %s GiB' "$(nproc)" \
		"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
		"$(awk '/^MemTotal/ { print int($2 / 1048576 + 0.5) }' /proc/meminfo)"
}

# Seconds as 1m05s.
elapsed() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

# The series, in the order git am applies it: by the number of the patch,
# across mm/ and fs/.  With arguments, those patch files instead (for
# checking one patch).
series_patches() {
	if [ $# -gt 0 ]; then
		printf '%s\n' "$@"
		return
	fi
	find "$TOP/mm" "$TOP/fs" -maxdepth 1 -name '[0-9]*.patch' 2>/dev/null |
		awk -F/ '{ print $NF "\t" $0 }' | sort | cut -f2
}

# The folder a patch of the series belongs in: mm/ if it changes the
# memory-management code (mm/filemap.c), fs/ otherwise (the VFS flag,
# iomap, XFS and their documentation).
patch_subsystem() {
	if grep -q '^diff --git a/mm/' "$1"; then echo mm; else echo fs; fi
}

# Stable patch ids, one per line, of a list of patch files or of a
# revision range in the tree; used to tell whether the tree holds exactly
# the series.
patch_ids_of_files() {
	local p
	for p in "$@"; do
		git patch-id --stable <"$p" | cut -d' ' -f1
	done
}
patch_ids_of_range() {
	local c
	for c in $(git -C "$TREE" rev-list --reverse "$1"); do
		git -C "$TREE" show --format= "$c" | git patch-id --stable | cut -d' ' -f1
	done
}

# series_id: one hash of the series in the tree, the patch ids of its
# commits on the sandbox base (their code, not their dates or messages):
# make check, make bisect and make fstests-ab record it with their
# results, and make cover-letter uses only results recorded for the
# series it sends.
series_id() {
	local ids
	git -C "$TREE" rev-parse -q --verify "$SANDBOX_TAG^{commit}" >/dev/null || return 1
	ids=$(patch_ids_of_range "$SANDBOX_TAG..HEAD") && [ -n "$ids" ] || return 1
	sha256sum <<<"$ids" | cut -d' ' -f1
}

# worktree DIR REV: DIR, a git worktree of the tree (made if it is not
# one), checked out at REV with nothing left of an earlier run's edits,
# our suites linked in: where bisect, designs and upstream-bugs build.
worktree() {
	if ! [ -e "$1/.git" ] || ! git -C "$1" rev-parse -q --verify HEAD >/dev/null 2>&1; then
		rm -rf "$1"
		git -C "$TREE" worktree prune
		git -C "$TREE" worktree add -q --detach "$1" "$2"
	fi
	git -C "$1" checkout -q -f --detach "$2"
	ln -sfn "$TOP/kunit" "$1/$SUITES_DIR"
}

# Patches applied to a tree for a while (mutants, designs, planted bugs):
# apply_patch TREE PATCH [BUILD...] applies one; revert_patches [N]
# reverts the last N still applied (all by default), the last first, and
# fails if one does not revert.  A script that applies one reverts what
# is left on exit, however it exits (this sets its EXIT trap).  Nothing
# built from a reverted patch's C files in the BUILD folders outlives it:
# make trusts timestamps, and a later build (another gate, kunit.py by
# hand) must not link a mutated object; ccache brings the clean ones back
# cheaply.
APPLIED=()
apply_patch() {
	git -C "$1" apply "$2" || return 1
	APPLIED+=("$(printf '%s\t' "$@")")
	trap revert_patches EXIT
}
revert_patches() {
	local n=${1:-${#APPLIED[@]}} rc=0 p o b
	while [ "$n" -gt 0 ] && [ ${#APPLIED[@]} -gt 0 ]; do
		IFS=$'\t' read -r -a p <<<"${APPLIED[-1]}"
		unset 'APPLIED[-1]'
		n=$((n - 1))
		git -C "${p[0]}" apply -R "${p[1]}" || { note "could not revert ${p[1]}"; rc=1; }
		while IFS= read -r o; do
			for b in "${p[@]:2}"; do rm -f "$b/$o"; done
		done < <(git -C "${p[0]}" apply --numstat "${p[1]}" |
			 awk '$3 ~ /\.c$/ { sub(/\.c$/, ".o", $3); print $3 }')
	done
	return "$rc"
}

# The objects whose gcov data holds the series' code, without .o: those
# of the C files it changes, and fs/read_write.o, into which fs.h's
# kiocb_set_rw_flags() is inlined (tools/coverage.sh, tools/mutate.py).
series_objects() {
	{ git -C "$TREE" diff --name-only "$SANDBOX_TAG..HEAD" -- '*.c'
	  echo fs/read_write.c; } | sed 's/\.c$//' | sort -u
}

# added_lines GIT-DIFF-ARGUMENTS...: "FILE:LINE" for each line that
# 'git diff' in the tree, with those arguments, adds (FILE relative to
# the tree): the one reader of "the lines a change adds".
added_lines() {
	git -C "$TREE" diff -U0 --no-color --no-ext-diff --src-prefix=a/ --dst-prefix=b/ "$@" |
	awk '
		/^\+\+\+ b\// { file = substr($0, 7); next }
		/^@@ / {
			split(substr($3, 2), r, ",")
			n = (r[2] == "") ? 1 : r[2]
			for (i = 0; i < n; i++)
				print file ":" (r[1] + i)
		}'
}
