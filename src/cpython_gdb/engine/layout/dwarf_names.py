"""Canonical layout keys and the C names they go by in each CPython.

A key is "Struct.field" in the newest spelling. Its value lists the
(C type, field path) pairs to try in a target's debug info, first match
wins: a field that CPython renamed or moved appears once per spelling.
Keys a version lacks are simply absent from its layout.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Tuple

if TYPE_CHECKING:
    Candidates = Tuple[Tuple[str, str], ...]


def _same(ctype: str, *fields: str) -> Dict[str, Candidates]:
    return {f"{ctype}.{f}": ((ctype, f),) for f in fields}


FIELDS: Dict[str, Candidates] = {}
FIELDS.update(_same("PyObject", "ob_refcnt", "ob_type"))
FIELDS.update(_same("PyVarObject", "ob_size"))
FIELDS.update(
    _same(
        "PyTypeObject",
        "tp_name",
        "tp_basicsize",
        "tp_itemsize",
        "tp_flags",
        "tp_dictoffset",
        "tp_base",
        "tp_dict",
        "tp_mro",
        "tp_members",
    )
)
FIELDS.update(_same("PyHeapTypeObject", "ht_name", "ht_qualname", "ht_cached_keys"))

# int: 3.12 wrapped the digits in long_value (gh-101291).
FIELDS["PyLongObject.ob_digit"] = (
    ("PyLongObject", "long_value.ob_digit"),
    ("PyLongObject", "ob_digit"),
)
FIELDS["PyLongObject.lv_tag"] = (("PyLongObject", "long_value.lv_tag"),)
FIELDS.update(_same("PyFloatObject", "ob_fval"))
FIELDS.update(_same("PyComplexObject", "cval"))

# str (PEP 393).
FIELDS.update(_same("PyASCIIObject", "length", "state", "hash"))
FIELDS["PyUnicodeObject.data"] = (("PyUnicodeObject", "data"),)
# 2.7's str is PyStringObject (bytes, a 3.x name it #defines but DWARF
# does not know); its unicode keeps a pointer to Py_UNICODE units (UCS-4 in
# the builds of Linux distributions, UCS-2 elsewhere).
FIELDS["PyBytesObject.ob_sval"] = (("PyBytesObject", "ob_sval"), ("PyStringObject", "ob_sval"))
FIELDS["PyUnicodeObject.length"] = (("PyUnicodeObject", "length"),)
FIELDS["PyUnicodeObject.str"] = (("PyUnicodeObject", "str"),)
# 2.7's int (PyIntObject), beside its long.
FIELDS.update(_same("PyIntObject", "ob_ival"))
FIELDS.update(_same("PyByteArrayObject", "ob_start", "ob_bytes"))

# Containers.
FIELDS.update(_same("PyTupleObject", "ob_item"))
FIELDS.update(_same("PyListObject", "ob_item"))
FIELDS.update(_same("PyDictObject", "ma_used", "ma_keys", "ma_values"))
FIELDS.update(
    _same(
        "PyDictKeysObject",
        "dk_size",
        "dk_log2_size",
        "dk_log2_index_bytes",
        "dk_kind",
        "dk_nentries",
        "dk_indices",
    )
)
FIELDS.update(_same("PyDictValues", "values"))
# 3.13+: the per-instance insertion order follows values[capacity] (gh-115776).
FIELDS.update(_same("PyDictValues", "capacity", "size"))
FIELDS.update(_same("PySetObject", "used", "mask", "table", "fill"))
# 2.7's set entries are {hash, key}, 3.x's {key, hash} (bpo-23290).
FIELDS.update(_same("setentry", "key", "hash"))
# 2.7's dict: one table of {hash, key, value} entries, found by ma_mask.
FIELDS.update(_same("PyDictObject", "ma_mask", "ma_table"))
FIELDS.update(_same("PyDictEntry", "me_key", "me_value"))
# 2.7's classic classes and their instances.
FIELDS.update(_same("PyInstanceObject", "in_class", "in_dict"))
FIELDS.update(_same("PyClassObject", "cl_name", "cl_dict"))

# Other objects.
FIELDS.update(_same("PyModuleObject", "md_dict", "md_name"))
FIELDS.update(
    _same(
        "PyFunctionObject",
        "func_code",
        "func_globals",
        "func_name",
        "func_qualname",
        "func_module",
        "func_closure",
    )
)
FIELDS.update(_same("PyMethodObject", "im_func", "im_self", "im_class"))  # im_class: 2.7
FIELDS.update(_same("PyCFunctionObject", "m_ml", "m_self", "m_module"))
FIELDS.update(_same("PyMethodDef", "ml_name"))
# __slots__: each slot is a PyMemberDef of the class (and a member descriptor
# in its __dict__ pointing at it).
FIELDS.update(_same("PyMemberDef", "name", "type", "offset"))
FIELDS.update(_same("PyMemberDescrObject", "d_member"))
FIELDS.update(_same("PyCellObject", "ob_ref"))
FIELDS.update(_same("PyBaseExceptionObject", "args"))
FIELDS.update(_same("PyGenObject", "gi_frame", "gi_iframe", "gi_name", "gi_qualname", "gi_code"))
FIELDS.update(_same("PyFrameObject", "f_frame"))

# Code objects.
FIELDS.update(
    _same(
        "PyCodeObject",
        "co_argcount",
        "co_posonlyargcount",
        "co_kwonlyargcount",
        "co_nlocals",
        "co_flags",
        "co_firstlineno",
        "co_filename",
        "co_name",
        "co_qualname",
        "co_varnames",
        "co_cellvars",
        "co_freevars",
        "co_lnotab",
        "co_linetable",
        "co_localsplusnames",
        "co_localspluskinds",
        "co_nlocalsplus",
        "co_code_adaptive",
        "_co_firsttraceable",
    )
)

# Frames before 3.11: one PyFrameObject per call.
FIELDS.update(
    _same(
        "PyFrameObject",
        "f_back",
        "f_code",
        "f_lasti",
        "f_lineno",
        "f_localsplus",
        "f_globals",
        "f_builtins",
        "f_locals",
    )
)

# Frames from 3.11. f_code became f_executable and prev_instr became
# instr_ptr in 3.13 (gh-117045); f_func became f_funcobj in 3.12.
FIELDS["_PyInterpreterFrame.executable"] = (
    ("_PyInterpreterFrame", "f_executable"),
    ("_PyInterpreterFrame", "f_code"),
)
FIELDS["_PyInterpreterFrame.instr_ptr"] = (
    ("_PyInterpreterFrame", "instr_ptr"),
    ("_PyInterpreterFrame", "prev_instr"),
)
FIELDS["_PyInterpreterFrame.funcobj"] = (
    ("_PyInterpreterFrame", "f_funcobj"),
    ("_PyInterpreterFrame", "f_func"),
)
FIELDS.update(
    _same(
        "_PyInterpreterFrame",
        "previous",
        "localsplus",
        "owner",
        "is_entry",
        "f_globals",
        "f_builtins",
        "f_locals",
        "frame_obj",
    )
)

# Runtime, interpreters and threads.
FIELDS["_PyRuntimeState.interpreters_head"] = (("_PyRuntimeState", "interpreters.head"),)
FIELDS["PyInterpreterState.threads_head"] = (
    ("PyInterpreterState", "threads.head"),
    ("PyInterpreterState", "tstate_head"),
)
FIELDS.update(_same("PyInterpreterState", "next", "id"))
FIELDS.update(_same("PyThreadState", "next", "interp", "thread_id", "native_thread_id"))
# The innermost frame: tstate->frame (<= 3.10), tstate->cframe->current_frame
# (3.11, 3.12) and tstate->current_frame again in 3.13 (gh-108036).
FIELDS["PyThreadState.current_frame"] = (
    ("PyThreadState", "current_frame"),
    ("PyThreadState", "frame"),
)
FIELDS["PyThreadState.cframe"] = (("PyThreadState", "cframe"),)
FIELDS["_PyCFrame.current_frame"] = (("_PyCFrame", "current_frame"),)

SIZES: Dict[str, Tuple[str, ...]] = {
    "PyObject": ("PyObject",),
    "PyASCIIObject": ("PyASCIIObject",),
    "PyCompactUnicodeObject": ("PyCompactUnicodeObject",),
    "PyDictKeyEntry": ("PyDictKeyEntry",),
    "PyDictUnicodeEntry": ("PyDictUnicodeEntry",),
    "_PyInterpreterFrame": ("_PyInterpreterFrame",),
    "PyTypeObject": ("PyTypeObject",),
    "setentry": ("setentry",),
    "PyMemberDef": ("PyMemberDef",),
    "PyDictEntry": ("PyDictEntry",),  # 2.7
    "Py_UNICODE": ("Py_UNICODE",),  # 2.7: 4 or 2 bytes
}

# The exception in flight and the one being handled (py-exc). 3.12 keeps
# the raised exception as one object, tstate->current_exception (gh-102192),
# where earlier versions kept the (type, value, traceback) triple.
FIELDS.update(_same("PyThreadState", "curexc_type", "curexc_value", "curexc_traceback", "exc_info"))
FIELDS["PyThreadState.current_exception"] = (("PyThreadState", "current_exception"),)
FIELDS.update(_same("_PyErr_StackItem", "exc_value", "previous_item"))
# 2.7 and 3.6 keep the handled exception in the thread state itself; 3.7
# made it a stack of _PyErr_StackItem, one per generator (bpo-25612).
FIELDS.update(_same("PyThreadState", "exc_value", "exc_traceback"))
# Where each frame keeps the exception its caller (2.7: the frame itself,
# before its except block) was handling: 2.7 in every frame that handled
# one, 3.6 in each running generator's frame (py-exc of an older frame).
FIELDS.update(_same("PyFrameObject", "f_exc_type", "f_exc_value", "f_exc_traceback"))
FIELDS.update(_same("PyBaseExceptionObject", "traceback", "context", "cause", "suppress_context"))
FIELDS.update(_same("PyTracebackObject", "tb_next", "tb_frame", "tb_lasti", "tb_lineno"))

# All threads at a glance (py-threads, dump). The GIL is one embedded
# struct of the runtime up to 3.11 and a per-interpreter pointer from 3.12
# (PEP 684); the GC state lives in the runtime in 3.8 and in each
# interpreter from 3.9 (bpo-40533). The modules dict (for threading's
# thread names) moved to interp->imports in 3.12.
FIELDS["_PyRuntimeState.ceval_gil"] = (("_PyRuntimeState", "ceval.gil"),)
FIELDS["PyInterpreterState.ceval_gil"] = (("PyInterpreterState", "ceval.gil"),)
# The struct has no typedef before 3.13.
FIELDS["_gil_runtime_state.locked"] = (("struct _gil_runtime_state", "locked"),)
# Free-threaded builds only (PEP 703): whether the GIL is on at all.
FIELDS["_gil_runtime_state.enabled"] = (("struct _gil_runtime_state", "enabled"),)
FIELDS["_gil_runtime_state.last_holder"] = (("struct _gil_runtime_state", "last_holder"),)
FIELDS["_PyRuntimeState.gc_collecting"] = (("_PyRuntimeState", "gc.collecting"),)
FIELDS["PyInterpreterState.gc_collecting"] = (("PyInterpreterState", "gc.collecting"),)
FIELDS["PyInterpreterState.modules"] = (
    ("PyInterpreterState", "imports.modules"),
    ("PyInterpreterState", "modules"),
)

# 3.13+: whether an object's inline values are in use, or its dict took
# them over (gh-115776).
FIELDS.update(_same("PyDictValues", "valid"))

# The heap census (engine/heap). The collector's lists: three generations
# and the permanent one, in the runtime in 3.8 and in each interpreter
# from 3.9 (bpo-40533); every version 3.8-3.15 keeps that shape (3.14's
# incremental collector was reverted to it before 3.14.10: gh-148726).
FIELDS["_PyRuntimeState.gc_generations"] = (("_PyRuntimeState", "gc.generations"),)
FIELDS["_PyRuntimeState.gc_permanent_generation"] = (("_PyRuntimeState", "gc.permanent_generation"),)
FIELDS["PyInterpreterState.gc_generations"] = (("PyInterpreterState", "gc.generations"),)
FIELDS["PyInterpreterState.gc_permanent_generation"] = (("PyInterpreterState", "gc.permanent_generation"),)
SIZES["gc_generation"] = ("struct gc_generation",)
SIZES["PyGC_Head"] = ("PyGC_Head",)
# What sys.getsizeof counts beyond the fixed part of an object.
FIELDS.update(_same("PyListObject", "allocated"))
FIELDS.update(_same("PySetObject", "smalltable"))
FIELDS.update(_same("PyDictKeysObject", "dk_refcnt", "dk_usable"))
FIELDS.update(_same("PyByteArrayObject", "ob_alloc"))
FIELDS.update(_same("PyASCIIObject", "wstr"))
FIELDS.update(_same("PyCompactUnicodeObject", "utf8_length", "utf8", "wstr_length"))
FIELDS.update(_same("PyDictValues", "embedded"))
SIZES["PyDictKeysObject"] = ("PyDictKeysObject",)
SIZES["PyHeapTypeObject"] = ("PyHeapTypeObject",)
SIZES["PyUnicodeObject"] = ("PyUnicodeObject",)

# Free-threaded builds (PEP 703) keep no collector lists: the census walks
# each thread's mimalloc heaps for objects (_Py_MIMALLOC_HEAP_GC and
# _GC_PRE) and keeps those whose ob_gc_bits say tracked.
FIELDS.update(_same("PyObject", "ob_gc_bits"))
FIELDS["_PyThreadStateImpl.mimalloc_heaps"] = (("_PyThreadStateImpl", "mimalloc.heaps"),)
FIELDS["_PyThreadStateImpl.mimalloc_initialized"] = (("_PyThreadStateImpl", "mimalloc.initialized"),)
FIELDS.update(_same("mi_heap_t", "pages"))
FIELDS.update(_same("mi_page_t", "capacity", "reserved", "free", "used", "xblock_size", "local_free",
                    "xthread_free", "next"))
FIELDS.update(_same("mi_segment_t", "slices"))
SIZES["mi_heap_t"] = ("mi_heap_t",)
SIZES["mi_page_t"] = ("mi_page_t",)
# More references the census follows: a code object's constants and names,
# a function's defaults, doc and __dict__.
FIELDS.update(_same("PyCodeObject", "co_consts", "co_names"))
FIELDS.update(_same("PyFunctionObject", "func_defaults", "func_kwdefaults", "func_doc", "func_dict"))
# How many objects the lists hold, about (for the census's progress):
# generation 0's count of tracked objects, and the objects the last full
# collection left in the oldest generation, plus those promoted since.
FIELDS["_PyRuntimeState.gc_long_lived_total"] = (("_PyRuntimeState", "gc.long_lived_total"),)
FIELDS["_PyRuntimeState.gc_long_lived_pending"] = (("_PyRuntimeState", "gc.long_lived_pending"),)
FIELDS["PyInterpreterState.gc_long_lived_total"] = (("PyInterpreterState", "gc.long_lived_total"),)
FIELDS["PyInterpreterState.gc_long_lived_pending"] = (("PyInterpreterState", "gc.long_lived_pending"),)
FIELDS["gc_generation.count"] = (("struct gc_generation", "count"),)
