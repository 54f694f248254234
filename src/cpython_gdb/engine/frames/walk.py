"""From a thread's innermost frame to the oldest, as model.PyFrame values.

Two storage schemes exist: a PyFrameObject per call linked by f_back
(<= 3.10), and _PyInterpreterFrame records on the thread's data stack
linked by ``previous`` (3.11+, bpo-44590), where one C call of the eval
loop runs several Python frames.
"""

from __future__ import annotations

import struct
from operator import itemgetter

from ...errors import CorruptObject, CpythonGdbError
from ..model import CodeInfo, Local, PyFrame
from ..record import replace
from ..target import Target
from .code import line_of, read_code

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Set, Tuple

_MAX_LOCALS = 1 << 16
_TAG_BITS = 3
_SHOWN_KINDS = frozenset(("local", "cell", "free"))


def object_ref(t: Target, bits: int) -> int:
    """The object a frame slot refers to (0 for none), under the scheme's tagging."""
    if t.scheme.stack_refs == "tagged":
        if bits & _TAG_BITS == _TAG_BITS:
            return 0  # a tagged int (a saved instruction offset), not an object
        return bits & ~_TAG_BITS
    return bits


def _read_locals(t: Target, slots: int, names: Tuple[str, ...], kinds: Tuple[str, ...],
                 arguments: Tuple[str, ...] = ()) -> Tuple[Local, ...]:
    count = len(names)
    if count == 0:
        return ()
    if count > _MAX_LOCALS:
        raise CorruptObject("too many locals")
    raw = struct.unpack("<%dQ" % count, t.reader.read(slots, 8 * count))
    tagged = t.scheme.stack_refs == "tagged"  # object_ref, inlined
    out: List[Local] = []
    for name, kind, value in zip(names, kinds, raw):
        if tagged:
            value = 0 if value & _TAG_BITS == _TAG_BITS else value & ~_TAG_BITS
        if not value or kind not in _SHOWN_KINDS:
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
        if kind != "free" and name in arguments:
            # A parameter, captured or not (up to 3.10 a captured one is
            # read from its cell slot, which has the parameter's name).
            kind = "argument"
        out.append(Local(name, kind, value))
    if not arguments:
        return tuple(out)
    # The parameters first, as the signature lists them; the rest in slot
    # order. 2.7 leaves a captured parameter's value in its own slot too:
    # the cell's, read last, is the one the function sees.
    params = {local.name: local for local in out if local.kind == "argument"}
    ordered = [params[name] for name in arguments if name in params]
    return tuple(ordered + [local for local in out if local.kind != "argument"])


def frame_locals(t: Target, frame: PyFrame) -> Tuple[Local, ...]:
    """The frame's variables that hold a value: its parameters in the
    signature's order, then the other slots in slot order.

    Read when asked for, not by the walk: a traceback does not need them,
    and they were a third of its reads. Raises CpythonGdbError.
    """
    code = frame.code
    return _read_locals(t, frame.locals_address, code.local_names, code.local_kinds, code.arguments)

# The fields a walk reads from each frame record, with their widths: the
# record is fetched in one read and the fields are cut from it.
_FRAME_OBJECT_FIELDS = (("PyFrameObject.f_back", 8), ("PyFrameObject.f_code", 8), ("PyFrameObject.f_lasti", 4),
                        ("PyFrameObject.f_globals", 8), ("PyFrameObject.f_builtins", 8))
_INTERPRETER_FRAME_FIELDS = (("_PyInterpreterFrame.previous", 8), ("_PyInterpreterFrame.owner", 1),
                             ("_PyInterpreterFrame.executable", 8), ("_PyInterpreterFrame.instr_ptr", 8),
                             ("_PyInterpreterFrame.f_globals", 8), ("_PyInterpreterFrame.f_builtins", 8))
_IS_ENTRY_FIELD = ("_PyInterpreterFrame.is_entry", 1)
_FORMATS = {8: "Q", 4: "i", 1: "B"}


class RecordCut:
    """Where the walk's fields sit in this target's frame record: one read and one unpack per record.

    ``read(t, frame)`` returns the fields in the order of the tables above
    (``is_entry`` last where the scheme has it).
    """

    __slots__ = ("_start", "_unpack", "_size", "_pick", "locals_offset", "code_start")

    def __init__(self, t: Target) -> None:
        fields: Tuple[Tuple[str, int], ...]
        # Where the fast locals start in the record, and (3.11+) the
        # bytecode in the code object, which instr_ptr points into.
        self.code_start = 0
        if t.scheme.frame == "frameobject":
            fields = _FRAME_OBJECT_FIELDS
            self.locals_offset = t.layout.off("PyFrameObject.f_localsplus")
        else:
            fields = _INTERPRETER_FRAME_FIELDS
            if t.scheme.entry == "is_entry":
                fields += (_IS_ENTRY_FIELD,)
            self.locals_offset = t.layout.off("_PyInterpreterFrame.localsplus")
            self.code_start = t.layout.off("PyCodeObject.co_code_adaptive")
        placed = sorted((t.layout.off(key), width, index) for index, (key, width) in enumerate(fields))
        self._start = at = placed[0][0]
        fmt = "<"
        for off, width, _ in placed:  # offset order, pad bytes between
            fmt += ("%dx" % (off - at) if off > at else "") + _FORMATS[width]
            at = off + width
        unpacked = struct.Struct(fmt)
        self._unpack, self._size = unpacked.unpack, unpacked.size
        # Unpacked in offset order; handed out in the tables' order by one C call
        # (a deep stack reads thousands of records).
        where = {index: position for position, (_, _, index) in enumerate(placed)}
        self._pick = itemgetter(*(where[index] for index in range(len(placed))))

    def read(self, t: Target, frame: int) -> Tuple[int, ...]:
        values: Tuple[int, ...] = self._pick(self._unpack(t.reader.read(frame + self._start, self._size)))
        return values


