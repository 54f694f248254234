"""py-up and py-down: select the next older or newer C frame running Python."""

from typing import List, Optional

from ...engine.report.document import python_entry
from ...engine.report.text import frame_summary
from .. import state
from ..stack import CFrame, python_cframes, selected_level, settled_python_cframe
from .base import PyCommand, current_stack, write


def _move(older: bool) -> None:
    target = state.current_target()
    # From the newest frame, py-up needs the C stack only up to the next
    # eval-loop call: a deep stack is not unwound for one step.
    target_cframe: Optional[CFrame] = settled_python_cframe(target, selected_level() + 1) if older else None
    if target_cframe is None:
        target, stack = current_stack()
        level = selected_level()
        candidates: List[CFrame] = python_cframes(stack)
        if older:
            found = [c for c in candidates if c.level > level]
            target_cframe = found[0] if found else None
        else:
            found = [c for c in candidates if c.level < level]
            target_cframe = found[-1] if found else None
    if target_cframe is None:
        write("Unable to find an older python frame" if older else "Unable to find a newer python frame")
        return
    target_cframe.frame.select()
    limits = state.limits()
    for frame in target_cframe.python:
        entry = python_entry(target, frame, target_cframe.level, True, limits)
        for line in frame_summary(entry, limits.max_output):
            write(line)


class PyUp(PyCommand):
    """Select and print the next older C frame that runs Python code.

Usage: py-up

On CPython 3.11 and later one C frame of the eval loop runs several Python
frames; all of them are printed."""

    name = "py-up"

    def run(self, argument: str) -> None:
        _move(older=True)


class PyDown(PyCommand):
    """Select and print the next newer C frame that runs Python code.

Usage: py-down"""

    name = "py-down"

    def run(self, argument: str) -> None:
        _move(older=False)
