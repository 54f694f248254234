"""One asyncio task (or the future it waits on) decoded into a TaskInfo record.

Both the C ``_asyncio.Task`` (fields at the offsets of tables.py) and the
pure-Python ``asyncio.tasks.Task`` (attributes ``_state``, ``_coro``,
``_fut_waiter``, ``_name``, ``_loop``, ``_exception`` in its ``__dict__``),
and their subclasses.
"""

from __future__ import annotations

import struct
from operator import itemgetter

from ...errors import CpythonGdbError
from ..frames.walk import object_ref
from ..limits import Limits
from ..memory import read_f64, read_u8
from ..model import PyFrame
from ..objects.dispatch import object_repr
from ..objects.instances import _members as members  # the __slots__ offsets of one class
from ..objects.instances import heap_bases, instance_attributes
from ..objects.strings import str_or
from ..pyexc import read_exception
from ..record import frozen, replace
from ..target import Target
from .cache import stop_cache
from .coroutine import CoroutineInfo, coroutine_chain
from .names import name_text
from .tables import FUTURE_STATES, AsyncioLayout
from .tasklists import set_members

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Set, Tuple

_NAME_LIMITS = Limits(max_output=200, max_string=200)
_MAX_BASES = 64
_MAX_GATHER = 100_000
# The innermost asyncio coroutine a task waits in, by qualified name: what it waits for.
_PRIMITIVES = {
    "sleep": "sleep",
    "Lock.acquire": "lock",
    "Event.wait": "event",
    "Condition.wait": "condition",
    "Semaphore.acquire": "semaphore",
    "Queue.get": "queue",
    "Queue.put": "queue",
    "Barrier.wait": "barrier",
    "TaskGroup.__aexit__": "taskgroup",
    "TaskGroup._aexit": "taskgroup",
}


@frozen
class TaskInfo:
    address: int
    name: str
    # "pending", "running", "done", "cancelled", "failed"; "unreadable"
    # when ``error`` says why the task could not be read.
    state: str
    loop: int = 0
    coroutines: Tuple[CoroutineInfo, ...] = ()  # outermost (the task's coroutine) first
    chain_note: Optional[str] = None  # why the coroutine chain was cut
    # What it waits for: "task", "gather", "taskgroup", "sleep", "lock",
    # "event", "condition", "semaphore", "queue", "barrier", "future",
    # "ready" (scheduled to run), or None (not pending, or running).
    waiting_kind: Optional[str] = None
    waiting_object: int = 0  # the future, task or primitive waited on
    deadline: Optional[float] = None  # a sleep's end, in the loop's clock (time.monotonic())
    awaits: Tuple[int, ...] = ()  # tasks it awaits
    awaited_by_field: Tuple[int, ...] = ()  # 3.14+: what CPython records as awaiting it
    exception_type: Optional[str] = None
    exception_message: Optional[str] = None
    error: Optional[str] = None


def _chain_names(t: Target, obj: int) -> List[str]:
    names = []
    tp_addr = t.type_address(obj)
    for _ in range(_MAX_BASES):
        if not tp_addr:
            break
        tp = t.type_info(tp_addr)
        names.append(tp.name)
        tp_addr = tp.base
    return names


def future_kind(t: Target, obj: int) -> Optional[str]:
    """"ctask", "cfuture", "pytask", "pyfuture" or None (not a future)."""
    kinds = stop_cache(t).kinds
    tp = t.type_address(obj)
    if tp in kinds:
        return kinds[tp]
    kind = kinds[tp] = _kind_of(_chain_names(t, obj))
    return kind


def _kind_of(names: List[str]) -> Optional[str]:
    if "_asyncio.Task" in names:
        return "ctask"
    if "_asyncio.Future" in names:
        return "cfuture"
    if "Future" in names:
        return "pytask" if "Task" in names else "pyfuture"
    return None


def attributes(t: Target, obj: int) -> Dict[str, int]:
    out = {}
    for key, value in instance_attributes(t, obj, t.type_of(obj), 64):
        name = str_or(t, key, None, 100)
        if name is not None and value and t.type_of(value).name != "NoneType":
            out[name] = value
    return out


_TASK_FIELDS = (("TaskObj.task_state", "I"), ("TaskObj.task_coro", "Q"), ("TaskObj.task_fut_waiter", "Q"),
                ("TaskObj.task_name", "Q"), ("TaskObj.task_loop", "Q"), ("TaskObj.task_exception", "Q"))


