#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The sandbox's settings as lib.sh defines them in this environment
(DEBUG=1 and KUNIT_ARCH choose the folders, every path can be overridden):
the one place the Python tools take paths and settings from, rather than
deriving them again.

    settings.py NAME...    each setting's value (an array's elements), a line each
"""
import functools
import os
import subprocess
import sys

LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib.sh')
# For each name: its number of elements, then the elements, NUL-separated.
DUMP = ('. "$1" >/dev/null; set +u; shift; for _v; do unset -n _a; declare -n _a=$_v; '
        'printf "%s\\0" "${#_a[@]}" ${_a[@]+"${_a[@]}"}; done')


@functools.lru_cache(maxsize=None)
def load(*names: str) -> dict[str, list[str]]:
    """{name: [its elements]} (a plain setting has one, an unset one none)."""
    out = subprocess.run(['bash', '-c', DUMP, 'settings', LIB, *names], check=True,
                         stdout=subprocess.PIPE, text=True).stdout.split('\0')
    found, i = {}, 0
    for name in names:
        n = int(out[i])
        found[name] = out[i + 1:i + 1 + n]
        i += 1 + n
    return found


def get(name: str) -> str:
    """A plain setting's value ('' if unset)."""
    return next(iter(load(name)[name]), '')


def array(name: str) -> list[str]:
    return load(name)[name]


if __name__ == '__main__':
    for values in load(*sys.argv[1:]).values():
        print('\n'.join(values))
