"""Each thread's C stack in the direct backend, its Python frames placed on it, unwound as far as the output needs.

What the C frames tell (engine/cstack/) is what gdb/stack.py's stacks
tell, from the frames cframes.py finds. How far a thread is unwound
depends on what is printed (``detail``):

- STATE, a text dump: its state and the C frames py-bt names. At a settled
  stop (the newest frame outside CPython's code: the thread waits) the
  GIL and lock waits are the innermost frames, and the walk ends at the
  newest eval-loop call; the text shows no frame numbers. While the
  collector runs (the interpreters say so, from memory), a thread may run
  Python code called by it (a finaliser), above it: then as LEVELS.
- LEVELS, a JSON dump: also each Python frame's C frame number, so as
  gdb/stack.py does: down to the eval-loop call of the oldest Python frame
  at a settled stop.
- NATIVE (``--native``): every C frame.

A thread that is not settled (it runs CPython's own code) is unwound
whole: an eval-loop call entering or leaving may have no Python frame
linked yet, which only the count of all of them tells.
"""

from __future__ import annotations

from ..engine.cstack import kinds
from ..engine.cstack.frame import ThreadStack
from ..engine.cstack.placement import gather, place, python_groups
from ..engine.limits import DEFAULT_LIMITS, Limits
from ..engine.native.unwind import Unwinder
from .cframes import CFrame, CStack
from .stackmem import StackReader
from .vdso import NAME as VDSO

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Sequence

    from ..engine.memory import CachedReader
    from ..engine.model import PyThread
    from ..engine.target import Target
    from .images import Images

STATE, LEVELS, NATIVE = "state", "levels", "native"
NO_TSTATE = "no Python thread state for this thread"


class Stacks:
    """Builds the threads' stacks of one stop (the unwinding rules and stack pages kept for all of them).

    ``collecting``: whether a collection may be running in some interpreter.
    """

    def __init__(self, target: Target, pages: CachedReader, images: Images, detail: str, collecting: bool,
                 limits: Limits = DEFAULT_LIMITS) -> None:
        self.target = target
        self.limits = limits  # of the reprs of built-in calls' callables
        self.images = images
        self.detail = detail
        self.collecting = collecting
        self._memory = StackReader(pages)
        # No debugger to fall back on: code without CFI is unwound by its frame pointer (unwind.py).
        self.unwinder = Unwinder(images, self._memory.u64, expressions=True, frame_pointers=True)

    def settled(self, pc: int) -> bool:
        """Whether a thread whose newest frame runs at ``pc`` waits outside CPython's code (gdb/stack.py's
        _settled): in a shared library other than CPython's (gdb counts the vDSO as none)."""
        name = self.images.file_name(pc)
        return name is not None and name not in (self.images.runtime, self.images.executable, VDSO)

    def thread_stack(self, pythread: Optional[PyThread], registers: Optional[Sequence[int]]) -> ThreadStack:
        """The C stack of a thread with these registers (a user_regs_struct), its Python frames placed."""
        if pythread is None:
            return ThreadStack(None, NO_TSTATE)  # as gdb/stack.py: nothing to place, nothing unwound
        stack = ThreadStack(pythread)
        groups = python_groups(pythread.frames)
        self._memory.restart()
        walk = CStack(self.images, self.unwinder, registers, self.target.scheme.eval_loop)
        pc = walk.newest_pc()
        settled = self.detail != NATIVE and pc is not None and self.settled(pc)
        needed = len(groups) if self.detail == LEVELS or self.collecting else min(len(groups), 1)
        gather(stack, walk, groups, self.target.scheme.entry, settled, needed)
        # The frame a call of the eval loop is given before it links it in
        # is its C argument: DWARF's, which this backend does not read.
        cut = pythread.truncated_reason is not None
        place(stack, groups, lambda cframe: (), cut=cut)
        if cut and self.detail != NATIVE:
            # The walk stopped early (max-frames): the older C frames run
            # Python frames it did not read (as gdb/stack.py leaves them out).
            placed = [i for i, cframe in enumerate(stack.cframes) if cframe.python]
            if placed:
                del stack.cframes[placed[-1] + 1:]
                stack.whole = False
        if self.detail != NATIVE:
            self._builtin_texts(stack)
        else:
            # Every frame shown: the calls DWARF says are inlined into each, before it (as gdb shows them).
            stack.cframes = [shown for cframe in stack.cframes
                             for shown in (cframe.inlined() if isinstance(cframe, CFrame) else []) + [cframe]]
        if walk.reason is not None:
            stack.note = f"C stack cut short: {walk.reason}"
        elif stack.unplaced and not any(c.kind == kinds.EVAL for c in stack.cframes):
            stack.note = self._no_eval_reason()
        return stack

    def _builtin_texts(self, stack: ThreadStack) -> None:
        """The callables of the built-in calls on the stack (py-bt's <built-in ...> lines), from their
        frames' C variables where DWARF locates them (direct/variables.py). A text dump (STATE) gives
        those above the newest Python frame (what a waiting thread waits in): the walk may end there."""
        frames = [cframe for cframe in stack.cframes if isinstance(cframe, CFrame)]
        variables = None
        for index, cframe in enumerate(frames):
            if self.detail == STATE and cframe.python:
                break  # a text dump walks to the newest Python frame only: the calls above it, always
            if cframe.kind == kinds.BUILTIN and cframe.name:
                if variables is None:
                    # Here: a stack with no built-in call reads no DWARF, nor imports what reads it.
                    from ..engine.cstack.builtin_text import builtin_text
                    from .variables import FrameVariables

                    variables = FrameVariables(self.images, frames, self._memory.u64)
                cframe.text = builtin_text(self.target, cframe.name, variables.reader(index), self.limits)

    def _no_eval_reason(self) -> str:
        """Why no C frame was recognised as the eval loop's (as gdb/stack.py says it)."""
        if self.images.defines(self.images.runtime, sorted(kinds.EVAL_FUNCTIONS)):
            return (f"no {min(kinds.EVAL_FUNCTIONS)} frame found on the C stack (unwinding failed?): "
                    "Python frames only, without C frame numbers")
        return ("no symbol names the eval loop (_PyEval_EvalFrameDefault) in .symtab or .dynsym, "
                "so its C frames cannot be recognised: Python frames only, without C frame numbers")
