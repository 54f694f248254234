"""py-locals: the local variables of the selected Python frame(s)."""

from typing import Optional, Tuple

from ...engine.model import PyFrame
from ...engine.report.document import python_entry
from ...engine.report.text import locals_lines
from ...engine.target import Target
from .. import state
from ..stack import newest_python_frame, selected_level, settled_python_cframe
from .base import PyCommand, no_python_frame_message, selected_python_frame, write


class PyLocals(PyCommand):
    """Print the local variables of the selected Python frame.

Usage: py-locals

Each frame's locals follow a "Locals for FUNCTION" line. On CPython 3.11
and later one C frame of the eval loop runs several Python frames; the
locals of all of them are printed, newest first. Variables captured by
inner functions (cells) are shown with the value the cell holds."""

    name = "py-locals"

    def run(self, argument: str) -> None:
        target = state.current_target()
        frames = self._frames(target)
        if frames is None:
            target, frame, cframe, stack = selected_python_frame()
            if frame is None:
                write(no_python_frame_message(stack))
                return
            frames = cframe.python if cframe is not None else (frame,)
        limits = state.limits()
        for each in frames:
            # An unreadable frame's locals are said, and the other frames still shown.
            for line in locals_lines(python_entry(target, each, None, True, limits, with_source=False)):
                write(line)

    @staticmethod
    def _frames(target: Target) -> Optional[Tuple[PyFrame, ...]]:
        """The selected eval-loop call's Python frames where the C stack need not be unwound whole."""
        newest = newest_python_frame(target)
        if newest is not None and newest.is_entry:
            # The eval-loop call that runs it runs no other frame: no need
            # to find that call on the C stack.
            return (newest,)
        settled = settled_python_cframe(target, selected_level())
        return settled.python if settled is not None else None
