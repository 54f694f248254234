"""py-bt and py-bt-full: the Python backtrace of the selected thread."""

from ...engine.report.frame_text import frame_summary
from ...engine.report.text import UNREADABLE, traceback_lines
from ...errors import CpythonGdbError
from .. import state
from ..snapshot import frame_entries
from .base import PyCommand, argv, current_stack, write
from .py_threads import PyThreads


class PyBt(PyCommand):
    """Print the Python stack of the selected thread, most recent call first.

Usage: py-bt [-a [--native] [--locals]]

Each frame shows its file, line and function and the source line, as in a
Python traceback. Calls into C built-ins, waits for the GIL and garbage
collections are shown where the C stack has them. With -a, every thread
is shown, with its state: see py-threads."""

    name = "py-bt"
    takes_arguments = True

    def run(self, argument: str) -> None:
        if "-a" in argv(argument):
            PyThreads.run(self, argument)  # type: ignore[arg-type]
            return
        if argument:
            raise CpythonGdbError("usage: py-bt [-a [--native] [--locals]]")
        target, stack = current_stack()
        if stack.thread is None:
            write("Unable to locate python frame: " + stack.note)
            return
        # The same entries and text as each thread of py-threads and dump.
        for line in traceback_lines(frame_entries(target, stack, native=False, with_locals=False)):
            write(line)
        if stack.unplaced and stack.note:
            write(f"  ({stack.note})")
        if stack.thread.truncated_reason:
            write(f"  ({stack.thread.truncated_reason})")


class PyBtFull(PyCommand):
    """Print the Python stack of the selected thread with C frame numbers and locals.

Usage: py-bt-full

Each Python frame shows the number of the C frame running it (for use
with `frame N`), its address, file, line, function and local variables."""

    name = "py-bt-full"

    def run(self, argument: str) -> None:
        target, stack = current_stack()
        if stack.thread is None:
            write("Unable to locate python frame: " + stack.note)
            return
        limits = state.limits()
        for cframe in stack.cframes:
            if cframe.kind == "eval":
                if not cframe.python:
                    write(f"#{cframe.level} {UNREADABLE}")
                for frame in cframe.python:
                    for line in frame_summary(target, frame, cframe.level, limits):
                        write(line)
            elif cframe.kind == "builtin" and cframe.text:
                write(f"#{cframe.level} {cframe.text}")
            elif cframe.kind == "gil":
                write(f"#{cframe.level} Waiting for the GIL")
            elif cframe.kind == "gc":
                write(f"#{cframe.level} Garbage-collecting")
        for frame in stack.unplaced:
            for line in frame_summary(target, frame, None, limits):
                write(line)
        if stack.unplaced and stack.note:
            write(f"({stack.note})")
        if stack.thread.truncated_reason:
            write(f"({stack.thread.truncated_reason})")
