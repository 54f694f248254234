"""A frame filter: plain `bt` shows Python frames where the eval loop runs them.

Each C frame of the eval loop is replaced by the Python frames it runs
(innermost first), shown with the Python function, file and line. All of
them keep the C frame's number, so `frame N` still selects it. `bt
-no-filters` and `disable frame-filter global cpython-gdb` give the raw
stack back.
"""

from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Tuple, Union

import gdb
from gdb.FrameDecorator import FrameDecorator

from ..engine.model import PyFrame
from . import state
from .charset import for_host
from .stack import frame_level, thread_stack

if TYPE_CHECKING:
    # Names of the stubs only: DAPFrameDecorator is in gdb 14 and later.
    from gdb.FrameDecorator import DAPFrameDecorator, SymValueWrapper

    AnyDecorator = Union[FrameDecorator, DAPFrameDecorator]

FILTER_NAME = "cpython-gdb"


class PythonFrameDecorator(FrameDecorator):
    """One Python frame, standing on the eval-loop C frame that runs it.

    gdb calls these methods while it prints, after the filter has handed
    the frame over: what they return is made here, in a form gdb can
    convert, so that none of them can fail then.
    """

    def __init__(self, base: "AnyDecorator", pyframe: PyFrame) -> None:
        # The stub takes only a FrameDecorator or a gdb.Frame; gdb keeps any
        # object with a decorator's methods as the base (DAP hands filters
        # DAPFrameDecorators).
        super().__init__(base)  # type: ignore[arg-type]
        code = pyframe.code
        self._function = for_host(f"{code.qualname} [Python]")
        self._filename = for_host(code.filename)
        self._line = pyframe.lineno

    def function(self) -> str:
        return self._function

    def filename(self) -> str:
        return self._filename

    def line(self) -> Optional[int]:
        return self._line

    def address(self) -> Optional[int]:
        # The C frame's pc belongs to the eval loop, not to this Python frame.
        return None

    def frame_args(self) -> "Optional[Iterator[SymValueWrapper]]":
        return None

    def frame_locals(self) -> "Optional[Iterator[SymValueWrapper]]":
        return None

    def elided(self) -> "Optional[Iterator[gdb.Frame]]":
        return None


def _python_levels() -> Dict[int, Tuple[PyFrame, ...]]:
    """The Python frames each eval-loop C frame of the selected thread runs, by gdb's frame number."""
    stack = thread_stack(state.current_target())
    return {c.level: c.python for c in stack.cframes if c.kind == "eval" and c.python}


def _decorated(frames: "Iterator[AnyDecorator]",
               by_level: Dict[int, Tuple[PyFrame, ...]]) -> "Iterator[AnyDecorator]":
    for decorator in frames:
        try:
            level = frame_level(decorator.inferior_frame())
            python = by_level.get(level, ())
            replaced = [PythonFrameDecorator(decorator, pyframe) for pyframe in python]
        except Exception:  # whatever it is, gdb's frame is still right to print
            replaced = []
        if replaced:
            yield from replaced
        else:
            yield decorator


class PythonFrameFilter:
    """Replaces each eval-loop C frame with the Python frames it runs.

    The filter must never make a backtrace worse than gdb's own. Once any
    filter is enabled, gdb prints every frame through Python frame
    decorators, which fail where gdb alone does not (a frame whose pc is
    unavailable, as in a core without registers: gdb's own
    FrameDecorator.address raises) and leave out gdb's "Backtrace stopped"
    line. So gdb, which reads ``enabled`` before each backtrace, finds the
    filter enabled only where it has Python frames to show (and the user
    has not disabled it); and where anything goes wrong while it
    decorates, gdb's frames go through as they came.
    """

    def __init__(self) -> None:
        self.name = FILTER_NAME
        self.priority = 100
        self._enabled = True  # the user's `enable/disable frame-filter`
        gdb.frame_filters[self.name] = self

    @property
    def enabled(self) -> bool:
        if not self._enabled:
            return False
        try:
            if gdb.selected_thread() is None:
                return True  # no stack to print: `info frame-filter` shows the user's setting
            return bool(_python_levels())
        except Exception:  # gdb prints this backtrace better alone
            return False

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self._enabled = bool(value)

    def filter(self, frames: "Iterator[AnyDecorator]") -> "Iterator[AnyDecorator]":
        try:
            by_level = _python_levels()  # kept for the stop: enabled has read it
        except Exception:  # not a Python program, nothing readable: leave bt alone
            return frames
        return _decorated(frames, by_level) if by_level else frames


_filter: List[PythonFrameFilter] = []


def register_frame_filter() -> None:
    if not _filter:
        _filter.append(PythonFrameFilter())
