#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check: run every pre-submit gate in order, each with its output in
# results/gates/NAME.log, go on after a failure so that the report is
# complete, and write results/gates.json, results/junit.xml and
# results/kcidb.json (KCIDB_ORIGIN names the submitter).  The gates are
# lib.sh's GATES.  Exit status 1 if any gate failed.
. "$(dirname "$0")/lib.sh"

mkdir -p "$RESULTS/gates"
rm -f "$RESULTS"/gates/*.log "$RESULTS/gates.tsv"
# The series these results are of: the tree as make check found it, or,
# in a new clone, as its first gate made it.
series=$(series_id 2>/dev/null) || series=

failed=0 n=0
for g in "${GATES[@]}"; do
	name=${g%%:*} cmd=${g#*:}
	n=$((n + 1))
	echo "==== gate $n of ${#GATES[@]}: $name ($cmd), $(elapsed "$SECONDS") so far"
	t0=$SECONDS
	rc=0
	# shellcheck disable=SC2086 # cmd is a command line of our own
	(cd "$TOP" && $cmd) 2>&1 | tee "$RESULTS/gates/$name.log" || rc=$?
	verdict=pass
	[ "$rc" -eq 0 ] || { verdict=fail; failed=$((failed + 1)); }
	# The gate's last line is its figures (counts, percentages).
	printf '%s\t%s\t%s\t%s\n' "$name" "$verdict" "$((SECONDS - t0))" \
		"$(grep -v '^$' "$RESULTS/gates/$name.log" | tail -n 1)" >>"$RESULTS/gates.tsv"
	echo "==== gate $n of ${#GATES[@]}: $name: $verdict in $(elapsed $((SECONDS - t0)))"
done

[ -n "$series" ] || series=$(series_id 2>/dev/null) || series=
python3 "$TOP/tools/kunit_results.py" report "$RESULTS" --series "$series"
python3 "$TOP/tools/kunit_results.py" kcidb "$RESULTS" --origin "$KCIDB_ORIGIN" \
	--commit "$(git -C "$TREE" rev-parse HEAD 2>/dev/null || true)" \
	--patchset "$(cat "$TOP"/mm/*.patch "$TOP"/fs/*.patch 2>/dev/null | sha256sum | cut -d' ' -f1)"
# The table README keeps a dated copy of.
{
	echo "\`make check\` on $(date -u +%F), $(machine_name); total $(elapsed "$SECONDS")"
	echo
	gates_table "$RESULTS/gates.tsv"
} >"$RESULTS/gates.md"
echo
awk -F'\t' '{ printf "  %-14s %-5s %5ss  %s\n", $1, $2, $3, $4 }' "$RESULTS/gates.tsv"
echo "  total $(elapsed "$SECONDS"); the table: $RESULTS/gates.md"
if [ "$failed" -gt 0 ]; then
	echo "make check: $failed of ${#GATES[@]} gates failed"
	exit 1
fi
echo "make check: all ${#GATES[@]} gates passed"
