#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tool tests: README's tables against the code they describe: the gates
# (lib.sh's GATES), the targets (the Makefile's "##" lines), the number of
# mutants (kunit/mutants/), and README's length (a reference, not a diary).
. "$(dirname "$0")/lib.sh"

TOP=$(dirname "$TOOLS")
README=$TOP/README.md
# The first column of the README table whose header starts with "| $1 |".
column() {
	awk -v h="| $1 |" 'index($0, h) == 1 { on = 1; next }
		on && /^\| --- / { next }
		on && /^\|/ { split($0, f, "|"); gsub(/^ +| +$|`/, "", f[2]); print f[2]; next }
		on { exit }' "$README"
}
gates=$(bash -c ". '$TOOLS/lib.sh'; for g in \"\${GATES[@]}\"; do echo \"\${g%%:*}\"; done")
check "README: the gates table lists lib.sh's gates, in order" test "$(column gate)" = "$gates"
# README's table is check.sh's: its gate, command and fails-when columns
# are what gates_table writes from lib.sh.
three() { awk -F' [|] ' '/^[|] gate [|] command [|]/ { on = 1 } on && /^[|]/ { print $1 " | " $2 " | " $3 } on && !/^[|]/ { exit }' "$@"; }
bash -c ". '$TOOLS/lib.sh'; for g in \"\${GATES[@]}\"; do printf '%s\tpass\t1\tx\n' \"\${g%%:*}\"; done >'$WORK/g.tsv'; gates_table '$WORK/g.tsv'" >"$WORK/table"
check "README: the gates table is check.sh's, for lib.sh's gates" \
	bash -c "[ -s '$WORK/table' ] && [ \"\$($(declare -f three); three '$WORK/table')\" = \"\$($(declare -f three); three '$README')\" ]"
targets=$(grep -E '^[a-z0-9-]+:.*## ' "$TOP/Makefile" | cut -d: -f1 | sed 's/^/make /')
check "README: the targets table lists the Makefile's targets, in order" \
	test "$(column target | awk '{ print $1 " " $2 }')" = "$targets"
n=$(find "$TOP/kunit/mutants" -name '*.patch' | wc -l)
check "README: says how many mutants there are" grep -q "$n mutants" "$README"
check "README: fits on a few screens (at most 260 lines)" test "$(wc -l <"$README")" -le 260
check "README: cites no commit ids" bash -c "! grep -qE '(commit|until|since) \`?[0-9a-f]{7,}' '$README'"

# The check itself fails on a table that does not match.
printf '| gate | x |\n| --- | --- |\n| suites | y |\n' >"$WORK/README.md"
check_fails "README test: a gates table with a gate missing fails" \
	bash -c "README='$WORK/README.md'; $(declare -f column); test \"\$(column gate)\" = '$gates'"
finish
