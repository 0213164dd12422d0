# SPDX-License-Identifier: GPL-2.0
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
        self.assertEqual(kunit_results.summary(root, ["uncached_read.b"])[1], 0)

    def test_a_skip_not_allowed_fails(self):
        root = {"sub_groups": [ROOT["sub_groups"][0]]}
        lines, rc = kunit_results.summary(root, ["uncached_read.x*"])
        self.assertEqual(rc, 1)
        self.assertIn("  SKIPPED, and this run must run it: uncached_read.b", lines)

    def test_every_case_skipped_fails(self):
        root = {"sub_groups": [{"name": "s", "test_cases": [{"name": "a", "status": "SKIP"}]}]}
        self.assertEqual(kunit_results.summary(root, ["s.*"])[1], 1)

    def test_failed_case_says_why(self):
        log = ["KTAP version 1", "1..1", "    KTAP version 1",
               "    # Subtest: uncached_invalidation", "    # module: uncached_kunit",
               "    1..2", "    # c: EXPECTATION FAILED at x.c:1", "    Expected 1 == 2",
               "    not ok 1 c", "        # Subtest: p", "        ok 1 iomap",
               "        # p: folio 3: c, the model says a", "        not ok 2 generic",
               "    not ok 2 p", "not ok 1 uncached_invalidation"]
        diags = kunit_results.diagnostics(log)
        self.assertEqual(diags["uncached_invalidation.c"],
                         ["# c: EXPECTATION FAILED at x.c:1", "Expected 1 == 2"])
        self.assertEqual(diags["uncached_invalidation.p.generic"],
                         ["# p: folio 3: c, the model says a"])
        lines, _ = kunit_results.summary(ROOT, (), diags)
        at = lines.index("  FAILED: uncached_invalidation.p.generic (FAIL)")
        self.assertEqual(lines[at + 1], "      # p: folio 3: c, the model says a")

    def test_the_line_that_runs_a_case_alone_is_kept(self):
        # However many expectations failed before it.
        log = (["KTAP version 1", "1..1", "    # Subtest: uncached_model", "    1..1"] +
               [f"    # iomap_writes: EXPECTATION FAILED at model_test.c:{i}" for i in range(20)] +
               ["    # iomap_writes: run it alone: make SUITE=uncached_model MODEL_CASE=w_17",
                "    not ok 1 iomap_writes"])
        said = kunit_results.diagnostics(log)["uncached_model.iomap_writes"]
        self.assertEqual(len(said), kunit_results.DIAGNOSTIC_LINES + 1)
        self.assertEqual(said[-1], "# iomap_writes: run it alone: "
                         "make SUITE=uncached_model MODEL_CASE=w_17")

    def test_failed_cases(self):
        self.assertEqual(kunit_results.failed_cases(ROOT),
                         ["uncached_invalidation.c", "uncached_invalidation.p.generic"])


LOG = """------------[ cut here ]------------
WARNING: CPU: 0 PID: 1 at arch/um/drivers/virt-pci.c:1005 um_pci_init
---[ end trace 0000000000000000 ]---
KTAP version 1
1..2
    KTAP version 1
    # Subtest: uncached_read
    1..2
    ok 1 a
==================================================================
BUG: KASAN: slab-use-after-free in utfs_async_write_fn+0x10/0x20
Read of size 8 at addr 0000000060a4b0c8 by task kworker/0:1/12
    not ok 2 b
ok 1 uncached_read
    KTAP version 1
    # Subtest: uncached_staleness
    1..1
    ------------[ cut here ]------------
    WARNING: CPU: 0 PID: 1 at mm/filemap.c:100 filemap_read+0x1/0x2
        KTAP version 1
        # Subtest: p
        ok 1 iomap
    ok 1 p
ok 2 uncached_staleness
""".splitlines()


class Reports(unittest.TestCase):
    def test_each_report_once_with_its_case(self):
        found = kunit_results.reports(LOG)
        self.assertEqual([case for case, _ in found],
                         ["uncached_read.b", "uncached_staleness.iomap"])
        self.assertIn("BUG: KASAN: slab-use-after-free", found[0][1][0])

    def test_boot_before_the_tests_is_not_scanned(self):
        self.assertEqual(kunit_results.reports(LOG[:3]), [])

    def test_clean_log(self):
        self.assertEqual(kunit_results.reports([l for l in LOG[3:] if "BUG" not in l
                                                and "WARNING" not in l and "cut here" not in l]), [])


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


class Kcidb(unittest.TestCase):
    def test_required_fields_and_statuses(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "gates.tsv"), "w") as f:
                f.write("checkpatch\tpass\t3\tclean\nsuites\tfail\t12\t1 failed\n"
                        "x86_64\tpass\t90\tok\n")
            with open(os.path.join(d, "kunit.json"), "w") as f:
                json.dump(ROOT, f)
            report = kunit_results.kcidb(d, "origin", "abc123", "p")
        self.assertEqual(report["version"]["major"], 5)
        checkout = report["checkouts"][0]
        self.assertTrue(checkout["id"].startswith("origin:"))
        self.assertEqual(checkout["origin"], "origin")
        builds = {b["id"]: b for b in report["builds"]}
        self.assertEqual(sorted(builds), ["origin:um-coverage", "origin:x86_64"])
        self.assertTrue(builds["origin:um-coverage"]["valid"])
        self.assertFalse(builds["origin:x86_64"]["valid"])  # no results: did not build
        for b in report["builds"]:
            self.assertEqual(b["checkout_id"], checkout["id"])
        for t in report["tests"]:
            for k in ("id", "origin", "build_id", "path", "status"):
                self.assertIn(k, t)
            self.assertIn(t["build_id"], builds)
            self.assertIn(t["status"], ("FAIL", "ERROR", "MISS", "PASS", "DONE", "SKIP"))
        by_path = {t["path"]: t for t in report["tests"]}
        self.assertEqual(by_path["kunit.uncached_invalidation.c"]["status"], "ERROR")
        self.assertEqual(by_path["kunit.uncached_read.b"]["status"], "SKIP")
        self.assertEqual(by_path["sandbox.gate.suites"]["status"], "FAIL")
        self.assertEqual(by_path["sandbox.gate.suites"]["build_id"], "origin:um-coverage")


