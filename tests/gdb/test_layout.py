"""The DWARF layout resolves every field the decoders need, per version."""

import json

from cpython_gdb.engine.layout.sources import load_table
from harness import minor_of, run_sections, running

COMMON = {
    "PyObject.ob_type", "PyVarObject.ob_size", "PyTypeObject.tp_name", "PyTypeObject.tp_flags",
    "PyTypeObject.tp_basicsize", "PyTypeObject.tp_dictoffset", "PyHeapTypeObject.ht_cached_keys",
    "PyLongObject.ob_digit", "PyFloatObject.ob_fval", "PyASCIIObject.length", "PyASCIIObject.state",
    "PyUnicodeObject.data", "PyBytesObject.ob_sval", "PyByteArrayObject.ob_start",
    "PyTupleObject.ob_item", "PyListObject.ob_item", "PyDictObject.ma_keys", "PyDictObject.ma_values",
    "PyDictKeysObject.dk_nentries", "PyDictKeysObject.dk_indices", "PySetObject.table",
    "PyModuleObject.md_dict", "PyFunctionObject.func_qualname", "PyCFunctionObject.m_ml",
    "PyMethodDef.ml_name", "PyCellObject.ob_ref", "PyBaseExceptionObject.args",
    "PyCodeObject.co_filename", "PyCodeObject.co_name", "PyCodeObject.co_firstlineno",
    "_PyRuntimeState.interpreters_head", "PyInterpreterState.threads_head", "PyInterpreterState.next",
    "PyThreadState.next", "PyThreadState.thread_id", "PyThreadState.interp",
}
FRAME_OBJECT = {
    "PyFrameObject.f_back", "PyFrameObject.f_code", "PyFrameObject.f_lasti", "PyFrameObject.f_localsplus",
    "PyFrameObject.f_globals", "PyFrameObject.f_builtins", "PyCodeObject.co_varnames",
    "PyCodeObject.co_cellvars", "PyCodeObject.co_freevars", "PyCodeObject.co_nlocals",
    "PyDictKeysObject.dk_size", "PyThreadState.current_frame",
}
INTERPRETER_FRAME = {
    "_PyInterpreterFrame.previous", "_PyInterpreterFrame.executable", "_PyInterpreterFrame.instr_ptr",
    "_PyInterpreterFrame.localsplus", "_PyInterpreterFrame.owner", "_PyInterpreterFrame.f_globals",
    "_PyInterpreterFrame.f_builtins", "PyCodeObject.co_localsplusnames", "PyCodeObject.co_localspluskinds",
    "PyCodeObject.co_code_adaptive", "PyCodeObject._co_firsttraceable", "PyCodeObject.co_qualname",
    "PyDictKeysObject.dk_log2_index_bytes", "PyDictKeysObject.dk_kind", "PyDictValues.values",
    "PyFrameObject.f_frame", "PyThreadState.native_thread_id",
}
# 2.7: its own str, unicode, int and dict, and no PEP 3134 chain; its
# generators, functions and types have no qualname.
PY2 = {"PyUnicodeObject.str", "PyUnicodeObject.length", "PyIntObject.ob_ival",
       "PyDictObject.ma_mask", "PyDictObject.ma_table", "PyDictEntry.me_key", "PyDictEntry.me_value",
       "PyInstanceObject.in_class", "PyInstanceObject.in_dict", "PyClassObject.cl_name", "PyMethodObject.im_class",
       "PyThreadState.exc_value", "PyThreadState.exc_traceback", "setentry.key", "PyCodeObject.co_lnotab"}
