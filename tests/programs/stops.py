"""Stops of other kinds: a C breakpoint, a new eval-loop call, a crash.

    stops.py break   calls id() (break builtin_id), then after() -> map -> helper()
    stops.py crash   dereferences address 1 in ctypes.string_at: SIGSEGV
"""

import ctypes
import sys


def target_call(obj):
    return id(obj)  # mark: id


def crash(address):
    return ctypes.string_at(address)  # mark: crash


def helper(x):
    return x + 1  # mark: helper


def after(y):
    # helper is called from C (map): a new C call of the eval loop.
    return list(map(helper, [y]))  # mark: after


def caller(mode, n):
    if mode == "crash":
        return crash(n)  # mark: caller-crash
    target_call([n])  # mark: caller-id
    return after(n)  # mark: caller-after


caller(sys.argv[1], 1)  # mark: module
