#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check: run every pre-submit gate in order, each with its output in
# results/gates/NAME.log, go on after a failure so that the report is
# complete, and write results/gates.json, results/junit.xml and
# results/kcidb.json (KCIDB_ORIGIN names the submitter).  The gates are
# lib.sh's GATES; those in GATES_BESIDE run in the background, beside
# the gates after them.  Exit status 1 if any gate failed.
. "$(dirname "$0")/lib.sh"
# The tool tests' own gates: CHECK_SH_GATES, one NAME:COMMAND a line,
# and CHECK_SH_BESIDE, names.
if [ -n "${CHECK_SH_GATES:-}" ]; then
	mapfile -t GATES <<<"$CHECK_SH_GATES"
	read -r -a GATES_BESIDE <<<"${CHECK_SH_BESIDE:-}"
fi
for b in ${GATES_BESIDE[@]+"${GATES_BESIDE[@]}"}; do
	printf '%s\n' "${GATES[@]%%:*}" | grep -qx -- "$b" || die "GATES_BESIDE: no gate $b in GATES"
done
# Only the gate that names it boots a kernel built before (lib.sh).
export E2E_PREBUILT=0

mkdir -p "$RESULTS/gates"
rm -f "$RESULTS"/gates/*.log "$RESULTS"/gates/*.tsv "$RESULTS/gates.tsv"
# The series these results are of: the tree as make check found it, or,
# in a new clone, as its first gate made it.
series=$(series_id 2>/dev/null) || series=

# run_gate N NAME COMMAND: one gate, its output in its log (and on
# standard output), its line (name, verdict, seconds, its last line) in
# gates/NAME.tsv.
run_gate() {
	local n=$1 name=$2 cmd=$3 t0=$SECONDS rc=0 verdict=pass
	# shellcheck disable=SC2086 # cmd is a command line of our own
	(cd "$TOP" && $cmd) 2>&1 | tee "$RESULTS/gates/$name.log" || rc=$?
	[ "$rc" -eq 0 ] || verdict=fail
	# The gate's last line is its figures (counts, percentages).
	printf '%s\t%s\t%s\t%s\n' "$name" "$verdict" "$((SECONDS - t0))" \
		"$(grep -v '^$' "$RESULTS/gates/$name.log" | tail -n 1)" >"$RESULTS/gates/$name.tsv"
	echo "==== gate $n of ${#GATES[@]}: $name: $verdict in $(elapsed $((SECONDS - t0)))"
}

# kill_tree PID: the process and all below it, the lowest first (the
# fstests machine's timeout(1) runs it in a process group of its own).
kill_tree() {
	local c
	for c in $(pgrep -P "$1"); do kill_tree "$c"; done
	kill -TERM "$1" 2>/dev/null || true
}
# A gate in the background (beside: PID:N:NAME) does not outlive make
# check.
beside=()
trap 'for b in ${beside[@]+"${beside[@]}"}; do kill_tree "${b%%:*}"; done' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

n=0
for g in "${GATES[@]}"; do
	name=${g%%:*} cmd=${g#*:}
	n=$((n + 1))
	if [[ " ${GATES_BESIDE[*]} " == *" $name "* ]]; then
		# In the background: its output in its log only, shown when
		# it ends (lib.sh's GATES_BESIDE).
		echo "==== gate $n of ${#GATES[@]}: $name ($cmd), $(elapsed "$SECONDS") so far: in the background, beside the gates after it (its log: $RESULTS/gates/$name.log)"
		# In a process group of its own (set -m): a signal for make
		# check's group (^C, CI's) leaves it whole for the trap above
		# to end.
		set -m
		run_gate "$n" "$name" "$cmd" >/dev/null &
		set +m
		beside+=("$!:$n:$name")
		continue
	fi
	echo "==== gate $n of ${#GATES[@]}: $name ($cmd), $(elapsed "$SECONDS") so far"
	run_gate "$n" "$name" "$cmd"
done
for b in ${beside[@]+"${beside[@]}"}; do
	IFS=: read -r pid n name <<<"$b"
	echo "==== gate $n of ${#GATES[@]}: $name, run in the background: waiting for it, $(elapsed "$SECONDS") so far"
	wait "$pid" || true
	cat "$RESULTS/gates/$name.log" 2>/dev/null || true
	[ -f "$RESULTS/gates/$name.tsv" ] ||
		printf '%s\tfail\t0\tthe gate did not finish\n' "$name" >"$RESULTS/gates/$name.tsv"
	echo "==== gate $n of ${#GATES[@]}: $name: $(cut -f2 "$RESULTS/gates/$name.tsv") in $(elapsed "$(cut -f3 "$RESULTS/gates/$name.tsv")")"
done
beside=()
# The table in GATES' order.
for g in "${GATES[@]}"; do cat "$RESULTS/gates/${g%%:*}.tsv"; done >"$RESULTS/gates.tsv"
failed=$(awk -F'\t' '$2 != "pass"' "$RESULTS/gates.tsv" | wc -l)

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
