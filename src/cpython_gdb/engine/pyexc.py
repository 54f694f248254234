"""The exception a thread is raising or handling, with its traceback and chain.

Read from the thread state: the exception being raised (``curexc_*`` up to
3.11, ``current_exception`` from 3.12) and the one being handled by an
``except`` block (``exc_info->exc_value``).
"""

from __future__ import annotations

from ..errors import CpythonGdbError
from .frames.code import line_of
from .frames.walk import frame_object_frame
from .limits import Limits
from .memory import read_i32, read_u8
from .model import (
    TPFLAGS_BASE_EXC_SUBCLASS,
    TPFLAGS_BYTES_SUBCLASS,
    TPFLAGS_TUPLE_SUBCLASS,
    TPFLAGS_UNICODE_SUBCLASS,
    PyFrame,
)
from .objects import object_repr
from .objects.strings import str_text
from .record import frozen, replace
from .target import Target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Sequence, Set, Tuple

_MAX_TRACEBACK = 1000
_MAX_CHAIN = 20


@frozen
class TracebackEntry:
    filename: str
    lineno: Optional[int]
    name: str
    # Set (to the traceback object) when the entry could not be read.
    unreadable: int = 0


@frozen
class ExceptionInfo:
    address: int
    type_name: str
    message: str
    traceback: Tuple[TracebackEntry, ...]
    cause: Optional["ExceptionInfo"]
    context: Optional["ExceptionInfo"]
    suppress_context: bool
    # The chain goes on past this link, but no further link is shown: how
    # many links were followed (0: the whole chain is shown).
    older_not_shown: int = 0


def _unreadable(exc: int) -> ExceptionInfo:
    return ExceptionInfo(exc, f"<unreadable exception at remote 0x{exc:x}>", "", (), None, None, False)


def _traceback_entry(t: Target, tb: int) -> Optional[TracebackEntry]:
    frame = frame_object_frame(t, t.field_ptr(tb, "PyTracebackObject.tb_frame"))
    if frame is None:
        return None
    lineno: Optional[int] = read_i32(t.reader, tb + t.layout.off("PyTracebackObject.tb_lineno"))
    if lineno is None or lineno < 0:
        # 3.11+ computes tb_lineno lazily from tb_lasti (bytes).
        lasti = read_i32(t.reader, tb + t.layout.off("PyTracebackObject.tb_lasti"))
        lineno = line_of(t, frame.code, lasti)
    return TracebackEntry(frame.code.filename, lineno, frame.code.name)


def traceback_entries(t: Target, tb: int) -> Tuple[TracebackEntry, ...]:
    """The entries of a traceback, oldest call first; an unreadable entry
    becomes a placeholder, an unreadable link ends the list."""
    entries: List[TracebackEntry] = []
    seen: Set[int] = set()
    while tb and tb not in seen and len(entries) < _MAX_TRACEBACK:
        seen.add(tb)
        try:
            entry = _traceback_entry(t, tb)
        except CpythonGdbError:
            entry = TracebackEntry("?", None, "?", unreadable=tb)
        if entry is not None:
            entries.append(entry)
        try:
            tb = t.field_ptr(tb, "PyTracebackObject.tb_next")
        except CpythonGdbError:
            break
    return tuple(entries)


def _args_message(t: Target, args: int, limits: Limits) -> str:
    """What str() of an exception with these args gives: its single
    argument, or the repr of the tuple."""
    if not args:
        return ""
    count = t.field_ptr(args, "PyVarObject.ob_size")
    if count == 0:
        return ""
    if count == 1:
        first = t.field_ptr(args, "PyTupleObject.ob_item")
        return _str_of(t, first, limits)
    return object_repr(t, args, limits)


def _str_of(t: Target, obj: int, limits: Limits) -> str:
    """str(obj) for the common cases: a str's text (2.7: a str's or unicode's), else its repr."""
    text_flags = TPFLAGS_UNICODE_SUBCLASS | (TPFLAGS_BYTES_SUBCLASS if t.scheme.builtins == "py2" else 0)
    if obj and t.type_of(obj).flags & text_flags:
        return str_text(t, obj, limits.max_output)
    return object_repr(t, obj, limits)


