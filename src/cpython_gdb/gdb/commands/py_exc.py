"""py-exc: the exception raised or being handled in the selected thread."""

import gdb

from ...exceptions import (
    format_exception,
    handled_exception,
    raised_exception,
    raised_traceback,
    read_exception,
    traceback_entries,
)
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
        shown = False
        raised = raised_exception(target, tstate)
        if raised:
            info = read_exception(target, raised, limits)
            extra = traceback_entries(target, raised_traceback(target, tstate))
            write("Exception being raised:")
            for line in format_exception(info, extra):
                write(line)
            shown = True
        handled = handled_exception(target, tstate)
        if handled and handled != raised:
            if shown:
                write("")
            write("Exception being handled:")
            for line in format_exception(read_exception(target, handled, limits)):
                write(line)
            shown = True
        if not shown:
            write("No Python exception is being raised or handled in this thread.")
