#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""FSTESTS_SHARD=i/n: the part of an fstests run that machine i of n runs.

    fstests_shard.py SRC i/n SECTIONS ARG...

ARGs are fstests check's: test names, "-g GROUP[,GROUP]" and "-x
GROUP[,GROUP]".  A group is expanded as check does, from the built
fstests in SRC (tests/DIR/group.list), over generic/ and the folder of
each section's filesystem (SECTIONS: "xfs ext4"); -x removes its groups'
tests.  The tests are sorted and every n-th from the i-th is printed,
space-separated: the parts of one list are disjoint and together are the
list.  Exit status 1 on a usage error, an unknown group or an empty part.
"""
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


def main() -> int:
    if len(sys.argv) < 5:
        print(__doc__, file=sys.stderr)
        return 1
    src, shard, sections, args = Path(sys.argv[1]), sys.argv[2], sys.argv[3].split(), sys.argv[4:]
    try:
        i, n = (int(x) for x in shard.split("/"))
    except ValueError:
        i = n = 0
    if not 1 <= i <= n:
        sys.exit(f"fstests_shard.py: FSTESTS_SHARD={shard}: not i/n with 1 <= i <= n")
    part = expand(src, sections, args)[i - 1::n]
    if not part:
        sys.exit(f"fstests_shard.py: part {shard} of those tests is empty")
    print(" ".join(part))
    return 0


if __name__ == "__main__":
    sys.exit(main())