def _is_key_error(t: Target, tp: int) -> bool:
    """Whether the type is the builtin KeyError or derives from it (through its tp_base chain)."""
    for _ in range(64):  # a chain that long is a corrupt one
        if not tp:
            return False
        info = t.type_info(tp)
        if info.name in ("KeyError", "exceptions.KeyError") and not info.is_heap:  # 2.7 names its module
            return True
        tp = info.base
    return False


def _message(t: Target, exc: int, limits: Limits) -> str:
    """What str(exc) gives for the common cases: its single argument, or its args."""
    try:
        args = t.field_ptr(exc, "PyBaseExceptionObject.args")
        if args and t.field_ptr(args, "PyVarObject.ob_size") == 1 and _is_key_error(t, t.type_of(exc).address):
            # KeyError's str() is its key's repr(), so that KeyError('') is not
            # an empty message (Objects/exceptions.c, KeyError_str).
            return object_repr(t, t.field_ptr(args, "PyTupleObject.ob_item"), limits)
        return _args_message(t, args, limits)
    except CpythonGdbError:
        return f"<unreadable message of exception at remote 0x{exc:x}>"


def _type_name(t: Target, name: str) -> str:
    """An exception's class as a traceback names it: 2.7's builtin ones are
    in the module ``exceptions``, which it leaves out (as 3.x does builtins)."""
    if t.scheme.builtins == "py2" and name.startswith("exceptions."):
        return name[len("exceptions."):]
    return name


def _read_link(t: Target, exc: int, limits: Limits) -> Tuple[ExceptionInfo, int, bool]:
    """One exception of a chain, without its links; the address of the one
    format_exception shows before it (0 if none), and whether that one is
    its cause (else its context, never followed when suppressed)."""
    tp = t.type_of(exc)
    if not tp.flags & TPFLAGS_BASE_EXC_SUBCLASS:
        # Not an exception instance: show what it is.
        return ExceptionInfo(exc, tp.name, object_repr(t, exc, limits), (), None, None, False), 0, False
    # 2.7's exceptions have no chain and no __traceback__ (PEP 3134): the
    # thread state keeps the traceback beside them.
    chained = t.layout.has("PyBaseExceptionObject.cause")
    suppress = chained and bool(read_u8(t.reader, exc + t.layout.off("PyBaseExceptionObject.suppress_context")))
    info = ExceptionInfo(
        address=exc,
        type_name=_type_name(t, tp.name),
        message=_message(t, exc, limits),
        traceback=traceback_entries(t, t.field_ptr(exc, "PyBaseExceptionObject.traceback")) if chained else (),
        cause=None,
        context=None,
        suppress_context=suppress,
    )
    if not chained:
        return info, 0, False
    try:
        cause = t.field_ptr(exc, "PyBaseExceptionObject.cause")
        if cause:
            return info, cause, True
        if suppress:
            return info, 0, False
        return info, t.field_ptr(exc, "PyBaseExceptionObject.context"), False
    except CpythonGdbError:
        return info, 0, False


def read_exception(t: Target, exc: int, limits: Limits) -> ExceptionInfo:
    """An exception and the chain format_exception shows before it.

    Only the link that is printed is followed from each exception (its
    cause, else its unsuppressed context), each exception is read once
    (a cycle ends the chain) and at most _MAX_CHAIN links are followed. An
    unreadable exception becomes a placeholder and ends the chain there.
    """
    # Newest first: each exception, and whether the next one is its cause.
    links: List[Tuple[ExceptionInfo, bool]] = []
    seen: Dict[int, ExceptionInfo] = {}
    older_not_shown = 0
    while exc and exc not in seen:
        if len(links) > _MAX_CHAIN:
            older_not_shown = _MAX_CHAIN
            break
        try:
            info, following, by_cause = _read_link(t, exc, limits)
        except CpythonGdbError:
            info, following, by_cause = _unreadable(exc), 0, False
        seen[exc] = info
        links.append((info, by_cause))
        exc = following
    if not links:
        return _unreadable(exc)
    older: Optional[ExceptionInfo] = None
    for info, by_cause in reversed(links):
        if older is None:
            info = replace(info, older_not_shown=older_not_shown)
        elif by_cause:
            info = replace(info, cause=older)
        else:
            info = replace(info, context=older)
        older = info
    return older if older is not None else _unreadable(exc)


