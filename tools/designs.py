#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The design comparison matrix (make designs): rows are properties, each
a named group of KUnit cases; columns are the designs; a cell passes when
every case of the group passed, and otherwise names the failed cases.
Then the benchmark's figures per design, when DESIGNS_BENCH=1 ran it.

  designs.py RESULTS_DESIGNS
      reads RESULTS_DESIGNS/NAME/kunit.json (and NAME/e2e/bench.csv),
      prints the matrix, writes RESULTS_DESIGNS/../designs.md and
      designs.json"""
import argparse
import fnmatch
import json
import os
import statistics
import sys
from typing import Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'e2e'))
import bench_report  # noqa: E402  (the one reader of the benchmark's CSV)
import kunit_results  # noqa: E402  (the one reader of kunit.json)

ORDER = ('ours', '2019-per-page', 'dropbehind', 'write-behind', 'start-under-lock')
# Each property: its name, and the globs of the cases (suite.case[.param])
# that prove it.
PROPERTIES = [
    ('no write through a stale mapping', [
        'uncached_staleness.stale_cookie_detected_and_remapped',
        'uncached_staleness.write_spanning_mappings']),
    ('no writeback while a mapping is in use', [
        'uncached_staleness.large_write_one_mapping',
        'uncached_staleness.next_write_maps_after_writeback']),
    ('page cache bounded by the chunk, not the call', [
        'uncached_staleness.large_write_in_chunks.*']),
    ('writeback error returned by the write', [
        'uncached_writeback_error.writeback_error_returned.*',
        'uncached_writeback_error.async_writeback_error_waited_for.*',
        'uncached_writeback_error.error_in_second_mapping',
        'uncached_writeback_error.error_seen_by_other_fsync_still_fails.*',
        'uncached_writeback_error.failed_write_ki_pos_past_copied.*']),
    ('writeback error returned, and still reported to fsync() of every file', [
        'uncached_writeback_error.later_fsync_reports_error.*']),
    ('an error reported once is not returned again', [
        'uncached_writeback_error.reported_error_does_not_fail_clean_write.*',
        'uncached_writeback_error.retry_after_fault_clears']),
    ('nothing cached when the write returns', [
        'uncached_invalidation.nothing_cached_nothing_left.*',
        'uncached_invalidation.unaligned_nothing_left.*']),
    ('nothing cached at return, writeback completing later', [
        'uncached_invalidation.nothing_cached_async_writeback.*']),
    ('pre-cached folios kept, and clean when the write returns', [
        'uncached_invalidation.precached_folio_in_any_state.*',
        'uncached_invalidation.cached_neighbours_not_counted.*',
        'uncached_writeback_error.redirtied_folio_kept.*']),
    ('genuine ENOMEM returned, not retried', [
        'uncached_enomem_fallback.enomem_returns_error.*',
        'uncached_enomem_fallback.enomem_midway_is_short_write']),
    ('not cached: one plain fallback per folio', [
        'uncached_enomem_fallback.not_cached_falls_back_once_per_folio',
        'uncached_enomem_fallback.half_cached_half_not']),
    ('read drops only what it created', ['uncached_read.*']),
    ('O_DIRECT fallbacks never left dirty', [
        'uncached_writeback_error.direct_uncached_never_dirty.*']),
    ('the promise over the generated space (the model)', ['uncached_model.*']),
    ('races: no error lost, no torn page', ['uncached_race.*']),
    ('fault sweep: clean errors, nothing leaked', ['uncached_fault_sweep.*']),
    ('flag plumbing and opt-in', ['uncached_plumbing.*']),
]


def load_cases(path: str) -> Optional[dict]:
    try:
        root = kunit_results.load(path)
    except (OSError, ValueError):
        return None
    return {name: kunit_results.verdict(status)
            for _, suite in kunit_results.suites(root) for name, status in suite}


def cell(cases: Optional[dict], globs: list) -> dict:
    if cases is None:
        return {'verdict': 'no result', 'failed': []}
    names = [n for n in cases if any(fnmatch.fnmatchcase(n, g) for g in globs)]
    if not names:
        return {'verdict': 'no case ran', 'failed': []}
    failed = sorted(n for n in names if cases[n] == 'FAIL')
    return {'verdict': 'fail' if failed else 'pass', 'failed': failed, 'cases': len(names)}


def bench(path: str) -> Optional[dict]:
    """The uncached figures of a design's benchmark, medians."""
    if not os.path.exists(path):
        return None
    data = bench_report.load(path)

    def med(test, req, metric, mode='uncached'):
        return statistics.median(data.get((test, req, metric, mode), [float('nan')]))

    def ratio(test, req, metric='MB/s', base='buffered'):
        return med(test, req, metric) / med(test, req, metric, base)
    peak = [k for k in data if k[0] == 'peak']
    return {
        'write x buffered, 1 MiB': ratio('seqwrite', 1 << 20),
        'write x buffered, 64 KiB': ratio('seqwrite', 64 << 10),
        'read x buffered, 1 MiB': ratio('seqread', 1 << 20),
        'read x buffered, 64 KiB': ratio('seqread', 64 << 10),
        'file cached after the write, %': med('seqwrite', 1 << 20, 'file cached %'),
        'hot file kept, write / read, %': '%.0f / %.0f' % (
            med('workset', 1 << 20, 'hot cached after write %'),
            med('workset', 1 << 20, 'hot cached after read %')),
        'peak cache in one call, MiB': med('peak', peak[0][1], 'peak cached MiB') if peak else float('nan'),
        'one writer, call p99.9, ms, 1 MiB': med('latency', 1 << 20, 'write p99.9 ms'),
        'one writer, call p99.9 x O_DIRECT, 1 MiB / 64 KiB': '%.2f / %.2f' % tuple(
            ratio('latency', r, 'write p99.9 ms', 'direct') for r in (1 << 20, 64 << 10)),
        'one writer, peak Dirty+Writeback, MiB': med('latency', 1 << 20,
                                                     'peak Dirty+Writeback MiB'),
        'four writers x buffered': ratio('writers-4', 1 << 20),
        '32 files at once x buffered': ratio('writers-32', 1 << 20),
        'same-file reader p99 x next to a buffered writer': ratio(
            'samefile', 64 << 10, 'reader p99 ms'),
        'two writers of one file x buffered': ratio('twowriters', 1 << 20),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('results_designs', help='the folder with a NAME/kunit.json per design')
    top = parser.parse_args().results_designs
    designs = [d for d in ORDER if os.path.isdir(os.path.join(top, d))]
    designs += sorted(d for d in os.listdir(top) if d not in designs and
                      os.path.isdir(os.path.join(top, d)))
    cases = {d: load_cases(os.path.join(top, d, 'kunit.json')) for d in designs}
    matrix = []
    for name, globs in PROPERTIES:
        matrix.append({'property': name, 'cases': globs,
                       'designs': {d: cell(cases[d], globs) for d in designs}})
    named = {n for _, g in PROPERTIES for d in designs if cases[d]
             for n in cases[d] if any(fnmatch.fnmatchcase(n, x) for x in g)}
    others = sorted({n for d in designs if cases[d] for n in cases[d]} - named)
    if others:
        matrix.append({'property': 'every other case', 'cases': others,
                       'designs': {d: cell(cases[d], others) for d in designs}})
    benches = {d: bench(os.path.join(top, d, 'e2e', 'bench.csv')) for d in designs}

    def text(c: dict) -> str:
        if c['verdict'] != 'fail':
            return c['verdict']
        shown = ', '.join(n.split('.', 1)[1] for n in c['failed'][:2])
        more = len(c['failed']) - 2
        return f"FAIL: {shown}" + (f' (+{more})' if more > 0 else '')

    lines = ['| property | ' + ' | '.join(designs) + ' |',
             '| --- |' + ' --- |' * len(designs)]
    for row in matrix:
        lines.append(f"| {row['property']} | " +
                     ' | '.join(text(row['designs'][d]) for d in designs) + ' |')
    if any(benches.values()):
        lines += ['', '| benchmark (uncached, medians) | ' + ' | '.join(designs) + ' |',
                  '| --- |' + ' --- |' * len(designs)]
        keys = next(b for b in benches.values() if b).keys()
        for k in keys:
            vals = []
            for d in designs:
                v = benches[d][k] if benches[d] else None
                vals.append('-' if v is None else (v if isinstance(v, str) else f'{v:.2f}'))
            lines.append(f'| {k} | ' + ' | '.join(vals) + ' |')
    out = os.path.dirname(os.path.abspath(top))
    with open(os.path.join(out, 'designs.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(os.path.join(out, 'designs.json'), 'w') as f:
        json.dump({'designs': designs, 'matrix': matrix, 'benchmark': benches}, f, indent=1)
    print('\n'.join(lines))
    print(f"\nresults: {out}/designs.md, {out}/designs.json")


if __name__ == '__main__':
    main()
