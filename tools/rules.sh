#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Our static rules (tools/rules/) on what the tree changes above the
# sandbox layer: the series, and in make upstream-bugs the drop-behind
# model and the bug planted in it.  A NAME.cocci rule is a Coccinelle
# semantic patch in report mode, run by spatch on each changed C file, as
# the kernel's 'make coccicheck MODE=report' runs its own; a NAME.py rule
# reads what Coccinelle cannot match across files, given the tree's path.
# Both print "FILE:LINE:COLUMN: message".  A report counts only on a line
# the change adds, but in our suites ($SUITES_DIR, kunit/: our own code,
# all of it judged; kunit-actions.py reads them).  Prints one line per
# report, "rule.NAME FILE:LINE: message" (a suite's FILE as kunit/NAME);
# exit status 1 if there is one.
. "$(dirname "$0")/lib.sh"

RULES=${RULES:-$TOP/tools/rules}
command -v spatch >/dev/null || die "spatch is not in PATH: run 'make deps' (coccinelle)"
git -C "$TREE" rev-parse -q --verify "$SANDBOX_TAG" >/dev/null ||
	die "no tag $SANDBOX_TAG in $TREE (run 'make tree')"
mapfile -t files < <(git -C "$TREE" diff --name-only "$SANDBOX_TAG" -- '*.[ch]' ":!$SUITES_DIR")
mapfile -t rules < <(ls "$RULES"/*.cocci "$RULES"/*.py 2>/dev/null)
[ ${#rules[@]} -gt 0 ] || die "no rules in $RULES"

# The lines the change adds, "FILE:LINE" (lib.sh's added_lines).
added=$(added_lines "$SANDBOX_TAG" -- '*.[ch]' ":!$SUITES_DIR")

reports=0
report() {  # $1 rule name; standard input: the rule's output
	local line
	while IFS= read -r line; do
		[[ $line =~ ^([^:]+):([0-9]+):[0-9-]+:\ (.*) ]] || continue
		local file=${BASH_REMATCH[1]}
		if [[ $file == "$SUITES_DIR"/* ]]; then
			file=kunit/${file#"$SUITES_DIR"/}
		else
			grep -qxF "$file:${BASH_REMATCH[2]}" <<<"$added" || continue
		fi
		echo "$1 $file:${BASH_REMATCH[2]}: ${BASH_REMATCH[3]}"
		reports=$((reports + 1))
	done
}
for rule in "${rules[@]}"; do
	name=rule.$(basename "${rule%.*}")
	case $rule in
	*.py)
		out=$(python3 "$rule" "$TREE" "$SUITES_DIR" 2>&1) || die "$rule failed: $out"
		report "$name" <<<"$out" ;;
	*.cocci)
		for f in "${files[@]}"; do
			[[ $f == *.c && -f $TREE/$f ]] || continue
			out=$(cd "$TREE" && spatch --very-quiet -D report --no-includes --include-headers \
				--sp-file "$rule" "$f" 2>&1) || die "spatch failed on $f with $rule: $out"
			report "$name" <<<"$out"
		done ;;
	esac
done
note "${#files[@]} changed files, ${#rules[@]} rules, $reports reports"
[ "$reports" -eq 0 ]