def _raised_message(t: Target, type_addr: int, value: int, limits: Limits) -> str:
    """str() of the exception of type ``type_addr`` an un-normalized value makes: the
    value is the single argument, a tuple the args, None no argument."""
    if not value:
        return ""
    tp = t.type_of(value)
    if tp.name == "NoneType":
        return ""
    single = value
    if tp.flags & TPFLAGS_TUPLE_SUBCLASS:
        if t.field_ptr(value, "PyVarObject.ob_size") != 1:
            return _args_message(t, value, limits)
        single = t.field_ptr(value, "PyTupleObject.ob_item")
    if _is_key_error(t, type_addr):
        return object_repr(t, single, limits)  # as in _message
    return _str_of(t, single, limits)


def read_raised(t: Target, type_addr: int, value: int, limits: Limits) -> ExceptionInfo:
    """The exception being raised, from raised_type_and_value.

    Up to 3.11 it may not be normalized yet: PyErr_SetString stores the
    type and a plain str, and the value may even be NULL.
    """
    if value:
        try:
            if t.type_of(value).flags & TPFLAGS_BASE_EXC_SUBCLASS:
                return read_exception(t, value, limits)
        except CpythonGdbError:
            return _unreadable(value)
    if not type_addr:
        return read_exception(t, value, limits)
    try:
        name = _type_name(t, t.type_info(type_addr).name)
    except CpythonGdbError:
        return _unreadable(type_addr)
    try:
        message = _raised_message(t, type_addr, value, limits)
    except CpythonGdbError:
        message = f"<unreadable value at remote 0x{value:x}>"
    return ExceptionInfo(value or type_addr, name, message, (), None, None, False)


def raised_type_and_value(t: Target, tstate: int) -> Tuple[int, int]:
    """(type, value) of the exception being raised in a thread; (0, 0) if none.

    From 3.12 only the value is kept (the type is its type, and it is
    always normalized). Before, the value may be any object or NULL.
    """
    if t.layout.has("PyThreadState.current_exception"):
        value = t.field_ptr(tstate, "PyThreadState.current_exception")
        return (t.type_address(value) if value else 0), value
    return (
        t.field_ptr(tstate, "PyThreadState.curexc_type"),
        t.field_ptr(tstate, "PyThreadState.curexc_value"),
    )


def raised_traceback(t: Target, tstate: int) -> int:
    """The traceback kept beside a raised exception before 3.12."""
    if t.layout.has("PyThreadState.curexc_traceback"):
        return t.field_ptr(tstate, "PyThreadState.curexc_traceback")
    return 0


def _exception_or_zero(t: Target, value: int) -> int:
    """An exception kept as handled; 0 for none (NULL, or None in 3.11+ and 2.7's saved state)."""
    if not value:
        return 0
    try:
        return value if t.type_of(value).name != "NoneType" else 0
    except CpythonGdbError:
        return value


def _topmost(t: Target, item: int) -> int:
    """The exception of the innermost _PyErr_StackItem from ``item`` on that holds one, as
    sys.exc_info() finds it (0 if none)."""
    seen: Set[int] = set()
    while item and item not in seen and len(seen) < _MAX_TRACEBACK:
        seen.add(item)
        # None marks "no exception" in 3.11+; skip to the enclosing handler.
        value = _exception_or_zero(t, t.field_ptr(item, "_PyErr_StackItem.exc_value"))
        if value:
            return value
        item = t.field_ptr(item, "_PyErr_StackItem.previous_item")
    return 0


def handled_exception(t: Target, tstate: int) -> int:
    """The exception the innermost active except block handles (0 if none)."""
    if not t.layout.has("PyThreadState.exc_info") and t.layout.has("PyThreadState.exc_value"):
        # 2.7, 3.6: one exception, in the thread state (None or NULL: none).
        return _exception_or_zero(t, t.field_ptr(tstate, "PyThreadState.exc_value"))
    return _topmost(t, t.field_ptr(tstate, "PyThreadState.exc_info"))


# co_flags of the code a generator, coroutine or async generator runs (the same from 2.7 to 3.15).
_CO_GENERATOR_LIKE = 0x20 | 0x80 | 0x200


def _runs_generator(t: Target, frame: PyFrame) -> bool:
    flags = read_i32(t.reader, frame.code.address + t.layout.off("PyCodeObject.co_flags"))
    return bool(flags & _CO_GENERATOR_LIKE)


