"""The py-* commands, one module each."""

import gdb

from .. import state
from .base import PyCommand
from .py_bt import PyBt, PyBtFull
from .py_exc import PyExc
from .py_frame import PySelectFrame
from .py_heap import PyHeap, PyRefs
from .py_list import PyList
from .py_locals import PyLocals
from .py_print import PyPrint
from .py_repr import PyObjFunction, PyRepr
from .py_tasks import PyTasks
from .py_threads import PyDumpJson, PyThreads
from .py_up_down import PyDown, PyUp

ALL = (PyBt, PyBtFull, PyList, PyUp, PyDown, PySelectFrame, PyPrint, PyLocals, PyExc, PyRepr, PyObjFunction,
       PyThreads, PyDumpJson, PyTasks, PyHeap, PyRefs)
# What CPython's python-gdb.py defines too.
OFFICIAL = (PyBt, PyBtFull, PyList, PyUp, PyDown, PyPrint, PyLocals)


def _defined_by_another(command: "type[PyCommand]") -> bool:
    """Whether gdb has a command of that name that is not ours (python-gdb.py's)."""
    try:
        text = gdb.execute(f"help {command.name}", to_string=True)
    except gdb.error:
        return False
    ours = (command.__doc__ or "").strip().splitlines()[:1]
    return text.strip().splitlines()[:1] != ours


def register_commands() -> None:
    """Define our commands; where we cannot read the target's CPython, leave python-gdb.py's in place."""
    aside = state.unknown_version() is not None
    for command in ALL:
        if aside and command in OFFICIAL and _defined_by_another(command):
            continue
        command()
