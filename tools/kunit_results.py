#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kunit.py's JSON results (--json): one reader, one walker, for every
output the sandbox makes from them.

The root's sub-groups are the suites; a parameterised case is a sub-group
of its suite, and each of its parameters counts as a case.  Case names are
dotted: suite.case[.parameter].
"""
import argparse
import fnmatch
import json
import os
import re
import sys
from typing import Iterator, Optional, Sequence
from xml.etree import ElementTree as ET

STATUSES = ('PASS', 'FAIL', 'SKIP')
Case = tuple[str, str]


def cases(group: dict, prefix: str = '') -> Iterator[Case]:
    """(name, status) of every case below group, names dotted from it."""
    for case in group.get('test_cases', []):
        yield prefix + case['name'], case['status']
    for sub in group.get('sub_groups', []):
        yield from cases(sub, f'{prefix}{sub["name"]}.')


def verdict(status: str) -> str:
    """PASS, FAIL or SKIP: anything else (CRASHED, NO_TESTS...) fails."""
    return status if status in STATUSES else 'FAIL'


def load(path: str) -> dict:
    with open(path) as f:
        return json.load(f)


def suites(root: dict) -> Iterator[tuple[str, list[Case]]]:
    """(suite name, [(dotted case name, status)]) for each suite."""
    for suite in root.get('sub_groups', []):
        yield suite['name'], list(cases(suite, f'{suite["name"]}.'))


def matches(name: str, globs: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, g) for g in globs)


# A KTAP result and a subtest's header, with their indentation (4 a level).
RESULT = re.compile(r'^(\s*)(not )?ok \d+ (\S+)')
SUBTEST = re.compile(r'^(\s*)# Subtest: (\S+)')
DIAGNOSTIC_LINES = 8
# The line a failed generated case prints to say how to run it alone: kept
# however many lines came before it.
RUN_ALONE = re.compile(r'make SUITE=\S+ MODEL_CASE=\S+')


def diagnostics(log_lines: Sequence[str], limit: Optional[int] = DIAGNOSTIC_LINES
                ) -> dict[str, list[str]]:
    """The lines a KTAP log prints before each failed result, by dotted
    case name (suite.case[.parameter]): what the failed expectations said,
    the first limit lines (all of them: None) and the line that runs the
    case alone."""
    found: dict[str, list[str]] = {}
    path: list[str] = []
    since: list[str] = []
    for line in log_lines:
        m = SUBTEST.match(line)
        if m:
            path = path[:len(m.group(1)) // 4 - 1] + [m.group(2)]
            since = []
            continue
        m = RESULT.match(line)
        if m:
            depth = len(m.group(1)) // 4
            if m.group(2) and depth > 0:
                found['.'.join(path[:depth] + [m.group(3)])] = (
                    since if limit is None else since[:limit] +
                    [d for d in since[limit:] if RUN_ALONE.search(d)])
            since = []
        elif line.strip() and not line.lstrip().startswith(('KTAP version', '1..', '# module:')):
            since.append(line.strip())
    return found


def summary(root: dict, allow_skip: Sequence[str] = (),
            diags: Optional[dict] = None) -> tuple[list[str], int]:
    """The summary's lines, and its exit status: 1 if a case failed, if no
    case passed, or if a case was skipped that allow_skip (globs) does not
    name: a gate runs the cases it states, or fails.  With diags (from
    diagnostics()), what each failed case printed follows its name."""
    total = dict.fromkeys(STATUSES, 0)
    lines, failed = [], []
    for name, suite_cases in suites(root):
        counts = dict.fromkeys(STATUSES, 0)
        for case, status in suite_cases:
            counts[verdict(status)] += 1
            if verdict(status) == 'FAIL':
                failed.append(f'  FAILED: {case} ({status})')
                failed += ['      ' + d for d in (diags or {}).get(case, [])]
            elif status == 'SKIP' and not matches(case, allow_skip):
                failed.append(f'  SKIPPED, and this run must run it: {case}')
        lines.append(f'  {name:28} {counts["PASS"]:3} passed {counts["FAIL"]:3} failed '
                     f'{counts["SKIP"]:3} skipped')
        for k in total:
            total[k] += counts[k]
    lines += failed
    lines.append(f'{total["PASS"]} passed, {total["FAIL"]} failed, {total["SKIP"]} skipped')
    ok = not failed and total['PASS'] > 0
    return lines, 0 if ok else 1


# A run with printk.time=1: each console line starts with the time.
TIMESTAMP = re.compile(r'^\[\s*(\d+\.\d+)\] ?')
FORCED = 'forced failure (uncached_kunit.force_fail)'
COUNTERS = re.compile(r'counters: file pages .*')
FAILED_AT = re.compile(r'(EXPECTATION|ASSERTION) FAILED at ')


def forced(root: dict, log_lines: Sequence[str], max_seconds: float,
           exempt: Sequence[str] = ('uncached_counters',),
           expect: Sequence[str] = ()) -> tuple[list[str], int]:
    """The verdict of a run with uncached_kunit.force_fail=1 (a log with
    printk times): every suite of expect ran, none crashed, every failed
    case failed at the forced assertion and nowhere before it, every suite
    but the exempt failed a case or skipped them all, the exempt passed
    (the counters the kernel keeps are back), and no failing case took
    more than max_seconds, from its result's time to the last result or
    subtest before it."""
    lines, problems = [], []
    ran = [name for name, _ in suites(root)]
    for name in list(expect) + list(exempt):
        if name not in ran:
            problems.append(f'  {name} did not run (a crash or a hang before it?)')
    if root.get('test_cases') or any(status not in STATUSES for _, cs in suites(root)
                                     for _, status in cs):
        problems.append('  the run did not end as KUnit ends: a crash, a hang or a timeout')
    times, plain, last = {}, [], None
    path: list[str] = []
    for line in log_lines:
        m = TIMESTAMP.match(line)
        t = float(m.group(1)) if m else last
        line = TIMESTAMP.sub('', line)
        plain.append(line)
        s = SUBTEST.match(line)
        if s:
            path = path[:len(s.group(1)) // 4 - 1] + [s.group(2)]
            last = t
            continue
        r = RESULT.match(line)
        if r:
            depth = len(r.group(1)) // 4
            if depth > 0 and t is not None and last is not None:
                times['.'.join(path[:depth] + [r.group(3)])] = t - last
            last = t
    diags = diagnostics(plain, None)
    longest = 0.0
    for name, suite_cases in suites(root):
        statuses = [verdict(status) for _, status in suite_cases]
        if name in exempt:
            if any(v != 'PASS' for v in statuses):
                problems.append(f'  {name} did not pass: something was left behind')
            continue
        if 'FAIL' not in statuses and any(v == 'PASS' for v in statuses):
            problems.append(f'  {name}: no case failed, though every suite has a forced assertion')
        for case, status in suite_cases:
            if verdict(status) != 'FAIL':
                continue
            said = diags.get(case, [])
            failures = [d for d in said if FAILED_AT.search(d)]
            if not any(FORCED in d for d in said) or len(failures) != 1 or \
                    'ASSERTION' not in failures[0]:
                problems.append(f'  {case} failed, and not at the forced assertion alone:')
                problems += ['      ' + d for d in said[:DIAGNOSTIC_LINES]]
            took = times.get(case, 0.0)
            longest = max(longest, took)
            if took > max_seconds:
                problems.append(f'  {case} took {took:.2f} s to fail (at most {max_seconds} s)')
    counters = [m.group(0) for m in map(COUNTERS.search, plain) if m]
    failed = len(failed_cases(root))
    lines.append(f'forced failures: {failed} cases failed, the longest in {longest:.2f} s')
    lines += ['  ' + c for c in counters[-1:]]
    lines += problems
    lines.append('forced failures: ' + ('as forced, nothing left behind' if not problems and failed
                                         else 'not as forced'))
    return lines, 0 if not problems and failed else 1


def failed_cases(root: dict) -> list[str]:
    return [case for _, suite_cases in suites(root)
            for case, status in suite_cases if verdict(status) == 'FAIL']


# Kernel reports that fail a run whatever the cases say: KASAN, lockdep,
# WARN and BUG, UBSAN, bad pages, list and debug-objects corruption,
# kmemleak, panics.  One extended regular expression a line, in a file of
# their own that the e2e machine greps too (grep -Ef).
REPORT_PATTERNS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'kernel-reports.txt')


def report_pattern(path: str = REPORT_PATTERNS) -> re.Pattern:
    with open(path) as f:
        return re.compile('|'.join('(?:' + line.rstrip('\n') + ')' for line in f if line.strip()))


REPORT = report_pattern()
REPORT_LINES = 30
SAME_REPORT = 3


def reports(log_lines: Sequence[str]) -> list[tuple[str, list[str]]]:
    """(case, report lines) for each kernel report in a raw KUnit log, from
    the first KTAP line on (UML's boot prints a WARN of its own, from
    virt-pci, before any test); the case is the one whose result follows
    the report.  A marker right after another (WARNING: after the cut-here
    line) is the same report."""
    found, suite, pending = [], '', []
    start = next((i for i, line in enumerate(log_lines) if 'KTAP version' in line),
                 len(log_lines))
    last = -SAME_REPORT
    for i, line in enumerate(log_lines[start:], start):
        m = SUBTEST.match(line)
        if m and m.group(1) == '    ':
            suite = m.group(2)
        if REPORT.search(line) and i >= last + SAME_REPORT:
            pending.append(list(log_lines[i:i + REPORT_LINES]))
            last = i
        m = RESULT.match(line)
        if m and pending:
            found += [(f'{suite}.{m.group(3)}', block) for block in pending]
            pending = []
    found += [(f'{suite} (no result followed)', block) for block in pending]
    return found


def read_gates(results: str) -> list[dict]:
    """The gates of a make check run, from RESULTS/gates.tsv (one gate a
    line: name, verdict, seconds, figures)."""
    gates = []
    with open(os.path.join(results, 'gates.tsv')) as f:
        for line in f:
            name, gate_verdict, seconds, figures = line.rstrip('\n').split('\t', 3)
            gates.append({'name': name, 'verdict': gate_verdict,
                          'seconds': int(seconds), 'figures': figures})
    return gates


def load_or_empty(path: str) -> dict:
    try:
        return load(path)
    except (OSError, ValueError):
        return {}


def report(results: str, series: str = '') -> None:
    """Write gates.json (with the series' id, lib.sh's series_id) and
    junit.xml into the results folder."""
    gates = read_gates(results)
    with open(os.path.join(results, 'gates.json'), 'w') as f:
        json.dump({'gates': gates, 'series': series,
                   'verdict': 'pass' if all(g['verdict'] == 'pass' for g in gates) else 'fail'},
                  f, indent=2)

    root = ET.Element('testsuites', name='rwf-uncached-sandbox')
    suite = ET.SubElement(root, 'testsuite', name='presubmit', tests=str(len(gates)),
                          failures=str(sum(g['verdict'] != 'pass' for g in gates)))
    for g in gates:
        case = ET.SubElement(suite, 'testcase', classname='presubmit', name=g['name'],
                             time=str(g['seconds']))
        if g['verdict'] != 'pass':
            ET.SubElement(case, 'failure', message=g['figures']).text = \
                f'see results/gates/{g["name"]}.log'
    for name, suite_cases in suites(load_or_empty(os.path.join(results, 'kunit.json'))):
        ks = ET.SubElement(root, 'testsuite', name=name, tests=str(len(suite_cases)),
                           failures=str(sum(verdict(s) == 'FAIL' for _, s in suite_cases)),
                           skipped=str(sum(s == 'SKIP' for _, s in suite_cases)))
        for case_name, status in suite_cases:
            case = ET.SubElement(ks, 'testcase', classname=name, name=case_name)
            if status == 'SKIP':
                ET.SubElement(case, 'skipped')
            elif verdict(status) == 'FAIL':
                ET.SubElement(case, 'failure', message=status).text = 'see results/ktap.log'
    ET.ElementTree(root).write(os.path.join(results, 'junit.xml'), encoding='unicode',
                               xml_declaration=True)


# KCIDB (schema 5): one checkout, a build per configuration, every KUnit
# case of each configuration and every gate of make check as a test.
KCIDB_VERSION = {'major': 5, 'minor': 0}
# The configurations: (build id, architecture, what it is, results folder
# below RESULTS holding its kunit.json, the gate that ran it).
KCIDB_BUILDS = (
    ('um-coverage', 'um', '.kunitconfig + coverage_uml.config (gcov)', '', 'suites'),
    ('um-debug', 'um', '.kunitconfig + kunit/debug.config (KASAN, lockdep...)', 'debug', 'debug'),
    ('x86_64', 'x86_64', '.kunitconfig + kunit/x86_64.config (THP, SMP)', 'x86_64', 'x86_64'),
    ('e2e', 'um', 'allnoconfig + tools/e2e/machine.config', None, 'e2e'),
)
KCIDB_STATUS = {'PASS': 'PASS', 'FAIL': 'FAIL', 'SKIP': 'SKIP'}


def kcidb(results: str, origin: str, commit: str, patchset: str) -> dict:
    """The KCIDB report of a make check run in RESULTS."""
    def oid(name: str) -> str:
        return f'{origin}:{name}'

    checkout = {'id': oid(f'checkout-{commit[:12] or "unknown"}'), 'origin': origin,
                'tree_name': 'linux-source-6.12', 'git_commit_hash': commit or None,
                'patchset_hash': patchset or None, 'valid': True}
    checkout = {k: v for k, v in checkout.items() if v is not None}
    gates = {g['name']: g for g in read_gates(results)}
    builds, tests = [], []
    for build, arch, config, folder, gate in KCIDB_BUILDS:
        if gate not in gates:
            continue
        bid = oid(build)
        kunit_json = os.path.join(results, folder, 'kunit.json') if folder is not None else ''
        # Built: its kernel booted and gave results (e2e: its gate passed).
        valid = os.path.exists(kunit_json) if kunit_json else gates[gate]['verdict'] == 'pass'
        builds.append({'id': bid, 'origin': origin, 'checkout_id': checkout['id'],
                       'architecture': arch, 'config_name': config, 'compiler': 'gcc',
                       'valid': valid})
        if not kunit_json:
            continue
        kunit = load_or_empty(kunit_json)
        for _, suite_cases in suites(kunit):
            for case, status in suite_cases:
                tests.append({'id': oid(f'{build}:{case}'), 'origin': origin,
                              'build_id': bid, 'path': f'kunit.{case}',
                              'status': KCIDB_STATUS.get(status, 'ERROR')})
    main_build = builds[0]['id'] if builds else oid('none')
    for g in gates.values():
        build = next((b for b, _, _, _, gate in KCIDB_BUILDS if gate == g['name']), None)
        tests.append({'id': oid(f'gate:{g["name"]}'), 'origin': origin,
                      'build_id': oid(build) if build and any(x['id'] == oid(build) for x in builds)
                      else main_build,
                      'path': f'sandbox.gate.{g["name"]}', 'duration': g['seconds'],
                      'status': 'PASS' if g['verdict'] == 'pass' else 'FAIL',
                      'misc': {'figures': g['figures']}})
    return {'version': KCIDB_VERSION, 'checkouts': [checkout], 'builds': builds,
            'tests': tests}


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('summary', help="one line per suite, each failed case, and a closing "
                       "'N passed, N failed, N skipped' line; exit 1 if a case failed, "
                       "none passed, or one was skipped that --allow-skip does not name")
    p.add_argument('kunit_json')
    p.add_argument('--allow-skip', action='append', default=[], metavar='GLOB',
                   help='cases this run may skip (dotted names)')
    p.add_argument('--ktap', metavar='LOG',
                   help='the KTAP log: print what each failed case said')
    p = sub.add_parser('failed', help='the failed cases, one per line')
    p.add_argument('kunit_json')
    p = sub.add_parser('reports', help='every kernel report (KASAN, lockdep, WARN, BUG, '
                       'kmemleak...) in a raw KUnit log, with its case; exit 3 if any')
    p.add_argument('ktap_log')
    p = sub.add_parser('forced', help='the verdict of a run with uncached_kunit.force_fail=1: '
                       'every failure forced, the counters back, each failing case quick; exit 1 '
                       'otherwise')
    p.add_argument('kunit_json')
    p.add_argument('--ktap', metavar='LOG', required=True, help='the KTAP log, with printk times')
    p.add_argument('--max-seconds', type=float, default=5.0,
                   help='how long a failing case may take (default 5)')
    p.add_argument('--expect', action='append', default=[], metavar='SUITE',
                   help='a suite that must have run')
    p = sub.add_parser('report', help='RESULTS/gates.json and junit.xml from '
                       'RESULTS/gates.tsv and RESULTS/kunit.json')
    p.add_argument('results')
    p.add_argument('--series', default='', help="the series' id (lib.sh's series_id)")
    p = sub.add_parser('kcidb', help='RESULTS/kcidb.json: the run in KCIDB\'s schema 5')
    p.add_argument('results')
    p.add_argument('--origin', default='uncached_sandbox', help='the submitter (KCIDB origin)')
    p.add_argument('--commit', default='', help="the tree's commit")
    p.add_argument('--patchset', default='', help='a hash of the series')
    args = parser.parse_args(argv)

    if args.command == 'report':
        report(args.results, args.series)
        return 0
    if args.command == 'kcidb':
        with open(os.path.join(args.results, 'kcidb.json'), 'w') as f:
            json.dump(kcidb(args.results, args.origin, args.commit, args.patchset), f,
                      indent=1)
        return 0
    if args.command == 'reports':
        with open(args.ktap_log, errors='replace') as f:
            found = reports(f.read().splitlines())
        for case, block in found:
            print(f'kernel report in {case}:')
            print('\n'.join('    ' + line for line in block))
        print(f'{len(found)} kernel reports')
        return 3 if found else 0
    try:
        root = load(args.kunit_json)
    except (OSError, ValueError) as e:
        print(f'kunit_results: no usable results in {args.kunit_json}: {e}', file=sys.stderr)
        return 1
    if args.command == 'failed':
        print('\n'.join(failed_cases(root)))
        return 0
    if args.command == 'forced':
        with open(args.ktap, errors='replace') as f:
            lines, rc = forced(root, f.read().splitlines(), args.max_seconds,
                               expect=args.expect)
        print('\n'.join(lines))
        return rc
    diags = None
    if args.ktap and os.path.exists(args.ktap):
        with open(args.ktap, errors='replace') as f:
            diags = diagnostics(f.read().splitlines())
    lines, rc = summary(root, args.allow_skip, diags)
    print('\n'.join(lines))
    return rc


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
