"""What the engine needs of one C frame, whichever backend found it."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Protocol, Tuple

    from ..model import PyFrame, PyThread

    # (function, pc, source file, line, library): what a native frame shows.
    NativeInfo = Tuple[Optional[str], Optional[int], Optional[str], Optional[int], Optional[str]]

    class CFrame(Protocol):
        """One C frame, numbered from the newest (0) as the backend numbers it."""

        level: int
        pc: int
        name: Optional[str]  # the function's name, as the backend's symbols give it
        kind: str  # kinds.EVAL, BUILTIN, GIL, GC or OTHER (placement may turn OTHER into EVAL)
        inline: bool  # an inlined call: shown as a frame, but not a call on the stack
        python: Tuple[PyFrame, ...]  # the Python frames it runs, newest first (set by placement)

        @property
        def text(self) -> str:
            """The repr of the callable a built-in call runs ("" where the backend cannot tell)."""
            ...

        def stack_span(self) -> Optional[Tuple[int, int]]:
            """[stack pointer, caller's stack pointer) of its physical frame, None if unknown."""
            ...

        def native(self) -> NativeInfo:
            """Function, pc, source file and line, and library, as far as the backend knows them."""
            ...


class ThreadStack:
    """A thread's Python state and its C frames, the Python frames placed on them."""

    __slots__ = ("thread", "cframes", "unplaced", "note", "whole")

    def __init__(self, thread: Optional[PyThread], note: str = "") -> None:
        self.thread = thread
        self.cframes: List[CFrame] = []
        # Python frames with no eval-loop C frame to stand on (unwinding failed).
        self.unplaced: Tuple[PyFrame, ...] = ()
        self.note = note
        # False when the unwinding stopped at the oldest Python frame's C frame.
        self.whole = True

    def python_cframes(self) -> List[CFrame]:
        return [c for c in self.cframes if c.kind == "eval" and c.python]
