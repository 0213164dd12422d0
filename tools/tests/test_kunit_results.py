"""Unit tests of tools/kunit_results.py (python3 -m unittest)."""
import json
import os
import sys
import tempfile
import unittest
from xml.etree import ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kunit_results  # noqa: E402

# A suite with a parameterised case (a sub-group) and a crashed case.
ROOT = {"name": "root", "test_cases": [], "sub_groups": [
    {"name": "uncached_read", "sub_groups": [], "test_cases": [
        {"name": "a", "status": "PASS"}, {"name": "b", "status": "SKIP"}]},
    {"name": "uncached_invalidation", "test_cases": [
        {"name": "c", "status": "CRASHED"}],
     "sub_groups": [{"name": "p", "test_cases": [
         {"name": "iomap", "status": "PASS"}, {"name": "generic", "status": "FAIL"}],
         "sub_groups": []}]}]}


class Walker(unittest.TestCase):
    def test_parameters_are_cases_with_dotted_names(self):
        names = [n for n, _ in kunit_results.cases(ROOT["sub_groups"][1], "s.")]
        self.assertEqual(names, ["s.c", "s.p.iomap", "s.p.generic"])

    def test_unknown_status_is_a_failure(self):
        self.assertEqual(kunit_results.verdict("CRASHED"), "FAIL")
        self.assertEqual(kunit_results.verdict("SKIP"), "SKIP")


class Summary(unittest.TestCase):
    def test_counts_and_failures(self):
        lines, rc = kunit_results.summary(ROOT)
        self.assertEqual(rc, 1)
        self.assertEqual(lines[-1], "2 passed, 2 failed, 1 skipped")
        self.assertIn("  FAILED: uncached_invalidation.c (CRASHED)", lines)
        self.assertIn("  FAILED: uncached_invalidation.p.generic (FAIL)", lines)

    def test_no_case_is_a_failure(self):
        lines, rc = kunit_results.summary({"sub_groups": []})
        self.assertEqual((lines[-1], rc), ("0 passed, 0 failed, 0 skipped", 1))

    def test_all_passed(self):
        root = {"sub_groups": [ROOT["sub_groups"][0]]}
        self.assertEqual(kunit_results.summary(root)[1], 0)

    def test_failed_cases(self):
        self.assertEqual(kunit_results.failed_cases(ROOT),
                         ["uncached_invalidation.c", "uncached_invalidation.p.generic"])


class Report(unittest.TestCase):
    def test_gates_json_and_junit(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "gates.tsv"), "w") as f:
                f.write("suites\tpass\t12\t76 passed, 0 failed\nmutants\tfail\t300\t1 survived\n")
            with open(os.path.join(d, "kunit.json"), "w") as f:
                json.dump(ROOT, f)
            kunit_results.report(d)
            with open(os.path.join(d, "gates.json")) as f:
                gates = json.load(f)
            self.assertEqual(gates["verdict"], "fail")
            self.assertEqual([g["seconds"] for g in gates["gates"]], [12, 300])
            junit = ET.parse(os.path.join(d, "junit.xml")).getroot()
            by_name = {s.get("name"): s for s in junit}
            self.assertEqual(by_name["presubmit"].get("failures"), "1")
            inv = by_name["uncached_invalidation"]
            self.assertEqual((inv.get("tests"), inv.get("failures")), ("3", "2"))
            self.assertEqual(by_name["uncached_read"].get("skipped"), "1")


if __name__ == "__main__":
    unittest.main()
