"""Text no terminal or encoding takes as it is, in names, file names, strings and a source line.

ODD holds a lone surrogate (what Python makes of a file name's byte that
is not UTF-8), a NUL and a terminal's escape sequence. A function's code
object carries ODD in its name, qualified name and file name, a local
holds it, the main thread is named with it, and a function is named
with a letter past ASCII. tests/gdb/test_hostile_text.py runs a copy of
this file from a directory whose name holds the byte 0xff, with ESC in
place of the <ESC> below (a raw control character in a source line).

Announces "ID_OF_ODD ID_OF_CODE ID_OF_CAFE_CODE": the addresses of the
str, of the code object with the odd names and of café's code object.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ready import announce, replace_code  # noqa: E402

ODD = "a\udcffb\x00c\x1b[2J"


def wait_here(code):
    odd = ODD
    announce(f"{id(odd)} {id(code)} {id(café.__code__)}")
    time.sleep(1000)  # <ESC>[2J: clears a terminal screen if printed raw


def odd_names():
    wait_here(odd_names.__code__)


_FIELDS = {"co_name": "odd" + ODD, "co_filename": "/nonexistent/odd" + ODD + ".py"}
if sys.version_info >= (3, 11):
    _FIELDS["co_qualname"] = "odd" + ODD
odd_names.__code__ = replace_code(odd_names.__code__, **_FIELDS)


def café():
    name = "café"
    odd_names()
    return name


threading.current_thread().name = "main" + ODD
café()
