#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tool tests: make mutate's generation and report (tools/mutate.py) on a
# fake series: which lines give mutants (not comments, strings or
# preprocessor lines), that a mutant keeps every other line where it was,
# that its id does not move with the line, shards that part the set, and
# a report that merges shards, scores, and rejects a stale entry of the
# equivalent list.
. "$(dirname "$0")/lib.sh"

T=$WORK/top
mkdir -p "$T/tools/mutate" "$T/mm" "$T/fs" "$T/kunit"
cp "$TOOLS"/*.sh "$TOOLS"/*.py "$T/tools/"
: >"$T/tools/mutate/equivalent"
export TOP=$T TREE=$WORK/tree
mkdir -p "$TREE/mm"
cat >"$TREE/mm/f.c" <<'C'
int old(int a)
{
	return a;
}
C
git -C "$TREE" init -q && git -C "$TREE" add -A && ugit -C "$TREE" commit -qm base && git -C "$TREE" tag sandbox
cat >>"$TREE/mm/f.c" <<'C'

/* if (a < b) return 0; in a comment */
#define LIMIT(x) ((x) < 8 && (x) > 1)
static int picked(int a, int b)
{
	const char *s = "a < b || c";

	if (a < b && !b)
		return -1;
	if (a >= b ||
	    a == 1)
		b += a - 1;
	do_something(a, b,
		     s);
	flags |= FOO;
	return FOO | BAR;
}
C
ugit -C "$TREE" add -A && ugit -C "$TREE" commit -qm "mm: the series"
: >"$T/mm/0001-mm-the-series.patch"

gen() { python3 "$T/tools/mutate.py" generate >"$WORK/$1.json"; }
q() { python3 -c "import json, sys; m = json.load(open('$WORK/$1.json')); print($2)"; }
check "generate runs on a fake series" gen a
check "no mutant of a comment, a string or a preprocessor line" \
	test "$(q a "sorted({x['line'] for x in m})")" = "[12, 13, 14, 15, 16, 17, 19, 20]"
check "every operator class" test "$(q a "' '.join(sorted({x['operator'] for x in m}))")" = \
	"arithmetic condition constant logical mask negation removed off by one relational return statement"
check "a mutant replaces as many lines as it takes" \
	test "$(q a "all(len(x['orig']) == len(x['new']) for x in m)")" = True
check "a condition over two lines, negated over both" \
	test "$(q a "[x['new'] for x in m if x['line'] == 14 and x['change'] == 'negated'][0]")" = \
	"['\tif (!(a >= b ||', '\t    a == 1))']"
check "a call over two lines, removed whole" \
	test "$(q a "[x['new'] for x in m if x['line'] == 17][0]")" = "['\t;', '']"
check "no mutant from the string's operators" \
	test "$(q a "sum(x['line'] == 10 for x in m)")" = 0
check "each mutant names its function and patch" \
	test "$(q a "{(x['function'], x['patch']) for x in m}")" = "{('picked', '0001-mm-the-series.patch')}"
check "ids are unique" test "$(q a "len({x['id'] for x in m}) == len(m)")" = True

# The ids stay when the lines move.
sed -i '1i /* a new first line */' "$TREE/mm/f.c"
ugit -C "$TREE" commit -qam "mm: the series, moved"
gen b
check "ids do not move with the line" \
	test "$(q a "sorted(x['id'] for x in m)")" = "$(q b "sorted(x['id'] for x in m)")"
check "lines do" test "$(q b "min(x['line'] for x in m)")" = 13

# Shards: disjoint, and all of them together are the whole set.
check "three shards part the set" python3 - "$WORK/a.json" <<EOF
import json, sys
sys.path.insert(0, '$T/tools')
import mutate
m = json.load(open(sys.argv[1]))
parts = [mutate.shard_of(m, i, 3) for i in (1, 2, 3)]
ids = [x['id'] for p in parts for x in p]
assert len(ids) == len(set(ids)) == len(m), (len(ids), len(m))
assert all(abs(len(p) - len(m) / 3) < 1 for p in parts)
EOF
check_fails "a shard out of range is refused" env MUTATE_SHARD=4/3 python3 "$T/tools/mutate.py" run
grep -q 'MUTATE_SHARD=4/3' "$WORK/out" && ok "it names the setting" || not_ok "it names the setting"

