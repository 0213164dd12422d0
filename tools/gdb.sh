#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run the UML kernel from the last build under gdb, with the suites that
# match the glob in $1 (all of ours when empty).  UML uses SIGSEGV and
# SIGUSR1 internally: gdb must pass them on silently.
. "$(dirname "$0")/lib.sh"

[ -x "$BUILD/linux" ] || die "no UML kernel at $BUILD/linux: run 'make' first"
command -v gdb >/dev/null || die "gdb is not installed: apt-get install gdb"
filter=${1:-uncached_*}
cd "$TREE"
exec gdb -q \
	-ex 'handle SIGSEGV nostop noprint pass' \
	-ex 'handle SIGUSR1 nostop noprint pass' \
	-ex "echo Break on a case with e.g.: break uncached_rejected_per_file, then: run\n" \
	--args "$BUILD/linux" mem=1G console=tty kunit_shutdown=halt \
	"kunit.filter_glob=$filter"
