# RWF_UNCACHED sandbox: Debian's linux-source-6.12 + our series, KUnit
# suites under UML, gcov coverage.  "make help" lists the targets.

# kunit.py filter glob, e.g. SUITE='uncached_plumbing' or 'uncached_*.*enomem*'
SUITE	?=
# COVERAGE=0 builds without gcov (faster, no report), in its own build folder
# RACE_ITERATIONS=N repeats each race of the uncached_race suite N times
# MODEL_CASE=NAME runs that one case of the generated uncached_model suite
# FORCE_FAIL=1 fails one assertion of every suite: each case must end at
# once and leave nothing behind (results/forced)

# Every path and setting is defined once, in tools/lib.sh; a variable set
# on the command line (TREE=..., BUILD=..., RESULTS=...) reaches the tools
# through the environment, as make passes it on.  Nothing is exported
# here: 'export BUILD' would pass an empty BUILD when none is set, and
# lib.sh's default for one configuration would leak into the next.

.DEFAULT_GOAL := all
.PHONY: all deps tree preflight run debug check-arch coverage check test-tools check-series checkpatch rules \
	diff-coverage mutants mutate mutate-report bisect e2e e2e-mutants fstests fstests-ab fstests-report cover-letter export gdb compdb bench bench-loop profile designs upstream-bugs \
	list clean distclean help

all: deps tree ## build the patched UML kernel, run the suites, report coverage (nothing changed: last verdict)
	@SKIP_UNCHANGED=1 tools/suites.sh $(SUITE)

run: ## build and run the tree as it is, always (no deps or tree step)
	@tools/suites.sh $(SUITE)

debug: deps tree ## the suites under KASAN, lockdep, DEBUG_VM... (kunit/debug.config); any report fails
	@DEBUG=1 tools/suites.sh $(SUITE)

check-arch: deps tree ## the suites in an x86_64 kernel under QEMU: large folios, two CPUs
	@tools/check-arch.sh $(SUITE)

deps: ## install missing Debian packages (as root), or print the apt-get line
	@tools/deps.sh

preflight: ## what make check's gates need, checked first: packages, FSTESTS, disk space, the e2e user's access
	@tools/preflight.sh

tree: deps ## unpack the kernel into work/linux and apply the series (only what changed)
	@tools/prepare-tree.sh

coverage: ## coverage report (results/coverage/) from the last run
	@tools/coverage.sh

check: ## what CI runs: what the gates need first (tools/preflight.sh), then every gate (make list), in order (results/gates.json, junit.xml, kcidb.json)
	@tools/preflight.sh
	@tools/prepare-tree.sh
	@tools/check.sh

test-tools: ## tests of the tools/ scripts (fake trees, no kernel build)
	@tools/tests/all.sh

check-series: deps ## the series applies, in order, to the pristine base (git apply --cached)
	@tools/check-series.sh

checkpatch: tree ## every patch, and our own C (kunit/, tools/e2e/): checkpatch --strict clean; subject, body, Signed-off-by; make rules
	@tools/checkpatch.sh

rules: tree ## our static rules (tools/rules/: Coccinelle, cross-file ones, kunit-actions) on the lines the series adds and all of kunit/
	@tools/rules.sh

diff-coverage: ## coverage of the lines the series adds, against coverage/thresholds
	@tools/diff-coverage.sh --check

mutants: tree ## each kunit/mutants/ patch must make a case its header names fail (MUTANT=glob for some)
	@tools/mutants.sh $(MUTANT)

mutate: tree ## generated mutants of every line the series adds, each run against the suites that reach it: the score (resumes; MUTATE_SHARD=i/n, MUTATE_ONLY=regex)
	@python3 tools/mutate.py run

mutate-report: ## merge make mutate's shards (MUTATE_RESULTS='dir...'): the score per patch and function, each survivor (results/mutate/)
	@python3 tools/mutate.py report $(MUTATE_RESULTS)

bisect: tree ## build after each patch and run the plumbing suite: plain readahead unchanged, no new W=1/sparse warnings (not in make check: its budget)
	@tools/bisect.sh

e2e: tree ## XFS and ext4 in a UML machine: our programs, device faults, the exerciser
	@tools/e2e/machine.sh check

e2e-mutants: tree ## which mutants the e2e machine notices, and the filesystems' own (a report; MUTANT=glob)
	@tools/e2e/mutants.sh $(MUTANT)

fstests: tree ## fstests in the e2e machine, XFS and ext4 sections (FSTESTS=checkout or .tar.xz; FSTESTS_TESTS='generic/127 -g quick')
	@tools/fstests.sh

fstests-ab: tree ## the same fstests on the pristine kernel and on the series: regressions, flaky tests, the base's failures (FSTESTS, FSTESTS_TESTS, FSTESTS_RERUNS)
	@tools/fstests-ab.sh

fstests-report: ## one summary of the parts of a run split with FSTESTS_SHARD=i/n over machines (FSTESTS_REPORTS='dir...': each one's results/fstests or results/fstests-ab; results/fstests-report/)
	@python3 tools/fstests_merge.py $(FSTESTS_REPORTS)

cover-letter: ## the series for sending (git format-patch --cover-letter), its Testing paragraph from the last make check, make bisect and make fstests-ab (results/cover-letter/)
	@tools/cover-letter.sh

export: ## turn the commits in work/linux back into mm/ and fs/ patches
	@tools/export.sh

gdb: ## run the UML kernel under gdb with SUITE's cases
	@tools/gdb.sh $(SUITE)

compdb: ## compile_commands.json for editors and clangd (not made by every run)
	@tools/compdb.sh

bench: tree ## buffered vs uncached vs O_DIRECT in the e2e machine: streams, one writer's latency, writers and readers beside it (results/bench.*)
	@tools/deps.sh gnuplot-nox
	@tools/e2e/machine.sh bench
	@python3 tools/e2e/bench_report.py

profile: tree ## where the kernel's time goes in the bench's streams, buffered, uncached and O_DIRECT: readprofile in the e2e machine (results/profile.md)
	@tools/e2e/machine.sh profile
	@python3 tools/e2e/profile_report.py

designs: tree ## the suites against our design and each of kunit/designs/ (2019, drop-behind, write-behind, start-under-lock): a property matrix (DESIGNS_BENCH=1: and the benchmark; DESIGNS=names), in a worktree (work/designs)
	@tools/designs.sh

upstream-bugs: tree ## upstream's RWF_DONTCACHE bugs planted in the drop-behind model, and which gate catches each (UPSTREAM_BUGS_GATES), in a worktree (work/designs)
	@tools/upstream-bugs.sh $(BUG)

bench-loop: ## the developer loop, side by side with bare kunit.py (results/bench-loop.txt; COLD=1: and builds from scratch)
	@tools/bench.sh $(if $(filter 1,$(COLD)),cold)

list: ## the suites and their cases, the mutants, the e2e steps and the gates, from their sources
	@tools/list.sh

clean: ## remove build output, results and generated reports
	rm -rf "$$(readlink -f build)" build results

distclean: ## clean, and remove the unpacked tree (refuses if it has unexported commits)
	@tools/distclean.sh
	@$(MAKE) --no-print-directory clean

help: ## this list
	@echo "usage: make [target] [SUITE=glob] [COVERAGE=0] [RACE_ITERATIONS=N] [MODEL_CASE=NAME] [FORCE_FAIL=1]"
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | \
		awk -F':.*## ' '{ printf "  %-13s %s\n", $$1, $$2 }'