EXPECTED = {
    "2.7": (COMMON - {"_PyRuntimeState.interpreters_head", "PyASCIIObject.length", "PyASCIIObject.state",
                      "PyUnicodeObject.data", "PyByteArrayObject.ob_start", "PyDictObject.ma_keys",
                      "PyDictObject.ma_values", "PyDictKeysObject.dk_nentries", "PyDictKeysObject.dk_indices",
                      "PyFunctionObject.func_qualname", "PyHeapTypeObject.ht_cached_keys"}
            | FRAME_OBJECT - {"PyDictKeysObject.dk_size"} | PY2),
    # No _PyRuntime: the runtime's statics stand for it (engine.runtime.anchor).
    "3.6": COMMON - {"_PyRuntimeState.interpreters_head"} | FRAME_OBJECT | {"PyCodeObject.co_lnotab",
                                                                          "PyThreadState.exc_value"},
    "3.7": COMMON | FRAME_OBJECT | {"PyCodeObject.co_lnotab"},
    "3.8": COMMON | FRAME_OBJECT | {"PyCodeObject.co_lnotab"},
    "3.9": COMMON | FRAME_OBJECT | {"PyCodeObject.co_lnotab"},
    "3.10": COMMON | FRAME_OBJECT | {"PyCodeObject.co_linetable"},
    "3.11": COMMON | INTERPRETER_FRAME | {"PyCodeObject.co_linetable", "_PyInterpreterFrame.is_entry",
                                          "PyThreadState.cframe", "_PyCFrame.current_frame"},
    "3.12": COMMON | INTERPRETER_FRAME | {"PyCodeObject.co_linetable", "PyLongObject.lv_tag",
                                          "PyThreadState.cframe", "_PyCFrame.current_frame"},
    "3.13": COMMON | INTERPRETER_FRAME | {"PyCodeObject.co_linetable", "PyLongObject.lv_tag",
                                          "PyThreadState.current_frame"},
}
# A free-threaded build's GIL can be off: it says whether it is on.
EXPECTED["3.13t"] = EXPECTED["3.13"] | {"_gil_runtime_state.enabled"}
# Keys whose presence would mean a wrong spelling was picked for this version.
ABSENT = {
    "2.7": {"PyASCIIObject.state", "PyDictObject.ma_keys", "PyFunctionObject.func_qualname", "PyInterpreterState.id",
            "PyBaseExceptionObject.cause", "PyThreadState.exc_info"},
    "3.6": {"PyThreadState.exc_info", "PyInterpreterState.id", "_PyRuntimeState.interpreters_head"},
    "3.7": {"PyCodeObject.co_posonlyargcount", "PyThreadState.native_thread_id"},
    "3.8": {"_PyInterpreterFrame.previous", "PyLongObject.lv_tag", "PyThreadState.native_thread_id"},
    "3.10": {"_PyCFrame.current_frame", "PyLongObject.lv_tag"},
    "3.11": {"PyLongObject.lv_tag", "PyFrameObject.f_lasti"},
    "3.13": {"PyThreadState.cframe", "_PyInterpreterFrame.is_entry", "_gil_runtime_state.enabled"},
}
ABSENT["3.13t"] = ABSENT["3.13"] - {"_gil_runtime_state.enabled"}

DUMP = (
    "python import json; from cpython_gdb.gdb.state import current_target; "
    "lay = current_target().layout; "
    "print(json.dumps({'version': list(lay.version), 'source': lay.source, 'keys': sorted(lay.offsets), "
    "'offsets': dict(lay.offsets), 'sizes': dict(lay.sizes)}))"
)


def test_layout_has_every_field_the_decoders_use(version):
    with running(version, "recursion.py") as target:
        (out,) = run_sections([DUMP], pid=target.pid)
    data = json.loads(out.strip().splitlines()[-1])
    assert "{}.{}".format(*data["version"][:2]) == version.rstrip("t")
    assert data["source"] == "DWARF"
    keys = set(data["keys"])
    assert EXPECTED[version] - keys == set()
    assert ABSENT.get(version, set()) & keys == set()


def test_dwarf_layout_of_the_live_process_equals_the_generated_table(version):
    """The table used without debug info holds what this interpreter's DWARF says."""
    with running(version, "recursion.py") as target:
        (out,) = run_sections([DUMP], pid=target.pid)
    data = json.loads(out.strip().splitlines()[-1])
    table = load_table(*minor_of(version), free_threaded=version.endswith("t"))
    assert data["offsets"] == table.offsets
    assert data["sizes"] == table.sizes