_UNSEEN = -2  # not a line: line_of() has not been asked for this place yet


def _line(t: Target, code: CodeInfo, offset: int) -> Optional[int]:
    """line_of(), answered from the stop's table without a call where it was asked before."""
    line = t.lines.get((code.address, offset), _UNSEEN)
    return line_of(t, code, offset) if line == _UNSEEN else line


def _record_cut(t: Target) -> RecordCut:
    cut = t.frame_record
    if cut is None:
        cut = t.frame_record = RecordCut(t)
    return cut


def _frame_object(t: Target, frame: int) -> Tuple[PyFrame, int]:
    """Decode a PyFrameObject (<= 3.10); return it and its f_back."""
    cut = _record_cut(t)
    back, code_addr, lasti, globals_address, builtins_address = cut.read(t, frame)
    code = t.codes.get(code_addr) or read_code(t, code_addr)
    offset = lasti * t.scheme.lasti_unit if lasti >= 0 else -1
    # Positional, in PyFrame's field order: a deep stack makes thousands.
    pyframe = PyFrame(frame, code, _line(t, code, offset), frame + cut.locals_offset, globals_address,
                      builtins_address, True)
    return pyframe, back


def _interpreter_frame(t: Target, frame: int, unstarted: bool = False) -> Tuple[Optional[PyFrame], int, bool]:
    """Decode a _PyInterpreterFrame (3.11+).

    Returns (frame or None for a frame that is not shown, previous, whether
    this record ends the frames of its C call). With ``unstarted``, a frame
    pushed but not started yet is decoded too, at its first line.
    """
    scheme = t.scheme
    cut = _record_cut(t)
    values = cut.read(t, frame)
    previous, owner, executable, instr, globals_address, builtins_address = values[:6]
    if scheme.entry == "owner" and owner >= scheme.owner_shim:
        # A shim pushed by the C call itself: not a Python frame, and the
        # frame run just above it was the first of that call.
        return None, previous, True
    is_entry = scheme.entry == "is_entry" and bool(values[6])
    code_addr = object_ref(t, executable)
    code = t.codes.get(code_addr) or read_code(t, code_addr)
    offset = instr - (code_addr + cut.code_start)
    started = owner == scheme.owner_generator or offset >= code.first_traceable
    if not started and not unstarted:
        # Pushed but not yet started: CPython leaves such frames out of
        # tracebacks too (_PyFrame_IsIncomplete).
        return None, previous, is_entry
    # Positional, in PyFrame's field order: a deep stack makes thousands.
    pyframe = PyFrame(frame, code, _line(t, code, offset) if started else code.firstlineno,
                      frame + cut.locals_offset, globals_address, builtins_address, is_entry)
    return pyframe, previous, False


def walk_frames(t: Target, first: int, max_frames: int) -> Tuple[Tuple[PyFrame, ...], Optional[str]]:
    """The frames from ``first`` outwards; and why the walk stopped early, if it did.

    At most ``max_frames`` Python frames: only the frames shown count, not
    the records a C call pushes (3.12+) or frames not started yet.
    """
    frames: List[PyFrame] = []
    seen: Set[int] = set()
    frame = first
    reason: Optional[str] = None
    objects = t.scheme.frame == "frameobject"
    while frame:
        if frame in seen:
            reason = f"frame chain loops at 0x{frame:x}"
            break
        seen.add(frame)
        record = frame
        maybe: Optional[PyFrame]
        try:
            if objects:
                maybe, frame = _frame_object(t, frame)
                closes_call = False
            else:
                maybe, frame, closes_call = _interpreter_frame(t, frame)
        except CpythonGdbError as exc:
            reason = f"cannot read frame 0x{record:x}: {exc}"
            break
        if maybe is not None:
            if len(frames) >= max_frames:
                reason = f"stopped after {max_frames} frames"
                break
            frames.append(maybe)
        elif closes_call and frames and not frames[-1].is_entry:
            shim = record if t.scheme.entry == "owner" else 0
            frames[-1] = replace(frames[-1], is_entry=True, entry_shim=shim)
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
