#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Series hygiene: every patch in mm/ and fs/ passes checkpatch.pl --strict
# (no errors, no warnings; a CHECK only when the commit message names
# its type and says why),
# has a "subsystem: summary" subject, a body, and a Signed-off-by; and
# our static rules (tools/rules.sh) report nothing on the lines the
# series adds.  Our own C (kunit/, tools/e2e/) passes checkpatch --strict
# as whole files.
. "$(dirname "$0")/lib.sh"

[ -f "$TREE/scripts/checkpatch.pl" ] || "$TOP/tools/prepare-tree.sh"
mapfile -t patches < <(series_patches "$@")
[ ${#patches[@]} -gt 0 ] || die "no patches in mm/ or fs/"

fails=0
for p in "${patches[@]}"; do
	name=${p#"$TOP"/}
	problems=()
	subject=$(sed -n 's/^Subject: \(\[[^]]*\] \)\?//p' "$p" | head -n1)
	[[ $subject =~ ^[A-Za-z0-9_./-]+(:\ [A-Za-z0-9_./-]+)*:\ [^\ ] ]] ||
		problems+=("subject is not 'subsystem: summary': $subject")
	# The body: text between the header's blank line and the '---'.
	body=$(sed -n '/^$/,/^---$/p' "$p" | grep -v '^---$\|^Signed-off-by:\|^$' | wc -l)
	[ "$body" -gt 0 ] || problems+=("no commit message body")
	grep -q '^Signed-off-by: .* <.*@.*>$' "$p" || problems+=("no Signed-off-by")
	# On standard input: checkpatch takes a path under fs/ for a source file.
	report=$(perl "$TREE/scripts/checkpatch.pl" --strict --no-tree --show-types --quiet - <"$p" 2>&1 || true)
	total=$(perl "$TREE/scripts/checkpatch.pl" --strict --no-tree - <"$p" 2>&1 | sed -n 's/^total: //p' || true)
	errors=$(sed -n 's/^\([0-9]*\) errors.*/\1/p' <<<"$total")
	warnings=$(sed -n 's/.* \([0-9]*\) warnings.*/\1/p' <<<"$total")
	checks=$(sed -n 's/.* \([0-9]*\) checks.*/\1/p' <<<"$total")
	[ "${errors:-1}" -eq 0 ] && [ "${warnings:-1}" -eq 0 ] ||
		problems+=("checkpatch: $total")
	# A CHECK is justified when the commit message names its type (as
	# --show-types prints it, e.g. BIT_MACRO) and says why.
	message=$(sed -n '1,/^---$/p' "$p")
	unjustified=()
	for type in $(sed -n 's/^CHECK:\([A-Z_]*\):.*/\1/p' <<<"$report" | sort -u); do
		grep -qw "$type" <<<"$message" || unjustified+=("$type")
	done
	[ ${#unjustified[@]} -eq 0 ] ||
		problems+=("checkpatch: CHECKs that the commit message does not justify by name: ${unjustified[*]}")
	if [ ${#problems[@]} -gt 0 ]; then
		fails=$((fails + 1))
		echo "FAIL $name"
		printf '  %s\n' "${problems[@]}"
		[ -n "$report" ] && printf '%s\n' "$report" | sed 's/^/    /'
	else
		if [ "${checks:-0}" -gt 0 ]; then
			echo "ok   $name ($checks CHECKs, each justified in the message)"
		else
			echo "ok   $name"
		fi
	fi
done
echo "checkpatch: $((${#patches[@]} - fails)) of ${#patches[@]} patches clean"

# Our own C, the suites and the e2e machine's programs, whole files, to
# the same standard.  The programs are user space: a user-visible string
# stays whole, as coding-style.rst asks, even past 100 columns.
sources=0
# checkpatch_files [--ignore TYPES] FILE...
checkpatch_files() {
	local opts=() f report rc
	[ "${1:-}" != --ignore ] || { opts=(--ignore "$2"); shift 2; }
	for f in "$@"; do
		rc=0
		report=$(perl "$TREE/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
			${opts[@]+"${opts[@]}"} -f "$f" 2>&1) || rc=$?
		# 0: clean; 1: it found something; anything else: it did not run.
		[ "$rc" -le 1 ] || die "checkpatch.pl did not check $f (exit $rc): $report"
		report=$(grep ': \(ERROR\|WARNING\|CHECK\):' <<<"$report" || true)
		[ -z "$report" ] || { sources=$((sources + 1)); echo "FAIL ${f#"$TOP"/}"; sed 's/^/    /' <<<"$report"; }
	done
}
shopt -s nullglob
suites=("$TOP"/kunit/*.[ch]) programs=("$TOP"/tools/e2e/*.[ch])
shopt -u nullglob
ours=(${suites[@]+"${suites[@]}"} ${programs[@]+"${programs[@]}"})
checkpatch_files ${suites[@]+"${suites[@]}"}
checkpatch_files --ignore LONG_LINE_STRING ${programs[@]+"${programs[@]}"}
echo "checkpatch: $((${#ours[@]} - sources)) of ${#ours[@]} source files of kunit/ and tools/e2e/ clean"
fails=$((fails + sources))
rules=0
"$TOP/tools/rules.sh" || rules=$?
[ "$fails" -eq 0 ] && [ "$rules" -eq 0 ]
