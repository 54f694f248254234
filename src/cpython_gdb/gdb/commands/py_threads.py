"""py-threads (also `py-bt -a`): every thread, its state and its Python stack.

py-dump-json is the same report as JSON, for `cpython-gdb dump`.
"""

import json
from typing import Tuple

import gdb

from ...engine.report.text import BEGIN_MARK, END_MARK, ERROR_MARK, render
from ...errors import CpythonGdbError, NoInterpreter, UnsupportedVersion
from ..snapshot import snapshot
from .base import PyCommand, argv, write

_OPTIONS = {"--native": "native", "-n": "native", "--locals": "locals", "-l": "locals"}


def parse_options(command: str, argument: str) -> Tuple[bool, bool]:
    """(native, locals) from the arguments of py-threads / py-dump-json."""
    chosen = set()
    for word in argv(argument):
        if word == "-a":
            continue  # py-bt -a: all threads is what this command does
        if word not in _OPTIONS:
            raise gdb.GdbError(f"{command}: unknown option {word!r} (expected --native, --locals)")
        chosen.add(_OPTIONS[word])
    return "native" in chosen, "locals" in chosen


class PyThreads(PyCommand):
    """Print every thread: its names, GIL and GC state, and its Python stack.

Usage: py-threads [--native] [--locals]      (also: py-bt -a)

For each thread: gdb's thread number, the OS thread id (LWP) and name, the
Python thread name (read from the target's threading module), whether it
holds the GIL, waits for it or is dropping it, whether it waits for a lock
or collects garbage, and the subinterpreter it runs in if not the main one.
Then its Python stack, as py-bt prints it. --native prints the C stack
with the Python frames in place of the eval-loop frames that run them;
--locals adds each Python frame's local variables."""

    name = "py-threads"
    takes_arguments = True

    def run(self, argument: str) -> None:
        native, with_locals = parse_options(self.name, argument)
        for line in render(snapshot(native=native, with_locals=with_locals)):
            write(line)


class PyDumpJson(PyCommand):
    """Internal (used by `cpython-gdb dump`): the py-threads report as JSON.

Usage: py-dump-json [--native] [--locals]

The document is printed on one line between marker lines; failures print
one marker line with the kind of failure instead."""

    name = "py-dump-json"
    takes_arguments = True

    def run(self, argument: str) -> None:
        native, with_locals = parse_options(self.name, argument)
        try:
            doc = snapshot(native=native, with_locals=with_locals)
        except (NoInterpreter, UnsupportedVersion) as exc:
            kind = "no-python" if isinstance(exc, NoInterpreter) else "unsupported"
            write(f"{ERROR_MARK} {kind} {exc}")
            return
        except (CpythonGdbError, gdb.error) as exc:
            write(f"{ERROR_MARK} unreadable {exc}")
            return
        write(BEGIN_MARK)
        write(json.dumps(doc, ensure_ascii=True, sort_keys=True))
        write(END_MARK)