def _task_cut(al: AsyncioLayout) -> _Reordered:
    """The C task's fields that _fields() reads, as one read from the object's start.

    The struct is laid out by offset; its values come back in _TASK_FIELDS order.
    """
    placed = sorted((al.offsets[key], code, key) for key, code in _TASK_FIELDS)
    fmt, at = "<", 0
    for where, code, _ in placed:
        fmt += ("%dx" % (where - at) if where > at else "") + code
        at = where + (4 if code == "I" else 8)
    order = [key for _, _, key in placed]
    return _Reordered(fmt, [order.index(key) for key, _ in _TASK_FIELDS])


class _Reordered:
    """A struct whose values come back in another order than they lie."""

    __slots__ = ("_struct", "_pick", "size")

    def __init__(self, fmt: str, pick: List[int]) -> None:
        self._struct = struct.Struct(fmt)
        self._pick = itemgetter(*pick)
        self.size = self._struct.size

    def unpack_from(self, buffer: bytes) -> Tuple[int, ...]:
        picked: Tuple[int, ...] = self._pick(self._struct.unpack_from(buffer))
        return picked


def _fields(t: Target, al: AsyncioLayout, obj: int, kind: str) -> Tuple[str, int, int, int, int, int]:
    """(future state, coroutine, fut_waiter, name object, loop, exception) of a task."""
    if kind == "ctask":
        cache = stop_cache(t)
        cut = cache.task_cut
        if cut is None:
            cut = cache.task_cut = _task_cut(al)
        raw, coro, waiter, name, loop, exception = cut.unpack_from(t.reader.read(obj, cut.size))
        state = FUTURE_STATES[raw] if raw < len(FUTURE_STATES) else "unknown"
        return state, coro, waiter, name, loop, exception
    attrs = attributes(t, obj)
    # Future's class attributes are the defaults: _state is "PENDING" until set.
    state_obj = attrs.get("_state", 0)
    state = (str_or(t, state_obj, "unknown", 20) if state_obj else "pending").lower()
    return (state, attrs.get("_coro", 0), attrs.get("_fut_waiter", 0), attrs.get("_name", 0),
            attrs.get("_loop", 0), attrs.get("_exception", 0))


def task_name(t: Target, al: AsyncioLayout, obj: int) -> str:
    """The task's name: its str, or "Task-N" for the number 3.12+ keeps until asked."""
    kind = future_kind(t, obj)
    if kind not in ("ctask", "pytask"):
        return f"<not a task at 0x{obj:x}>"
    return _name_text(t, _fields(t, al, obj, kind)[3])


def _name_text(t: Target, name: int) -> str:
    if not name:
        return "?"
    text = name_text(t, name)
    if text is not None:
        return text
    if t.type_of(name).name == "int":
        return "Task-" + object_repr(t, name, _NAME_LIMITS)
    return object_repr(t, name, _NAME_LIMITS)


def _local(t: Target, frame: Optional[PyFrame], name: str) -> int:
    """The value of one local variable of a frame (0 if unset): its slot alone is read."""
    if frame is None:
        return 0
    code = frame.code
    try:
        index = code.local_names.index(name)
    except ValueError:
        return 0
    if code.local_kinds[index] != "local":
        return 0
    return object_ref(t, t.ptr(frame.locals_address + 8 * index))


def _slot(t: Target, obj: int, name: str) -> int:
    """The value of a __slots__ attribute (0 if unset or absent); the offsets are read once per type."""
    slots = stop_cache(t).slots
    tp = t.type_of(obj)
    offsets = slots.get(tp.address)
    if offsets is None:
        chain, _ = heap_bases(t, tp)
        offsets = slots[tp.address] = {}
        for klass in reversed(chain):
            for slot, offset in members(t, klass):
                offsets[slot] = offset
    at = offsets.get(name)
    return t.ptr(obj + at) if at is not None else 0


def _tasks_of(t: Target, al: AsyncioLayout, futures: List[int], seen: Set[int]) -> List[int]:
    """The tasks among futures, through nested gathers."""
    out: List[int] = []
    pending = list(futures)
    while pending and len(seen) < _MAX_GATHER:
        fut = pending.pop(0)
        if fut in seen:
            continue
        seen.add(fut)
        kind = future_kind(t, fut)
        if kind in ("ctask", "pytask"):
            out.append(fut)
        elif kind is not None and t.type_of(fut).name == "_GatheringFuture":
            pending.extend(_gather_children(t, fut))
    return out


