"""hostile_text.py for CPython 2.7, whose names and str are bytes.

ODD holds the byte 0xff (not UTF-8: cpython-gdb shows it as the lone
surrogate Python 3 would make of it), a NUL and a terminal's escape
sequence. A function's code object carries ODD in its name and file name,
a local holds it, the main thread is named with it, and a function is
named in UTF-8 with a letter past ASCII (2.7 takes only ASCII identifiers:
its code object is renamed). tests/gdb/test_hostile_text.py runs a copy of
this file from a directory whose name holds the byte 0xff, with ESC in
place of the <ESC> below (a raw control character in a source line).

Announces "ID_OF_ODD ID_OF_CODE ID_OF_CAFE_CODE", as hostile_text.py does.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ready import announce, replace_code  # noqa: E402

ODD = "a\xffb\x00c\x1b[2J"
CAFE = "caf\xc3\xa9"


def wait_here(code):
    odd = ODD
    announce("%d %d %d" % (id(odd), id(code), id(cafe.__code__)))
    time.sleep(1000)  # <ESC>[2J: clears a terminal screen if printed raw


def odd_names():
    wait_here(odd_names.__code__)


odd_names.__code__ = replace_code(odd_names.__code__, co_name="odd" + ODD, co_filename="/nonexistent/odd" + ODD + ".py")


def cafe():
    name = CAFE
    odd_names()
    return name


cafe.__code__ = replace_code(cafe.__code__, co_name=CAFE)
threading.current_thread().name = "main" + ODD
cafe()
