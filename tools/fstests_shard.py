#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""FSTESTS_SHARD=i/n: the part of an fstests run that machine i of n runs.

    fstests_shard.py SRC i/n SECTION ARG...     the part, for check -s SECTION
    fstests_shard.py --id SRC SECTIONS ARG...   a hash of the whole lists

ARGs are fstests check's: test names, "-g GROUP[,GROUP]" and "-x
GROUP[,GROUP]".  A group is expanded as check expands it for a section:
from the built fstests in SRC (tests/DIR/group.list), over generic/ and
the section's filesystem's folder; -x removes its groups' tests.  A name
given as is runs in the section as check would run it.  The tests are
sorted and every n-th from the i-th is printed, space-separated: the
parts of one list are disjoint and together are the list.  --id prints
one hash of every section's whole list, which the parts of one run
share.  Exit status 1 on a usage error, an unknown group, a list with
nothing selected or an empty part.
"""
import hashlib
import sys
from pathlib import Path


def groups(src: Path, folders: list[str]) -> dict[str, set[str]]:
    """{group: {dir/NNN}} from the built group lists of those folders."""
    found: dict[str, set[str]] = {}
    for d in folders:
        listing = src / "tests" / d / "group.list"
        if not listing.is_file():
            sys.exit(f"fstests_shard.py: no {listing}: fstests is not built")
        for line in listing.read_text().splitlines():
            words = line.split("#")[0].split()
            if len(words) < 2:
                continue
            for g in words[1:]:
                found.setdefault(g, set()).add(f"{d}/{words[0]}")
    return found


def expand(src: Path, sections: list[str], args: list[str]) -> list[str]:
    by_group = groups(src, ["generic", *sections])
    tests: set[str] = set()
    excluded: set[str] = set()
    it = iter(args)
    for a in it:
        if a in ("-g", "-x"):
            names = next(it, None)
            if names is None:
                sys.exit(f"fstests_shard.py: {a} needs a group")
            for g in names.split(","):
                if g not in by_group:
                    sys.exit(f"fstests_shard.py: no group '{g}' in {src}/tests")
                (tests if a == "-g" else excluded).update(by_group[g])
        elif a.startswith("-"):
            sys.exit(f"fstests_shard.py: FSTESTS_SHARD takes test names, -g and -x, not {a}")
        else:
            tests.add(a)
    return sorted(tests - excluded)


def whole(src: Path, section: str, args: list[str]) -> list[str]:
    tests = expand(src, [section], args)
    if not tests:
        sys.exit(f"fstests_shard.py: {' '.join(args)} selects no test for {section}")
    return tests


def main() -> int:
    if len(sys.argv) >= 5 and sys.argv[1] == "--id":
        src, sections, args = Path(sys.argv[2]), sys.argv[3].split(), sys.argv[4:]
        text = "\n".join(f"{sec}: {' '.join(whole(src, sec, args))}" for sec in sections)
        print(hashlib.sha256(text.encode()).hexdigest()[:16])
        return 0
    if len(sys.argv) < 5:
        print(__doc__, file=sys.stderr)
        return 1
    src, shard, section, args = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
    try:
        i, n = (int(x) for x in shard.split("/"))
    except ValueError:
        i = n = 0
    if not 1 <= i <= n:
        sys.exit(f"fstests_shard.py: FSTESTS_SHARD={shard}: not i/n with 1 <= i <= n")
    part = whole(src, section, args)[i - 1::n]
    if not part:
        sys.exit(f"fstests_shard.py: part {shard} of {section}'s tests is empty")
    print(" ".join(part))
    return 0


if __name__ == "__main__":
    sys.exit(main())
