"""A coroutine's (or generator's) state, frame, and what it awaits; and the chain of awaits from one.

What a suspended coroutine awaits (``cr_await``) is the top of its frame's
value stack when it is suspended in ``await`` / ``yield from``
(CPython's ``_PyGen_yf``); how that is told, and where the stack top is,
changed across versions (see tables.AsyncioLayout).
"""

from __future__ import annotations

import struct
from operator import itemgetter

from ...errors import CpythonGdbError
from ..frames.code import line_of, read_code
from ..frames.walk import decode_one, object_ref
from ..memory import read_i32, read_u8
from ..model import PyFrame
from ..objects.strings import str_or
from ..record import frozen
from ..target import Target
from .cache import stop_cache
from .tables import AsyncioLayout

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Set, Tuple

# The builtin types whose objects run a frame of their own.
GENERATOR_TYPES = frozenset(("coroutine", "generator", "async_generator"))
MAX_CHAIN = 1000


@frozen
class CoroutineInfo:
    address: int
    type_name: str  # "coroutine", "generator" or "async_generator"
    qualname: str  # gi_qualname (the code's co_qualname exists only from 3.11)
    # "created", "suspended", "awaiting" (suspended in await / yield
    # from), "running", "finished", or "unknown".
    state: str
    frame: Optional[PyFrame]
    awaits: int  # the object it awaits, 0 if none


def _signed_byte(value: int) -> int:
    return value - 256 if value >= 128 else value


def _yield_from_next(t: Target, al: AsyncioLayout, frame: int, lasti: int) -> bool:
    """Whether the opcode after the last one run is YIELD_FROM (<= 3.10)."""
    code = t.field_ptr(frame, "PyFrameObject.f_code")
    co_code = t.ptr(code + al.offsets["PyCodeObject.co_code"])
    at = lasti * t.scheme.lasti_unit + 2
    size = t.field_ptr(co_code, "PyVarObject.ob_size")
    if at < 0 or at >= size:
        return False
    return read_u8(t.reader, co_code + t.layout.off("PyBytesObject.ob_sval") + at) in al.await_opcodes


def _resume_next(t: Target, al: AsyncioLayout, iframe: int) -> bool:
    """Whether the code unit after prev_instr is a RESUME after await / yield from (3.11, 3.12)."""
    prev = t.ptr(iframe + al.offsets["_PyInterpreterFrame.prev_instr"])
    unit = t.reader.read(prev + 2, 2)
    return unit[0] in al.await_opcodes and unit[1] >= 2


def _state(t: Target, al: AsyncioLayout, obj: int) -> Tuple[str, int]:
    """(state, frame address to decode or 0)."""
    off = al.offsets
    if al.gen_state == "gi_frame_state":
        raw = _signed_byte(t.ptr(obj + off["PyGenObject.gi_frame_state"]) & 0xFF)
        iframe = obj + off["PyGenObject.gi_iframe"]
        state = al.states.get(raw, "unknown")
        if state == "suspended" and al.await_test == "resume" and _resume_next(t, al, iframe):
            state = "awaiting"
        return state, (0 if state in ("finished", "unknown") else iframe)
    frame = t.ptr(obj + off["PyGenObject.gi_frame"])
    if not frame:
        return "finished", 0
    if al.gen_state == "f_state":
        state = al.states.get(_signed_byte(read_u8(t.reader, frame + off["PyFrameObject.f_state"])), "unknown")
    elif read_u8(t.reader, obj + off["PyGenObject.gi_running"]):
        state = "running"
    else:
        state = "created" if read_i32(t.reader, frame + off["PyFrameObject.f_lasti"]) < 0 else "suspended"
    if state == "suspended":
        lasti = read_i32(t.reader, frame + off["PyFrameObject.f_lasti"])
        if _yield_from_next(t, al, frame, lasti):
            state = "awaiting"
    return state, frame


def _awaited(t: Target, al: AsyncioLayout, frame: int) -> int:
    """The top of the value stack of a frame suspended in await."""
    off = al.offsets
    if al.await_slot == "f_stacktop":
        return t.ptr(t.ptr(frame + off["PyFrameObject.f_stacktop"]) - 8)
    if al.await_slot == "f_stackdepth":
        depth = read_i32(t.reader, frame + off["PyFrameObject.f_stackdepth"])
        if depth <= 0:
            return 0
        return t.ptr(t.ptr(frame + off["PyFrameObject.f_valuestack"]) + 8 * (depth - 1))
    if al.await_slot == "stacktop":
        top = read_i32(t.reader, frame + off["_PyInterpreterFrame.stacktop"])
        if top <= 0:
            return 0
        return t.ptr(frame + t.layout.off("_PyInterpreterFrame.localsplus") + 8 * (top - 1))
    sp = t.ptr(frame + off["_PyInterpreterFrame.stackpointer"])
    return object_ref(t, t.ptr(sp - 8 * al.slot_depth))


