#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The summary of an fstests run, from fstests' own xunit reports.

For each section, DIR/SECTION/result.xml: how many tests ran, passed,
failed and did not run (notrun: never counted as a pass), and for each
failure fstests' message, its diff against the expected output and the
kernel log it saved.  Exit status 1 if a test failed or a section has no
report (it did not finish).
"""
import argparse
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def section_summary(name: str, report: Path) -> tuple[str, list[str], bool]:
    """One line of counts for a section, the failures' details, and
    whether the section passed."""
    if not report.is_file():
        return f"  {name:6} no report ({report}): the section did not finish", [], False
    suite = ET.parse(report).getroot()
    passed, failed, notrun, details = [], [], [], []
    for case in suite.iter("testcase"):
        test = case.get("name", "?")
        failure = case.find("failure")
        if failure is not None:
            failed.append(test)
            details.append(f"---- {name} {test}: {failure.get('message', '')}")
            for part in ("system-err", "kernel-log"):
                text = (case.findtext(part) or "").strip()
                if text:
                    lines = text.splitlines()
                    details += lines[:60]
                    if len(lines) > 60:
                        details.append(f"... ({len(lines) - 60} more lines in {report.parent})")
        elif case.find("skipped") is not None:
            notrun.append(test)
        else:
            passed.append(test)
    ran = len(passed) + len(failed)
    seconds = sum(float(case.get("time") or 0) for case in suite.iter("testcase"))
    # fsx logs each write with its flag: how many were uncached.  Only the
    # tests that give fsx -P RESULT_DIR keep its log of operations; a
    # quiet fsx (-q, as generic/127 runs it) logs none.
    logs = [log.read_text(errors="replace") for log in report.parent.glob("*/*.fsxlog")]
    uncached = sum(log.count("dontcache=1") for log in logs)
    line = (f"  {name:6} ran {ran}, passed {len(passed)}, failed {len(failed)}, "
            f"not run {len(notrun)}, {seconds:.0f} s, "
            + (f"{uncached} fsx writes with the flag" if logs else
               "no fsx log of operations (a quiet fsx keeps none)"))
    if failed:
        line += "; failed: " + " ".join(failed)
    if notrun:
        line += "; not run: " + " ".join(notrun)
    return line, details, not failed and ran > 0


def report(out: Path, what: str, lines: list[str], ok: bool, verdict: str,
           reports: str = "SECTION") -> int:
    """Print a summary's lines under its title and the verdict, keep them
    in OUT/summary.txt; the exit status."""
    last = f"{what}: " + (verdict if ok else "FAILED")
    print(f"{what} summary (fstests' reports: {out}/{reports}/)")
    print("\n".join(lines))
    (out / "summary.txt").write_text("\n".join(lines + [last]) + "\n")
    print(last)
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path, help="fstests' RESULT_BASE, as copied")
    parser.add_argument("sections", nargs="+", help="the sections of local.config")
    args = parser.parse_args()
    ok = True
    lines, details = [], []
    for section in args.sections:
        line, more, passed = section_summary(section, args.dir / section / "result.xml")
        lines.append(line)
        details += more
        ok &= passed
    print("\n".join(details))
    return report(args.dir, "fstests", lines, ok, "all sections passed")


if __name__ == "__main__":
    sys.exit(main())
