#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The cover letter: git format-patch's template filled with the intro and
a Testing paragraph from make check's gates (gates.json), make bisect's
verdict and make fstests-ab's summary; the description is printed too.

Fails (exit 1) if make check did not pass or a gate the paragraph needs
is missing, or make bisect or make fstests-ab did not pass: a cover
letter never claims what was not run.
"""
import argparse
import datetime
import json
import sys
from pathlib import Path

# Gate, and how the paragraph introduces its last line.
LINES = (
    ("suites", "KUnit under UML (kunit.py, gcov)"),
    ("x86_64", "KUnit in an x86_64 kernel under QEMU (large folios, two CPUs), and its mutants"),
    ("debug", "KUnit under KASAN, lockdep, DEBUG_VM and the other debug checkers, none reporting"),
    ("diff-coverage", "coverage of the lines the series adds"),
    ("mutants", "hand-written mutants of the series, each to be killed by the case it names"),
    ("e2e", "XFS and ext4 in a UML machine (our programs, device faults, io_uring)"),
    ("fstests", "fstests of tools/fstests/check.list (fsx and fsstress use the flag) on XFS and ext4"),
)


def date_of(path: Path) -> str:
    return datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.timezone.utc).strftime("%F")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gates", type=Path, help="make check's results/gates.json")
    parser.add_argument("intro", type=Path, help="subject line, blank line, paragraphs")
    parser.add_argument("machine", help="the machine the results were measured on")
    parser.add_argument("letter", type=Path,
                        help="git format-patch's 0000-cover-letter.patch, whose template "
                        "this fills (Debian's git 2.39 has no --description-file)")
    parser.add_argument("--fstests-ab", type=Path, help="make fstests-ab's summary.txt")
    parser.add_argument("--bisect", type=Path, help="make bisect's summary")
    args = parser.parse_args()
    check = json.loads(args.gates.read_text())
    gates = {g["name"]: g for g in check["gates"]}
    failed = [g["name"] for g in check["gates"] if g["verdict"] != "pass"]
    if check.get("verdict") != "pass" or failed:
        print(f"cover_letter: make check did not pass ({', '.join(failed) or 'no verdict'}): "
              "no Testing paragraph claims it", file=sys.stderr)
        return 1
    missing = [name for name, _ in LINES if name not in gates]
    if missing:
        print(f"cover_letter: {args.gates} has no {', '.join(missing)} gate", file=sys.stderr)
        return 1
    out = [args.intro.read_text().rstrip("\n"), "",
           f"Testing (make check of the sandbox, {date_of(args.gates)}, {args.machine}):"]
    for name, what in LINES:
        out.append(f"- {what}: {gates[name]['figures']}")
    if args.bisect:
        verdict = args.bisect.read_text().strip()
        if not verdict.endswith(" 0 failures"):
            print(f"cover_letter: {args.bisect} is not a passing make bisect ({verdict or 'empty'})",
                  file=sys.stderr)
            return 1
        out.append(f"- each patch builds and passes the plumbing suite, no new W=1 or sparse "
                   f"warnings (make bisect, {date_of(args.bisect)}): {verdict}")
    else:
        out.append("- each patch built and tested: not run on this series (make bisect)")
    if args.fstests_ab:
        ab = args.fstests_ab.read_text().splitlines()
        if not ab or ab[-1] != "fstests-ab: no regressions":
            print(f"cover_letter: {args.fstests_ab} is not a passing make fstests-ab "
                  f"({ab[-1] if ab else 'empty'})", file=sys.stderr)
            return 1
        out.append(f"- fstests against the pristine kernel, the same tests and disks "
                   f"(make fstests-ab, {date_of(args.fstests_ab)}):")
        out += ["  " + line.strip() for line in ab[:-1] if line.strip()]
    else:
        out.append("- fstests against the pristine kernel: not run on this series (make fstests-ab)")
    text = args.letter.read_text()
    if "*** SUBJECT HERE ***" not in text or "*** BLURB HERE ***" not in text:
        print(f"cover_letter: {args.letter} is not git format-patch's template", file=sys.stderr)
        return 1
    subject, _, body = "\n".join(out).partition("\n\n")
    args.letter.write_text(text.replace("*** SUBJECT HERE ***", subject.strip())
                           .replace("*** BLURB HERE ***", body))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
