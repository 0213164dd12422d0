#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The table of make upstream-bugs: for each bug planted in the
drop-behind model, what each gate saw that the model alone did not.

  upstream_bugs.py OUT GATE...
      reads OUT/model/GATE/ and OUT/BUG/GATE/ (kunit.json and ktap.log of
      the suites' gates; the rules' reports in the rules gate's run.log;
      rc, seconds and run.log of every gate) and each
      bug's header (OUT/BUG/bug.patch); prints the table, writes
      OUT/../upstream-bugs.md and upstream-bugs.json.  Exit status 1 if a
      bug is caught by no gate, or not by the cases its "Caught by:" names.
"""
import argparse
import json
import os
import re
import sys
from typing import Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kunit_results  # noqa: E402  (the one reader of kunit.json)

KUNIT_GATES = ('suites', 'debug')
# tools/rules.sh's report lines: "rule.NAME FILE:LINE: message".
RULE_REPORT = re.compile(r'^(rule\.[\w-]+) (\S+:\d+): (.*)$')


def read(path: str, default: str = '') -> str:
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


def header(patch: str) -> dict:
    """The bug's header fields: its title, and the globs of Caught by:."""
    text = read(patch)
    head = text.split('\ndiff --git', 1)[0]
    title = re.search(r'^Upstream bug: (.*)$', head, re.M)
    caught = re.search(r'^Caught by: (.*)$', head, re.M)
    globs = caught.group(1).split() if caught else []
    if globs[:1] == ['none']:
        globs = []
    return {'title': title.group(1) if title else '?', 'caught_by': globs}


def kunit_seen(d: str) -> Optional[dict]:
    """Failed cases and the cases with kernel reports of one KUnit gate,
    or None if it has no results (the build failed, the kernel crashed)."""
    try:
        root = kunit_results.load(os.path.join(d, 'kunit.json'))
    except (OSError, ValueError):
        return None
    try:
        with open(os.path.join(d, 'ktap.log'), errors='replace') as f:
            lines = f.read().splitlines()
    except OSError:
        lines = []
    reports = {}
    for case, block in kunit_results.reports(lines):
        first = next((ln.strip() for ln in block if kunit_results.REPORT.search(ln)), '')
        reports.setdefault(case, first)
    return {'failed': set(kunit_results.failed_cases(root)), 'reports': reports}


def rules_seen(d: str) -> dict:
    """The static rules that reported, each with its first report."""
    seen = {}
    for line in read(os.path.join(d, 'run.log')).splitlines():
        m = RULE_REPORT.match(line)
        if m:
            seen.setdefault(m.group(1), f'{m.group(2)}: {m.group(3)}')
    return seen


def judged(cell: dict, new: list, reports: dict, globs: list) -> dict:
    """The cell's verdict from what the gate saw that the model did not
    (new: cases or rules): caught through the ones the header names."""
    cell['by'] = [c for c in new if kunit_results.matches(c, globs)]
    cell['others'] = [c for c in new if c not in cell['by']]
    cell['reports'] = reports
    cell['caught'] = bool(cell['by'])
    cell['verdict'] = 'caught' if cell['caught'] else 'not caught'
    return cell


def gate_cell(top: str, bug: str, gate: str, globs: list) -> dict:
    """What one gate saw of a bug.  A KUnit gate catches it through the
    cases its header names (globs), as a mutant is killed: a failure, or
    a kernel report, in one of them that the model alone does not have.
    Other cases that fail only with the bug are listed, not counted (the
    model has nondeterministic cases of its own)."""
    d, m = os.path.join(top, bug, gate), os.path.join(top, 'model', gate)
    seconds = int(read(os.path.join(d, 'seconds'), '0') or 0)
    cell = {'seconds': seconds, 'caught': False, 'by': [], 'others': []}
    if not os.path.isdir(d):
        cell['verdict'] = 'not run'
        return cell
    if gate == 'rules':
        seen, base = rules_seen(d), rules_seen(m)
        new = sorted(r for r in seen if r not in base)
        return judged(cell, new, {r: seen[r] for r in new}, globs)
    if gate in KUNIT_GATES:
        seen, base = kunit_seen(d), kunit_seen(m)
        if base is None:
            cell['verdict'] = 'the model alone has no results'
            return cell
        if seen is None:
            built = 'build failed' not in read(os.path.join(d, 'kunit.log'))
            cell['verdict'] = ('no results: the kernel crashed' if built
                               else 'the build failed')
            return cell
        failed = sorted(seen['failed'] - base['failed'])
        reports = {c: r for c, r in seen['reports'].items() if c not in base['reports']}
        new = failed + sorted(c for c in reports if c not in failed)
        return judged(cell, new, reports, globs)
    rc, base_rc = read(os.path.join(d, 'rc'), '?'), read(os.path.join(m, 'rc'), '?')
    cell['caught'] = rc != '0' and base_rc == '0'
    cell['verdict'] = ('caught' if cell['caught'] else
                       'not caught' if rc == '0' else f'fails with the model too (rc {rc})')
    return cell


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('out', help='results/upstream-bugs')
    parser.add_argument('gates', nargs='+')
    args = parser.parse_args()
    bugs = sorted(b for b in os.listdir(args.out)
                  if b != 'model' and os.path.isfile(os.path.join(args.out, b, 'bug.patch')))
    rows, bad = [], []
    for bug in bugs:
        h = header(os.path.join(args.out, bug, 'bug.patch'))
        cells = {g: gate_cell(args.out, bug, g, h['caught_by']) for g in args.gates}
        if not any(c['caught'] for c in cells.values()):
            named = ' '.join(h['caught_by']) or 'no case yet'
            bad.append(f'{bug}: caught by no gate (its Caught by: {named})')
        rows.append({'bug': bug, 'title': h['title'], 'caught_by': h['caught_by'],
                     'gates': cells})

    def text(c: dict) -> str:
        others = f" ({len(c['others'])} other cases failed)" if c['others'] else ''
        if not c['caught']:
            return c['verdict'] + others
        names = sorted({n.rsplit('.', 1)[0] if n.count('.') > 1 else n for n in c['by']})
        return f"caught in {c['seconds'] // 60}m{c['seconds'] % 60:02d}s: {', '.join(names)}" + others
    lines = ['| bug | ' + ' | '.join(args.gates) + ' |', '| --- |' + ' --- |' * len(args.gates)]
    for r in rows:
        lines.append(f"| {r['bug']} | " + ' | '.join(text(r['gates'][g]) for g in args.gates) + ' |')
    for r in rows:
        for g in args.gates:
            for case, rep in sorted(r['gates'][g].get('reports', {}).items()):
                lines.append(f"{r['bug']}, {g}: {case}: {rep}")
    model = {g: int(read(os.path.join(args.out, 'model', g, 'seconds'), '0') or 0)
             for g in args.gates}
    lines.append('model alone: ' + ', '.join(f'{g} {s // 60}m{s % 60:02d}s' for g, s in model.items()))
    top = os.path.dirname(os.path.abspath(args.out))
    with open(os.path.join(top, 'upstream-bugs.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(os.path.join(top, 'upstream-bugs.json'), 'w') as f:
        json.dump({'gates': args.gates, 'bugs': rows, 'model_seconds': model}, f, indent=1,
                  default=sorted)
    print('\n'.join(lines))
    for b in bad:
        print(f'upstream-bugs: {b}', file=sys.stderr)
    print(f'\nresults: {top}/upstream-bugs.md, {top}/upstream-bugs.json')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