class GeneratorCut:
    """A 3.11+ generator and its embedded frame, read at once: one read and one unpack per coroutine.

    The fields: gi_qualname, gi_frame_state, and the frame's executable,
    instr_ptr, globals, builtins and stack top (stacktop or stackpointer).
    """

    __slots__ = ("_struct", "_size", "_order", "_pick", "iframe", "locals_offset", "code_start")

    def __init__(self, t: Target, al: AsyncioLayout) -> None:
        off = al.offsets
        lay = t.layout
        self.iframe = iframe = off["PyGenObject.gi_iframe"]
        self.locals_offset = lay.off("_PyInterpreterFrame.localsplus")
        self.code_start = lay.off("PyCodeObject.co_code_adaptive")
        stack = ("_PyInterpreterFrame.stacktop", "i") if al.await_slot == "stacktop" else \
            ("_PyInterpreterFrame.stackpointer", "Q")
        fields = [
            (lay.off("PyGenObject.gi_qualname"), "Q"),
            (off["PyGenObject.gi_frame_state"], "b"),
            (iframe + lay.off("_PyInterpreterFrame.executable"), "Q"),
            (iframe + lay.off("_PyInterpreterFrame.instr_ptr"), "Q"),
            (iframe + lay.off("_PyInterpreterFrame.f_globals"), "Q"),
            (iframe + lay.off("_PyInterpreterFrame.f_builtins"), "Q"),
            (iframe + off.get(stack[0], lay.offsets.get(stack[0], 0)), stack[1]),
        ]
        widths = {"Q": 8, "i": 4, "b": 1}
        placed = sorted((at, code, index) for index, (at, code) in enumerate(fields))
        fmt, at = "<", placed[0][0]
        self._order = tuple(index for _, _, index in placed)
        start = at
        for where, code, _ in placed:
            fmt += ("%dx" % (where - at) if where > at else "") + code
            at = where + widths[code]
        self._struct = struct.Struct(("<%dx" % start if start else "<") + fmt[1:])
        self._size = self._struct.size
        back = [0] * len(fields)  # from offset order back to the order of ``fields``
        for position, index in enumerate(self._order):
            back[index] = position
        self._pick = itemgetter(*back)

    def read(self, t: Target, obj: int) -> Tuple[int, ...]:
        picked: Tuple[int, ...] = self._pick(self._struct.unpack(t.reader.read(obj, self._size)))
        return picked


def _read_generator_311(t: Target, al: AsyncioLayout, obj: int, type_name: str) -> CoroutineInfo:
    """read_coroutine() for 3.11+ (a frame embedded in the generator), from one read."""
    cache = stop_cache(t)
    cut = cache.generator_cut
    if cut is None:
        cut = cache.generator_cut = GeneratorCut(t, al)
    qualname_at, raw_state, executable, instr, globals_address, builtins_address, stack = cut.read(t, obj)
    iframe = obj + cut.iframe
    state = al.states.get(raw_state, "unknown")
    if state == "suspended" and al.await_test == "resume" and _resume_next(t, al, iframe):
        state = "awaiting"
    frame: Optional[PyFrame] = None
    awaits = 0
    if state not in ("finished", "unknown"):
        try:
            code_addr = object_ref(t, executable)
            code = read_code(t, code_addr)
            offset = instr - (code_addr + cut.code_start)
            lineno = code.firstlineno if state == "created" else line_of(t, code, offset)
            frame = PyFrame(address=iframe, code=code, lineno=lineno, locals_address=iframe + cut.locals_offset,
                            globals_address=globals_address, builtins_address=builtins_address, is_entry=False)
        except CpythonGdbError:
            frame = None
        if state == "awaiting":
            try:
                if al.await_slot == "stacktop":
                    awaits = t.ptr(iframe + cut.locals_offset + 8 * (stack - 1)) if stack > 0 else 0
                else:
                    awaits = object_ref(t, t.ptr(stack - 8 * al.slot_depth))
            except CpythonGdbError:
                awaits = 0
    texts = cache.texts
    qualname = texts.get(qualname_at)
    if qualname is None:
        qualname = texts[qualname_at] = str_or(t, qualname_at, "?", 300)
    return CoroutineInfo(obj, type_name, qualname, state, frame, awaits)


