#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare fstests on the pristine kernel (base) and on the series.

OUT/SIDE/run/fstests/SECTION/result.xml is each side's run (fstests'
xunit report); OUT/SIDE/rerun-SECTION-TEST-N/fstests/SECTION/result.xml
the reruns of a test that failed on either side.  A test's failure rate
on a side counts its run and its reruns.  A regression passes every time
on the base (or never runs there) and fails on the series, every time or
sometimes (intermittent); a test that fails every time on both is the
base's (listed, not counted); any other test that failed at least once
(sometimes on the base) is flaky, named with its rate on each side.  Exit
status 1 on a regression, a section that did not finish on a side, or a
kernel report (a pattern of --reports) in a side's guest log.
"""
import argparse
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from fstests_report import report

SIDES = ("base", "series")
SECTIONS = ("xfs", "ext4")


def outcomes(report: Path) -> dict[str, str] | None:
    """Each test's outcome in one report (pass, fail, notrun); None if the
    report is missing (the section did not finish)."""
    if not report.is_file():
        return None
    try:
        root = ET.parse(report).getroot()
    except ET.ParseError:
        return None     # cut short by a crash: the section did not finish
    found = {}
    for case in root.iter("testcase"):
        name = case.get("name", "?")
        if case.find("failure") is not None or case.find("error") is not None:
            found[name] = "fail"
        elif case.find("skipped") is not None:
            found[name] = "notrun"
        else:
            found[name] = "pass"
    return found


def report_of(out: Path, side: str, run: str, section: str) -> Path:
    return out / side / run / "fstests" / section / "result.xml"


def rerun_prefix(section: str, test: str) -> str:
    """The folder of a test's Nth rerun on a side is PREFIX-N."""
    return f"rerun-{section}-{test.replace('/', '-')}"


def rerun_name(section: str, test: str, i: int) -> str:
    return f"{rerun_prefix(section, test)}-{i}"


def failures(out: Path) -> list[tuple[str, str]]:
    """The (section, test) pairs that failed in either side's run."""
    found = set()
    for side in SIDES:
        for section in SECTIONS:
            for test, result in (outcomes(report_of(out, side, "run", section)) or {}).items():
                if result == "fail":
                    found.add((section, test))
    return sorted(found)


def rate(out: Path, side: str, section: str, test: str, first: str) -> tuple[int, int]:
    """(failures, runs) of a test on a side: its run and its reruns that
    ran (not run counts as neither)."""
    runs, failed = int(first in ("pass", "fail")), int(first == "fail")
    i = 1
    while (out / side / rerun_name(section, test, i)).is_dir():
        result = (outcomes(report_of(out, side, rerun_name(section, test, i), section)) or {}).get(test)
        if result in ("pass", "fail"):
            runs += 1
            failed += result == "fail"
        i += 1
    return failed, runs


def kernel_reports(out: Path, patterns: Path | None) -> list[str]:
    """The first kernel report of each guest log of either side."""
    if patterns is None:
        return []
    regexes = [re.compile(p) for p in patterns.read_text().splitlines()
               if p.strip() and not p.startswith("#")]
    found = []
    # A run's guest log, or each section's (FSTESTS_SHARD: a run each).
    for log in sorted([*out.glob("*/*/e2e/guest.log"), *out.glob("*/*/e2e/*/guest.log")]):
        for line in log.read_text(errors="replace").splitlines():
            if any(r.search(line) for r in regexes):
                found.append(f"{log.relative_to(out)}: {line.strip()}")
                break
    return found


def compare(out: Path, patterns: Path | None) -> tuple[list[str], bool]:
    lines, ok = [], True
    for section in SECTIONS:
        runs = {side: outcomes(report_of(out, side, "run", section)) for side in SIDES}
        missing = [side for side in SIDES if runs[side] is None]
        if missing:
            lines.append(f"  {section:5} did not finish on {' and '.join(missing)} "
                         f"(no {report_of(out, missing[0], 'run', section)})")
            ok = False
            continue
        tests = sorted(set(runs["base"]) | set(runs["series"]))
        counts = {side: {k: sum(v == k for v in runs[side].values())
                         for k in ("pass", "fail", "notrun")} for side in SIDES}
        regressions, flaky, base_own = [], [], []
        for test in tests:
            first = {side: runs[side].get(test, "notrun") for side in SIDES}
            if "fail" not in first.values():
                continue
            r = {side: rate(out, side, section, test, first[side]) for side in SIDES}
            text = ", ".join(f"{side} {f}/{n}" for side, (f, n) in r.items())
            fb, nb = r["base"]
            fs, ns = r["series"]
            if fs and not nb:
                regressions.append(f"{test} (failed {text}; it never ran on the base)")
            elif fb == 0 and fs == ns:
                regressions.append(f"{test} (failed {text})")
            elif fb == 0 and fs:
                regressions.append(f"{test} (failed {text}: intermittent, never on the base)")
            elif fb == nb and fs == ns:
                base_own.append(f"{test} (failed {text})")
            elif fs or fb:
                flaky.append(f"{test} (failed {text})")
        line = f"  {section:5} " + "; ".join(
            f"{side}: ran {c['pass'] + c['fail']}, passed {c['pass']}, failed {c['fail']}, "
            f"not run {c['notrun']}" for side, c in counts.items())
        line += f"; regressions {len(regressions)}, flaky {len(flaky)}, the base's {len(base_own)}"
        lines.append(line)
        for what, names in (("regression", regressions), ("flaky", flaky),
                            ("the base's", base_own)):
            lines += [f"    {what}: {n}" for n in names]
        ok &= not regressions
    reports = kernel_reports(out, patterns)
    lines += [f"  kernel report: {r}" for r in reports]
    return lines, ok and not reports


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="make fstests-ab's results folder")
    parser.add_argument("--failures", action="store_true",
                        help="print the (section, test) pairs to run again, each with "
                        "its reruns' folder name (then -N), and stop")
    parser.add_argument("--reports", type=Path, help="the kernel's report patterns")
    args = parser.parse_args()
    if args.failures:
        for section, test in failures(args.out):
            print(section, test, rerun_prefix(section, test))
        return 0
    lines, ok = compare(args.out, args.reports)
    return report(args.out, "fstests-ab", lines, ok, "no regressions",
                  "SIDE/run/fstests/SECTION")


if __name__ == "__main__":
    sys.exit(main())
