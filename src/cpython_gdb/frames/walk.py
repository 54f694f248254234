"""From a thread's innermost frame to the oldest, as model.PyFrame values.

Two storage schemes exist: a PyFrameObject per call linked by f_back
(<= 3.10), and _PyInterpreterFrame records on the thread's data stack
linked by ``previous`` (3.11+, bpo-44590), where one C call of the eval
loop runs several Python frames.
"""

import dataclasses
import struct
from typing import List, Optional, Set, Tuple

from ..errors import CorruptObject, CpythonGdbError
from ..memory import read_i32, read_u8
from ..model import Local, PyFrame
from ..target import Target
from .code import line_of, read_code

_MAX_LOCALS = 1 << 16
_TAG_BITS = 3


def object_ref(t: Target, bits: int) -> int:
    """The object a frame slot refers to (0 for none), under the scheme's tagging."""
    if t.scheme.stack_refs == "tagged":
        if bits & _TAG_BITS == _TAG_BITS:
            return 0  # a tagged int (a saved instruction offset), not an object
        return bits & ~_TAG_BITS
    return bits


def _read_locals(t: Target, slots: int, names: Tuple[str, ...], kinds: Tuple[str, ...]) -> Tuple[Local, ...]:
    count = len(names)
    if count == 0:
        return ()
    if count > _MAX_LOCALS:
        raise CorruptObject("too many locals")
    raw = struct.unpack("<%dQ" % count, t.reader.read(slots, 8 * count))
    values = [object_ref(t, bits) for bits in raw]
    out: List[Local] = []
    for name, kind, value in zip(names, kinds, values):
        if not value or kind not in ("local", "cell", "free"):
            continue
        if kind != "local":
            # A captured variable's slot holds its cell once the frame has
            # made it; before that (3.11+) it still holds the plain value.
            try:
                if t.type_of(value).name == "cell":
                    value = t.field_ptr(value, "PyCellObject.ob_ref")
            except CpythonGdbError:
                pass
            if not value:
                continue
        out.append(Local(name=name, kind=kind, address=value))
    return tuple(out)


def _frame_object(t: Target, frame: int) -> Tuple[PyFrame, int]:
    """Decode a PyFrameObject (<= 3.10); return it and its f_back."""
    lay = t.layout
    code = read_code(t, t.field_ptr(frame, "PyFrameObject.f_code"))
    lasti = read_i32(t.reader, frame + lay.off("PyFrameObject.f_lasti"))
    offset = lasti * t.scheme.lasti_unit if lasti >= 0 else -1
    pyframe = PyFrame(
        address=frame,
        code=code,
        lineno=line_of(t, code, offset),
        locals=_read_locals(t, frame + lay.off("PyFrameObject.f_localsplus"), code.local_names, code.local_kinds),
        globals_address=t.field_ptr(frame, "PyFrameObject.f_globals"),
        builtins_address=t.field_ptr(frame, "PyFrameObject.f_builtins"),
        is_entry=True,
    )
    return pyframe, t.field_ptr(frame, "PyFrameObject.f_back")


def _interpreter_frame(t: Target, frame: int, unstarted: bool = False) -> Tuple[Optional[PyFrame], int, bool]:
    """Decode a _PyInterpreterFrame (3.11+).

    Returns (frame or None for a frame that is not shown, previous, whether
    this record ends the frames of its C call). With ``unstarted``, a frame
    pushed but not started yet is decoded too, at its first line.
    """
    lay = t.layout
    scheme = t.scheme
    previous = t.field_ptr(frame, "_PyInterpreterFrame.previous")
    owner = read_u8(t.reader, frame + lay.off("_PyInterpreterFrame.owner"))
    if scheme.entry == "owner" and owner >= scheme.owner_shim:
        # A shim pushed by the C call itself: not a Python frame, and the
        # frame run just above it was the first of that call.
        return None, previous, True
    is_entry = False
    if scheme.entry == "is_entry":
        is_entry = bool(read_u8(t.reader, frame + lay.off("_PyInterpreterFrame.is_entry")))
    code_addr = object_ref(t, t.field_ptr(frame, "_PyInterpreterFrame.executable"))
    code = read_code(t, code_addr)
    instr = t.field_ptr(frame, "_PyInterpreterFrame.instr_ptr")
    offset = instr - (code_addr + lay.off("PyCodeObject.co_code_adaptive"))
    started = owner == scheme.owner_generator or offset >= code.first_traceable
    if not started and not unstarted:
        # Pushed but not yet started: CPython leaves such frames out of
        # tracebacks too (_PyFrame_IsIncomplete).
        return None, previous, is_entry
    pyframe = PyFrame(
        address=frame,
        code=code,
        lineno=line_of(t, code, offset) if started else code.firstlineno,
        locals=_read_locals(t, frame + lay.off("_PyInterpreterFrame.localsplus"), code.local_names, code.local_kinds),
        globals_address=t.field_ptr(frame, "_PyInterpreterFrame.f_globals"),
        builtins_address=t.field_ptr(frame, "_PyInterpreterFrame.f_builtins"),
        is_entry=is_entry,
    )
    return pyframe, previous, False


def walk_frames(t: Target, first: int, max_frames: int) -> Tuple[Tuple[PyFrame, ...], Optional[str]]:
    """All frames from ``first`` outwards; and why the walk stopped early, if it did."""
    frames: List[PyFrame] = []
    seen: Set[int] = set()
    frame = first
    reason: Optional[str] = None
    records = 0
    while frame:
        if frame in seen:
            reason = f"frame chain loops at 0x{frame:x}"
            break
        if records >= max_frames:
            reason = f"stopped after {max_frames} frames"
            break
        seen.add(frame)
        records += 1
        try:
            if t.scheme.frame == "frameobject":
                pyframe, frame = _frame_object(t, frame)
                frames.append(pyframe)
                continue
            record = frame
            maybe, frame, closes_call = _interpreter_frame(t, frame)
        except CpythonGdbError as exc:
            reason = f"cannot read frame 0x{frame:x}: {exc}"
            break
        if maybe is not None:
            frames.append(maybe)
        elif closes_call and frames and not frames[-1].is_entry:
            shim = record if t.scheme.entry == "owner" else 0
            frames[-1] = dataclasses.replace(frames[-1], is_entry=True, entry_shim=shim)
    return tuple(frames), reason


def decode_one(t: Target, frame: int, unstarted: bool = False) -> Optional[PyFrame]:
    """Decode the single frame record at ``frame``.

    ``unstarted`` also decodes a 3.11+ frame that has been pushed but has
    not run an instruction yet (shown at its first line), as one is when its
    eval-loop call has just been entered.
    """
    if t.scheme.frame == "frameobject":
        return _frame_object(t, frame)[0]
    return _interpreter_frame(t, frame, unstarted)[0]


def frame_object_frame(t: Target, obj: int) -> Optional[PyFrame]:
    """The frame a Python-level frame object stands for."""
    if t.scheme.frame == "frameobject":
        return decode_one(t, obj)
    record = t.field_ptr(obj, "PyFrameObject.f_frame")
    return decode_one(t, record) if record else None
