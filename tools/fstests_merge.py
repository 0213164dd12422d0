#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make fstests-report: the results of several machines' parts as one.

    fstests_merge.py [--out OUT] [--reports PATTERNS] DIR...

Each DIR holds one machine's part of a run (FSTESTS_SHARD=i/n), as make
fstests leaves it (RESULTS/fstests: SECTION/result.xml, and the part in
"shard") or make fstests-ab (RESULTS/fstests-ab: SIDE/run/fstests/...,
the reruns, the guest logs).  The parts must be of one kind and one n,
and no two may hold the same part or the same test; they must be of one
list of tests (and, for fstests-ab, one series).  OUT (default
RESULTS/fstests-report) gets them in
the layout of one machine's results: a result.xml per section (and side)
with the test cases of every part; fstests-ab's reruns and guest logs
linked.  Then the summary of tools/fstests_report.py or
tools/fstests_ab.py of OUT, after the line that says which parts were
merged and which are missing; its exit status, or 1 if parts are missing.
"""
import argparse
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))
import settings  # noqa: E402  (lib.sh's paths)
SECTIONS = ("xfs", "ext4")
SIDES = ("base", "series")


def die(msg: str):
    sys.exit(f"fstests_merge.py: {msg}")


def part_of(d: Path, ab: bool) -> tuple[int, int, str]:
    """(i, n, the whole lists' id) of a part, from the shard file
    fstests.sh wrote ("i/n COUNT tests ID"); a part of fstests-ab, the
    series' id too."""
    f = d / "base" / "run" / "fstests" / "shard" if ab else d / "shard"
    try:
        words = f.read_text().split()
        i, n = (int(x) for x in words[0].split("/"))
        lists = words[3]
    except (OSError, ValueError, IndexError):
        die(f"{d}: no part recorded ({f}): run each part with FSTESTS_SHARD=i/n")
    if ab:
        try:
            lists += " series " + (d / "series-id").read_text().strip()
        except OSError:
            die(f"{d}: no series recorded ({d}/series-id)")
    return i, n, lists


def merge_reports(reports: list[Path], out: Path):
    """One result.xml of every report's test cases; none if a part's is
    missing (that part did not finish the section)."""
    if not all(r.is_file() for r in reports):
        return
    roots = [ET.parse(r).getroot() for r in reports]
    merged = ET.Element(roots[0].tag, roots[0].attrib)
    seen: dict[str, Path] = {}
    for r, root in zip(reports, roots):
        for case in root.iter("testcase"):
            name = case.get("name", "?")
            if name in seen:
                die(f"{name} is in two parts: {seen[name]} and {r}")
            seen[name] = r
            merged.append(case)
    for k in ("tests", "failures", "skipped", "errors"):
        merged.set(k, str(sum(int(root.get(k) or 0) for root in roots)))
    out.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(merged).write(out, encoding="utf-8", xml_declaration=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("parts", type=Path, nargs="*",
                    help="each machine's results/fstests or results/fstests-ab")
    ap.add_argument("--out", type=Path, default=Path(settings.get("RESULTS")) / "fstests-report")
    ap.add_argument("--reports", type=Path, default=TOOLS / "kernel-reports.txt",
                    help="the kernel's report patterns (fstests-ab)")
    args = ap.parse_args()
    if not args.parts:
        die("no parts: FSTESTS_REPORTS='DIR...', each a machine's results/fstests "
            "or results/fstests-ab")
    if not args.reports.is_file():
        die(f"no kernel report patterns at {args.reports}")
    kinds = {(d / "base").is_dir() for d in args.parts}
    if len(kinds) != 1:
        die("the parts are of make fstests and of make fstests-ab both")
    ab = kinds.pop()
    parts = {}
    for d in args.parts:
        i, n, lists = part_of(d, ab)
        if i in parts:
            die(f"{d} and {parts[i][0]} are both part {i}")
        parts[i] = (d, n, lists)
    ns = {n for _, n, _ in parts.values()}
    if len(ns) != 1:
        die(f"the parts split the tests differently: n = {sorted(ns)}")
    if len({lists for _, _, lists in parts.values()}) != 1:
        die("the parts are of different lists of tests" + (" or series" if ab else "") +
            ": " + "; ".join(f"{d}: {lists}" for d, _, lists in parts.values()))
    n = ns.pop()
    missing = [str(i) for i in range(1, n + 1) if i not in parts]
    dirs = [parts[i][0] for i in sorted(parts)]
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    print(f"parts {', '.join(f'{i}/{n}' for i in sorted(parts))} merged"
          + (f"; missing: {', '.join(missing)} of {n}" if missing else f": all {n}"))
    if not ab:
        for sec in SECTIONS:
            merge_reports([d / sec / "result.xml" for d in dirs], args.out / sec / "result.xml")
        sections = [s for s in SECTIONS if any((d / s).is_dir() for d in dirs)]
        rc = subprocess.run([sys.executable, str(TOOLS / "fstests_report.py"), str(args.out),
                             *sections]).returncode
        return incomplete(rc, missing)
    for side in SIDES:
        for sec in SECTIONS:
            merge_reports([d / side / "run" / "fstests" / sec / "result.xml" for d in dirs],
                          args.out / side / "run" / "fstests" / sec / "result.xml")
        for k, d in enumerate(dirs, 1):
            # Each part's guest log, and its reruns (by test: one part's).
            (args.out / side / f"part{k}").mkdir(parents=True)
            if (d / side / "run" / "e2e").is_dir():
                (args.out / side / f"part{k}" / "e2e").symlink_to((d / side / "run" / "e2e").resolve())
            for rerun in sorted((d / side).glob("rerun-*")):
                (args.out / side / rerun.name).symlink_to(rerun.resolve())
    # The series they are of, for make cover-letter.
    (args.out / "series-id").write_text((dirs[0] / "series-id").read_text())
    rc = subprocess.run([sys.executable, str(TOOLS / "fstests_ab.py"), str(args.out),
                         "--reports", str(args.reports)]).returncode
    return incomplete(rc, missing)


def incomplete(rc: int, missing: list[str]) -> int:
    """A run with parts missing is no verdict: exit status 1."""
    if missing and rc == 0:
        print(f"fstests-report: incomplete, parts {', '.join(missing)} missing")
        return 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