def handled_in_frame(t: Target, tstate: int, newer: Sequence[PyFrame]) -> Tuple[int, bool, int]:
    """The exception handled as seen from a frame (what sys.exc_info() gives there), given the
    thread's frames newer than it, newest first; 0 if none.

    The frames newer than it that run a generator each keep the state
    their caller sees (the scheme's exc_state says where); from the oldest
    of them, or the thread state, on is the selected frame's. The second
    value is True when an ordinary frame newer than the selected one (and
    older than those generators) may be the one handling it: from 3.6 such
    a frame keeps the state it replaced on its value stack, not readable.
    The third is the frame that kept it in its f_exc_* (0: the thread state).
    """
    kept = t.scheme.exc_state
    if kept == "frame":
        for frame in reversed(newer):  # oldest first
            if t.field_ptr(frame.address, "PyFrameObject.f_exc_type"):
                value = t.field_ptr(frame.address, "PyFrameObject.f_exc_value")
                return _exception_or_zero(t, value), False, frame.address
        return handled_exception(t, tstate), False, 0
    generators = [index for index, frame in enumerate(newer) if _runs_generator(t, frame)]
    ordinary_between = bool(newer[max(generators) + 1:] if generators else newer)
    if kept == "generator_frame":
        if not generators:
            value = handled_exception(t, tstate)
            return value, bool(value) and ordinary_between, 0
        keeper = newer[max(generators)].address
        value = _exception_or_zero(t, t.field_ptr(keeper, "PyFrameObject.f_exc_value"))
        return value, bool(value) and ordinary_between, keeper
    item = t.field_ptr(tstate, "PyThreadState.exc_info")
    for _ in generators:  # one _PyErr_StackItem each, newest first
        if not item:
            raise CpythonGdbError("the exception state of the selected frame cannot be told apart: "
                                  "fewer exception states than running generators")
        item = t.field_ptr(item, "_PyErr_StackItem.previous_item")
    value = _topmost(t, item)
    return value, bool(value) and ordinary_between, 0


@frozen
class ThreadExceptions:
    """What py-exc shows of a thread: the exception being raised and the one being handled."""

    raised: Optional[ExceptionInfo] = None
    # The traceback of a raised exception that is not normalized yet (up
    # to 3.11 the thread state keeps it beside the exception).
    raised_traceback: Tuple[TracebackEntry, ...] = ()
    raised_error: Optional[str] = None  # why the raised one cannot be read
    handled: Optional[ExceptionInfo] = None  # only when it is not the raised one
    handled_error: Optional[str] = None
    # The handled one may be a newer frame's than the selected frame's (handled_in_frame).
    handled_unsure: bool = False


def thread_exceptions(t: Target, tstate: int, limits: Limits,
                      newer: Optional[Sequence[PyFrame]] = None) -> ThreadExceptions:
    """The exception a thread is raising, and the one it is handling (when it is another):
    as its newest frame sees it, or given ``newer`` (the frames newer than a selected
    frame, newest first), as that frame sees it."""
    found = ThreadExceptions()
    raised = 0
    try:
        raised_type, raised = raised_type_and_value(t, tstate)
        if raised_type or raised:
            info = read_raised(t, raised_type, raised, limits)
            extra = traceback_entries(t, raised_traceback(t, tstate))
            found = replace(found, raised=info, raised_traceback=extra)
    except CpythonGdbError as exc:
        found = ThreadExceptions(raised_error=str(exc))
    try:
        unsure, keeper = False, 0
        if newer is None:
            handled = handled_exception(t, tstate)
        else:
            handled, unsure, keeper = handled_in_frame(t, tstate, newer)
        if handled and handled != raised:
            info = read_exception(t, handled, limits)
            if not info.traceback and t.layout.has("PyThreadState.exc_traceback"):
                # 2.7: the handled exception's traceback is beside it, in the
                # thread state or the frame that kept it.
                tb = (t.field_ptr(keeper, "PyFrameObject.f_exc_traceback") if keeper
                      else t.field_ptr(tstate, "PyThreadState.exc_traceback"))
                info = replace(info, traceback=traceback_entries(t, tb))
            found = replace(found, handled=info, handled_unsure=unsure)
    except CpythonGdbError as exc:
        found = replace(found, handled_error=str(exc))
    return found
