"""py-threads (also `py-bt -a`): every thread, its state and its Python stack.

py-dump-json is the same report as JSON, for `cpython-gdb dump`.
"""

import time

import gdb

from ...engine.report.tasks import add_tasks
from ...engine.report.text import BEGIN_MARK, END_MARK, ERROR_MARK, json_text
from ...errors import CpythonGdbError, NoInterpreter, UnsupportedVersion
from .. import state
from ..snapshot import is_core, report_lines, snapshot
from .base import PyCommand, report_options, write


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
        for line in report_lines(*report_options(self.name, argument)):
            write(line)


class PyDumpJson(PyCommand):
    """Internal (used by `cpython-gdb dump`): the py-threads report as JSON.

Usage: py-dump-json [--native] [--locals] [--tasks]

The document is printed on one line between marker lines; failures print
one marker line with the kind of failure instead."""

    name = "py-dump-json"
    takes_arguments = True

    def run(self, argument: str) -> None:
        words = argument.split()
        tasks = "--tasks" in words
        native, with_locals = report_options(self.name, " ".join(w for w in words if w != "--tasks"))
        try:
            doc = snapshot(native=native, with_locals=with_locals)
            if tasks:
                add_tasks(doc, state.current_target(), state.runtime_anchor(), state.limits(),
                          None if is_core() else time.monotonic())
        except (NoInterpreter, UnsupportedVersion) as exc:
            kind = "no-python" if isinstance(exc, NoInterpreter) else "unsupported"
            write(f"{ERROR_MARK} {kind} {exc}")
            return
        except (CpythonGdbError, gdb.error) as exc:
            write(f"{ERROR_MARK} unreadable {exc}")
            return
        write(BEGIN_MARK)
        write(json_text(doc))
        write(END_MARK)
