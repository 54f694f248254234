"""What the adapter learns from gdb during one stop, kept until the target runs again.

One :class:`StopState` per :class:`~..engine.target.Target`: the adapter
makes a new Target at every stop (state.current_target), so this state
goes with it.
"""

import weakref
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple, Union

import gdb

from ..engine.cstack.frame import ThreadStack
from ..engine.model import PyThread
from ..engine.native.unwind import Modules
from ..engine.target import Target

if TYPE_CHECKING:
    from ..engine.runtime.os_thread import OsThreadKeys
    from .cframes import Lesson
    from .selection import Choice


class StopState:
    __slots__ = ("stacks", "pythreads", "gdb_frames", "modules", "lessons", "names", "told", "os_threads",
                 "choices", "__weakref__")

    def __init__(self) -> None:
        # By gdb's global thread number.
        self.stacks: Dict[int, ThreadStack] = {}
        self.pythreads: Dict[int, Optional[PyThread]] = {}
        self.gdb_frames: Dict[int, List[gdb.Frame]] = {}  # gdb's frames from the newest, as far as unwound
        # The files mapped in the inferior (False: gdb lists none).
        self.modules: Optional[Union[Modules, bool]] = None
        # cframes.py: which frames gdb lists between a callee and its caller
        # (by their pcs), and the function names at return addresses.
        self.lessons: Dict[Tuple[int, int], "Lesson"] = {}
        self.names: Dict[int, Tuple[str, ...]] = {}
        # How many of the Target's notes (engine.target) were said at this stop.
        self.told = 0
        # tstates.py: every thread's (global number, keys), read once where needed.
        self.os_threads: Optional[List[Tuple[int, "OsThreadKeys"]]] = None
        # selection.py: the Python frame py-up, py-down or py-frame chose, by gdb's global thread number.
        self.choices: Dict[int, "Choice"] = {}


_states: "weakref.WeakKeyDictionary[Target, StopState]" = weakref.WeakKeyDictionary()


def stop_state(target: Target) -> StopState:
    found = _states.get(target)
    if found is None:
        found = _states[target] = StopState()
    return found
