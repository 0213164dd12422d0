#!/usr/bin/env python3
"""Write RESULTS/gates.json and RESULTS/junit.xml from RESULTS/gates.tsv
(one gate a line: name, verdict, seconds, figures) and the KUnit results
in RESULTS/kunit.json."""
import json
import os
import sys
from xml.etree import ElementTree as ET


def kunit_cases(group, prefix=""):
    for case in group.get("test_cases", []):
        yield prefix + case["name"], case["status"]
    for sub in group.get("sub_groups", []):
        yield from kunit_cases(sub, prefix + sub["name"] + ".")


def main(results):
    gates = []
    with open(os.path.join(results, "gates.tsv")) as f:
        for line in f:
            name, verdict, seconds, figures = line.rstrip("\n").split("\t", 3)
            gates.append({"name": name, "verdict": verdict,
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
        with open(os.path.join(results, "kunit.json")) as f:
            kunit = json.load(f)
    except (OSError, ValueError):
        kunit = {}
    for group in kunit.get("sub_groups", []):
        cases = list(kunit_cases(group))
        ks = ET.SubElement(root, "testsuite", name=group["name"], tests=str(len(cases)),
                           failures=str(sum(s not in ("PASS", "SKIP") for _, s in cases)),
                           skipped=str(sum(s == "SKIP" for _, s in cases)))
        for name, status in cases:
            case = ET.SubElement(ks, "testcase", classname=group["name"], name=name)
            if status == "SKIP":
                ET.SubElement(case, "skipped")
            elif status != "PASS":
                ET.SubElement(case, "failure", message=status).text = "see results/ktap.log"
    ET.ElementTree(root).write(os.path.join(results, "junit.xml"), encoding="unicode",
                               xml_declaration=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
