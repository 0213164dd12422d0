#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Progress of a kernel build: kbuild's output on standard input, all of it
to LOG, and on standard error one line of progress (objects compiled, of
how many the last complete build of that folder had, and the time so far):
on a terminal one line that updates, otherwise a line at most every
--every seconds.  With --count FILE, the number of objects of a complete
build is read from FILE and, at the end, written back to it.

    make ... 2>&1 | progress.py --log build.log --what 'UML kernel' --count B/.objects
"""
import argparse
import os
import re
import sys
import time
from typing import Optional, TextIO

# kbuild's quiet lines for a compiled object ("  CC      fs/iomap/buffered-io.o").
OBJECT = re.compile(r'^\s+(CC|AS|CC \[M\]|HOSTCC|LD \[M\])\s+\S+\.o$')


def read_count(path: Optional[str]) -> Optional[int]:
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (TypeError, OSError, ValueError, IndexError):
        return None


def elapsed(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f'{m}m{s:02d}s' if m else f'{s}s'


class Progress:
    def __init__(self, what: str, total: Optional[int], every: float, out: TextIO):
        self.what, self.total, self.every, self.out = what, total, every, out
        self.tty = out.isatty()
        self.t0 = time.monotonic()
        self.shown = self.t0
        self.objects = 0

    def line(self, done: bool = False) -> str:
        of = f' of ~{self.total}' if self.total and self.objects <= self.total else ''
        return (f'{self.what}: {self.objects}{of} objects compiled, '
                f'{"done in " if done else ""}{elapsed(time.monotonic() - self.t0)}')

    def update(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.tty and (force or now - self.shown >= 0.2):
            self.out.write('\r\033[K' + self.line())
        elif not self.tty and (force or now - self.shown >= self.every):
            self.out.write(self.line() + '\n')
        else:
            return
        self.out.flush()
        self.shown = now

    def done(self) -> None:
        if self.tty:
            self.out.write('\r\033[K')
        self.out.write(self.line(done=True) + '\n')
        self.out.flush()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--log', required=True, help='where all of the output goes')
    parser.add_argument('--what', default='build', help='what is being built')
    parser.add_argument('--count', help='the object count of a complete build')
    parser.add_argument('--every', type=float, default=30,
                        help='seconds between lines when not on a terminal')
    args = parser.parse_args(argv)

    progress = Progress(args.what, read_count(args.count), args.every, sys.stderr)
    with open(args.log, 'w') as log:
        for line in sys.stdin:
            log.write(line)
            if OBJECT.match(line.rstrip('\n')):
                progress.objects += 1
            progress.update()
    progress.done()
    if args.count and progress.objects > (progress.total or 0):
        with open(args.count, 'w') as f:
            f.write(f'{progress.objects}\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
