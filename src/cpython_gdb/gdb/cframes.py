"""The selected thread's C frames, numbered as gdb numbers them, unwound fast where gdb's numbering can be reproduced.

gdb spends 15-25 µs unwinding each C frame, and at a Python recursion 950
deep CPython 3.8-3.10 sits on 4,000-7,000 of them. Our own unwinder
(:mod:`cpython_gdb.engine.native.unwind`, from the files' ``.eh_frame``) finds
the same physical frames several times faster, but gdb also shows frames
that are not on the stack: inlined calls, and calls that ended in a tail
call (from DWARF call-site information). So gdb unwinds first, and every
pair of adjacent physical frames it shows teaches which frames gdb puts
between a callee at pc A and its caller at pc B. From then on, a caller
whose (A, B) pair gdb has already shown is listed from that lesson without
asking gdb; at the first pair it has not shown, gdb takes over again from
where it was (it unwinds the frames in between itself, so nothing is
guessed). A deep stack repeats a few pairs thousands of times.

Frames listed this way carry no gdb.Frame: :attr:`CFrame.frame` asks gdb
for it (unwinding that far) only when a command needs one.
"""

import os
from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Tuple

import gdb

from ..engine.cstack.builtin_text import builtin_text
from ..engine.cstack.kinds import EVAL_FUNCTIONS, base_name, classify
from ..engine.model import PyFrame
from ..engine.native.cfi import RSP
from ..engine.native.unwind import Modules, Unwinder
from ..engine.target import Target
from ..errors import CpythonGdbError
from . import state
from .parameters import fast_unwind
from .reader import proc_mappings
from .stop import stop_state

if TYPE_CHECKING:
    from ..engine.cstack.frame import NativeInfo

MAX_C_FRAMES = 200_000
# By DWARF number: rsp and the registers a callee keeps for its caller
# (System V x86-64 ABI); the others are not known in a caller.
_REGISTERS = {3: "rbx", 6: "rbp", 12: "r12", 13: "r13", 14: "r14", 15: "r15", RSP: "rsp"}
# The frames gdb lists for a caller at pc B whose callee runs at pc A:
# (name, gdb frame type, pc) from the newest, the caller's own frame last.
# Inlined calls have pc B too; a call that ended in a tail call has its own.
Lesson = Tuple[Tuple[Optional[str], int, int], ...]


class CFrame:
    """One C frame of gdb's (engine.cstack.frame.CFrame): its number, its kind, the Python frames it runs."""

    __slots__ = ("level", "_frame", "name", "kind", "python", "_target", "_text", "pc", "inline", "_sp",
                 "_caller_sp")

    def __init__(self, level: int, frame: Optional["gdb.Frame"], name: Optional[str], frame_type: int,
                 target: Target, pc: int, sp: Optional[int] = None) -> None:
        self.level = level
        self._frame = frame
        self.name = name  # gdb's name of the function
        self.inline = frame_type == gdb.INLINE_FRAME
        self.kind = classify(name, self.inline, target.scheme.eval_loop)  # engine.cstack.kinds
        self.python: Tuple[PyFrame, ...] = ()  # the PyFrames it runs, newest first
        self._target = target
        self._text: Optional[str] = None
        self.pc = pc
        self._sp = sp
        self._caller_sp: Optional[int] = None

    @property
    def frame(self) -> "gdb.Frame":
        """gdb's frame (found by unwinding as far as it if it was listed without gdb)."""
        if self._frame is None:
            self._frame = _gdb_frame(self._target, self.level, self.pc)
        return self._frame

    def stack_span(self) -> Optional[Tuple[int, int]]:
        """[stack pointer, caller's stack pointer) of this frame's physical frame; None if unknown."""
        if self._sp is None or self._caller_sp is None:
            try:
                frame = self.frame
                self._sp = int(frame.read_register("rsp"))
                older = frame.older()
                if older is None:
                    return None
                self._caller_sp = int(older.read_register("rsp"))
            except (gdb.error, ValueError, CpythonGdbError):
                return None
        return self._sp, self._caller_sp

    def native(self) -> "NativeInfo":
        """What ``bt`` shows of the frame: function, pc, source file and line, library."""
        function: Optional[str] = None
        pc: Optional[int] = None
        file: Optional[str] = None
        line: Optional[int] = None
        library: Optional[str] = None
        frame = self.frame
        try:
            function = frame.name()
            pc = int(frame.pc())
            library = gdb.solib_name(pc)
            sal = frame.find_sal()
            if sal.symtab is not None:
                file = sal.symtab.filename
                line = sal.line or None
        except (gdb.error, RuntimeError, ValueError):
            pass
        return function, pc, file, line, library

    @property
    def text(self) -> str:
        """The repr of the callable a built-in call runs ("" if unknown).

        Read when first asked for: the C variable costs a symbol lookup (and
        gdb may first have to read the debug info of the function's file).
        """
        if self._text is None:
            self._text = ""
            if self.kind == "builtin" and (self._frame is not None or _has_debug_info(self.pc)):
                self._text = _builtin_text(self._target, self.frame, self.name or "")
        return self._text


