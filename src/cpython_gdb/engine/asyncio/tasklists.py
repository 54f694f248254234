"""Finding every asyncio task of a process, as CPython keeps them.

- 3.8 to 3.11: the weak set of all tasks, ``_asyncio._all_tasks`` (and
  ``asyncio.tasks._all_tasks`` for tasks of the pure-Python class);
- 3.12 and 3.13: ``_scheduled_tasks`` (a weak set) and ``_eager_tasks``
  (a set), in the same two modules;
- 3.14+: each thread state's circular list ``asyncio_tasks_head`` of
  native tasks, and the interpreter's list of the tasks whose thread is
  gone (gh-128307), besides those module sets for other tasks.

Modules come from each interpreter's ``sys.modules`` dict. Every walk is
bounded (``limit`` tasks, a visited set) and a broken set or list ends
that walk with a note, not the listing.
"""

from __future__ import annotations

import struct

from ...errors import CorruptObject, CpythonGdbError
from ..objects.dicts import dict_lookup_str
from ..objects.instances import instance_attributes
from ..objects.strings import str_or
from ..runtime.tstate import runtime_lists
from ..target import Target
from .tables import AsyncioLayout

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterator, List, Optional, Set, Tuple

    from ..runtime.anchor import Runtime

_MODULES = ("_asyncio", "asyncio.tasks")
_SET_NAMES = ("_all_tasks", "_scheduled_tasks", "_eager_tasks")
_MAX_SET_SLOTS = 1 << 26
_BATCH = 256


def set_members(t: Target, obj: int, limit: int) -> Iterator[int]:
    """The keys of a set object, at most ``limit``; raises CorruptObject on a bad header."""
    lay = t.layout
    mask = t.ptr(obj + lay.off("PySetObject.mask"))
    used = t.ptr(obj + lay.off("PySetObject.used"))
    table = t.ptr(obj + lay.off("PySetObject.table"))
    slots = mask + 1
    if slots > _MAX_SET_SLOTS or slots & mask or used > slots:
        raise CorruptObject(f"set at 0x{obj:x}")
    entry_size = lay.size("setentry")
    seen = 0
    for start in range(0, slots, _BATCH):
        if seen >= used or seen >= limit:
            return
        count = min(_BATCH, slots - start)
        raw = t.reader.read(table + entry_size * start, entry_size * count)
        for i in range(count):
            key, hash_ = struct.unpack_from("<Qq", raw, i * entry_size)
            if key and hash_ != -1:  # -1: a deleted slot's dummy
                yield key
                seen += 1
                if seen >= used or seen >= limit:
                    return


def _attribute(t: Target, obj: int, name: str) -> Optional[int]:
    for key, value in instance_attributes(t, obj, t.type_of(obj), 64):
        if str_or(t, key, None, 64) == name:
            return value
    return None


def _set_tasks(t: Target, al: AsyncioLayout, obj: int, limit: int) -> Iterator[int]:
    """The tasks in a set, or in a WeakSet (its ``data`` set of weak references)."""
    tp = t.type_of(obj)
    if tp.name in ("set", "frozenset"):
        yield from set_members(t, obj, limit)
        return
    data = _attribute(t, obj, "data")
    if data is None or t.type_of(data).name != "set":
        raise CorruptObject(f"weak set at 0x{obj:x} has no data set")
    wr_object = al.offsets["PyWeakReference.wr_object"]
    for ref in set_members(t, data, limit):
        try:
            referent = t.ptr(ref + wr_object)
        except CpythonGdbError:
            continue  # a broken reference: the others are still listed
        if referent and not _is_none(t, referent):
            yield referent


def _is_none(t: Target, obj: int) -> bool:
    """Whether the object is None (a dead reference's referent); a task whose type is unreadable is not."""
    try:
        return t.type_of(obj).name == "NoneType"
    except CpythonGdbError:
        return False


def _module_sets(t: Target, interp: int) -> List[Tuple[str, int]]:
    """(name, set object) of every task set in the asyncio modules of one interpreter."""
    modules = t.field_ptr(interp, "PyInterpreterState.modules")
    if not modules:
        return []
    out: List[Tuple[str, int]] = []
    for module_name in _MODULES:
        module = dict_lookup_str(t, modules, module_name)
        if not module:
            continue
        md_dict = t.field_ptr(module, "PyModuleObject.md_dict")
        if not md_dict:
            continue
        for set_name in _SET_NAMES:
            found = dict_lookup_str(t, md_dict, set_name)
            if found and all(found != obj for _, obj in out):
                out.append((f"{module_name}.{set_name}", found))
    return out


def _llist(t: Target, head: int, node_offset: int, limit: int, what: str) -> Iterator[int]:
    """The tasks of a circular list of task nodes (llist_node {next, prev}) whose sentinel is at ``head``."""
    seen: Set[int] = set()
    node = t.ptr(head)
    while node and node != head:
        if node in seen:
            t.notes.append(f"the {what} loops at 0x{node:x}: read up to there")
            return
        if len(seen) >= limit:
            return
        seen.add(node)
        yield node - node_offset
        node = t.ptr(node)


def _interp_head(t: Target, al: AsyncioLayout, interp: int) -> Optional[int]:
    """The interpreter's list head: the candidate offset whose sentinel links back to itself."""
    for offset in al.interp_heads:
        head = interp + offset
        try:
            first = t.ptr(head)
            if first and t.ptr(first + 8) == head:
                return head
        except CpythonGdbError:
            continue
    return None


def find_tasks(t: Target, al: AsyncioLayout, runtime: Runtime, limit: int) -> Tuple[List[int], bool]:
    """Every task address found (each once, at most ``limit``), and whether some were left out.

    What could not be read is said in ``t.notes``.
    """
    found: List[int] = []
    known: Set[int] = set()
    more = False

    def add(tasks: Iterator[int], what: str) -> bool:
        nonlocal more
        try:
            for task in tasks:
                if task in known:
                    continue
                if len(found) >= limit:
                    more = True
                    return False
                known.add(task)
                found.append(task)
        except CpythonGdbError as exc:
            t.notes.append(f"cannot read {what}: {exc}")
        return True

    for interp, tstates in runtime_lists(t, runtime):
        if al.linked_lists:
            node = al.offsets["TaskObj.task_node"]
            head_off = al.offsets["_PyThreadStateImpl.asyncio_tasks_head"]
            for tstate in tstates:
                if not add(_llist(t, tstate + head_off, node, limit + 1, "task list of a thread"),
                           f"the task list of thread state 0x{tstate:x}"):
                    return found, more
            head = _interp_head(t, al, interp)
            if head is not None and not add(_llist(t, head, node, limit + 1, "interpreter's task list"),
                                            "the interpreter's task list"):
                return found, more
        try:
            sets = _module_sets(t, interp)
        except CpythonGdbError as exc:
            t.notes.append(f"cannot read the asyncio modules: {exc}")
            continue
        for name, obj in sets:
            if not add(_set_tasks(t, al, obj, limit + 1), name):
                return found, more
    return found, more
