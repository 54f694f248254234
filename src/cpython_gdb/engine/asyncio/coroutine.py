"""A coroutine's (or generator's) state, frame, and what it awaits; and the chain of awaits from one.

What a suspended coroutine awaits (``cr_await``) is the top of its frame's
value stack when it is suspended in ``await`` / ``yield from``
(CPython's ``_PyGen_yf``); how that is told, and where the stack top is,
changed across versions (see tables.AsyncioLayout).
"""

from __future__ import annotations

from ...errors import CpythonGdbError
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


def read_coroutine(t: Target, al: AsyncioLayout, obj: int, type_name: Optional[str] = None) -> CoroutineInfo:
    """One coroutine, generator or async generator (``type_name``: its type's, if known). Raises CpythonGdbError."""
    if type_name is None:
        type_name = t.type_of(obj).name
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
    while obj:
        if obj in seen:
            return tuple(chain), 0, f"await chain loops at 0x{obj:x}"
        if len(chain) >= limit:
            return tuple(chain), 0, f"await chain longer than {limit}"
        seen.add(obj)
        try:
            type_name = t.type_of(obj).name
            if type_name not in GENERATOR_TYPES:
                return tuple(chain), obj, None
            info = read_coroutine(t, al, obj, type_name)
        except CpythonGdbError as exc:
            return tuple(chain), 0, f"cannot read coroutine 0x{obj:x}: {exc}"
        chain.append(info)
        obj = info.awaits
    return tuple(chain), 0, None


_STATE_WORDS = {"created": "not started", "suspended": "suspended", "awaiting": "suspended in await",
                "running": "running", "unknown": "in an unknown state"}


def generator_suffix(t: Target, obj: int) -> str:
    """Where a generator, coroutine or async generator is: " (suspended at FILE:LINE)", or "".

    "" for any other object, and where it cannot be read: what print
    shows after the object's repr.
    """
    from .tables import asyncio_layout  # here: a repr of any other object needs none of it

    try:
        type_name = t.type_of(obj).name
        if type_name not in GENERATOR_TYPES:
            return ""
        al = asyncio_layout(t.layout.version)
        if al is None or t.scheme.free_threaded:
            return ""
        info = read_coroutine(t, al, obj, type_name)
    except CpythonGdbError:
        return ""
    if info.state == "finished" or info.frame is None:
        return " (finished)"
    line = "?" if info.frame.lineno is None else info.frame.lineno
    return f" ({_STATE_WORDS[info.state]} at {info.frame.code.filename}:{line})"
