"""The asyncio task each thread runs right now, for every report (lean: no task is decoded).

3.14+: each thread state's ``asyncio_running_task`` (set while its
running loop is). Before: the ``_current_tasks`` dict {loop: task} of the
``_asyncio`` module (or ``asyncio.tasks``); the thread running a task is
the one whose Python frames hold the frame of the task's coroutine.
"""

from __future__ import annotations

from ...errors import CpythonGdbError
from ..objects.dicts import dict_items, dict_lookup_str
from ..runtime.tstate import interpreters
from ..target import Target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional

    from ..runtime.anchor import Runtime

    Entry = Dict[str, Any]

_MAX_LOOPS = 1024


def _coroutine_frame(t: Target, offsets: Dict[str, int], coro: int) -> int:
    if "PyGenObject.gi_iframe" in offsets:
        return coro + offsets["PyGenObject.gi_iframe"]
    return t.ptr(coro + offsets["PyGenObject.gi_frame"])


def _is_c_task(t: Target, obj: int) -> bool:
    tp = t.type_address(obj)
    for _ in range(32):
        if not tp:
            return False
        info = t.type_info(tp)
        if info.name == "_asyncio.Task":
            return True
        tp = info.base
    return False


def _name(t: Target, offsets: Dict[str, int], task: int) -> Optional[str]:
    from .names import name_text

    if not _is_c_task(t, task):
        return None
    return name_text(t, t.ptr(task + offsets["TaskObj.task_name"])) or f"task at 0x{task:x}"


def add_running_tasks(t: Target, runtime: Runtime, threads: List[Entry]) -> None:
    """Set ``asyncio_task`` (the name of the task it runs) on each thread entry that runs one.

    Only C tasks (``_asyncio.Task`` and subclasses) are named; what cannot
    be read names nothing.
    """
    try:
        # A C task needs the _asyncio module: a process that never imported
        # it (most of those dumped) costs a dict lookup per interpreter, and
        # not the import of this package's tables.
        holders = [modules for modules in (t.field_ptr(interp, "PyInterpreterState.modules")
                                           for interp in interpreters(t, runtime))
                   if modules and dict_lookup_str(t, modules, "_asyncio")]
    except CpythonGdbError:
        return
    if not holders:
        return
    from .tables import asyncio_layout

    al = asyncio_layout(t.layout.version, t.scheme.free_threaded)
    if al is None:
        return
    off = dict(al.offsets)
    try:
        if al.linked_lists:
            for thread in threads:
                tstate = thread.get("tstate")
                if not tstate or not t.ptr(tstate + off["_PyThreadStateImpl.asyncio_running_loop"]):
                    continue
                task = t.ptr(tstate + off["_PyThreadStateImpl.asyncio_running_task"])
                name = _name(t, off, task) if task else None
                if name is not None:
                    thread["asyncio_task"] = name
            return
        owners: Optional[Dict[int, Entry]] = None  # made at the first task found: most processes have none
        for modules in holders:
            for module_name in ("_asyncio", "asyncio.tasks"):
                module = dict_lookup_str(t, modules, module_name)
                md_dict = t.field_ptr(module, "PyModuleObject.md_dict") if module else 0
                current = dict_lookup_str(t, md_dict, "_current_tasks") if md_dict else None
                if not current:
                    continue
                if owners is None:
                    owners = {frame["address"]: thread for thread in threads for frame in thread.get("frames") or ()
                              if frame.get("kind") == "python" and frame.get("address")}
                for _, task in dict_items(t, current, _MAX_LOOPS):
                    name = _name(t, off, task)
                    coro = t.ptr(task + off["TaskObj.task_coro"]) if name is not None else 0
                    owner = owners.get(_coroutine_frame(t, off, coro)) if coro else None
                    if owner is not None:
                        owner["asyncio_task"] = name
                break
    except CpythonGdbError:
        return
