"""py-frame [N]: select a Python frame by its number, or print the selected one."""

from typing import Optional

from ...engine.report.document import python_entry
from ...engine.report.text import frame_summary
from ...errors import CpythonGdbError
from .. import state
from ..selection import Placed, choose, number_of, python_frames
from .base import PyCommand, argv, current_stack, no_python_frame_message, selected_python_frame, write

USAGE = "usage: py-frame [N]"


class PySelectFrame(PyCommand):
    """Select the Nth Python frame of the selected thread, or print the selected one.

Usage: py-frame      print the selected Python frame
       py-frame N    select Python frame N (0 is the newest) and print it

Frames are numbered as py-bt-full numbers them ([N] before each). The C
frame that runs it is selected in gdb, and py-print, py-locals, py-list
and py-exc use the frame, as after py-up and py-down."""

    name = "py-frame"
    takes_arguments = True

    def run(self, argument: str) -> None:
        words = argv(argument)
        if len(words) > 1 or (words and not words[0].isdigit()):
            raise CpythonGdbError(USAGE)
        if words:
            self._select(int(words[0]))
            return
        target, frame, _, stack = selected_python_frame()
        if frame is None:
            write(no_python_frame_message(stack))
            return
        frames = python_frames(stack)
        index = number_of(frames, frame)
        cframe = frames[index][1] if index is not None else None
        self._print((frame, cframe), index)

    def _select(self, number: int) -> None:
        target, stack = current_stack()
        frames = python_frames(stack)
        if not frames:
            write(no_python_frame_message(stack))
            return
        if number >= len(frames):
            raise CpythonGdbError(f"no Python frame {number}: this thread has {len(frames)}, 0 to {len(frames) - 1}")
        choose(target, frames[number])
        self._print(frames[number], number)

    @staticmethod
    def _print(placed: Placed, number: Optional[int]) -> None:
        frame, cframe = placed
        target = state.current_target()
        limits = state.limits()
        entry = python_entry(target, frame, None if cframe is None else cframe.level, True, limits)
        for line in frame_summary(entry, limits.max_output, number):
            write(line)