# Two shards' results, merged and scored.
result() { # DIR ID STATUS
	mkdir -p "$1/runs"
	printf '{"id": "%s", "status": "%s", "file": "mm/f.c", "line": 9, "function": "picked", "patch": "0001-mm-the-series.patch", "operator": "relational", "change": "x", "orig": ["a"], "new": ["b"]}\n' \
		"$2" "$3" >"$1/runs/$2.json"
}
result "$WORK/s1" k1 killed; result "$WORK/s1" k2 killed; result "$WORK/s1" e1 equivalent
result "$WORK/s2" k3 killed; result "$WORK/s2" s1 survived; result "$WORK/s2" n1 'not compiling'
# What the run generated (make mutate writes it beside the runs).
ids() { printf '{'; printf '"%s": "%s", ' "$@" | sed 's/, $//'; printf '}\n'; }
genlist() { for i in "$@"; do printf '%s\n%s\n' "$i" "$i"; done; }
ids $(genlist k1 k2 k3 s1 e1 n1) >"$WORK/s1/mutants.json"
cp "$WORK/s1/mutants.json" "$WORK/s2/"
# A result of an earlier series (another key) is not merged.
sed 's/"killed"/"survived"/' "$WORK/s1/runs/k1.json" >"$WORK/s2/runs/old-key-of-k1.json"
rep() { python3 "$T/tools/mutate.py" report --out "$WORK/rep" "$@" "$WORK/s1" "$WORK/s2"; }
check "the report merges two shards" rep
check "score: killed over killed and survived" \
	test "$(python3 -c "import json; print(json.load(open('$WORK/rep/score.json'))['total']['score'])")" = 75.0
check "the survivor with its diff" grep -q -- '^-a$' "$WORK/rep/report.txt"
printf 's1  the same program: a sum of what is never read\n' >"$WORK/equiv"
check "a listed equivalent survivor leaves the score" rep --equivalent "$WORK/equiv"
check "...which is then 100%" \
	test "$(python3 -c "import json; print(json.load(open('$WORK/rep/score.json'))['total']['score'])")" = 100.0
printf 'gone  no such mutant\n' >>"$WORK/equiv"
check_fails "a stale entry of the equivalent list fails the report" rep --equivalent "$WORK/equiv"
grep -q 'gone: listed as equivalent, but no such survivor' "$WORK/out" &&
	ok "it names the entry" || not_ok "it names the entry"
# Two shards' mutants with the same code: the second is a duplicate.
sed -i 's/"status"/"code": "c1", "status"/' "$WORK/s1/runs/k2.json" "$WORK/s2/runs/k3.json"
check "the same code in two shards: one is a duplicate" rep
check "...and leaves the score" \
	test "$(python3 -c "import json; t = json.load(open('$WORK/rep/score.json'))['total']; print(t['duplicate'], t['score'])")" = "1 66.7"
# An entry for a mutant not run yet stands; one the series no longer
# generates does not.
printf 's1  the same program\nlater  not run yet\n' >"$WORK/equiv"
ids $(genlist k1 k2 k3 s1 e1 n1 later) >"$WORK/s1/mutants.json"
check "an entry for a mutant another shard runs stands" rep --equivalent "$WORK/equiv"
# A shard whose last run had other keys for the mutants it did not run
# (the e2e programs changed after the UML shards ran): its own merge.
python3 - "$WORK/s1" <<'EOF2'
import json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, 'mutants.json')))
m['k1'] = 'k1-new'
json.dump(m, open(os.path.join(d, 'mutants.json'), 'w'))
os.rename(os.path.join(d, 'runs', 'k1.json'), os.path.join(d, 'runs', 'k1-new.json'))
EOF2
check "each folder's results merge by the keys of its own last run" rep --equivalent "$WORK/equiv"
check "...so none is lost" \
	test "$(python3 -c "import json; t = json.load(open('$WORK/rep/score.json'))['total']; print(t['mutants'])")" = 6
mv "$WORK/s1/runs/k1-new.json" "$WORK/s1/runs/k1.json"
ids $(genlist k1 k2 k3 s1 e1 n1) >"$WORK/s1/mutants.json"
check_fails "an entry for a mutant no longer generated fails" rep --equivalent "$WORK/equiv"
printf 'k1  killed after all\n' >"$WORK/equiv"
check_fails "an entry for a killed mutant fails" rep --equivalent "$WORK/equiv"
check_fails "no runs: a clear error" python3 "$T/tools/mutate.py" report --out "$WORK/rep" "$WORK/none"

finish
