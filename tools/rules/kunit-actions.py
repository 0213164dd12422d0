#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What a KUnit case starts or changes and could leave behind when it fails.

A case that fails at an assertion ends there: KUnit runs the actions the
case registered (kunit_add_action_or_reset()) and nothing else of it.  So
in our suites (kunit/, all of it: our own code), whatever a function that
runs in a case (one with a struct kunit * parameter) starts or changes is
undone by a KUnit action registered right after it exists, before
anything that can end the case:

  an allocation   kmalloc(), kvmalloc(), vmalloc(), bitmap_zalloc()...
                  (kunit_kmalloc() and friends are KUnit's own)
  a thread        kthread_create(), kthread_run()
  a hold          faults.hold_writeback set; in helpers.c, any fault
                  switch set (a helper's side effect on its caller's file)
  a global change an assignment to a variable of the file's scope
  a lock          mutex_lock(), spin_lock(), folio_lock()...: released
                  before anything that can end the case

What can end the case: KUNIT_ASSERT_*(), KUNIT_FAIL_AND_ABORT(),
kunit_skip(), and any call given the case (test) but KUnit's expectations,
messages and actions; an assertion that names what was just made (that it
exists) does not count.  What settles it first: kunit_add_action*() (for
a lock: its unlock; for an allocation: its free).  An allocation some
object owns (freed with it) says "owned by" in a comment on its line or
the lines above it (over other allocations).  Each report is "PATH:LINE:0: message".

  kunit-actions.py TREE [SUITES_DIR]
      reads TREE/SUITES_DIR/*.c (SUITES_DIR: $SUITES_DIR, or
      fs/uncached_test); prints PATH relative to TREE
"""
import os
import re
import sys

ALLOC = re.compile(r'\b(?:kv?[mzc]alloc|kvcalloc|kmalloc_array|kcalloc|vzalloc|vmalloc|'
                   r'vcalloc|kstrdup|kmemdup|bitmap_z?alloc|alloc_pages?|folio_alloc|'
                   r'__get_free_pages?|get_zeroed_page)\s*\(')
FREE = re.compile(r'\b(?:kv?free|vfree|bitmap_free|__free_pages?|free_pages?|folio_put)\s*\(')
THREAD = re.compile(r'\bkthread_(?:create|run)\w*\s*\(')
STOP = re.compile(r'\bkthread_stop\s*\(')
HOLD = re.compile(r'\bhold_writeback\s*=\s*true\b')
FAULT_SWITCH = re.compile(r'\bfaults\.(\w+)\s*(?:=[^=]|\+\+|--|[-+|&]=)')
LOCK = re.compile(r'\b(mutex_lock|spin_lock(?:_irq|_irqsave|_bh)?|read_lock|write_lock|'
                  r'down_read|down_write|folio_lock|inode_lock(?:_shared)?|'
                  r'filemap_invalidate_lock(?:_shared)?)\s*\(([^;]*?)\)\s*$')
UNLOCK_OF = {
    'mutex_lock': 'mutex_unlock', 'spin_lock': 'spin_unlock',
    'spin_lock_irq': 'spin_unlock_irq', 'spin_lock_irqsave': 'spin_unlock_irqrestore',
    'spin_lock_bh': 'spin_unlock_bh', 'read_lock': 'read_unlock',
    'write_lock': 'write_unlock', 'down_read': 'up_read', 'down_write': 'up_write',
    'folio_lock': 'folio_unlock', 'inode_lock': 'inode_unlock',
    'inode_lock_shared': 'inode_unlock_shared',
    'filemap_invalidate_lock': 'filemap_invalidate_unlock',
    'filemap_invalidate_lock_shared': 'filemap_invalidate_unlock_shared',
}
ACTION = re.compile(r'\bkunit_add_action(?:_or_reset)?\s*\(')
ABORT = re.compile(r'\b(?:KUNIT_ASSERT\w*|KUNIT_FAIL_AND_ABORT|kunit_skip)\s*\(')
CALL_WITH_TEST = re.compile(r'\b(\w+)\s*\(\s*&?(?:test|fake)\s*[,)]')
SAFE_CALLS = re.compile(r'^(?:KUNIT_EXPECT\w*|KUNIT_FAIL|kunit_(?:info|err|warn|log|'
                        r'add_action(?:_or_reset)?|release_action|remove_action|'
                        r'kfree|mark_skipped|init_test|cleanup))$')
DECL = re.compile(r'^(?:static\s+|extern\s+)?(?!return\b|typedef\b|struct\s+\w+\s*\{)'
                  r'[A-Za-z_][\w\s\*]*?\b([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*(?:=|;)')


def strip_comments(text):
    """Comments and strings blanked, newlines kept (lines stay where they are)."""
    def blank(m):
        return re.sub(r'[^\n]', ' ', m.group(0))
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"', blank, text, flags=re.S)


def statements(body, first_line):
    """(line, text) per statement of a function body, split at ; { } outside ()."""
    out, cur, depth, line, start = [], [], 0, first_line, None
    for ch in body:
        if start is None and not ch.isspace():
            start = line
        if ch == '(':
            depth += 1
        elif ch == ')':
            depth -= 1
        if depth == 0 and ch in ';{}':
            text = ''.join(cur).strip()
            if text:
                out.append((start, ' '.join(text.split())))
            if ch == '}':
                out.append((line, '}'))
            cur, start = [], None
        else:
            cur.append(ch)
        if ch == '\n':
            line += 1
    return out


def functions(code):
    """(header, body, line of the body's first character) per function."""
    for m in re.finditer(r'^[A-Za-z_][^;{}#]*?\([^;{}]*\)\s*\n\{\n(.*?)^\}', code, re.M | re.S):
        header = code[m.start():m.start(1)]
        yield header, m.group(1), code.count('\n', 0, m.start(1)) + 1


def globals_of(code):
    """The variables of the file's scope (outside functions and initialisers)."""
    names, depth = set(), 0
    for ln in code.split('\n'):
        if depth == 0 and not ln.startswith((' ', '\t', '#')) and '(' not in ln.split('=')[0]:
            m = DECL.match(ln)
            if m and 'const' not in ln.split('=')[0].split():
                names.add(m.group(1))
        depth += ln.count('{') - ln.count('}')
    return names


def acquisitions(text, gl, helpers):
    """(kind, what, the name it lives in or None, how it is released) found in a statement."""
    lhs = re.match(r'^(?:[\w\s\*]*?\s\**)?([\w>.\-]+)\s*=[^=]', text)
    name = lhs.group(1) if lhs else None
    if ALLOC.search(text):
        yield 'allocation', ALLOC.search(text).group(0).rstrip('( '), name, FREE
    if THREAD.search(text):
        yield 'thread', THREAD.search(text).group(0).rstrip('( '), name, STOP
    if HOLD.search(text):
        yield 'hold', 'held writeback', None, None
    elif helpers and FAULT_SWITCH.search(text):
        yield 'hold', 'fault switch ' + FAULT_SWITCH.search(text).group(1), None, None
    m = LOCK.search(text)
    if m:
        unlock = re.compile(r'\b%s\s*\(\s*%s\s*\)' % (UNLOCK_OF[m.group(1)], re.escape(m.group(2).strip())))
        yield 'lock', m.group(1), None, unlock
    for g in gl:
        if re.search(r'(?:^|[^\w.>])%s\s*(?:=[^=]|\+\+|--|[-+|&]=)|(?:\+\+|--)%s\b' % (g, g), text):
            yield 'global change', g, None, None


def ends_case(text, name, kind):
    if ACTION.search(text) and kind != 'lock':
        return False
    if ABORT.search(text):
        # The check that what was just made exists.
        return not (name and re.search(r'(?<![\w>.])%s\b' % re.escape(name), text))
    return any(not SAFE_CALLS.match(c) for c in CALL_WITH_TEST.findall(text))


def owned(raw_lines, line):
    """An "owned by" comment on the statement's line or above it (over
    comment lines and the allocations right before it)."""
    i = line - 1
    while i >= 0 and (i == line - 1 or ALLOC.search(raw_lines[i]) or
                      re.match(r'^\s*(?:/\*|\*|//)', raw_lines[i])):
        if 'owned by' in raw_lines[i].lower():
            return True
        i -= 1
    return False


def check(path, shown):
    with open(path) as f:
        raw = f.read()
    code = strip_comments(raw)
    raw_lines = raw.split('\n')
    gl = globals_of(code)
    helpers = os.path.basename(path) == 'helpers.c'
    for header, body, first in functions(code):
        if 'struct kunit *' not in header:
            continue
        stmts = statements(body, first)
        for i, (line, text) in enumerate(stmts):
            for kind, what, name, release in acquisitions(text, gl, helpers):
                if kind == 'allocation' and owned(raw_lines, line):
                    continue
                if ACTION.search(text) and kind != 'lock':
                    continue
                for _, later in stmts[i + 1:]:
                    if ACTION.search(later) and kind != 'lock':
                        break
                    if release and release.search(later) and \
                            (kind == 'lock' or not name or name in later):
                        break
                    if ends_case(later, name, kind):
                        undo = 'unlock' if kind == 'lock' else \
                            'KUnit action undoing it (kunit_add_action_or_reset())'
                        print(f'{shown}:{line}:0: {kind} ({what}) with no {undo} '
                              f'before the case can end')
                        break


def main() -> None:
    tree = sys.argv[1]
    suites = sys.argv[2] if len(sys.argv) > 2 else os.environ.get('SUITES_DIR', 'fs/uncached_test')
    folder = os.path.join(tree, suites)
    if not os.path.isdir(folder):
        return  # a tree without our suites (the tools' fake trees)
    for name in sorted(os.listdir(folder)):
        if name.endswith('.c'):
            check(os.path.join(folder, name), f'{suites}/{name}')


if __name__ == '__main__':
    main()
