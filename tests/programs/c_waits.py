"""Calls a C function that sleeps in libc: ``wait_here`` of the library argv[1], through ctypes.

tests/test_unwind_fallbacks.py builds the library with no ``.eh_frame``
entry for ``wait_here`` (only ``.debug_frame``, or no CFI at all), so its
frame is unwound by what is left. Announces the thread's native id. With
``crash`` (argv[2]), calls its ``crash_here`` instead, which dies of
SIGSEGV in its own code.
"""

import ctypes
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce, native_id  # noqa: E402


def call_into_c(library):
    announce(str(native_id())); library.wait_here(3600)  # noqa: E702  # mark: c-call


def crash_in_c(library):
    library.crash_here()  # mark: c-crash


if sys.argv[2:] == ["crash"]:
    crash_in_c(ctypes.CDLL(sys.argv[1]))
else:
    call_into_c(ctypes.CDLL(sys.argv[1]))  # mark: module
