#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generated mutants of every C line the series adds (make mutate).

    mutate.py generate              the mutants of the tree's series, as JSON
    mutate.py run                   build and run them (resumable, MUTATE_SHARD=i/n)
    mutate.py report DIR...         merge the runs of DIRs, score, survivors

Mutants are made mechanically from the lines 'git diff sandbox HEAD' adds
to .c and .h files, comments, strings and preprocessor lines masked out,
with the classic operators (OPERATORS below).  A mutant is the lines it
replaces and the lines it puts there, the same number, so that no other
line moves (__LINE__ and the debug information of the rest stay).

A run writes each mutant into the tree, compiles the objects it is in
(kbuild, the build without gcov), and compares their code with the
original's (Trivial Compiler Equivalence: debug information and notes
stripped): the same code as the original is 'equivalent', as another
mutant's is 'duplicate', no object is 'not compiling'.  The others run
the suites that reach their line under UML (per-suite gcov coverage,
measured once per tree and suites), fastest first, until one fails:
'killed', with the failed cases, or the crash or timeout, as its reason;
'survived' otherwise; 'not reached' when no suite reaches the line.
Each result is a file of its own, keyed by the mutant and the hashes of
what it ran (the mutated file, the suites), so that an interrupted run
resumes and a later run runs only what changed.

