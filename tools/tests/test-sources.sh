#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tool tests: the sources of the tools themselves: each says its licence,
# and each fact they share is written once.
. "$(dirname "$0")/lib.sh"

# --- SPDX: every source file under tools/ says its licence --------------
# Files whose owners have yet to add the line (remove a name once it has).
printf '%s\n' tools/check.sh tools/deps.sh tools/e2e/init.sh tools/e2e/machine.sh \
	tools/fstests.sh tools/rules.sh >"$WORK/spdx-pending"
# no_spdx REPO: the source files (by their ending, or a #! line) of
# REPO's tools/, tracked or new, whose first three lines have no SPDX line.
no_spdx() {
	local f
	(cd "$1" && git ls-files -co --exclude-standard -- tools) | while read -r f; do
		[ -f "$1/$f" ] || continue
		case $f in
		*.sh | *.py | *.c | *.h | *.cocci) ;;
		*) head -c 2 "$1/$f" | grep -q '^#!' || continue ;;
		esac
		head -n 3 "$1/$f" | grep -q 'SPDX-License-Identifier: ' || echo "$f"
	done
}
check "SPDX: every source file of tools/ has its line" bash -c "$(declare -f no_spdx)
	out=\$(no_spdx '$TOOLS/..' | grep -vxFf '$WORK/spdx-pending'); [ -z \"\$out\" ] || { echo \"\$out\"; false; }"
mkdir -p "$WORK/repo/tools" && git -C "$WORK/repo" init -q
printf '#!/bin/sh\n# SPDX-License-Identifier: GPL-2.0\n' >"$WORK/repo/tools/a.sh"
printf '#!/bin/sh\necho new\n' >"$WORK/repo/tools/run-me"
printf 'int main(void);\n' >"$WORK/repo/tools/b.c"
printf 'not a source\n' >"$WORK/repo/tools/list"
check "SPDX: a script or a source without it is named, and only those" \
	bash -c "$(declare -f no_spdx); test \"\$(no_spdx '$WORK/repo' | sort | paste -sd' ')\" = 'tools/b.c tools/run-me'"

finish
