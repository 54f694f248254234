"""The py-* commands, one module each."""

from .py_bt import PyBt, PyBtFull
from .py_exc import PyExc
from .py_heap import PyHeap, PyRefs
from .py_list import PyList
from .py_locals import PyLocals
from .py_print import PyPrint
from .py_repr import PyObjFunction, PyRepr
from .py_threads import PyDumpJson, PyThreads
from .py_up_down import PyDown, PyUp

ALL = (PyBt, PyBtFull, PyList, PyUp, PyDown, PyPrint, PyLocals, PyExc, PyRepr, PyObjFunction, PyThreads, PyDumpJson,
       PyHeap, PyRefs)


def register_commands() -> None:
    for command in ALL:
        command()
