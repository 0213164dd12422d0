#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make list: what the sandbox has, read from where each thing is defined:
# the suites and their cases (kunit/*_test.c; a parameterised case counts
# once here, each of its parameters in a run), the mutants and their
# mistakes (kunit/mutants/, tools/e2e/mutants/), upstream's bugs planted
# in the drop-behind model (kunit/designs/dropbehind/bugs/), the e2e
# machine's steps (tools/e2e/init.sh) and make check's gates (lib.sh).
. "$(dirname "$0")/lib.sh"

echo "suites (kunit/), cases in the source:"
for f in "$TOP"/kunit/*_test.c; do
	name=$(sed -n 's/^[[:space:]]*\.name = "\([a-z0-9_]*\)",$/\1/p' "$f")
	cases=$(grep -c '^[[:space:]]*KUNIT_CASE' "$f" || true)
	params=$(grep -c '^[[:space:]]*KUNIT_CASE_PARAM' "$f" || true)
	printf '  %-28s %3d cases (%d parameterised)  %s\n' "$name" "$cases" "$params" "${f#"$TOP"/}"
done
echo "mutants:"
for m in "$TOP"/kunit/mutants/*.patch "$TOP"/tools/e2e/mutants/*.patch; do
	printf '  %-44s %s\n' "$(basename "$m" .patch)" "$(mutant_field Mutant "$m")"
done
echo "upstream's bugs (make upstream-bugs):"
for b in "$TOP"/kunit/designs/dropbehind/bugs/*.patch; do
	printf '  %-44s %s\n' "$(basename "$b" .patch)" "$(mutant_field 'Upstream bug' "$b")"
done
echo "e2e steps (tools/e2e/init.sh):"
sed -n 's/^[[:space:]]*step \([a-z0-9-]*\) .*/\1/p' "$TOP/tools/e2e/init.sh" | sort -u | paste -sd' ' | sed 's/^/  /'
echo "gates (make check):"
for g in "${GATES[@]}"; do printf '  %-14s %s\n' "${g%%:*}" "${g#*:}"; done
