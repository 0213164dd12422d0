#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench's report: the e2e machine's measurements
(results/e2e/bench.csv: rep,test,mode,request,metric,value) as medians
with their spread (min-max over the repetitions) and ratios to buffered
I/O measured in the same run; a table on the terminal, results/bench.csv,
results/bench.png (gnuplot), and the targets of the benchmark, reported,
not asserted."""
import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import settings  # noqa: E402  (lib.sh's paths: DEBUG=1's results/debug too)

RESULTS = settings.get('RESULTS')
RAW = settings.get('E2E_RESULTS') + '/bench.csv'
MODES = ('buffered', 'uncached', 'direct')
# Metrics where a smaller figure is better do not need a different ratio:
# every ratio is mode / buffered.


def machine() -> str:
    cpu = 'unknown CPU'
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    mem = settings.get('E2E_MEM')
    return (f'{platform.node()}: {cpu}, {os.cpu_count()} cores, host kernel '
            f'{platform.release()}; guest: UML 6.12 + the series, mem={mem}, '
            'XFS on a ubd disk backed by a sparse host file')


def load(path: str) -> dict:
    data = defaultdict(list)
    with open(path) as f:
        for row in csv.reader(f):
            if len(row) != 6:
                continue
            rep, test, mode, req, metric, value = row
            data[(test, int(req), metric, mode)].append(float(value))
    if not data:
        sys.exit(f'bench_report: no measurements in {path}')
    return data


def verdict(target: str, ok: bool) -> str:
    if target.startswith('('):
        return ''
    return 'met' if ok else 'NOT met'


def human(req: int) -> str:
    return f'{req >> 20} MiB' if req >= 1 << 20 else f'{req >> 10} KiB'


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        epilog='lib.sh says where the files are (RESULTS, E2E_RESULTS; DEBUG=1: '
        'the debug machine\'s).').parse_args()
    data = load(RAW)
    reps = max(len(v) for v in data.values())
    rows = []
    for (test, req, metric) in sorted({k[:3] for k in data}, key=lambda k: (k[0], -k[1], k[2])):
        base = data.get((test, req, metric, 'buffered'))
        base_med = statistics.median(base) if base else None
        for mode in MODES:
            vals = data.get((test, req, metric, mode))
            if not vals:
                continue
            med = statistics.median(vals)
            ratio = med / base_med if base_med else None
            rows.append(dict(test=test, request=req, metric=metric, mode=mode,
                             median=med, min=min(vals), max=max(vals), n=len(vals),
                             ratio=ratio))

    out = os.path.join(RESULTS, 'bench.csv')
    with open(out, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)

    print(f'Benchmark, {reps} repetitions, medians (min-max), ratio to buffered in the same run')
    print(machine())
    print(f"{'test':9} {'request':8} {'metric':26} {'mode':9} {'median':>9} {'spread':>19} {'x buffered':>10}")
    for r in rows:
        spread = f"{r['min']:.4g}-{r['max']:.4g}"
        ratio = '' if r['ratio'] is None else f"{r['ratio']:.2f}x"
        size = human(r['request'])
        print(f"{r['test']:9} {size:8} {r['metric']:26} {r['mode']:9} "
              f"{r['median']:9.4g} {spread:>19} {ratio:>10}")

    def med(test: str, req: int, metric: str, mode: str) -> float:
        v = data.get((test, req, metric, mode))
        return statistics.median(v) if v else float('nan')

    def ratio(test: str, req: int, metric: str, mode: str, base: str) -> float:
        return med(test, req, metric, mode) / med(test, req, metric, base)

    size = max(k[1] for k in data if k[0] == 'peak')
    chunk_mib = 8
    targets = [
        ('uncached footprint after a write, % of the bytes written', '<= 1',
         max(med('seqwrite', r, 'file cached %', 'uncached') for r in (1 << 20, 64 << 10)),
         lambda v: v <= 1),
        (f'peak cache during one {human(size)} uncached call, MiB', f'<= {chunk_mib} (the chunk)',
         med('peak', size, 'peak cached MiB', 'uncached'), lambda v: v <= chunk_mib),
        ('hot file still cached after uncached streaming, %', '>= 90',
         min(med('workset', 1 << 20, f'hot cached after {p} %', 'uncached')
             for p in ('write', 'read')), lambda v: v >= 90),
        ('hot file still cached after buffered streaming, %', '(reported)',
         min(med('workset', 1 << 20, f'hot cached after {p} %', 'buffered')
             for p in ('write', 'read')), lambda v: True),
        ('uncached read throughput, cold file, x buffered', '>= 0.9',
         min(med('seqread', r, 'MB/s', 'uncached') / med('seqread', r, 'MB/s', 'buffered')
             for r in (1 << 20, 64 << 10)), lambda v: v >= 0.9),
        ('the same on ext4, x buffered', '>= 0.9',
         min(med('seqread-ext4', r, 'MB/s', 'uncached') /
             med('seqread-ext4', r, 'MB/s', 'buffered')
             for r in (1 << 20, 64 << 10)), lambda v: v >= 0.9),
        ('uncached read system CPU, x buffered (XFS, ext4)', '<= 1.0',
         max(med(t, r, 'system CPU s', 'uncached') / med(t, r, 'system CPU s', 'buffered')
             for t in ('seqread', 'seqread-ext4') for r in (1 << 20, 64 << 10)),
         lambda v: v <= 1.0),
        ('uncached write throughput, x buffered', '>= 1.0',
         min(med('seqwrite', r, 'MB/s', 'uncached') / med('seqwrite', r, 'MB/s', 'buffered')
             for r in (1 << 20, 64 << 10)), lambda v: v >= 1.0),
        ('four uncached writers, aggregate MB/s, x buffered', '>= 0.9',
         ratio('writers-4', 1 << 20, 'MB/s', 'uncached', 'buffered'), lambda v: v >= 0.9),
        ('32 files written uncached at once, MB/s, x buffered', '(reported)',
         ratio('writers-32', 1 << 20, 'MB/s', 'uncached', 'buffered'), lambda v: True),
        ('same-file reader p99 next to an uncached writer, x buffered writer', '<= 2',
         ratio('samefile', 64 << 10, 'reader p99 ms', 'uncached', 'buffered'),
         lambda v: v <= 2),
        ('one uncached writer p99.9, x O_DIRECT at the same request', '<= 1.0',
         max(ratio('latency', r, 'write p99.9 ms', 'uncached', 'direct')
             for r in (1 << 20, 64 << 10)), lambda v: v <= 1.0),
        ('two uncached writers of one file, MB/s, x buffered', '(reported)',
         ratio('twowriters', 1 << 20, 'MB/s', 'uncached', 'buffered'), lambda v: True),
        ('peak Dirty+Writeback of one uncached writer, x buffered', '(reported)',
         max(ratio('latency', r, 'peak Dirty+Writeback MiB', 'uncached', 'buffered')
             for r in (1 << 20, 64 << 10)), lambda v: True),
        ('random 4 KiB reads, device KiB per call, x buffered (XFS, ext4)', '<= 1.1',
         max(ratio(t, 4096, 'device KiB per call', 'uncached', 'buffered')
             for t in ('random', 'random-ext4')), lambda v: v <= 1.1),
        ('random 4 KiB reads, IOPS, x buffered (XFS, ext4)', '>= 0.9',
         min(ratio(t, 4096, 'IOPS', 'uncached', 'buffered')
             for t in ('random', 'random-ext4')), lambda v: v >= 0.9),
        ('io_uring, depth 8, sequential MB/s, x buffered', '>= 0.9',
         ratio('uring-seq', 128 << 10, 'MB/s', 'uncached', 'buffered'), lambda v: v >= 0.9),
        ('io_uring, depth 8, random IOPS, x buffered', '(reported)',
         ratio('uring-random', 4096, 'IOPS', 'uncached', 'buffered'), lambda v: True),
        # [R1]: what stays is at most twice the readahead size (128 KiB in
        # the guest) and a page past each reader, of a 64 MiB file.
        ('file cached after uncached random reads, % (XFS, ext4)', '<= 0.4 ([R1], one reader)',
         max(med(t, 4096, 'file cached %', 'uncached') for t in ('random', 'random-ext4')),
         lambda v: v <= 0.4),
        ('file cached after io_uring uncached reads, %', '<= 3.2 ([R1], 8 readers)',
         max(med('uring-seq', 128 << 10, 'file cached %', 'uncached'),
             med('uring-random', 4096, 'file cached %', 'uncached')), lambda v: v <= 3.2),
    ]
    print('\nTargets (measured, not asserted; the worst of the request sizes):')
    for name, target, value, ok in targets:
        print(f"  {name:58} {value:8.2f}  target {target:18} {verdict(target, ok(value))}")
    with open(os.path.join(RESULTS, 'bench-targets.txt'), 'w') as f:
        f.write(machine() + '\n')
        for name, target, value, ok in targets:
            f.write(f"{name}\t{value:.2f}\t{target}\t{verdict(target, ok(value))}\n")
    write_markdown(data, targets, reps)
    plot(data)
    print(f'\nresults: {out}, {RESULTS}/bench.md, {RESULTS}/bench.png, raw: {RAW}')


def write_markdown(data: dict, targets: list, reps: int) -> None:
    """results/bench.md: the table README keeps a dated copy of."""
    def cell(test: str, req: int, metric: str, mode: str) -> str:
        vals = data.get((test, req, metric, mode))
        if not vals:
            return '-'
        med = statistics.median(vals)
        base = data.get((test, req, metric, 'buffered'))
        ratio = f', {med / statistics.median(base):.2f}x' if mode != 'buffered' and base else ''
        return f'{med:.4g} ({min(vals):.4g}-{max(vals):.4g}){ratio}'

    lines = [f'`make bench` on {time.strftime("%Y-%m-%d")}, {reps} repetitions, medians '
             f'(min-max), x buffered in the same run; {machine()}', '',
             '| | request | ' + ' | '.join(MODES) + ' |', '| --- | --- |' + ' --- |' * len(MODES)]
    both, mib, kib = (1 << 20, 64 << 10), (1 << 20,), (64 << 10,)
    for test, metric, what, reqs in (
            ('seqwrite', 'MB/s', 'write, MB/s', both),
            ('seqread', 'MB/s', 'read, cold, MB/s', both),
            ('seqwrite', 'system CPU s', 'write 1 GiB, system CPU s', both),
            ('seqread', 'system CPU s', 'read 1 GiB, system CPU s', both),
            ('seqread-ext4', 'MB/s', 'ext4 read, cold, MB/s', both),
            ('seqread-ext4', 'system CPU s', 'ext4 read 1 GiB, system CPU s', both),
            ('latency', 'write p50 ms', 'one writer, call p50, ms', both),
            ('latency', 'write p99 ms', 'one writer, call p99, ms', both),
            ('latency', 'write p99.9 ms', 'one writer, call p99.9, ms', both),
            ('latency', 'peak Dirty+Writeback MiB', 'one writer, peak Dirty+Writeback, MiB',
             both),
            ('writers-4', 'MB/s', 'four writers, a file each, MB/s', mib),
            ('writers-32', 'MB/s', '32 files at once, MB/s', mib),
            ('samefile', 'reader p99 ms', 'same-file reader next to the writer, p99, ms',
             kib),
            ('samefile', 'writer MB/s', 'that writer, MB/s', kib),
            ('twowriters', 'MB/s', 'two writers of one file, MB/s', mib),
            ('twowriters', 'write p99 ms', 'two writers of one file, call p99, ms', mib),
            ('random', 'device KiB per call', 'random 4 KiB reads, device KiB per call', (4096,)),
            ('random', 'IOPS', 'random 4 KiB reads, IOPS', (4096,)),
            ('random', 'read p50 ms', 'random 4 KiB reads, p50, ms', (4096,)),
            ('random', 'read p99 ms', 'random 4 KiB reads, p99, ms', (4096,)),
            ('random', 'file cached %', 'random 4 KiB reads, file cached after, %', (4096,)),
            ('random-ext4', 'device KiB per call', 'ext4 random reads, device KiB per call',
             (4096,)),
            ('random-ext4', 'IOPS', 'ext4 random reads, IOPS', (4096,)),
            ('uring-seq', 'MB/s', 'io_uring depth 8, sequential, MB/s', (128 << 10,)),
            ('uring-seq', 'file cached %', 'io_uring depth 8, sequential, cached after, %',
             (128 << 10,)),
            ('uring-random', 'IOPS', 'io_uring depth 8, random 4 KiB, IOPS', (4096,)),
            ('uring-random', 'file cached %', 'io_uring depth 8, random, cached after, %',
             (4096,))):
        for req in reqs:
            lines.append(f'| {what} | {human(req)} | ' +
                         ' | '.join(cell(test, req, metric, m) for m in MODES) + ' |')
    lines += ['', '| target | measured | |', '| --- | --- | --- |']
    lines += [f'| {name} {target} | {value:.2f} | {verdict(target, ok(value))} |'
              for name, target, value, ok in targets]
    with open(os.path.join(RESULTS, 'bench.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


# One colour per mode, in every panel and every plot (designs.py too).
COLOURS = {'buffered': '#4d4d4d', 'uncached': '#7b3294', 'direct': '#e08214'}


def plot(data: dict) -> None:
    """Throughput ratios to buffered, and the hot file kept, as bars."""
    dat = os.path.join(RESULTS, 'bench-plot.dat')
    with open(dat, 'w') as f:
        f.write('# label uncached direct\n')
        for test in ('seqwrite', 'seqread'):
            for req in (1 << 20, 64 << 10):
                base = statistics.median(data[(test, req, 'MB/s', 'buffered')])
                vals = [statistics.median(data[(test, req, 'MB/s', m)]) / base
                        for m in ('uncached', 'direct')]
                f.write(f'"{test[3:]}\\n{human(req)}" {vals[0]:.3f} {vals[1]:.3f}\n')
        for test, label, req, metric in (
                ('writers-4', '4\\nwriters', 1 << 20, 'MB/s'),
                ('writers-32', '32\\nfiles', 1 << 20, 'MB/s'),
                ('twowriters', '2 writers,\\n1 file', 1 << 20, 'MB/s'),
                ('random', 'random 4K\\nIOPS', 4096, 'IOPS'),
                ('uring-seq', 'io_uring\\nseq', 128 << 10, 'MB/s'),
                ('uring-random', 'io_uring\\nrandom', 4096, 'IOPS')):
            base = statistics.median(data[(test, req, metric, 'buffered')])
            vals = [statistics.median(data[(test, req, metric, m)]) / base
                    for m in ('uncached', 'direct')]
            f.write(f'"{label}" {vals[0]:.3f} {vals[1]:.3f}\n')
    lat = os.path.join(RESULTS, 'bench-latency.dat')
    with open(lat, 'w') as f:
        f.write('# label buffered uncached direct (ms)\n')
        for label, test, req, metric in (
                ('writer p99.9\\n1 MiB calls', 'latency', 1 << 20, 'write p99.9 ms'),
                ('writer p99.9\\n64 KiB calls', 'latency', 64 << 10, 'write p99.9 ms'),
                ('same-file\\nreader p99', 'samefile', 64 << 10, 'reader p99 ms')):
            vals = [statistics.median(data[(test, req, metric, m)]) for m in MODES]
            f.write(f'"{label}" ' + ' '.join(f'{v:.4f}' for v in vals) + '\n')
    ws = os.path.join(RESULTS, 'bench-workset.dat')
    with open(ws, 'w') as f:
        f.write('# label buffered uncached direct\n')
        for p in ('write', 'read'):
            vals = [statistics.median(data[('workset', 1 << 20, f'hot cached after {p} %', m)])
                    for m in MODES]
            f.write(f'"after streaming\\n{p}s" ' + ' '.join(f'{v:.1f}' for v in vals) + '\n')
    title = ', '.join(machine().split(';')[0].split(': ', 1)[-1].split(', ')[:2]) + ', ' + time.strftime('%Y-%m-%d')
    script = f'''
set terminal pngcairo noenhanced size 1650,480
set output "{RESULTS}/bench.png"
set multiplot layout 1,3 title "RWF_UNCACHED on XFS in UML, medians: {title}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key outside top center horizontal
set tmargin 5
set bmargin 4
set xtics norotate
set grid ytics
set title "throughput"
set ylabel "x buffered in the same run"
set yrange [0:*]
plot "{dat}" using 2:xtic(1) title "uncached" lc rgb "{COLOURS['uncached']}", \\
     '' using 3 title "O_DIRECT" lc rgb "{COLOURS['direct']}", \\
     1 with lines lc rgb "{COLOURS['buffered']}" title "buffered"
set title "hot file (1/4 of RAM) after streaming 4x RAM"
set ylabel "still cached, %"
set yrange [0:105]
plot "{ws}" using 2:xtic(1) title "buffered" lc rgb "{COLOURS['buffered']}", \\
     '' using 3 title "uncached" lc rgb "{COLOURS['uncached']}", \\
     '' using 4 title "O_DIRECT" lc rgb "{COLOURS['direct']}"
set title "latency, by the writer's mode"
set ylabel "ms (log scale)"
set logscale y
set yrange [*:*]
plot "{lat}" using 2:xtic(1) title "buffered" lc rgb "{COLOURS['buffered']}", \\
     '' using 3 title "uncached" lc rgb "{COLOURS['uncached']}", \\
     '' using 4 title "O_DIRECT" lc rgb "{COLOURS['direct']}"
unset multiplot
'''
    try:
        subprocess.run(['gnuplot'], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f'bench_report: gnuplot failed ({e}); install gnuplot-nox')


if __name__ == '__main__':
    main()