if __name__ == "__main__":
    unittest.main()


# A run with uncached_kunit.force_fail=1: two suites, each failing one
# case at the forced assertion, and the counters' suite passing.
FORCED_ROOT = {"sub_groups": [
    {"name": "uncached_read", "test_cases": [
        {"name": "a", "status": "PASS"}, {"name": "b", "status": "FAIL"}]},
    {"name": "uncached_counters", "test_cases": [{"name": "back", "status": "PASS"}]}]}
FORCED_LOG = """[    1.000000]     # Subtest: uncached_read
[    1.010000]     ok 1 a
[    1.020000]     # b: ASSERTION FAILED at kunit/read_test.c:10
[    1.020000]     Expected utfs_force_fail to be false, but is true
[    1.020000] forced failure (uncached_kunit.force_fail)
[    1.030000]     not ok 2 b
[    1.040000] ok 1 uncached_read
[    1.050000]     # Subtest: uncached_counters
[    1.100000]     # back: counters: file pages +0, slab pages +160, free pages -250
[    1.100000]     ok 1 back
[    1.110000] ok 2 uncached_counters""".splitlines()


class Forced(unittest.TestCase):
    def test_as_forced(self):
        lines, rc = kunit_results.forced(FORCED_ROOT, FORCED_LOG, 5)
        self.assertEqual(rc, 0, lines)
        self.assertIn("  counters: file pages +0, slab pages +160, free pages -250", lines)
        self.assertEqual(lines[0], "forced failures: 1 cases failed, the longest in 0.02 s")

    def test_a_failure_elsewhere_fails(self):
        log = [line.replace("forced failure", "an expectation") for line in FORCED_LOG]
        lines, rc = kunit_results.forced(FORCED_ROOT, log, 5)
        self.assertEqual(rc, 1)
        self.assertIn("  uncached_read.b failed, and not at the forced assertion alone:", lines)

    def test_a_slow_failure_fails(self):
        log = [line.replace("1.030000", "9.030000") for line in FORCED_LOG]
        lines, rc = kunit_results.forced(FORCED_ROOT, log, 5)
        self.assertEqual(rc, 1)
        self.assertIn("  uncached_read.b took 8.02 s to fail (at most 5 s)", lines)

    def test_counters_not_back_fails(self):
        root = json.loads(json.dumps(FORCED_ROOT))
        root["sub_groups"][1]["test_cases"][0]["status"] = "FAIL"
        lines, rc = kunit_results.forced(root, FORCED_LOG, 5)
        self.assertEqual(rc, 1)
        self.assertIn("  uncached_counters did not pass: something was left behind", lines)

    def test_a_real_failure_before_the_forced_one_fails(self):
        log = list(FORCED_LOG)
        log.insert(2, "[    1.015000]     # b: EXPECTATION FAILED at kunit/read_test.c:9")
        lines, rc = kunit_results.forced(FORCED_ROOT, log, 5)
        self.assertEqual(rc, 1)
        self.assertIn("  uncached_read.b failed, and not at the forced assertion alone:", lines)

    def test_the_forced_message_after_many_lines_passes(self):
        log = list(FORCED_LOG)
        for i in range(12):
            log.insert(2, f"[    1.015000]     # b: step {i}")
        self.assertEqual(kunit_results.forced(FORCED_ROOT, log, 5)[1], 0)

    def test_a_suite_that_did_not_run_fails(self):
        lines, rc = kunit_results.forced(FORCED_ROOT, FORCED_LOG, 5,
                                         expect=["uncached_read", "uncached_model"])
        self.assertEqual(rc, 1)
        self.assertIn("  uncached_model did not run (a crash or a hang before it?)", lines)

    def test_a_crash_fails(self):
        root = json.loads(json.dumps(FORCED_ROOT))
        root["test_cases"] = [{"name": "", "status": "ERROR"}]
        self.assertEqual(kunit_results.forced(root, FORCED_LOG, 5)[1], 1)

    def test_no_counters_suite_fails(self):
        root = {"sub_groups": [FORCED_ROOT["sub_groups"][0]]}
        self.assertEqual(kunit_results.forced(root, FORCED_LOG, 5)[1], 1)

    def test_a_suite_that_did_not_fail_fails(self):
        root = json.loads(json.dumps(FORCED_ROOT))
        root["sub_groups"][0]["test_cases"][1]["status"] = "PASS"
        self.assertEqual(kunit_results.forced(root, FORCED_LOG, 5)[1], 1)
