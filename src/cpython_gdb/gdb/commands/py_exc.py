"""py-exc: the exception raised or being handled in the selected thread."""

import gdb

from ...engine.pyexc import thread_exceptions
from ...engine.report.text import exception_lines
from .. import state
from ..tstates import find_thread_state
from .base import PyCommand, write


class PyExc(PyCommand):
    """Print the Python exception being raised or handled in the selected thread.

Usage: py-exc

Shows the exception on its way up the stack (raised, not yet caught) and
the one an `except` block is handling, each with its traceback and the
exceptions chained to it, as Python would print them."""

    name = "py-exc"

    def run(self, argument: str) -> None:
        target = state.current_target()
        tstate = find_thread_state(target, gdb.selected_thread())
        if tstate is None:
            write("Unable to locate python frame: no Python thread state for this thread")
            return
        limits = state.limits()
        for line in exception_lines(thread_exceptions(target, tstate, limits), limits.max_source_line,
                                    target.source_root):
            write(line)
