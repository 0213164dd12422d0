#!/usr/bin/env python3
"""kunit.py's JSON results (--json): one reader, one walker, for every
output the sandbox makes from them.

  kunit_results.py summary KUNIT_JSON
      one line per suite, each failed case, and a closing
      'N passed, N failed, N skipped' line; exit 1 if a case failed or no
      case ran (or the file is unusable)
  kunit_results.py failed KUNIT_JSON
      the failed cases, one per line (the mutants gate names them)
  kunit_results.py reports KTAP_LOG
      every kernel report (KASAN, lockdep, WARN, BUG, list or debug-objects
      corruption, panic) in the raw log, with the case it happened in;
      exit 1 if there is one
  kunit_results.py report RESULTS
      RESULTS/gates.json and RESULTS/junit.xml, from RESULTS/gates.tsv (one
      gate a line: name, verdict, seconds, figures) and RESULTS/kunit.json

The root's sub-groups are the suites; a parameterised case is a sub-group
of its suite, and each of its parameters counts as a case."""
import json
import os
import re
import sys
from xml.etree import ElementTree as ET

STATUSES = ("PASS", "FAIL", "SKIP")


def cases(group, prefix=""):
    """(name, status) of every case below group, names dotted from it."""
    for case in group.get("test_cases", []):
        yield prefix + case["name"], case["status"]
    for sub in group.get("sub_groups", []):
        yield from cases(sub, f"{prefix}{sub['name']}.")


def verdict(status):
    """PASS, FAIL or SKIP: anything else (CRASHED, NO_TESTS...) fails."""
    return status if status in STATUSES else "FAIL"


def load(path):
    with open(path) as f:
        return json.load(f)


def suites(root):
    """(suite name, [(dotted case name, status)]) for each suite."""
    for suite in root.get("sub_groups", []):
        yield suite["name"], list(cases(suite, f"{suite['name']}."))


def summary(root):
    """The summary's lines, and its exit status."""
    total = dict.fromkeys(STATUSES, 0)
    lines, failed = [], []
    for name, suite_cases in suites(root):
        counts = dict.fromkeys(STATUSES, 0)
        for case, status in suite_cases:
            counts[verdict(status)] += 1
            if verdict(status) == "FAIL":
                failed.append(f"  FAILED: {case} ({status})")
        lines.append(f"  {name:28} {counts['PASS']:3} passed {counts['FAIL']:3} failed "
                     f"{counts['SKIP']:3} skipped")
        for k in total:
            total[k] += counts[k]
    lines += failed
    lines.append(f"{total['PASS']} passed, {total['FAIL']} failed, {total['SKIP']} skipped")
    ok = total["FAIL"] == 0 and total["PASS"] + total["SKIP"] > 0
    return lines, 0 if ok else 1


def failed_cases(root):
    return [case for _, suite_cases in suites(root)
            for case, status in suite_cases if verdict(status) == "FAIL"]

# Kernel reports that fail a run whatever the cases say: KASAN, lockdep,
# WARN and BUG, list and debug-objects corruption, panics.
REPORT = re.compile(r"BUG: |WARNING: |INFO: possible |-+\[ cut here \]-+|ODEBUG: |"
                    r"kernel BUG at|list_(add|del) corruption|Kernel panic|UBSAN: ")
RESULT = re.compile(r"^\s*(not )?ok \d+ (\S+)")
SUITE = re.compile(r"^ {4}# Subtest: (\S+)")
REPORT_LINES = 30
SAME_REPORT = 3


def reports(log_lines):
    """(case, report lines) for each kernel report in a raw KUnit log, from
    the first KTAP line on (UML's boot prints a WARN of its own, from
    virt-pci, before any test); the case is the one whose result follows
    the report.  A marker right after another (WARNING: after the cut-here
    line) is the same report."""
    found, suite, pending = [], "", []
    start = next((i for i, line in enumerate(log_lines) if "KTAP version" in line),
                 len(log_lines))
    last = -SAME_REPORT
    for i, line in enumerate(log_lines[start:], start):
        m = SUITE.match(line)
        if m:
            suite = m.group(1)
        if REPORT.search(line) and i >= last + SAME_REPORT:
            pending.append(log_lines[i:i + REPORT_LINES])
            last = i
        m = RESULT.match(line)
        if m and pending:
            found += [(f"{suite}.{m.group(2)}", block) for block in pending]
            pending = []
    found += [(f"{suite} (no result followed)", block) for block in pending]
    return found


def report(results):
    """Write gates.json and junit.xml into the results folder."""
    gates = []
    with open(os.path.join(results, "gates.tsv")) as f:
        for line in f:
            name, gate_verdict, seconds, figures = line.rstrip("\n").split("\t", 3)
            gates.append({"name": name, "verdict": gate_verdict,
                          "seconds": int(seconds), "figures": figures})
    with open(os.path.join(results, "gates.json"), "w") as f:
        json.dump({"gates": gates,
                   "verdict": "pass" if all(g["verdict"] == "pass" for g in gates) else "fail"},
                  f, indent=2)

    root = ET.Element("testsuites", name="rwf-uncached-sandbox")
    suite = ET.SubElement(root, "testsuite", name="presubmit", tests=str(len(gates)),
                          failures=str(sum(g["verdict"] != "pass" for g in gates)))
    for g in gates:
        case = ET.SubElement(suite, "testcase", classname="presubmit", name=g["name"],
                             time=str(g["seconds"]))
        if g["verdict"] != "pass":
            ET.SubElement(case, "failure", message=g["figures"]).text = \
                f"see results/gates/{g['name']}.log"
    try:
        kunit = load(os.path.join(results, "kunit.json"))
    except (OSError, ValueError):
        kunit = {}
    for name, suite_cases in suites(kunit):
        ks = ET.SubElement(root, "testsuite", name=name, tests=str(len(suite_cases)),
                           failures=str(sum(verdict(s) == "FAIL" for _, s in suite_cases)),
                           skipped=str(sum(s == "SKIP" for _, s in suite_cases)))
        for case_name, status in suite_cases:
            case = ET.SubElement(ks, "testcase", classname=name, name=case_name)
            if status == "SKIP":
                ET.SubElement(case, "skipped")
            elif verdict(status) == "FAIL":
                ET.SubElement(case, "failure", message=status).text = "see results/ktap.log"
    ET.ElementTree(root).write(os.path.join(results, "junit.xml"), encoding="unicode",
                               xml_declaration=True)


def main(argv):
    if len(argv) != 3 or argv[1] not in ("summary", "failed", "reports", "report"):
        print(__doc__, file=sys.stderr)
        return 2
    command, path = argv[1], argv[2]
    if command == "report":
        report(path)
        return 0
    if command == "reports":
        with open(path, errors="replace") as f:
            found = reports(f.read().splitlines())
        for case, block in found:
            print(f"kernel report in {case}:")
            print("\n".join("    " + line for line in block))
        print(f"{len(found)} kernel reports")
        return 1 if found else 0
    try:
        root = load(path)
    except (OSError, ValueError) as e:
        print(f"kunit_results: no usable results in {path}: {e}", file=sys.stderr)
        return 1
    if command == "failed":
        print("\n".join(failed_cases(root)))
        return 0
    lines, rc = summary(root)
    print("\n".join(lines))
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
