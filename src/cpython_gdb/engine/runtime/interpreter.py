"""What an interpreter knows about its threads: the GIL, the GC, thread names.

All of it is read from memory, without running code in the target:

- the GIL is one struct embedded in the runtime from 3.7 to 3.11, and from
  3.12 each interpreter points at the GIL it uses (PEP 684). ``last_holder``
  is not cleared on release, so it names the holder only while ``locked``.
  2.7 and 3.6 have no runtime struct: the holder is the current thread
  state, ``_PyThreadState_Current``;
- the collector's ``collecting`` flag is a static of gcmodule.c in 2.7 and
  3.6, in the runtime in 3.7 and 3.8 and in each interpreter from 3.9;
- names come from the ``threading`` module of the interpreter: its
  ``_active`` dict maps each thread's ident (``PyThreadState.thread_id``)
  to its Thread object, whose ``_name`` attribute is the name.
"""

from __future__ import annotations

from ...errors import CpythonGdbError
from ..limits import DEFAULT_LIMITS
from ..memory import read_i32
from ..objects.dicts import dict_items, dict_lookup_str, find_str_key
from ..objects.instances import instance_attributes
from ..objects.numbers import int_value
from ..objects.strings import str_text
from ..objects.writer import Writer
from ..record import frozen
from ..target import Target
from .anchor import Runtime
from .tstate import interpreter_id, interpreters

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Mapping, Optional, Tuple

_MAX_THREADS = 10_000
_MAX_ATTRIBUTES = 1_000
_MAX_NAME = 200


@frozen
class InterpreterInfo:
    address: int
    id: int
    # None where the layout has no GIL fields or they are unreadable.
    gil_locked: Optional[bool]
    gil_holder: int  # the PyThreadState* holding the GIL; 0 if none or unknown
    # False in a free-threaded build running without the GIL (PEP 703: the
    # GIL can be turned back on, PYTHON_GIL=1); True otherwise.
    gil_enabled: bool
    gc_collecting: Optional[bool]
    thread_names: Mapping[int, str]  # threading's names, by thread ident


def gil_state(t: Target, runtime: Runtime, interp: int) -> Tuple[Optional[bool], int, bool]:
    """(locked, holder, enabled) of the GIL that ``interp`` runs under."""
    lay = t.layout
    if t.scheme.runtime == "statics":
        # 2.7, 3.6: the thread state that took the GIL is the current one
        # until it drops the GIL again (PyEval_SaveThread swaps in NULL).
        if not runtime.tstate_current:
            return None, 0, True
        try:
            holder = t.ptr(runtime.tstate_current)
        except CpythonGdbError:
            return None, 0, True
        return holder != 0, holder, True
    if lay.has("_PyRuntimeState.ceval_gil"):
        gil = runtime.address + lay.off("_PyRuntimeState.ceval_gil")
    elif lay.has("PyInterpreterState.ceval_gil"):
        gil = t.field_ptr(interp, "PyInterpreterState.ceval_gil")
    else:
        return None, 0, True
    if not gil or not lay.has("_gil_runtime_state.locked"):
        return None, 0, True
    try:
        enabled_key = "_gil_runtime_state.enabled"
        if lay.has(enabled_key) and not read_i32(t.reader, gil + lay.off(enabled_key)):
            return None, 0, False
        locked = read_i32(t.reader, gil + lay.off("_gil_runtime_state.locked")) != 0
        holder = t.field_ptr(gil, "_gil_runtime_state.last_holder")
    except CpythonGdbError:
        return None, 0, True
    return locked, holder if locked else 0, True


def gc_collecting(t: Target, runtime: Runtime, interp: int) -> Optional[bool]:
    lay = t.layout
    if t.scheme.runtime == "statics":
        # 2.7, 3.6: gcmodule.c's static flag, where the backend found it.
        if not runtime.gc_collecting:
            return None
        try:
            return read_i32(t.reader, runtime.gc_collecting) != 0
        except CpythonGdbError:
            return None
    for base, key in ((interp, "PyInterpreterState.gc_collecting"),
                      (runtime.address, "_PyRuntimeState.gc_collecting")):
        if lay.has(key):
            try:
                return read_i32(t.reader, base + lay.off(key)) != 0
            except CpythonGdbError:
                return None
    return None


def _attribute(t: Target, obj: int, name: str) -> Optional[int]:
    return find_str_key(t, instance_attributes(t, obj, t.type_of(obj), _MAX_ATTRIBUTES), name)


def thread_names(t: Target, interp: int) -> Dict[int, str]:
    """threading's name of each thread it knows, by ident; {} if unreadable.

    A thread that threading has not seen (started with _thread, or a C
    thread) has no entry.
    """
    names: Dict[int, str] = {}
    if not t.layout.has("PyInterpreterState.modules"):
        return names
    try:
        modules = t.field_ptr(interp, "PyInterpreterState.modules")
        module = dict_lookup_str(t, modules, "threading") if modules else None
        if module is None or t.type_of(module).name != "module":
            return names
        namespace = t.field_ptr(module, "PyModuleObject.md_dict")
        active = dict_lookup_str(t, namespace, "_active") if namespace else None
        if active is None or t.type_of(active).name != "dict":
            return names
        items = list(dict_items(t, active, _MAX_THREADS))
    except CpythonGdbError:
        return names
    writer = Writer(t, DEFAULT_LIMITS)
    for key, thread in items:
        try:
            ident = int_value(writer, key)
            value = _attribute(t, thread, t.scheme.thread_name)
            if value is not None:
                names[ident] = str_text(t, value, _MAX_NAME)
        except CpythonGdbError:
            continue
    return names


def interpreter_info(t: Target, runtime: Runtime, interp: int) -> InterpreterInfo:
    ident = interpreter_id(t, interp)
    locked, holder, enabled = gil_state(t, runtime, interp)
    return InterpreterInfo(
        address=interp,
        id=ident,
        gil_locked=locked,
        gil_holder=holder,
        gil_enabled=enabled,
        gc_collecting=gc_collecting(t, runtime, interp),
        thread_names=thread_names(t, interp),
    )


def all_interpreters(t: Target, runtime: Runtime) -> Tuple[InterpreterInfo, ...]:
    return tuple(interpreter_info(t, runtime, interp) for interp in interpreters(t, runtime))


def gil_status(holds: bool, waiting: bool, dropping: bool, known: bool, enabled: bool = True) -> str:
    """One word for a thread's relation to the GIL.

    ``waiting``/``dropping`` come from the thread's C stack (a take_gil or
    drop_gil frame), ``holds`` from the interpreter's GIL. A thread on its
    way out of drop_gil may still be named as the last holder: what its
    stack says wins.
    """
    if not enabled:
        return "no GIL"
    if dropping:
        return "dropping"
    if waiting:
        return "waiting"
    if holds:
        return "held"
    return "not held" if known else "unknown"
