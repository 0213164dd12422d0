#!/usr/bin/env bash
# Capture gcov data of the folders the series touches (and our suites)
# with lcov, write coverage/html and coverage/summary.txt.
. "$(dirname "$0")/lib.sh"

OUT=${COVERAGE_OUT:-$TOP/coverage}
# Folders captured with their subfolders, and folders captured alone
# (their subfolders are other subsystems).
DEEP=(fs/iomap "$SUITES_DIR")
FLAT=(fs mm)
# What the report keeps: the files the series changes and our suites.
KEEP=('*/fs/iomap/*' '*/mm/filemap.c' '*/fs/read_write.c'
      '*/include/linux/fs.h' '*/include/linux/iomap.h' '*/include/linux/pagemap.h'
      "*/$SUITES_DIR/*")
LCOV=(lcov -q --rc lcov_branch_coverage=1)
# Debian's lcov 1.16 prints "Subroutine ... redefined" warnings from geninfo.
lcov() { command lcov "$@" 2> >(grep -v ' redefined at ' >&2); }

mkdir -p "$OUT"
rm -rf "$OUT/html" "$OUT/coverage.info" "$OUT/summary.txt"
if [ -z "$(find "$BUILD" -name '*.gcda' -print -quit 2>/dev/null)" ]; then
	msg="coverage unavailable: no .gcda files in $BUILD"
	msg+=" (UML did not halt cleanly: a crash or timeout loses all coverage;"
	msg+=" or the build has no CONFIG_GCOV)"
	echo "$msg" >"$OUT/summary.txt"
	die "$msg"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for d in "${DEEP[@]}"; do
	[ -d "$BUILD/$d" ] && "${LCOV[@]}" -c -d "$BUILD/$d" -b "$BUILD" -o "$tmp/${d//\//_}.info"
done
for d in "${FLAT[@]}"; do
	"${LCOV[@]}" -c --no-recursion -d "$BUILD/$d" -b "$BUILD" -o "$tmp/${d//\//_}.flat.info"
done
"${LCOV[@]}" $(printf -- '-a %s ' "$tmp"/*.info) -o "$tmp/all.info"
"${LCOV[@]}" --extract "$tmp/all.info" "${KEEP[@]}" -o "$OUT/coverage.info"
genhtml -q --branch-coverage --legend --title "RWF_UNCACHED suites" \
	-o "$OUT/html" "$OUT/coverage.info" >/dev/null

# One line per group: name, lines hit/found, branches hit/found.
group() {
	local name=$1; shift
	"${LCOV[@]}" --extract "$OUT/coverage.info" "$@" -o "$tmp/g.info" >/dev/null 2>&1 || true
	awk -v name="$name" -F: '
		/^LH:/ { lh += $2 } /^LF:/ { lf += $2 }
		/^BRH:/ { bh += $2 } /^BRF:/ { bf += $2 }
		function pct(h, f) { return f ? sprintf("%5.1f%% (%d/%d)", 100 * h / f, h, f) : "    -" }
		END { printf "%-22s lines %-22s branches %s\n", name, pct(lh, lf), pct(bh, bf) }' "$tmp/g.info"
}
{
	group "fs/iomap/*.c" '*/fs/iomap/*.c'
	group "mm/filemap.c" '*/mm/filemap.c'
	group "kunit suites" "*/$SUITES_DIR/*"
} >"$OUT/summary.txt"
cat "$OUT/summary.txt"
note "HTML report: $OUT/html/index.html"
