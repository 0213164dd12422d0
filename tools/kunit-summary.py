#!/usr/bin/env python3
"""Count kunit.py's JSON results (--json) per suite and in all.

The root's sub-groups are the suites; a parameterised case is a
sub-group of its suite, and each of its parameters counts as a case.
Prints one line per suite, each failed case, and a closing
'N passed, N failed, N skipped' line; exits 1 if any case failed or no
case ran."""
import json
import sys


def leaves(group, prefix):
    for case in group.get("test_cases", []):
        yield f"{prefix}{case['name']}", case["status"]
    for sub in group.get("sub_groups", []):
        yield from leaves(sub, f"{prefix}{sub['name']}.")


def main(path):
    try:
        with open(path) as f:
            root = json.load(f)
    except (OSError, ValueError) as e:
        print(f"kunit-summary: no usable results in {path}: {e}", file=sys.stderr)
        return 1
    total = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    lines = []
    for suite in root.get("sub_groups", []):
        counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
        for name, status in leaves(suite, f"{suite['name']}."):
            key = status if status in counts else "FAIL"
            counts[key] += 1
            if key == "FAIL":
                lines.append(f"  FAILED: {name} ({status})")
        print(f"  {suite['name']:28} {counts['PASS']:3} passed {counts['FAIL']:3} failed "
              f"{counts['SKIP']:3} skipped")
        for k in total:
            total[k] += counts[k]
    for line in lines:
        print(line)
    print(f"{total['PASS']} passed, {total['FAIL']} failed, {total['SKIP']} skipped")
    return 0 if total["FAIL"] == 0 and total["PASS"] + total["SKIP"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
