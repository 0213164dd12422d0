#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tool tests: make cover-letter (cover-letter.sh, cover_letter.py) on a
# fake tree with a series: the Testing paragraph says each gate's figures,
# make bisect's verdict and fstests-ab's comparison with their dates, says
# so when bisect or fstests-ab was not run or is of another series, and
# nothing is written from a make check that failed, lacks a gate, or is
# of another series, or from a make bisect that failed.
. "$(dirname "$0")/lib.sh"

K=$WORK/tree R=$WORK/res
mkdir -p "$K" "$R/fstests-ab" "$R/bisect"
git -C "$K" init -q && echo base >"$K/file" && ugit -C "$K" add . && ugit -C "$K" commit -qm base &&
	git -C "$K" tag sandbox && echo fix >>"$K/file" && ugit -C "$K" commit -qam "mm: a fix" -m "Why." -m "Signed-off-by: T <t@localhost>"
# The series' id, as make check and make fstests-ab record it.
id=$(env TREE="$K" bash -c ". '$TOOLS/lib.sh' >/dev/null && series_id")
echo "$id" >"$R/fstests-ab/series-id"
echo "$id" >"$R/bisect/series-id"
echo "bisect: 1 patches, 0 failures" >"$R/bisect/summary"
gates() {
	python3 - "$1" "${2-$id}" >"$R/gates.json" <<'P'
import json, sys
names = ["test-tools", "suites", "diff-coverage", "mutants", "debug", "e2e", "fstests", "x86_64"]
bad = sys.argv[1]
print(json.dumps({"verdict": "fail" if bad == "fail" else "pass", "series": sys.argv[2],
                  "gates": [{"name": n, "verdict": "fail" if bad == "fail" and n == "e2e" else "pass",
                             "figures": f"{n} figures"} for n in names if n != bad]}))
P
}
cl() { env TREE="$K" RESULTS="$R" "$@" "$TOOLS/cover-letter.sh"; }
gates none
printf '  xfs   base: ran 2, passed 2; regressions 0, flaky 0\nfstests-ab: no regressions\n' >"$R/fstests-ab/summary.txt"
check "cover-letter: writes the series and a cover letter" cl
check "cover-letter: (two files)" test -f "$R/cover-letter/0000-cover-letter.patch" -a -f "$R/cover-letter/0001-mm-a-fix.patch"
check "cover-letter: its subject is the intro's first line" \
	grep -q '^Subject: \[PATCH 0/1\] RWF_UNCACHED: uncached buffered I/O' "$R/cover-letter/0000-cover-letter.patch"
check "cover-letter: the Testing paragraph has each gate's figures and the date" \
	bash -c "grep -q '^Testing (make check of the sandbox, $(date -u +%F), ' '$R/cover-letter/0000-cover-letter.patch' &&
		 grep -q '^- KUnit under UML (kunit.py, gcov): suites figures' '$R/cover-letter/0000-cover-letter.patch'"
check "cover-letter: and fstests-ab's comparison" grep -q 'xfs   base: ran 2, passed 2; regressions 0' "$R/cover-letter/0000-cover-letter.patch"
check "cover-letter: and make bisect's verdict" \
	grep -q "^- each patch builds .* (make bisect, $(date -u +%F)): bisect: 1 patches, 0 failures" "$R/cover-letter/0000-cover-letter.patch"
echo "bisect: 1 patches, 1 failures" >"$R/bisect/summary"
check_fails "cover-letter: a make bisect that failed writes nothing" cl
check "cover-letter: and says so" grep -q 'not a passing make bisect (bisect: 1 patches, 1 failures)' "$WORK/out"
echo other >"$R/bisect/series-id"
check "cover-letter: a make bisect of another series is not used" cl
check "cover-letter: (and the paragraph says it was not run)" \
	grep -q '^- each patch built and tested: not run on this series (make bisect)' "$R/cover-letter/0000-cover-letter.patch"
echo "$id" >"$R/bisect/series-id"
echo "bisect: 1 patches, 0 failures" >"$R/bisect/summary"
printf '    regression: generic/001\nfstests-ab: FAILED\n' >"$R/fstests-ab/summary.txt"
check_fails "cover-letter: an fstests-ab that found a regression writes nothing" cl
check "cover-letter: and says so" grep -q 'not a passing make fstests-ab (fstests-ab: FAILED)' "$WORK/out"
echo other >"$R/fstests-ab/series-id"
check "cover-letter: an fstests-ab of another series is not used" cl
check "cover-letter: (and the paragraph says it was not run)" \
	grep -q 'pristine kernel: not run on this series' "$R/cover-letter/0000-cover-letter.patch"
gates fail
check_fails "cover-letter: a make check that failed writes nothing" cl
check "cover-letter: and names the gate" grep -q 'did not pass (e2e)' "$WORK/out"
gates mutants
check_fails "cover-letter: a make check without a gate it needs fails" cl
check "cover-letter: and names it" grep -q 'no mutants gate' "$WORK/out"
gates none other
check_fails "cover-letter: a make check of another series fails" cl
check "cover-letter: and says to run it again" grep -q "not of the series in .*run 'make check' again" "$WORK/out"
gates none ""
check_fails "cover-letter: a make check that recorded no series fails" cl
gates none
check "cover-letter: the series' make check passes, whatever its files' times" \
	bash -c "touch -d '2000-01-01' '$R/gates.json' && env TREE='$K' RESULTS='$R' '$TOOLS/cover-letter.sh'"
finish
