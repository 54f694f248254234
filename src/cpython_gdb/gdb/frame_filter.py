"""A frame filter: plain `bt` shows Python frames where the eval loop runs them.

Each C frame of the eval loop is replaced by the Python frames it runs
(innermost first), shown with the Python function, file and line. All of
them keep the C frame's number, so `frame N` still selects it. `bt
-no-filters` and `disable frame-filter global cpython-gdb` give the raw
stack back.
"""

from typing import TYPE_CHECKING, Iterator, List, Optional, Union

import gdb
from gdb.FrameDecorator import FrameDecorator

from ..engine.model import PyFrame
from ..errors import CpythonGdbError
from . import state
from .stack import frame_level, thread_stack

if TYPE_CHECKING:
    # Names of the stubs only: DAPFrameDecorator is in gdb 14 and later.
    from gdb.FrameDecorator import DAPFrameDecorator, SymValueWrapper

    AnyDecorator = Union[FrameDecorator, DAPFrameDecorator]

FILTER_NAME = "cpython-gdb"


class PythonFrameDecorator(FrameDecorator):
    """One Python frame, standing on the eval-loop C frame that runs it."""

    def __init__(self, base: "AnyDecorator", pyframe: PyFrame) -> None:
        # The stub takes only a FrameDecorator or a gdb.Frame; gdb keeps any
        # object with a decorator's methods as the base (DAP hands filters
        # DAPFrameDecorators).
        super().__init__(base)  # type: ignore[arg-type]
        self._pyframe = pyframe

    def function(self) -> str:
        return f"{self._pyframe.code.qualname} [Python]"

    def filename(self) -> str:
        return self._pyframe.code.filename

    def line(self) -> Optional[int]:
        return self._pyframe.lineno

    def address(self) -> Optional[int]:
        # The C frame's pc belongs to the eval loop, not to this Python frame.
        return None

    def frame_args(self) -> "Optional[Iterator[SymValueWrapper]]":
        return None

    def frame_locals(self) -> "Optional[Iterator[SymValueWrapper]]":
        return None

    def elided(self) -> "Optional[Iterator[gdb.Frame]]":
        return None


class PythonFrameFilter:
    def __init__(self) -> None:
        self.name = FILTER_NAME
        self.priority = 100
        self.enabled = True
        gdb.frame_filters[self.name] = self

    def filter(self, frames: "Iterator[AnyDecorator]") -> "Iterator[AnyDecorator]":
        try:
            target = state.current_target()
            stack = thread_stack(target)
        except (CpythonGdbError, gdb.error):
            # Not a Python program, or nothing readable: leave bt alone.
            yield from frames
            return
        by_level = {c.level: c.python for c in stack.cframes if c.kind == "eval" and c.python}
        for decorator in frames:
            level = frame_level(decorator.inferior_frame())
            python = by_level.get(level) if level is not None else None
            if not python:
                yield decorator
                continue
            for pyframe in python:
                yield PythonFrameDecorator(decorator, pyframe)


_filter: List[PythonFrameFilter] = []


def register_frame_filter() -> None:
    if not _filter:
        _filter.append(PythonFrameFilter())
