"""The selected Python frame: what py-up, py-down and py-frame chose, and when gdb's own selection overrides it.

From 3.11 one C call of the eval loop runs several Python frames, so
gdb's selected C frame cannot tell which of them the user is looking at.
py-up, py-down and py-frame record their choice here, per thread, with
gdb's frame that was selected when they made it. gdb says nothing when
its selection changes (no Python event), so the choice holds only while
that frame is still the selected one: gdb's `frame N`, `up` or `down` to
another C frame, another thread's frames, and a new stop (a new
StopState) end it. Without a choice, the selected Python frame is the
innermost one that the selected C frame runs, or the next older one's.
"""

from typing import List, Optional, Tuple

import gdb

from ..engine.model import PyFrame
from ..engine.target import Target
from ..errors import CpythonGdbError
from .stack import CFrame, ThreadStack, python_cframes, selected_level, settled_python_cframe, thread_stack
from .stop import stop_state

# A Python frame with the C frame that runs it (None: not placed on one).
Placed = Tuple[PyFrame, Optional[CFrame]]


class Choice:
    """A Python frame picked by py-up, py-down or py-frame, valid while ``gdb_frame`` stays selected."""

    __slots__ = ("gdb_frame", "frame", "cframe")

    def __init__(self, gdb_frame: "gdb.Frame", frame: PyFrame, cframe: Optional[CFrame]) -> None:
        self.gdb_frame = gdb_frame
        self.frame = frame
        self.cframe = cframe


def _thread_number() -> int:
    thread = gdb.selected_thread()
    if thread is None:
        raise CpythonGdbError("no thread selected")
    return int(thread.global_num)


def recorded(target: Target) -> Optional[Choice]:
    """The selected thread's choice, if gdb has not selected another C frame since it was made."""
    choices = stop_state(target).choices
    number = _thread_number()
    choice = choices.get(number)
    if choice is None:
        return None
    try:
        same = choice.gdb_frame.is_valid() and choice.gdb_frame == gdb.selected_frame()
    except gdb.error:
        same = False
    if not same:
        del choices[number]
        return None
    return choice


def choose(target: Target, placed: Placed) -> None:
    """Make ``placed`` the selected Python frame, selecting in gdb the C frame that runs it."""
    frame, cframe = placed
    if cframe is not None and cframe.level != selected_level():
        cframe.frame.select()
    stop_state(target).choices[_thread_number()] = Choice(gdb.selected_frame(), frame, cframe)


def python_frames(stack: ThreadStack) -> List[Placed]:
    """The thread's Python frames, newest first, numbered (from 0) as py-bt-full and py-frame number them."""
    out: List[Placed] = [(f, c) for c in python_cframes(stack) for f in c.python]
    out.extend((f, None) for f in stack.unplaced)
    return out


def number_of(frames: List[Placed], frame: PyFrame) -> Optional[int]:
    for index, (each, _) in enumerate(frames):
        if each.address == frame.address:
            return index
    return None


def _implicit(frames: List[Placed], level: int) -> Optional[int]:
    """The index in ``frames`` of the selected Python frame when none was chosen.

    As py-print and py-locals find it: the innermost Python frame of the
    selected C frame or, when that runs none, of the next older eval-loop
    C frame; with no frame placed on a C frame at all, the innermost. None
    when the selected C frame is older than every Python frame.
    """
    if frames and all(c is None for _, c in frames):
        return 0
    for index, (_, cframe) in enumerate(frames):
        if cframe is not None and cframe.level >= level:
            return index
    return None


def _fast_older(target: Target, choice: Optional[Choice]) -> Optional[Placed]:
    """py-up's frame found by unwinding the C stack only up to the next eval-loop call (see
    stack.settled_python_cframe); None where that is not sure: the whole stack decides."""
    if choice is not None:
        if choice.cframe is None:
            return None
        group = choice.cframe.python
        addresses = [f.address for f in group]
        if choice.frame.address not in addresses:
            return None
        at = addresses.index(choice.frame.address)
    else:
        found = settled_python_cframe(target, selected_level())
        if found is None:
            return None
        group, at = found.python, 0
        choice = Choice(gdb.selected_frame(), group[0], found)
    assert choice.cframe is not None
    if at + 1 < len(group):
        return group[at + 1], choice.cframe
    after = settled_python_cframe(target, choice.cframe.level + 1)
    return (after.python[0], after) if after is not None else None


def neighbour(target: Target, older: bool) -> Optional[Placed]:
    """The Python frame one step older (or newer) than the selected one; None at that end."""
    choice = recorded(target)
    if choice is not None and choice.cframe is not None:
        # Within the frames of one eval-loop call: no C frame to unwind.
        group = choice.cframe.python
        addresses = [f.address for f in group]
        if choice.frame.address in addresses:
            step = addresses.index(choice.frame.address) + (1 if older else -1)
            if 0 <= step < len(group):
                return group[step], choice.cframe
    if older:
        fast = _fast_older(target, choice)
        if fast is not None:
            return fast
    frames = python_frames(thread_stack(target))
    level = selected_level()
    index = number_of(frames, choice.frame) if choice is not None else _implicit(frames, level)
    if index is None:
        if older or choice is not None:
            return None
        # Selected: a C frame older than every Python frame. The newest step is the oldest of them.
        newer = [p for p in frames if p[1] is not None and p[1].level < level]
        return newer[-1] if newer else None
    step = index + (1 if older else -1)
    return frames[step] if 0 <= step < len(frames) else None