def _gdb_frame(target: Target, level: int, pc: int) -> "gdb.Frame":
    """gdb's frame number ``level`` of the selected thread, which must run at ``pc``.

    The frames found are kept for the stop, so that asking for several
    deep frames unwinds once.
    """
    thread = gdb.selected_thread()
    frames = stop_state(target).gdb_frames.setdefault(thread.global_num if thread is not None else 0, [])
    try:
        if not frames:
            frames.append(gdb.newest_frame())
        while len(frames) <= level:
            older = frames[-1].older()
            if older is None:
                break
            frames.append(older)
    except gdb.error as exc:
        raise CpythonGdbError(f"gdb cannot unwind to frame #{level}: {exc}") from exc
    if len(frames) <= level or frames[level].pc() != pc:
        raise CpythonGdbError(f"gdb's frame #{level} is not the C frame listed as #{level}")
    return frames[level]


def _has_debug_info(pc: int) -> bool:
    """Whether gdb has debug info for the code at ``pc``: without, a C variable cannot be read,
    and finding gdb's frame for it would cost unwinding down to it for nothing."""
    try:
        return gdb.block_for_pc(pc - 1) is not None
    except (gdb.error, RuntimeError):
        return False


def _builtin_text(target: Target, frame: "gdb.Frame", name: str) -> str:
    """The callable of a built-in call, from its C variables (engine/cstack/builtin_text.py); "" where they
    cannot be read."""
    frames = [frame]

    def variables(depth: int, variable: str) -> Optional[int]:
        try:
            while len(frames) <= depth:
                older = frames[-1].older()
                if older is None:
                    return None
                frames.append(older)
            value = frames[depth].read_var(variable)
        except ValueError:  # no such variable
            return None
        except (gdb.error, RuntimeError):
            return 0
        return 0 if value.is_optimized_out else int(value)

    return builtin_text(target, name, variables, state.limits())


def _modules(target: Target) -> Optional[Modules]:
    """The files mapped in the inferior, from gdb (a live process's maps, or a core's file notes)."""
    stop = stop_state(target)
    found = stop.modules
    if found is None:
        mappings = [(start, end, offset, name)
                    for start, end, offset, _, name in proc_mappings() if name.startswith("/")]
        found = stop.modules = Modules(mappings, _disk_file) if mappings else False
    return found if isinstance(found, Modules) else None


def _disk_file(pc: int, mapped: str) -> Optional[str]:
    """The file gdb itself read for the code at ``pc`` (a core's sysroot applies), else the mapped name."""
    try:
        library = gdb.solib_name(pc)
        if library:
            return library
        progspace = gdb.current_progspace()
        executable = progspace.filename if progspace is not None else None
    except (gdb.error, RuntimeError):
        return None
    if executable and os.path.basename(executable) == os.path.basename(mapped):
        return executable
    return mapped


def _registers(frame: "gdb.Frame") -> Dict[int, int]:
    regs: Dict[int, int] = {}
    for number, name in _REGISTERS.items():
        try:
            value = frame.read_register(name)
            if not value.is_optimized_out:
                regs[number] = int(value) & 0xFFFF_FFFF_FFFF_FFFF  # gdb's int64_t: negative values
        except (gdb.error, ValueError):
            continue
    return regs


def _backtrace_limit() -> int:
    """One past the last frame number gdb gives (``set backtrace limit``)."""
    try:
        limit = gdb.parameter("backtrace limit")
    except (gdb.error, RuntimeError):
        limit = None
    return min(int(limit), MAX_C_FRAMES) if isinstance(limit, int) and limit > 0 else MAX_C_FRAMES


def _own_unwinding() -> bool:
    if not fast_unwind():
        return False
    try:
        return gdb.selected_inferior().architecture().name().startswith("i386:x86-64")
    except (gdb.error, RuntimeError):
        return False


class _Walk:
    """gdb's frames one by one, learning the lessons (see the module's text) from them."""

    def __init__(self, lessons: Dict[Tuple[int, int], Lesson]) -> None:
        self.lessons = lessons
        self.callers = {callee for callee, _ in lessons}  # pcs some lesson starts from
        self.frame: Optional[gdb.Frame] = gdb.newest_frame()
        self.level = 0
        self._physical: Optional[int] = None  # pc of the newest physical frame passed
        self._returned = False  # whether that pc is a return address (not frame #0's, not a signal's)
        self._since: List[Tuple[Optional[str], int, int]] = []

    def name_and_type(self) -> Tuple[Optional[str], int]:
        assert self.frame is not None
        try:
            name = self.frame.name()
        except gdb.error:
            name = None
        return name, self.frame.type()

    def learn(self, name: Optional[str], frame_type: int) -> int:
        """Note the current frame (a normal frame ends a lesson); its pc."""
        assert self.frame is not None
        pc = self.frame.pc()
        self._since.append((name, frame_type, pc))
        if frame_type != gdb.NORMAL_FRAME:
            if frame_type not in (gdb.INLINE_FRAME, gdb.TAILCALL_FRAME):
                self._physical = None  # a signal frame: lessons are about calls only
            return pc
        if self._physical is not None:
            self.lessons[(self._physical, pc)] = tuple(self._since)
            self.callers.add(self._physical)
        self._returned = self._physical is not None
        self._physical = pc
        self._since = []
        return pc

    def advance(self) -> None:
        assert self.frame is not None
        try:
            self.frame = self.frame.older()
        except gdb.error:
            self.frame = None
        self.level += 1

    def resumable(self) -> bool:
        """Whether the current frame is a normal frame a known lesson starts from."""
        return self._returned and not self._since and self._physical in self.callers


