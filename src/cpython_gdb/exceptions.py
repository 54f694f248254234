"""The exception a thread is raising or handling, with its traceback and chain.

Read from the thread state: the exception being raised (``curexc_*`` up to
3.11, ``current_exception`` from 3.12) and the one being handled by an
``except`` block (``exc_info->exc_value``).
"""

from dataclasses import dataclass
from typing import List, Optional, Set, Tuple

from .errors import CpythonGdbError
from .frames.code import line_of
from .frames.walk import frame_object_frame
from .limits import Limits
from .memory import read_i32, read_u8
from .model import TPFLAGS_BASE_EXC_SUBCLASS, TPFLAGS_UNICODE_SUBCLASS
from .objects import object_repr
from .objects.strings import str_text
from .source import source_line
from .target import Target

_MAX_TRACEBACK = 1000
_MAX_CHAIN = 20


@dataclass(frozen=True)
class TracebackEntry:
    filename: str
    lineno: Optional[int]
    name: str


@dataclass(frozen=True)
class ExceptionInfo:
    address: int
    type_name: str
    message: str
    traceback: Tuple[TracebackEntry, ...]
    cause: Optional["ExceptionInfo"]
    context: Optional["ExceptionInfo"]
    suppress_context: bool


def traceback_entries(t: Target, tb: int) -> Tuple[TracebackEntry, ...]:
    entries: List[TracebackEntry] = []
    seen: Set[int] = set()
    while tb and tb not in seen and len(entries) < _MAX_TRACEBACK:
        seen.add(tb)
        frame = frame_object_frame(t, t.field_ptr(tb, "PyTracebackObject.tb_frame"))
        if frame is not None:
            lineno: Optional[int] = read_i32(t.reader, tb + t.layout.off("PyTracebackObject.tb_lineno"))
            if lineno is None or lineno < 0:
                # 3.11+ computes tb_lineno lazily from tb_lasti (bytes).
                lasti = read_i32(t.reader, tb + t.layout.off("PyTracebackObject.tb_lasti"))
                lineno = line_of(t, frame.code, lasti)
            entries.append(TracebackEntry(frame.code.filename, lineno, frame.code.name))
        tb = t.field_ptr(tb, "PyTracebackObject.tb_next")
    return tuple(entries)


def _message(t: Target, exc: int, limits: Limits) -> str:
    """What str(exc) gives for the common cases: its single argument, or its args."""
    args = t.field_ptr(exc, "PyBaseExceptionObject.args")
    if not args:
        return ""
    count = t.field_ptr(args, "PyVarObject.ob_size")
    if count == 0:
        return ""
    if count == 1:
        first = t.field_ptr(args, "PyTupleObject.ob_item")
        if first and t.type_of(first).flags & TPFLAGS_UNICODE_SUBCLASS:
            return str_text(t, first, limits.max_output)
        return object_repr(t, first, limits)
    return object_repr(t, args, limits)


def read_exception(t: Target, exc: int, limits: Limits, depth: int = 0) -> ExceptionInfo:
    tp = t.type_of(exc)
    if not tp.flags & TPFLAGS_BASE_EXC_SUBCLASS:
        # Not normalized yet (<= 3.11): a raised type with a plain value.
        return ExceptionInfo(exc, tp.name, object_repr(t, exc, limits), (), None, None, False)
    lay = t.layout
    cause = context = None
    if depth < _MAX_CHAIN:
        cause_addr = t.field_ptr(exc, "PyBaseExceptionObject.cause")
        context_addr = t.field_ptr(exc, "PyBaseExceptionObject.context")
        cause = read_exception(t, cause_addr, limits, depth + 1) if cause_addr and cause_addr != exc else None
        if context_addr and context_addr != exc:
            context = read_exception(t, context_addr, limits, depth + 1)
    return ExceptionInfo(
        address=exc,
        type_name=tp.name,
        message=_message(t, exc, limits),
        traceback=traceback_entries(t, t.field_ptr(exc, "PyBaseExceptionObject.traceback")),
        cause=cause,
        context=context,
        suppress_context=bool(read_u8(t.reader, exc + lay.off("PyBaseExceptionObject.suppress_context"))),
    )


def raised_exception(t: Target, tstate: int) -> int:
    """The exception being raised in a thread (0 if none)."""
    if t.layout.has("PyThreadState.current_exception"):
        return t.field_ptr(tstate, "PyThreadState.current_exception")
    value = t.field_ptr(tstate, "PyThreadState.curexc_value")
    return value or t.field_ptr(tstate, "PyThreadState.curexc_type")


def raised_traceback(t: Target, tstate: int) -> int:
    """The traceback kept beside a raised exception before 3.12."""
    if t.layout.has("PyThreadState.curexc_traceback"):
        return t.field_ptr(tstate, "PyThreadState.curexc_traceback")
    return 0


def handled_exception(t: Target, tstate: int) -> int:
    """The exception the innermost active except block handles (0 if none)."""
    item = t.field_ptr(tstate, "PyThreadState.exc_info")
    seen: Set[int] = set()
    while item and item not in seen and len(seen) < _MAX_TRACEBACK:
        seen.add(item)
        value = t.field_ptr(item, "_PyErr_StackItem.exc_value")
        # None marks "no exception" in 3.11+; skip to the enclosing handler.
        if value:
            try:
                if t.type_of(value).name != "NoneType":
                    return value
            except CpythonGdbError:
                return value
        item = t.field_ptr(item, "_PyErr_StackItem.previous_item")
    return 0


def format_exception(info: ExceptionInfo, extra_traceback: Tuple[TracebackEntry, ...] = ()) -> List[str]:
    """Lines as Python's traceback module prints them, oldest cause first."""
    lines: List[str] = []
    if info.cause is not None:
        lines += format_exception(info.cause)
        lines += ["", "The above exception was the direct cause of the following exception:", ""]
    elif info.context is not None and not info.suppress_context:
        lines += format_exception(info.context)
        lines += ["", "During handling of the above exception, another exception occurred:", ""]
    entries = info.traceback or extra_traceback
    if entries:
        lines.append("Traceback (most recent call last):")
        for entry in entries:
            line = "?" if entry.lineno is None else str(entry.lineno)
            lines.append(f'  File "{entry.filename}", line {line}, in {entry.name}')
            text = source_line(entry.filename, entry.lineno)
            if text is not None:
                lines.append("    " + text.strip())
    name = info.type_name
    lines.append(f"{name}: {info.message}" if info.message else name)
    return lines
