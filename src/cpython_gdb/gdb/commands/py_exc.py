"""py-exc: the exception raised or being handled, as the selected Python frame sees it."""

from typing import Optional, Sequence

import gdb

from ...engine.model import PyFrame
from ...engine.pyexc import thread_exceptions
from ...engine.report.text import exception_lines
from .. import state
from ..tstates import find_thread_state
from .base import PyCommand, selected_python_frame, write


class PyExc(PyCommand):
    """Print the Python exception being raised or handled, as the selected Python frame sees it.

Usage: py-exc

Shows the exception on its way up the stack (raised, not yet caught) and
the one an `except` block is handling as seen from the selected Python
frame (py-up, py-down, py-frame): what sys.exc_info() would give there.
Each comes with its traceback and the exceptions chained to it, as
Python would print them. Where a newer frame may be the one handling it
(from 3.6 ordinary frames share one exception state), a line says so."""

    name = "py-exc"

    def run(self, argument: str) -> None:
        target, frame, _, stack = selected_python_frame()
        tstate = stack.thread.tstate if stack.thread is not None else None
        if tstate is None:
            tstate = find_thread_state(target, gdb.selected_thread())
        if tstate is None:
            write("Unable to locate python frame: no Python thread state for this thread")
            return
        newer: Optional[Sequence[PyFrame]] = None
        if frame is not None and stack.thread is not None:
            addresses = [each.address for each in stack.thread.frames]
            if frame.address in addresses:
                newer = stack.thread.frames[:addresses.index(frame.address)]
        limits = state.limits()
        found = thread_exceptions(target, tstate, limits, newer)
        for line in exception_lines(found, limits.max_source_line, target.source_root):
            write(line)