class CFrames:
    """The selected thread's C frames from the newest, as gdb numbers and names them (iterate).

    With ``fast``, where our own unwinding had to hand back to gdb once
    ``evals`` eval-loop frames have been listed, it first looks on down the
    stack by itself: if gdb's symbols name a function at every return
    address there, none the eval loop, and the stack ends cleanly, the
    iteration ends at once, :attr:`cut` set, since nothing below can run
    Python. Otherwise gdb goes on unwinding.
    """

    def __init__(self, target: Target, fast: bool = True, evals: Optional[int] = None) -> None:
        self.target = target
        self.fast = fast
        self.evals = evals  # None: never cut
        self.cut = False

    def __iter__(self) -> Iterator[CFrame]:
        target = self.target
        try:
            walk = _Walk(stop_state(target).lessons)
        except gdb.error:
            return
        unwinder: Optional[Unwinder] = None
        if self.fast and _own_unwinding():
            modules = _modules(target)
            if modules is not None:
                unwinder = Unwinder(modules, target.ptr)
        listed = -1  # the newest level yielded so far
        evals = 0
        while walk.frame is not None and walk.level < MAX_C_FRAMES:
            name, frame_type = walk.name_and_type()
            pc = walk.learn(name, frame_type)  # before the yield: the caller may stop at any frame
            if walk.level > listed:
                cframe = CFrame(walk.level, walk.frame, name, frame_type, target, pc)
                evals += cframe.kind == "eval"
                yield cframe
                listed = walk.level
            if unwinder is not None and walk.level >= listed and walk.resumable():
                stopped: List[Tuple[int, Dict[int, int]]] = []
                for cframe in _fast(target, unwinder, walk, stopped):
                    evals += cframe.kind == "eval"
                    yield cframe
                    listed = cframe.level
                if (stopped and self.evals is not None and evals >= self.evals
                        and _no_eval_below(target, unwinder, *stopped[0])):
                    self.cut = True
                    return
            walk.advance()


def _no_eval_below(target: Target, unwinder: Unwinder, pc: int, regs: Dict[int, int]) -> bool:
    """Whether no caller of the frame at ``pc`` runs the eval loop, the stack ending cleanly."""
    names = stop_state(target).names
    for _ in range(MAX_C_FRAMES):
        try:
            found = unwinder.caller(pc, regs)
        except Exception:  # noqa: BLE001 - as in _fast
            return False
        if found is None:
            return True
        pc, regs = found
        known = names.get(pc)
        if known is None:
            known = names[pc] = _function_names(pc - 1)
        if not known or any(base_name(name) in EVAL_FUNCTIONS for name in known):
            return False
    return False


def _function_names(pc: int) -> Tuple[str, ...]:
    """The functions gdb's symbols place at ``pc``, inlined ones included; () if none."""
    try:
        block = gdb.block_for_pc(pc)
    except (gdb.error, RuntimeError):
        block = None
    found: List[str] = []
    while block is not None:
        if block.function is not None:
            found.append(block.function.name)
        block = block.superblock
    if found:
        return tuple(found)
    try:  # no debug info there: the ELF symbol
        text = gdb.execute(f"info symbol {pc:#x}", to_string=True)
    except gdb.error:
        return ()
    return () if text.startswith("No symbol") else (text.split(" ", 1)[0],)


def _fast(target: Target, unwinder: Unwinder, walk: "_Walk",
          stopped: List[Tuple[int, Dict[int, int]]]) -> Iterator[CFrame]:
    """The frames past gdb's current one for as long as lessons tell them.

    Each physical frame is yielded only once its caller is known, so that
    its stack span is too (an eval-loop call is matched by it). Where no
    lesson tells the next frames, the last physical frame's pc and
    registers are put in ``stopped``.
    """
    assert walk.frame is not None
    pc = walk.frame.pc()
    regs = _registers(walk.frame)
    level = walk.level
    pending: List[CFrame] = []
    limit = _backtrace_limit()
    while level < limit:
        try:
            found = unwinder.caller(pc, regs)
        except Exception:  # noqa: BLE001 - Unsupported, or anything odd memory or files hold: gdb decides
            found = None
        lesson = walk.lessons.get((pc, found[0])) if found is not None else None
        for cframe in pending:
            cframe._caller_sp = found[1].get(RSP) if found is not None else None
            yield cframe
        if found is None or lesson is None or level + len(lesson) >= limit:
            stopped.append((pc, regs))
            return
        pc, regs = found
        pending = []
        for name, frame_type, frame_pc in lesson:
            level += 1
            pending.append(CFrame(level, None, name, frame_type, target, frame_pc, regs.get(RSP)))
