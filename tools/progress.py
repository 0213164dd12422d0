#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Progress of a kernel build or of a run of the suites: the output on
standard input, all of it to LOG, and on standard error one line of
progress, the time so far and, for a build, the objects compiled (of how
many the last complete build of that folder had), for --kunit the cases
passed, failed and skipped: on a terminal one line that updates,
otherwise a line at most every --every seconds.  With --count FILE, the
number of objects of a complete build is read from FILE and, at the end,
written back to it.  With --kunit, kunit.py's output is the input: its
listing of every case goes to LOG only; the rest (a failed case and what
it said, the counts, errors) to standard output as well.

    make ... 2>&1 | progress.py --log build.log --what 'UML kernel' --count B/.objects
    kunit.py exec ... 2>&1 | progress.py --kunit --log kunit.log --what 'the suites'
"""
import argparse
import re
import sys
import time
from typing import Optional, TextIO

# kbuild's quiet lines for a compiled object ("  CC      fs/iomap/buffered-io.o").
OBJECT = re.compile(r'^\s+(CC|AS|CC \[M\]|HOSTCC|LD \[M\])\s+\S+\.o$')
# kunit.py's lines for a case's result ("[04:05:06] [PASSED] name"), and
# the dividers around a suite or a parameterised case's results.
RESULT = re.compile(r'^\[[0-9:]+\] \[(PASSED|FAILED|CRASHED|SKIPPED|NO TESTS RUN)\] ')
DIVIDER = re.compile(r'^\[[0-9:]+\] =+( .* =+)?$')
LISTING = ('PASSED', 'SKIPPED', 'NO TESTS RUN')


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
    """One line of progress: a build's objects compiled."""

    def __init__(self, what: str, total: Optional[int], every: float, out: TextIO):
        self.what, self.total, self.every, self.out = what, total, every, out
        self.tty = out.isatty()
        self.t0 = time.monotonic()
        self.shown = self.t0
        self.objects = 0

    def counts(self) -> str:
        of = f' of ~{self.total}' if self.total and self.objects <= self.total else ''
        return f'{self.objects}{of} objects compiled'

    def line(self, done: bool = False) -> str:
        return (f'{self.what}: {self.counts()}, '
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

    def clear(self) -> None:
        """Before another line on the same terminal."""
        if self.tty:
            self.out.write('\r\033[K')
            self.out.flush()

    def done(self) -> None:
        self.clear()
        self.out.write(self.line(done=True) + '\n')
        self.out.flush()


class KunitProgress(Progress):
    """One line of progress: the cases passed, failed and skipped so far."""

    def __init__(self, *args):
        super().__init__(*args)
        self.seen = {'PASSED': 0, 'FAILED': 0, 'SKIPPED': 0}

    def counts(self) -> str:
        return (f'{self.seen["PASSED"]} passed, {self.seen["FAILED"]} failed, '
                f'{self.seen["SKIPPED"]} skipped')

    def result(self, status: str) -> None:
        self.seen[{'CRASHED': 'FAILED', 'NO TESTS RUN': 'SKIPPED'}.get(status, status)] += 1


def kunit(progress: KunitProgress, log: TextIO, out: TextIO) -> None:
    """kunit.py's output: all of it to log; what is not the listing of
    passed and skipped cases to out as well."""
    for line in sys.stdin:
        log.write(line)
        m = RESULT.match(line)
        if m:
            progress.result(m.group(1))
        if DIVIDER.match(line) or (m and m.group(1) in LISTING):
            progress.update()
            continue
        progress.clear()
        out.write(line)
        out.flush()
        progress.update(force=progress.tty)
    if sum(progress.seen.values()):
        progress.done()
    else:
        progress.clear()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--log', required=True, help='where all of the output goes')
    parser.add_argument('--what', default='build', help='what is being built')
    parser.add_argument('--count', help='the object count of a complete build')
    parser.add_argument('--every', type=float, default=30,
                        help='seconds between lines when not on a terminal')
    parser.add_argument('--kunit', action='store_true',
                        help="the input is kunit.py's: count cases, list them in LOG only")
    args = parser.parse_args(argv)

    try:
        with open(args.log, 'w', buffering=1) as log:
            if args.kunit:
                kunit(KunitProgress(args.what, None, args.every, sys.stderr), log, sys.stdout)
                return 0
            progress = Progress(args.what, read_count(args.count), args.every, sys.stderr)
            for line in sys.stdin:
                log.write(line)
                if OBJECT.match(line.rstrip('\n')):
                    progress.objects += 1
                progress.update()
    except KeyboardInterrupt:
        return 130
    progress.done()
    if args.count and progress.objects > (progress.total or 0):
        with open(args.count, 'w') as f:
            f.write(f'{progress.objects}\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
