#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make cover-letter: the series as git format-patch writes it for
# sending, with a cover letter (0000-cover-letter.patch) whose subject
# and first paragraphs are tools/cover-letter.txt and whose Testing
# paragraph is written from the last results: make check's gates
# (results/gates.json: the suites under UML and x86_64, the debug
# checkers, diff coverage, the mutants, fstests in the e2e machine), make
# bisect's verdict (results/bisect/summary) and make fstests-ab's
# comparison with the pristine kernel (results/fstests-ab/summary.txt),
# each with its date.  Uses only results
# recorded for the series in the tree (lib.sh's series_id, which make
# check, make bisect and make fstests-ab record), and refuses a make check
# of another series, or a make check or make bisect that did not pass.  Output: $RESULTS/cover-letter/.
. "$(dirname "$0")/lib.sh"

OUT=$RESULTS/cover-letter
GATES=$RESULTS/gates.json
AB=$RESULTS/fstests-ab/summary.txt
[ -d "$TREE/.git" ] || die "no tree at $TREE (run 'make tree')"
series=$(series_id)
[ -f "$GATES" ] || die "no $GATES: run 'make check' on this series first"
[ "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("series", ""))' "$GATES")" = "$series" ] ||
	die "$GATES is not of the series in $TREE (another series, or none recorded): run 'make check' again"
ab=$AB
if [ ! -f "$AB" ] || [ "$(cat "$RESULTS/fstests-ab/series-id" 2>/dev/null)" != "$series" ]; then
	note "no make fstests-ab result of this series: the Testing paragraph says so"
	ab=
fi
bisect=$RESULTS/bisect/summary
if [ ! -f "$bisect" ] || [ "$(cat "$RESULTS/bisect/series-id" 2>/dev/null)" != "$series" ]; then
	note "no make bisect result of this series: the Testing paragraph says so"
	bisect=
fi
mkdir -p "$OUT"
rm -f "$OUT"/*.patch
git -C "$TREE" format-patch -q --cover-letter -o "$OUT" "$SANDBOX_TAG..HEAD"
python3 "$TOP/tools/cover_letter.py" "$GATES" "$TOP/tools/cover-letter.txt" "$(machine_name)" \
	"$OUT/0000-cover-letter.patch" ${ab:+--fstests-ab "$ab"} ${bisect:+--bisect "$bisect"} >"$OUT/description" || {
	rm -f "$OUT"/*.patch
	exit 1
}
note "$(find "$OUT" -name '*.patch' | wc -l) files in $OUT; the Testing paragraph:"
sed -n "/^Testing/,\$p" "$OUT/description"
