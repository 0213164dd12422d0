#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A page flag in enum pageflags that a large folio's split does not copy
to the parts.

__split_huge_page_tail() (mm/huge_memory.c) gives each part the flags on
its list and no others, so a flag a change adds and leaves off it is lost
by every split: RWF_DONTCACHE's PG_dropbehind was, and the parts of a
marked folio that truncation or reclaim split stayed cached.  A flag that
must not be copied says so on its line in the enum ("not copied on
split", and why).  Run by tools/rules.sh, which counts a report only on a
line the change adds: the kernel's own flags are not judged.

  split-copies-page-flags.py TREE
      prints "include/linux/page-flags.h:LINE:0: message" per flag
"""
import os
import re
import sys

FLAGS = 'include/linux/page-flags.h'
SPLIT = 'mm/huge_memory.c'


def main() -> None:
    tree = sys.argv[1]
    if not os.path.exists(f'{tree}/{FLAGS}'):
        return  # a tree without page flags (the tools' fake trees)
    with open(f'{tree}/{FLAGS}') as f:
        lines = f.read().split('\n')
    with open(f'{tree}/{SPLIT}') as f:
        split = f.read()
    body = re.search(r'^static void __split_huge_page_tail\(.*?^}', split, re.M | re.S)
    if not body:
        sys.exit(f'{SPLIT}: no __split_huge_page_tail()')
    copied = set(re.findall(r'1L << (PG_\w+)', body.group(0)))
    start = next(i for i, ln in enumerate(lines) if ln.startswith('enum pageflags {'))
    for i in range(start + 1, len(lines)):
        if lines[i].startswith('};'):
            break
        m = re.match(r'\s*(PG_\w+)\s*[,=]', lines[i])
        if m and m.group(1) not in copied and 'not copied on split' not in lines[i]:
            print(f'{FLAGS}:{i + 1}:0: {m.group(1)} is not copied to the parts when a '
                  f'large folio is split (__split_huge_page_tail() in {SPLIT})')


if __name__ == '__main__':
    main()
