#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make profile's report: where the kernel's time goes in each stream.

Reads readprofile's count per function of each pass (results/e2e/profile/
TEST,MODE,REQUEST.txt, written by tools/e2e/init.sh's profile step) and
writes results/profile.md: for each test and request size, the functions
that take most of the uncached pass's samples, each with its share of
that pass's samples, and the same function's samples in the buffered and
O_DIRECT passes, all in samples of the kernel's timer tick (the guest's
HZ), summed over the repetitions.
"""
import argparse
import collections
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import settings  # noqa: E402  (lib.sh's paths)

ROWS = 12
LINE = re.compile(r'^\s*(\d+)\s+(\S+)\s+[\d.]+\s*$')


def read_profile(path):
    """{function: samples}, and the total readprofile prints."""
    counts, total = {}, None
    with open(path) as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            if m.group(2) == 'total':
                total = int(m.group(1))
            else:
                counts[m.group(2)] = int(m.group(1))
    if total is None:
        sys.exit(f'profile_report.py: {path}: no total line (not readprofile output?)')
    return counts, total


def report(folder):
    passes = collections.defaultdict(dict)
    for name in sorted(os.listdir(folder)):
        if not name.endswith('.txt'):
            continue
        test, mode, req = name[:-4].split(',')
        passes[(test, int(req))][mode] = read_profile(os.path.join(folder, name))
    if not passes:
        sys.exit(f'profile_report.py: no profiles in {folder} (run make profile)')
    out = ['# Where the kernel\'s time goes (make profile)', '',
           'Samples of the kernel\'s timer tick (CONFIG_PROFILING, profile=2) during each',
           'pass of the bench\'s sequential streams on XFS, summed over the repetitions; a',
           'function\'s share is of its pass\'s samples.  "x buffered": the pass\'s samples',
           'over the buffered pass\'s.', '']
    for (test, req), modes in sorted(passes.items()):
        if 'uncached' not in modes:
            continue
        counts, total = modes['uncached']
        others = [m for m in ('buffered', 'direct') if m in modes]
        head = f'## {test}, {req // 1024} KiB calls: uncached {total} samples'
        if 'buffered' in modes and modes['buffered'][1]:
            head += f' ({total / modes["buffered"][1]:.2f} x buffered)'
        out += [head, '',
                '| function | uncached | ' + ' | '.join(others) + ' |',
                '| --- | ---: | ' + ' | '.join('---:' for _ in others) + ' |']
        for fn, n in sorted(counts.items(), key=lambda kv: -kv[1])[:ROWS]:
            row = [f'`{fn}`', f'{n} ({100.0 * n / total:.1f}%)']
            for m in others:
                oc, ot = modes[m]
                row.append(f'{oc.get(fn, 0)} ({100.0 * oc.get(fn, 0) / ot:.1f}%)' if ot else '0')
            out.append('| ' + ' | '.join(row) + ' |')
        out.append('')
    return '\n'.join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--folder', default=settings.get('E2E_RESULTS') + '/profile',
                    help='readprofile\'s output per pass (default: E2E_RESULTS/profile)')
    ap.add_argument('--out', default=settings.get('RESULTS') + '/profile.md')
    args = ap.parse_args()
    text = report(args.folder)
    with open(args.out, 'w') as f:
        f.write(text + '\n')
    print(text)
    print(f'\nresults: {args.out}')


if __name__ == '__main__':
    main()