def _frame_state(t: Target, al: AsyncioLayout, obj: int) -> Tuple[str, Optional[PyFrame], int]:
    """(state, frame, awaited object) of a generator whose frame is an object of its own (<= 3.10)."""
    state, frame_at = _state(t, al, obj)
    frame: Optional[PyFrame] = None
    if frame_at:
        try:
            frame = decode_one(t, frame_at, unstarted=True)
        except CpythonGdbError:
            frame = None
    awaits = 0
    if state == "awaiting" and frame_at:
        try:
            awaits = _awaited(t, al, frame_at)
        except CpythonGdbError:
            awaits = 0
    return state, frame, awaits


def read_coroutine(t: Target, al: AsyncioLayout, obj: int, type_name: Optional[str] = None) -> CoroutineInfo:
    """One coroutine, generator or async generator (``type_name``: its type's, if known). Raises CpythonGdbError."""
    if type_name is None:
        type_name = t.type_of(obj).name
    if al.gen_state == "gi_frame_state":
        return _read_generator_311(t, al, obj, type_name)
    state, frame, awaits = _frame_state(t, al, obj)
    qualname_at = t.field_ptr(obj, "PyGenObject.gi_qualname")
    texts = stop_cache(t).texts
    qualname = texts.get(qualname_at)
    if qualname is None:
        qualname = texts[qualname_at] = str_or(t, qualname_at, "?", 300)
    return CoroutineInfo(obj, type_name, qualname, state, frame, awaits)


def coroutine_chain(t: Target, al: AsyncioLayout, first: int,
                    limit: int = MAX_CHAIN) -> Tuple[Tuple[CoroutineInfo, ...], int, Optional[str]]:
    """The coroutines from ``first`` down to the innermost await, outermost first.

    Returns them, what the innermost one awaits (0 if nothing, or if that
    is another coroutine that could not be read), and why the chain was
    cut (or None).
    """
    chain: List[CoroutineInfo] = []
    seen: Set[int] = set()
    obj = first
    ob_type = t.layout.off("PyObject.ob_type")
    type_names = stop_cache(t).type_names
    while obj:
        if obj in seen:
            return tuple(chain), 0, f"await chain loops at 0x{obj:x}"
        if len(chain) >= limit:
            return tuple(chain), 0, f"await chain longer than {limit}"
        seen.add(obj)
        try:
            tp = t.ptr(obj + ob_type)
            type_name = type_names.get(tp)
            if type_name is None:
                type_name = type_names[tp] = t.type_info(tp).name
            if type_name == "async_generator_asend":
                # `async for` awaits its async generator's __anext__(): go on in that generator.
                obj = t.ptr(obj + al.offsets["PyAsyncGenASend.ags_gen"])
                continue
            if type_name not in GENERATOR_TYPES:
                return tuple(chain), obj, None
            info = read_coroutine(t, al, obj, type_name)
        except CpythonGdbError as exc:
            return tuple(chain), 0, f"cannot read coroutine 0x{obj:x}: {exc}"
        chain.append(info)
        obj = info.awaits
    return tuple(chain), 0, None


_STATE_WORDS = {"created": "not started", "suspended": "suspended", "running": "running"}


def generator_place(t: Target, obj: int, type_name: str) -> str:
    """Where a generator, coroutine or async generator (of type ``type_name``) is, for its repr.

    "suspended at FILE:LINE", "suspended in await at ...", "not started
    at ...", "running at ...", "finished" (exhausted or closed: it has no
    frame); "" where it cannot be read, or on a CPython whose generator
    fields we do not know.
    """
    from .tables import generator_layout  # here: a repr of any other object needs none of it

    al = generator_layout(t.layout.version, t.scheme.free_threaded)
    if al is None:
        return ""
    try:
        if al.gen_state == "gi_frame_state":
            info = _read_generator_311(t, al, obj, type_name)
            state, frame = info.state, info.frame
        else:
            state, frame, _ = _frame_state(t, al, obj)
    except CpythonGdbError:
        return ""
    if state in ("finished", "unknown"):
        return "finished" if state == "finished" else "in an unknown state"
    if state == "awaiting":
        # A generator's `yield from`, a coroutine's (or async generator's) `await`.
        words = "suspended in yield from" if type_name == "generator" else "suspended in await"
    else:
        words = _STATE_WORDS[state]
    if frame is None:
        return words
    line = "?" if frame.lineno is None else frame.lineno
    return f"{words} at {frame.code.filename}:{line}"