Mutants of the filesystems' own lines (fs/xfs, fs/ext4: E2E_FILES),
which no KUnit case reaches, run on the end-to-end machine instead: the
same compile and TCE in its build folder (E2E_BUILD), then 'machine.sh
check' with a shorter exerciser run (E2E_MUTANT_FSX_OPS), 'killed' by
the first step that fails or by a crash or timeout.  Their key holds the
e2e programs' hash (tools/e2e/) instead of the suites'.
"""
import argparse
import collections
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import settings  # noqa: E402

# Statement calls whose removal is not a mistake a test can notice
# (assertions, tracing, exports) or does not compile (declarations).
UNREMOVABLE = re.compile(r'^(WARN|BUG|VM_BUG|VM_WARN|lockdep_|might_sleep|trace_|'
                         r'EXPORT_SYMBOL|DEFINE_|DECLARE_|XA_STATE|kunit_|static_assert)')
# The filesystems' lines: the e2e machine runs their mutants.
E2E_FILES = ('fs/xfs/', 'fs/ext4/')
STATUSES = ('killed', 'survived', 'not reached', 'equivalent', 'duplicate',
            'not compiling', 'not run')


def sh(cmd, cwd=None, env=None, check=True):
    return subprocess.run(cmd, cwd=cwd, env=env, check=check, text=True,
                          stdout=subprocess.PIPE).stdout


def sha(*parts):
    return hashlib.sha1('\0'.join(parts).encode()).hexdigest()


# --- generation -------------------------------------------------------

def mask_lines(lines):
    """Each line with comments, strings and character literals blanked
    (same length), and preprocessor lines blanked whole."""
    out, in_comment, cont = [], False, False
    for line in lines:
        m = list(line)
        if cont or (not in_comment and line.lstrip().startswith('#')):
            cont = line.rstrip().endswith('\\')
            out.append(' ' * len(line))
            continue
        i = 0
        while i < len(line):
            if in_comment:
                if line.startswith('*/', i):
                    in_comment = False
                    m[i] = m[i + 1] = ' '
                    i += 2
                    continue
                m[i] = ' '
            elif line.startswith('/*', i):
                in_comment = True
                m[i] = m[i + 1] = ' '
                i += 2
                continue
            elif line.startswith('//', i):
                m[i:] = ' ' * (len(line) - i)
                break
            elif line[i] in '"\'':
                q, j = line[i], i + 1
                while j < len(line) and line[j] != q:
                    j += 2 if line[j] == '\\' else 1
                for k in range(i + 1, min(j, len(line))):
                    m[k] = ' '
                i = j
            i += 1
        out.append(''.join(m))
    return out


def close_paren(masked, row, col, limit=12):
    """(row, col) of the parenthesis that closes the one at (row, col)."""
    depth = 0
    for r in range(row, min(row + limit, len(masked))):
        for c in range(col if r == row else 0, len(masked[r])):
            ch = masked[r][c]
            if ch == '(':
                depth += 1
            elif ch == ')':
                depth -= 1
                if depth == 0:
                    return r, c
    return None


def statement_end(masked, row, limit=12):
    """The row of the ';' that ends a statement starting at row."""
    depth = 0
    for r in range(row, min(row + limit, len(masked))):
        for ch in masked[r]:
            depth += ch == '('
            depth -= ch == ')'
            if ch == ';' and depth == 0:
                return r
            if ch in '{}' and depth == 0:
                return None
    return None


def sub_at(line, start, end, new):
    return line[:start] + new + line[end:]


# Each operator: a name, and what it does to a line: (masked pattern,
# replacement or function of the match).
RELATIONAL = {'<': '<=', '<=': '<', '>': '>=', '>=': '>', '==': '!=', '!=': '=='}
OPERATORS = [
    ('relational', re.compile(r'(?<![<>=!-])(<=|>=|==|!=|<|>)(?![<>=])'),
     lambda m: RELATIONAL[m.group(1)]),
    ('logical', re.compile(r'&&|\|\|'), lambda m: '||' if m.group(0) == '&&' else '&&'),
    ('negation removed', re.compile(r'!(?!=)'), lambda m: ''),
    ('arithmetic', re.compile(r'(?<=\s)[+-](?=\s|$)|[+-]=(?!=)'),
     lambda m: {'+': '-', '-': '+', '+=': '-=', '-=': '+='}[m.group(0)]),
    ('off by one', re.compile(r'\s[+-] 1\b(?!\.)'), lambda m: ''),
    ('constant', re.compile(r'(?<![\w.-])(?<![+-] )[01](?![\w.])'),
     lambda m: '1' if m.group(0) == '0' else '0'),
    ('shift', re.compile(r'\bPAGE_SHIFT\b'), None),
    ('mask', re.compile(r'\b[A-Z][A-Z0-9_]+(?: \| [A-Z][A-Z0-9_]+)+\b'), None),
]


def line_mutants(lines, masked, row):
    """(operator, description, first row, new lines) of one added line."""
    s, m = lines[row], masked[row]
    for name, pat, repl in OPERATORS:
        for mt in pat.finditer(m):
            a, b = mt.span()
            if name == 'shift':
                for d in ('+', '-'):
                    yield name, f'PAGE_SHIFT {d} 1', row, [sub_at(s, a, b, f'(PAGE_SHIFT {d} 1)')]
                continue
            if name == 'mask':
                flags = mt.group(0).split(' | ')
                for k, flag in enumerate(flags):
                    rest = ' | '.join(flags[:k] + flags[k + 1:])
                    yield name, f'{flag} dropped', row, [sub_at(s, a, b, rest)]
                continue
            new = repl(mt)
            yield name, f'{s[a:b].strip()!r} -> {new.strip()!r}', row, [sub_at(s, a, b, new)]
    # A condition negated or forced.
    cond = re.match(r'(\s*(?:} )?(?:else )?(?:if|while) )\(', m)
    if cond:
        end = close_paren(masked, row, cond.end() - 1)
        if end:
            er, ec = end
            span = lines[row:er + 1]
            o = cond.end()
            neg = list(span)
            neg[0] = s[:o] + '!(' + s[o:] if er != row else s[:o] + '!(' + s[o:ec] + ')' + s[ec:]
            if er != row:
                neg[-1] = lines[er][:ec] + ')' + lines[er][ec:]
            yield 'condition', 'negated', row, neg
            for v in ('0', '1'):
                if v == '1' and 'while' in m[:o]:
                    continue
                if er == row:
                    forced = [s[:o] + v + s[ec:]]
                else:
                    forced = [s[:o] + v + lines[er][ec:]] + [''] * (er - row)
                yield 'condition', f'forced {v}', row, forced
    # A call statement removed, or a flag statement (|=, &= ~).
    call = re.match(r'\s*([A-Za-z_]\w*(?:\s*(?:->|\.)\s*\w+)*)\s*\(', m)
    flag = re.match(r'\s*[\w>.-]+ (\|=|&= ~)', m)
    # Only where a statement starts: not a continued expression's line.
    prev = next((x.rstrip() for x in reversed(masked[:row]) if x.strip()), ';')
    starts = prev.endswith((';', '{', '}', ':')) or re.match(r'\s*(else|(if|while|for) \(.*\))$', prev)
    if starts and ((call and not UNREMOVABLE.match(call.group(1)) and
                    call.group(1) not in ('if', 'while', 'for', 'switch', 'return', 'sizeof'))
                   or flag):
        end = statement_end(masked, row)
        if end is not None and (flag or masked[end].rstrip().endswith(');')):
            indent = s[:len(s) - len(s.lstrip())]
            yield 'statement', 'removed', row, [indent + ';'] + [''] * (end - row)
    ret = re.match(r'(\s*return )(.+);\s*$', m)
    if ret:
        val = s[ret.start(2):ret.end(2)].strip()
        new = {'0': '-EIO', 'true': 'false', 'false': 'true', 'NULL': None}.get(val, '0')
        if new:
            yield 'return', f'{val} -> {new}', row, [s[:ret.start(2)] + new + ';']


def function_of(lines, row):
    """The function (or the initialized object) a line is in."""
    for r in range(row, -1, -1):
        mt = (re.match(r'(?:[A-Za-z_][\w\s*]*[\s*])?(\w+)\(', lines[r]) or
              re.match(r'[A-Za-z_].*\b(\w+)(?:\[\w*\])?\s*=\s*\{', lines[r]))
        if mt and not lines[r].rstrip().endswith(';'):
            return mt.group(1)
    return ''


def added_rows(tree, base):
    """{file: [row, ...]} (0-based) of the lines the series adds to C files."""
    diff = sh(['git', 'diff', '-U0', '--no-color', '--no-ext-diff', '--src-prefix=a/',
               '--dst-prefix=b/', base, 'HEAD', '--',
               '*.c', '*.h'], cwd=tree)
    rows, f = collections.defaultdict(list), None
    for line in diff.splitlines():
        if line.startswith('+++ '):
            f = line[6:] if line.startswith('+++ b/') else None
        elif line.startswith('@@ ') and f:
            start, _, n = line.split()[2][1:].partition(',')
            rows[f].extend(range(int(start) - 1, int(start) - 1 + int(n or 1)))
    return rows


def patch_of_rows(tree, base, path, patches):
    """{row: patch file name} from git blame: the nth commit is the nth patch."""
    commits = sh(['git', 'rev-list', '--reverse', f'{base}..HEAD'], cwd=tree).split()
    names = {c: os.path.basename(p) for c, p in zip(commits, patches)}
    out, row = {}, None
    for line in sh(['git', 'blame', '--porcelain', 'HEAD', '--', path], cwd=tree).splitlines():
        mt = re.match(r'([0-9a-f]{40}) \d+ (\d+)', line)
        if mt:
            out[int(mt.group(2)) - 1] = names.get(mt.group(1), '')
    return out


def generate(tree, base, patches):
    """The mutants; an id is a hash of the file, the function, the lines
    replaced and their replacement (numbered if a function has the same
    twice), so that it stays when other lines move or change."""
    mutants, seen = [], collections.Counter()
    for path, rows in sorted(added_rows(tree, base).items()):
        lines = sh(['git', 'show', f'HEAD:{path}'], cwd=tree).split('\n')
        masked = mask_lines(lines)
        blame = patch_of_rows(tree, base, path, patches)
        for row in rows:
            if not masked[row].strip() or masked[row].strip() in ('{', '}', '};'):
                continue
            made = set()
            for op, desc, first, new in line_mutants(lines, masked, row):
                orig = lines[first:first + len(new)]
                if new == orig or tuple(new) in made:
                    continue
                made.add(tuple(new))
                func = function_of(lines, first)
                key = sha(path, func, '\n'.join(orig), '\n'.join(new))
                seen[key] += 1
                mid = key[:12] + (f'-{seen[key] - 1}' if seen[key] > 1 else '')
                mutants.append({'id': mid, 'file': path, 'line': first + 1,
                                'function': func, 'patch': blame.get(first, ''),
                                'operator': op, 'change': desc, 'orig': orig, 'new': new})
    return mutants


def diff_of(m):
    lines = [f'--- a/{m["file"]}', f'+++ b/{m["file"]}',
             f'@@ -{m["line"]},{len(m["orig"])} +{m["line"]},{len(m["new"])} @@ {m["function"]}']
    return '\n'.join(lines + ['-' + x for x in m['orig']] + ['+' + x for x in m['new']])


# --- running ----------------------------------------------------------

def shard_of(mutants, i, n):
    """Shard i of n (from 1): every nth mutant in the order of their ids."""
    return [m for k, m in enumerate(sorted(mutants, key=lambda m: m['id'])) if k % n == i - 1]


def on_e2e(m):
    return m['file'].startswith(E2E_FILES)


def suites_hash(top, where='kunit'):
    h = hashlib.sha1()
    for root, _, files in sorted(os.walk(os.path.join(top, where))):
        if os.path.basename(root) in ('mutants', 'designs'):
            continue
        for f in sorted(files):
            with open(os.path.join(root, f), 'rb') as fh:
                h.update(f.encode() + b'\0' + fh.read())
    return h.hexdigest()


class Runner:
    def __init__(self, args):
        s = settings.load('TOP', 'TREE', 'BUILD_ROOT', 'KBUILD_CC', 'E2E_BUILD',
                          'E2E_MUTANT_FSX_OPS')
        self.top, self.tree, self.cc = s['TOP'][0], s['TREE'][0], s['KBUILD_CC'][0]
        self.e2e_build, self.fsx_ops = s['E2E_BUILD'][0], s['E2E_MUTANT_FSX_OPS'][0]
        self.out = args.out
        self.runs = os.path.join(self.out, 'runs')
        self.build = os.path.join(s['BUILD_ROOT'][0], 'build', 'kunit-nocov')
        self.cov_build = os.path.join(s['BUILD_ROOT'][0], 'build', 'kunit')
        os.makedirs(self.runs, exist_ok=True)
        self.applied = os.path.join(self.out, 'applied')

    def env(self, **kw):
        e = dict(os.environ)
        e.update({k: str(v) for k, v in kw.items()})
        return e

    def restore(self):
        """Put back a file an interrupted run left mutated, if it is still
        the mutant (not a file someone edited since)."""
        if not os.path.exists(self.applied):
            return
        with open(self.applied) as f:
            path, _, digest = f.read().strip().partition(' ')
        with open(os.path.join(self.tree, path), 'rb') as f:
            if hashlib.sha1(f.read()).hexdigest() != digest:
                sys.exit(f'mutate: {self.tree}/{path} was left mutated and has changed since: '
                         f'check it, then remove {self.applied}')
        sh(['git', 'checkout', '--', path], cwd=self.tree)
        os.unlink(self.applied)

    def kunit(self, glob, results, coverage, timeout):
        env = self.env(COVERAGE=int(coverage), BUILD=self.cov_build if coverage else self.build,
                       RESULTS=results, KUNIT_TIMEOUT=timeout)
        t = time.time()
        rc = self.session([os.path.join(self.top, 'tools', 'kunit.sh'), glob], env,
                          subprocess.DEVNULL)
        failed = sh([sys.executable, os.path.join(self.top, 'tools', 'kunit_results.py'),
                     'failed', os.path.join(results, 'kunit.json')], check=False).split()
        return rc, failed, time.time() - t

    def session(self, cmd, env, out):
        """cmd's exit code; in its own session, so that an interrupted run
        stops the build and the kernel too."""
        p = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True)
        try:
            return p.wait()
        except BaseException:
            os.killpg(p.pid, signal.SIGKILL)
            raise

    def e2e(self, results, timeout):
        """(exit code, the step that failed or None, the log's tail)."""
        log = os.path.join(results, 'machine.log')
        with open(log, 'w') as out:
            rc = self.session([os.path.join(self.top, 'tools', 'e2e', 'machine.sh'), 'check'],
                              self.env(E2E_RESULTS=results, E2E_FSX_OPS=self.fsx_ops,
                                       E2E_TIMEOUT=timeout), out)
        with open(log, errors='replace') as f:
            text = f.read()
        step = re.search(r'e2e check: fail ([a-z0-9-]+)', text)
        return rc, step and step.group(1), text[-400:]

    def objects(self, path, mutants, build):
        """The objects of build that hold path: a C file's own; a header's,
        the series' C files' and fs/read_write.o (fs.h's
        kiocb_set_rw_flags())."""
        if path.endswith('.c'):
            objs = [path[:-2] + '.o']
        else:
            objs = sorted({x['file'][:-2] + '.o' for x in mutants if x['file'].endswith('.c')} |
                          {'fs/read_write.o'})
        return [o for o in objs if os.path.exists(os.path.join(build, o))]

    def compile(self, objs, build):
        """{object: hash of its code} or None when one does not compile."""
        r = subprocess.run(['make', 'ARCH=um', f'O={build}', f'CC={self.cc}', '-s',
                            f'-j{os.cpu_count()}', *objs], cwd=self.tree, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode:
            return None
        hashes = {}
        with tempfile.TemporaryDirectory() as tmp:
            for o in objs:
                t = os.path.join(tmp, 'o')
                subprocess.run(['objcopy', '--strip-debug', '-R', '.comment', '-R', '.note*',
                                '-R', '.gnu.build.attributes', os.path.join(build, o), t],
                               check=True)
                with open(t, 'rb') as f:
                    hashes[o] = hashlib.sha256(f.read()).hexdigest()
        return hashes

    def coverage(self, mutants, key):
        """{suite: {'seconds': s, 'lines': {file: [line...]}}}, measured once per key."""
        path = os.path.join(self.out, 'coverage.json')
        if os.path.exists(path):
            with open(path) as f:
                cov = json.load(f)
            if cov.get('key') == key and 'instrumented' in cov:
                return cov['suites'], cov['instrumented']
        files = sorted({m['file'] for m in mutants})
        gcda = [o + '.gcda' for o in
                sh(['bash', '-c', '. "$1/tools/lib.sh"; series_objects', '_', self.top]).split()]
        suites = sh(['bash', '-c', f'. "{self.top}/tools/lib.sh"; suite_names']).split()
        out, instrumented = {}, collections.defaultdict(set)
        for i, s in enumerate(suites):
            print(f'mutate: coverage of {s} ({i + 1} of {len(suites)})', file=sys.stderr)
            with tempfile.TemporaryDirectory() as tmp:
                rc, failed, secs = self.kunit(f'{s}.*', tmp, True, 900)
                if rc or failed:
                    sys.exit(f'mutate: {s} fails without a mutant ({failed or "rc " + str(rc)}): '
                             f'fix the suites first')
                info = os.path.join(tmp, 'cov.info')
                found = [os.path.join(self.cov_build, g) for g in gcda
                         if os.path.exists(os.path.join(self.cov_build, g))]
                subprocess.run(['geninfo', '-q', '-b', self.cov_build, '-o', info, *found],
                               check=True, stderr=subprocess.DEVNULL)
                lines, sf = collections.defaultdict(set), None
                with open(info) as f:
                    for line in f:
                        if line.startswith('SF:'):
                            sf = next((x for x in files if line.strip().endswith('/' + x)), None)
                        elif line.startswith('DA:') and sf:
                            ln, hits = line[3:].split(',')[:2]
                            instrumented[sf].add(int(ln))
                            if int(hits) > 0:
                                lines[sf].add(int(ln))
            out[s] = {'seconds': round(secs, 1), 'lines': {k: sorted(v) for k, v in lines.items()}}
        instrumented = {k: sorted(v) for k, v in instrumented.items()}
        with open(path, 'w') as f:
            json.dump({'key': key, 'suites': out, 'instrumented': instrumented}, f)
        return out, instrumented

    def run(self, mutants, shard, everything):
        if sh(['git', 'status', '--porcelain', '--untracked-files=no'], cwd=self.tree).strip():
            self.restore()
        if sh(['git', 'status', '--porcelain', '--untracked-files=no'], cwd=self.tree).strip():
            sys.exit(f'mutate: {self.tree} has uncommitted changes: mutants go on a clean series')
        # A result holds for the series and the suites it ran with: its
        # key is the mutant's id, the tree (the series) and the suites (the
        # e2e programs, for the filesystems' mutants).
        shash = suites_hash(self.top)
        ehash = suites_hash(self.top, os.path.join('tools', 'e2e'))
        head = sh(['git', 'rev-parse', 'HEAD^{tree}'], cwd=self.tree).strip()
        for m in everything:
            m['key'] = sha(m['id'], head, ehash if on_e2e(m) else shash)
        # What the report merges, and checks the equivalent list against.
        with open(os.path.join(self.out, 'mutants.json'), 'w') as f:
            json.dump({m['id']: m['key'] for m in everything}, f, indent=0)
        i, n = shard
        mine = shard_of(mutants, i, n)
        todo = [m for m in mine if not os.path.exists(os.path.join(self.runs, m['key'] + '.json'))]
        print(f'mutate: shard {i}/{n}: {len(mine)} mutants, {len(mine) - len(todo)} done before, '
              f'{len(todo)} to run', file=sys.stderr)
        if not todo:
            return
        # The build without gcov, and every suite, pass without a mutant
        # (or every mutant would be killed); then every suite's coverage.
        # The same for the e2e machine, whose time sets its mutants' timeout.
        cov, order, self.instrumented, self.e2e_timeout = {}, [], {}, None
        if any(not on_e2e(m) for m in todo):
            with tempfile.TemporaryDirectory() as tmp:
                rc, failed, _ = self.kunit('uncached_*', tmp, False, 900)
                if rc or failed:
                    sys.exit(f'mutate: the suites fail without a mutant in {self.build} '
                             f'({" ".join(failed[:3]) or "rc " + str(rc)}): fix them first')
            cov, self.instrumented = self.coverage(everything, sha(head, shash))
            order = sorted(cov, key=lambda s: cov[s]['seconds'])
        if any(on_e2e(m) for m in todo):
            print('mutate: the e2e machine without a mutant', file=sys.stderr)
            t = time.time()
            with tempfile.TemporaryDirectory() as tmp:
                rc, step, tail = self.e2e(tmp, 3600)
                if rc:
                    sys.exit(f'mutate: the e2e machine fails without a mutant in {self.e2e_build} '
                             f'({step or tail}): fix it first')
            self.e2e_timeout = int(3 * (time.time() - t) + 120)
        original, codes = {}, {}
        # Duplicates of the mutants an earlier run compiled, too.
        for m in mine:
            path = os.path.join(self.runs, m['key'] + '.json')
            if os.path.exists(path):
                with open(path) as f:
                    code = json.load(f).get('code')
                if code:
                    codes.setdefault(code, m['id'])
        start, done, counts = time.time(), 0, collections.Counter()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, lambda n, _: sys.exit(128 + n))
        try:
            for m in todo:
                res = self.run_one(m, everything, original, codes, cov, order)
                res.update({k: m[k] for k in ('id', 'file', 'line', 'function', 'patch',
                                              'operator', 'change', 'orig', 'new')})
                with open(os.path.join(self.runs, m['key'] + '.json.tmp'), 'w') as f:
                    json.dump(res, f)
                os.replace(os.path.join(self.runs, m['key'] + '.json.tmp'),
                           os.path.join(self.runs, m['key'] + '.json'))
                done += 1
                counts[res['status']] += 1
                rate = done / (time.time() - start) * 60
                print(f'mutate: {done}/{len(todo)} {m["id"]} {res["status"]}'
                      f' ({", ".join(f"{v} {k}" for k, v in sorted(counts.items()))}; '
                      f'{rate:.1f}/min, {(len(todo) - done) / rate:.0f} min left)', file=sys.stderr)
        finally:
            self.restore()

    def run_one(self, m, mutants, original, codes, cov, order):
        build = self.e2e_build if on_e2e(m) else self.build
        objs = self.objects(m['file'], mutants, build)
        if not objs:
            return {'status': 'not run', 'reason': f'no object of {build} holds {m["file"]}'}
        # The original's code, once for each object of each build.
        for o in objs:
            if (build, o) not in original:
                original[build, o] = (self.compile([o], build) or {}).get(o)
        full = os.path.join(self.tree, m['file'])
        with open(full) as f:
            lines = f.read().split('\n')
        at = m['line'] - 1
        if lines[at:at + len(m['orig'])] != m['orig']:
            sys.exit(f'mutate: {m["file"]}:{m["line"]} is not what {m["id"]} mutates: generate again')
        lines[at:at + len(m['orig'])] = m['new']
        text = '\n'.join(lines)
        with open(self.applied, 'w') as f:
            f.write(f'{m["file"]} {hashlib.sha1(text.encode()).hexdigest()}')
        with open(full, 'w') as f:
            f.write(text)
        try:
            hashes = self.compile(objs, build)
            if hashes is None:
                return {'status': 'not compiling'}
            if all(hashes[o] == original[build, o] for o in objs):
                return {'status': 'equivalent', 'reason': 'the same code as the original'}
            code = sha(*(hashes[o] for o in objs))
            if code in codes:
                return {'status': 'duplicate', 'reason': f'the same code as {codes[code]}'}
            codes[code] = m['id']
            res = self.kill_e2e() if on_e2e(m) else self.kill(m, cov, order)
            res['code'] = code
            return res
        finally:
            sh(['git', 'checkout', '--', m['file']], cwd=self.tree)
            os.unlink(self.applied)

    def reach_lines(self, m):
        """The mutant's lines gcov counts; if it counts none of them (the
        compiler gave their code to a neighbour, as a return merged with
        another), the nearest counted line before them."""
        counted = self.instrumented.get(m['file'], [])
        lines = [ln for ln in range(m['line'], m['line'] + len(m['orig'])) if ln in counted]
        before = [ln for ln in counted if ln < m['line']]
        return lines or before[-1:]

    def kill(self, m, cov, order):
        """Run the suites that reach the mutant's lines until one fails."""
        lines = self.reach_lines(m)
        suites = [s for s in order if any(ln in cov[s]['lines'].get(m['file'], []) for ln in lines)]
        if not suites:
            return {'status': 'not reached', 'reason': 'no suite reaches the line under UML'}
        ran = []
        for s in suites:
            ran.append(s)
            with tempfile.TemporaryDirectory() as tmp:
                rc, failed, _ = self.kunit(f'{s}.*', tmp, False,
                                              int(max(60, 4 * cov[s]['seconds'] + 30)))
                if failed:
                    return {'status': 'killed', 'by': failed[:5], 'suites': ran}
                if rc:
                    with open(os.path.join(tmp, 'kunit.log'), errors='replace') as f:
                        log = f.read()
                    if 'build failed' in log:
                        return {'status': 'not compiling', 'reason': 'the kernel does not link'}
                    return {'status': 'killed', 'by': [f'{s} crashed or timed out'],
                            'suites': ran, 'reason': log[-400:]}
        return {'status': 'survived', 'suites': ran}


    def kill_e2e(self):
        """Run the e2e machine's steps: killed by the first that fails."""
        with tempfile.TemporaryDirectory() as tmp:
            rc, step, tail = self.e2e(tmp, self.e2e_timeout)
        if not rc:
            return {'status': 'survived', 'suites': ['e2e']}
        if 'did not build' in tail:
            return {'status': 'not compiling', 'reason': 'the e2e kernel does not link'}
        if step:
            return {'status': 'killed', 'by': [f'e2e step {step}'], 'suites': ['e2e']}
        return {'status': 'killed', 'by': ['the e2e machine crashed or timed out'],
                'suites': ['e2e'], 'reason': tail}


# --- report -----------------------------------------------------------

def load_equivalents(path):
    """{id: reason} from the checked-in list ('ID  reason', # comments)."""
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.split('#', 1)[0].strip()
                if line:
                    mid, _, reason = line.partition(' ')
                    out[mid] = reason.strip()
    return out


def score(results, equivalents, generated=None):
    """The report's figures; errors: list entries that match no survivor
    (a mutant no longer generated, or one that ran and did not survive)."""
    def pct(c):
        denom = c['killed'] + c['survived'] + c['not reached']
        return round(100 * c['killed'] / denom, 1) if denom else None
    total, per_patch, per_func = (collections.Counter(), collections.defaultdict(collections.Counter),
                                  collections.defaultdict(collections.Counter))
    errors, survivors = [], []
    ran = {r['id']: r['status'] for r in results}
    for mid in equivalents:
        if (generated is not None and mid not in generated) or \
                ran.get(mid, 'survived') not in ('survived', 'not reached'):
            errors.append(f'{mid}: listed as equivalent, but no such survivor')
    for r in results:
        st = r['status']
        if st in ('survived', 'not reached') and r['id'] in equivalents:
            st = 'equivalent'
        elif st in ('survived', 'not reached'):
            survivors.append(r)
        for c in (total, per_patch[r['patch']], per_func[f'{r["file"]}:{r["function"]}']):
            c[st] += 1
            c['mutants'] += 1
    return {
        'total': dict(total, score=pct(total)),
        'patches': {k: dict(v, score=pct(v)) for k, v in sorted(per_patch.items())},
        'functions': {k: dict(v, score=pct(v)) for k, v in sorted(per_func.items())},
        'survivors': [r['id'] for r in survivors],
    }, survivors, errors


def report(dirs, equivalent_file, out):
    results, generated, keys = {}, set(), {}
    for d in dirs:
        runs = os.path.join(d, 'runs')
        if not os.path.isdir(runs) or not os.path.exists(os.path.join(d, 'mutants.json')):
            sys.exit(f'mutate: no runs in {d}')
        # What make mutate generated last in d, and the keys of its
        # results: a result of another series or other suites (or e2e
        # programs) than d's last run is not merged.  Folders whose last
        # runs differ only in what their mutants did not run (the e2e
        # programs, for the UML shards) merge.
        with open(os.path.join(d, 'mutants.json')) as f:
            mine = json.load(f)
        generated |= set(mine)
        keys[d] = set(mine.values())
    for d in dirs:
        runs = os.path.join(d, 'runs')
        for f in sorted(os.listdir(runs)):
            if f.endswith('.json') and f[:-5] in keys[d]:
                with open(os.path.join(runs, f)) as fh:
                    r = json.load(fh)
                results[r['id']] = r
    # The same code as a mutant of another shard: a duplicate.
    codes = {}
    for mid in sorted(results):
        r = results[mid]
        if r.get('code') and r['status'] in ('killed', 'survived', 'not reached'):
            if r['code'] in codes:
                r.update(status='duplicate', reason=f'the same code as {codes[r["code"]]}')
            codes.setdefault(r['code'], mid)
    figures, survivors, errors = score(list(results.values()), load_equivalents(equivalent_file),
                                       generated)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'score.json'), 'w') as f:
        json.dump(figures, f, indent=1)
    t = figures['total']

    def line(name, c):
        counts = ', '.join(f'{c.get(k, 0)} {k}' for k in STATUSES if c.get(k))
        s = f'{c["score"]:5.1f}%' if c['score'] is not None else '    -'
        return f'{s}  {name:<58} {c["mutants"]:4d} mutants: {counts}'
    text = [line('all', t) + f' ({len(results)} run of {len(generated)} generated)',
            '', 'per patch:']
    text += [line(k or '(not attributed)', v) for k, v in figures['patches'].items()]
    text += ['', 'per function:'] + [line(k, v) for k, v in figures['functions'].items()]
    text += ['', f'survivors ({len(survivors)}):']
    for r in sorted(survivors, key=lambda r: (r['file'], r['line'])):
        text += [f'{r["id"]} {r["status"]}: {r["file"]}:{r["line"]} {r["function"]} '
                 f'{r["operator"]} {r["change"]} (suites run: {", ".join(r.get("suites", [])) or "none"})',
                 diff_of(r), '']
    with open(os.path.join(out, 'report.txt'), 'w') as f:
        f.write('\n'.join(text) + '\n')
    print('\n'.join(text[:1]))
    print(f'mutate: report in {out}/report.txt, figures in {out}/score.json')
    for e in errors:
        print(f'mutate: error: {equivalent_file}: {e}', file=sys.stderr)
    return 1 if errors else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('command', choices=('generate', 'run', 'report'))
    ap.add_argument('dirs', nargs='*')
    ap.add_argument('--out', default=os.path.join(settings.get('RESULTS'), 'mutate'))
    ap.add_argument('--equivalent', default=os.path.join(settings.get('TOP'), 'tools', 'mutate',
                                                         'equivalent'))
    args = ap.parse_intermixed_args()
    if args.command == 'report':
        return report(args.dirs or settings.get('MUTATE_RESULTS').split() or [args.out],
                      args.equivalent, args.out)
    s = settings.load('TREE', 'SANDBOX_TAG')
    tree, base = s['TREE'][0], s['SANDBOX_TAG'][0]
    patches = sh(['bash', '-c', f'. "{settings.LIB}"; series_patches']).split()
    mutants = generate(tree, base, patches)
    if args.command == 'generate':
        json.dump(mutants, sys.stdout, indent=1)
        return 0
    shard = settings.get('MUTATE_SHARD')
    mt = re.fullmatch(r'(\d+)/(\d+)', shard)
    if not mt or not 1 <= int(mt.group(1)) <= int(mt.group(2)):
        sys.exit(f'mutate: MUTATE_SHARD={shard}: expected i/n, 1 <= i <= n')
    only = settings.get('MUTATE_ONLY')
    chosen = [m for m in mutants if re.search(only, f'{m["file"]}:{m["function"]}:{m["id"]}')]
    Runner(args).run(chosen, (int(mt.group(1)), int(mt.group(2))), mutants)
    return report([args.out], args.equivalent, args.out)


if __name__ == '__main__':
    sys.exit(main())
