"""Text handed to gdb to convert: what a frame decorator or a pretty-printer returns.

gdb converts such a str to its host charset (a frame's function and file
names) or its target charset (a printer's text, a convenience function's
value) and fails on a character that charset lacks: a lone surrogate
always, anything past ASCII under LANG=C. The text is made printable()
and what the charset lacks is escaped as backslashreplace escapes it.
"""

import codecs
from typing import Callable, Dict

import gdb

from ..engine.report.text import printable

_codecs: Dict[str, str] = {}


def _codec(charset: str) -> str:
    """Python's codec for a gdb charset name (ANSI_X3.4-1968 is ASCII); ASCII if Python has none."""
    known = _codecs.get(charset)
    if known is None:
        try:
            known = codecs.lookup(charset).name
        except LookupError:
            known = "ascii"
        _codecs[charset] = known
    return known


def _fit(text: str, charset: "Callable[[], str]") -> str:
    text = printable(text)
    if text.isascii():
        return text
    try:
        codec = _codec(charset())
    except (gdb.error, RuntimeError):
        codec = "ascii"
    return text.encode(codec, "backslashreplace").decode(codec)


def _host_charset() -> str:
    # gdb.host_charset() is there from gdb 12.
    host = getattr(gdb, "host_charset", None)
    return str(host()) if host is not None else "ascii"


def for_host(text: str) -> str:
    """``text`` as gdb can convert it to its host charset."""
    return _fit(text, _host_charset)


def for_target(text: str) -> str:
    """``text`` as gdb can convert it to the target charset."""
    return _fit(text, gdb.target_charset)
