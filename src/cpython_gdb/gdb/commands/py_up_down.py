"""py-up and py-down: select the next older or newer Python frame."""

from ...engine.report.document import python_entry
from ...engine.report.text import frame_summary
from .. import state
from ..selection import choose, neighbour
from .base import PyCommand, write


def _move(older: bool) -> None:
    target = state.current_target()
    found = neighbour(target, older)
    if found is None:
        write("Unable to find an older python frame" if older else "Unable to find a newer python frame")
        return
    choose(target, found)
    frame, cframe = found
    limits = state.limits()
    entry = python_entry(target, frame, None if cframe is None else cframe.level, True, limits)
    for line in frame_summary(entry, limits.max_output):
        write(line)


class PyUp(PyCommand):
    """Select and print the next older Python frame.

Usage: py-up

It is printed with the number of the C frame that runs it. On CPython 3.11
and later one C frame of the eval loop runs several Python frames: py-up
steps through them one at a time, and selects in gdb the C frame that runs
the one it reaches. py-print, py-locals, py-list and py-exc then use it,
until gdb selects another frame (frame N, up, down) or the program runs."""

    name = "py-up"

    def run(self, argument: str) -> None:
        _move(older=True)


class PyDown(PyCommand):
    """Select and print the next newer Python frame.

Usage: py-down

As py-up, one Python frame at a time, towards the newest."""

    name = "py-down"

    def run(self, argument: str) -> None:
        _move(older=False)
