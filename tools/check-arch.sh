#!/usr/bin/env bash
# make check-arch: the suites in an x86_64 kernel under QEMU (TCG; there
# is no KVM here), with kunit/x86_64.config: transparent huge pages, so
# that the page cache has large folios, and two CPUs, so that the race
# cases run in parallel.  No gcov.  Arguments: a filter glob, as 'make'.
. "$(dirname "$0")/lib.sh"

"$TOP/tools/deps.sh" qemu-system-x86 libelf-dev
KUNIT_ARCH=x86_64 exec "$TOP/tools/suites.sh" "$@"
