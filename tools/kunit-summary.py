#!/usr/bin/env python3
"""Count kunit.py's JSON results (--json) per suite and in all.

Prints one line per suite and a closing 'N passed, N failed, N skipped'
line; exits 1 if any case failed or no case ran."""
import json
import sys


def cases(group, suite):
    for case in group.get("test_cases", []):
        yield suite, case["name"], case["status"]
    for sub in group.get("sub_groups", []):
        yield from cases(sub, sub.get("name", suite))


def main(path):
    try:
        with open(path) as f:
            root = json.load(f)
    except (OSError, ValueError) as e:
        print(f"kunit-summary: no usable results in {path}: {e}", file=sys.stderr)
        return 1
    per_suite = {}
    for suite, name, status in cases(root, root.get("name", "?")):
        counts = per_suite.setdefault(suite, {"PASS": 0, "FAIL": 0, "SKIP": 0})
        key = status if status in counts else "FAIL"
        counts[key] += 1
        if key == "FAIL":
            print(f"  FAILED: {suite}.{name} ({status})")
    total = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    for suite, counts in per_suite.items():
        print(f"  {suite:32} {counts['PASS']:3} passed {counts['FAIL']:3} failed "
              f"{counts['SKIP']:3} skipped")
        for k in total:
            total[k] += counts[k]
    print(f"{total['PASS']} passed, {total['FAIL']} failed, {total['SKIP']} skipped")
    return 0 if total["FAIL"] == 0 and total["PASS"] + total["SKIP"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