def _gather_children(t: Target, fut: int) -> List[int]:
    children = attributes(t, fut).get("_children", 0)
    if not children:
        return []
    size = t.field_ptr(children, "PyVarObject.ob_size")
    items = t.field_ptr(children, "PyListObject.ob_item")
    return [t.ptr(items + 8 * i) for i in range(min(size, _MAX_GATHER))]


def _awaited_by_field(t: Target, al: AsyncioLayout, obj: int) -> Tuple[int, ...]:
    off = al.offsets
    if "TaskObj.task_awaited_by" not in off:
        return ()
    value = t.ptr(obj + off["TaskObj.task_awaited_by"])
    if not value:
        return ()
    if read_u8(t.reader, obj + off["TaskObj.task_awaited_by_is_set"]):
        return tuple(set_members(t, value, _MAX_GATHER))
    return (value,)


def _waiting(t: Target, al: AsyncioLayout, waiter: int, chain: Tuple[CoroutineInfo, ...],
             bottom: int) -> Tuple[str, int, Optional[float], Tuple[int, ...]]:
    """(kind, object waited on, deadline, tasks awaited) of a pending task that is not running."""
    innermost = chain[-1].frame if chain else None
    primitive = None
    if innermost is not None and "asyncio" in innermost.code.filename:
        primitive = _PRIMITIVES.get(chain[-1].qualname)
    if not waiter:
        if chain and chain[0].state == "created":
            return "ready", 0, None, ()
        return "ready", bottom, None, ()
    kind = future_kind(t, waiter)
    if kind in ("ctask", "pytask"):
        return "task", waiter, None, (waiter,)
    if t.type_of(waiter).name == "_GatheringFuture":
        return "gather", waiter, None, tuple(_tasks_of(t, al, [waiter], set()))
    if primitive == "sleep":
        handle = _local(t, innermost, "h")
        deadline = None
        if handle:
            when = _slot(t, handle, "_when")
            if when and t.type_of(when).name == "float":
                deadline = read_f64(t.reader, when + t.layout.off("PyFloatObject.ob_fval"))
        return "sleep", waiter, deadline, ()
    if primitive == "taskgroup":
        group = _local(t, innermost, "self")
        tasks: Tuple[int, ...] = ()
        if group:
            members = attributes(t, group).get("_tasks", 0)
            if members:
                tasks = tuple(m for m in set_members(t, members, _MAX_GATHER)
                              if future_kind(t, m) in ("ctask", "pytask"))
        return "taskgroup", group, None, tasks
    if primitive is not None:
        return primitive, _local(t, innermost, "self") or waiter, None, ()
    return "future", waiter, None, ()


def read_task(t: Target, al: AsyncioLayout, obj: int, limits: Limits) -> TaskInfo:
    """A task; one that cannot be read is a TaskInfo with ``error`` set, never an exception."""
    try:
        kind = future_kind(t, obj)
        if kind not in ("ctask", "pytask"):
            return TaskInfo(obj, "?", "unreadable", error=f"not a task (type {t.type_of(obj).name})")
        fstate, coro, waiter, name_obj, loop, exc = _fields(t, al, obj, kind)
        name = _name_text(t, name_obj)
    except CpythonGdbError as exc_:
        return TaskInfo(obj, "?", "unreadable", error=f"cannot read task: {exc_}")
    chain: Tuple[CoroutineInfo, ...] = ()
    note = None
    bottom = 0
    if coro:
        chain, bottom, note = coroutine_chain(t, al, coro)
    info = TaskInfo(obj, name, fstate, loop=loop, coroutines=chain, chain_note=note)
    try:
        awaited_by = _awaited_by_field(t, al, obj) if kind == "ctask" else ()
    except CpythonGdbError:
        awaited_by = ()
    info = replace(info, awaited_by_field=awaited_by)
    if fstate == "finished":
        if exc:
            found = read_exception(t, exc, limits)
            return replace(info, state="failed", exception_type=found.type_name,
                                 exception_message=found.message)
        return replace(info, state="done")
    if fstate != "pending":
        return info
    if chain and chain[0].state == "running":
        return replace(info, state="running")
    try:
        kind_, waited, deadline, awaits = _waiting(t, al, waiter, chain, bottom)
    except CpythonGdbError as exc_:
        return replace(info, waiting_kind="future", waiting_object=waiter,
                             chain_note=note or f"cannot read what it waits for: {exc_}")
    return replace(info, waiting_kind=kind_, waiting_object=waited,
                         deadline=deadline, awaits=awaits)
