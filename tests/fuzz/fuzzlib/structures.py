"""Where the target's CPython structures are: the places a case corrupts.

Found once, on the pristine stopped target, with the engine itself (the
layout it reads the target with names every field it reads): the runtime,
interpreters, thread states, frame records, code objects, and the objects
the target program announced, with the arrays and tables they point to.

Regions are listed in an order that depends only on the program, never on
addresses, so a case number means the same corruption in every run (the
addresses themselves change with ASLR).
"""

import struct
from typing import Dict, List, Optional, Sequence, Tuple

from cpython_gdb.engine.layout.offsets import Layout
from cpython_gdb.engine.limits import DEFAULT_LIMITS
from cpython_gdb.engine.memory import CachedReader
from cpython_gdb.engine.runtime.anchor import Runtime
from cpython_gdb.engine.runtime.tstate import innermost_frame, read_thread, runtime_lists
from cpython_gdb.engine.target import Target
from cpython_gdb.errors import CpythonGdbError

# Object type name -> the layout structs whose fields it has.
TYPE_STRUCTS: Dict[str, Tuple[str, ...]] = {
    "int": ("PyLongObject", "PyVarObject"),
    "bool": ("PyLongObject", "PyVarObject"),
    "str": ("PyASCIIObject", "PyCompactUnicodeObject", "PyUnicodeObject"),
    "bytes": ("PyBytesObject", "PyVarObject"),
    "bytearray": ("PyByteArrayObject", "PyVarObject"),
    "float": ("PyFloatObject",),
    "complex": ("PyComplexObject",),
    "list": ("PyListObject", "PyVarObject"),
    "tuple": ("PyTupleObject", "PyVarObject"),
    "dict": ("PyDictObject",),
    "set": ("PySetObject",),
    "frozenset": ("PySetObject",),
    "code": ("PyCodeObject",),
    "function": ("PyFunctionObject",),
    "type": ("PyTypeObject", "PyHeapTypeObject"),
    "module": ("PyModuleObject",),
    "generator": ("PyGenObject",),
    "cell": ("PyCellObject",),
    "frame": ("PyFrameObject",),
}
MAX_SPAN = 4096
MAX_FRAMES = 200  # frame records kept (the deep thread has ~30, all of them ~80)


class Region:
    """A structure in the target: ``fields`` are (layout key, offset in it)."""

    __slots__ = ("label", "group", "kind", "address", "span", "fields")

    def __init__(self, label: str, group: str, kind: str, address: int, span: int,
                 fields: Sequence[Tuple[str, int]]) -> None:
        self.label = label  # stable across runs: "tstate[2]", "object mapping"
        self.group = group  # what a case weighs its choice by
        self.kind = kind  # same kind: candidates for a loop (a->next = b)
        self.address = address
        self.span = max(8, min(span, MAX_SPAN))
        self.fields = list(fields)

    def __repr__(self) -> str:
        return f"<{self.label} {self.kind} at 0x{self.address:x}+{self.span}>"


def struct_fields(layout: Layout, structs: Sequence[str]) -> List[Tuple[str, int]]:
    out = [("ob_refcnt", 0)] if any(s.startswith("Py") and s.endswith("Object") for s in structs) else []
    for name in structs:
        prefix = name + "."
        out += sorted((key, off) for key, off in layout.offsets.items() if key.startswith(prefix))
    return out


def struct_span(layout: Layout, structs: Sequence[str], default: int = 64) -> int:
    for name in structs:
        if name in layout.sizes:
            return layout.sizes[name]
    offsets = [off for key, off in layout.offsets.items() if any(key.startswith(s + ".") for s in structs)]
    return max(offsets) + 8 if offsets else default


class Structures:
    """The regions of one pristine target, and the addresses the hostile values need."""

    def __init__(self, reader, runtime: Runtime, layout: Layout, announced: Dict[str, List[int]],
                 maps: Sequence[Tuple[int, int, str, str]]) -> None:
        self.layout = layout
        self.version = layout.version
        self.maps = sorted(maps)  # (start, end, perms, name)
        self.regions: List[Region] = []
        self._seen: Dict[int, Region] = {}
        # Every label a region was reached by: an object shared by several
        # (the file name of every code object of hostile.py) is one region.
        self.labels: Dict[str, Region] = {}
        t = Target(CachedReader(reader), layout)
        self.t = t
        # Uncached: what a case reads when it plans its writes (the target
        # has run between cases; a page cache would be out of date).
        self.reader = reader
        lay = layout
        if layout.scheme.runtime != "statics":  # 2.7, 3.6: no _PyRuntime (the static interp_head)
            self.add("runtime", "runtime", "_PyRuntimeState", runtime.address,
                     struct_span(lay, ["_PyRuntimeState"]), struct_fields(lay, ["_PyRuntimeState"]))
        lists = runtime_lists(t, runtime)
        for i, (interp, _) in enumerate(lists):
            self.add(f"interp[{i}]", "runtime", "PyInterpreterState", interp,
                     struct_span(lay, ["PyInterpreterState"]), struct_fields(lay, ["PyInterpreterState"]))
        tstates = [ts for _, states in lists for ts in states]
        frames = []
        for i, ts in enumerate(tstates):
            self.add(f"tstate[{i}]", "tstate", "PyThreadState", ts, struct_span(lay, ["PyThreadState"]),
                     struct_fields(lay, ["PyThreadState"]))
            if lay.has("PyThreadState.cframe"):
                cframe = t.field_ptr(ts, "PyThreadState.cframe")
                self.add(f"tstate[{i}].cframe", "tstate", "_PyCFrame", cframe, struct_span(lay, ["_PyCFrame"]),
                         struct_fields(lay, ["_PyCFrame"]))
            if lay.has("PyThreadState.exc_info"):
                info = t.field_ptr(ts, "PyThreadState.exc_info")
                self.add(f"tstate[{i}].exc_info", "tstate", "_PyErr_StackItem", info,
                         struct_span(lay, ["_PyErr_StackItem"], 32), struct_fields(lay, ["_PyErr_StackItem"]))
            if innermost_frame(t, ts):
                frames += [(i, n, f) for n, f in enumerate(read_thread(t, ts, DEFAULT_LIMITS).frames)]
        frame_struct = "PyFrameObject" if layout.scheme.frame == "frameobject" else "_PyInterpreterFrame"
        self.functions: Dict[str, str] = {}  # frame label -> the name of its code
        self.lines = [frame.lineno or 0 for _, _, frame in frames]  # where the frames stop
        for i, n, frame in frames[:MAX_FRAMES]:
            self.functions[f"frame[{i}.{n}]"] = frame.code.name
            span = struct_span(lay, [frame_struct], 80) + 8 * len(frame.code.local_names)
            if frame_struct == "PyFrameObject":
                span = frame.locals_address - frame.address + 8 * len(frame.code.local_names)
            self.add(f"frame[{i}.{n}]", "frame", frame_struct, frame.address, span, struct_fields(lay, [frame_struct]))
        for i, n, frame in frames[:MAX_FRAMES]:
            self.add_object(f"code of frame[{i}.{n}]", frame.code.address, 0, "code")
        # The announced objects last: the frames' code objects keep the labels above.
        for name, (address, size) in announced.items():
            self.add_object(f"object {name}", address, size, "object")
        self.names = [name for name in announced if name in MAIN_LOCALS]

    def frame_of(self, function: str) -> str:
        """The label of the first frame that runs ``function`` (hostile.py's names)."""
        return next(label for label, name in self.functions.items() if name == function)

    def add(self, label: str, group: str, kind: str, address: int, span: int,
            fields: Sequence[Tuple[str, int]]) -> Optional[Region]:
        if not address:
            return None
        if address in self._seen:
            self.labels.setdefault(label, self._seen[address])
            return None
        region = Region(label, group, kind, address, span, fields)
        self._seen[address] = region
        self.labels[label] = region
        self.regions.append(region)
        return region

    def add_object(self, label: str, address: int, size: int, group: str, depth: int = 0) -> None:
        t = self.t
        try:
            info = t.type_of(address)
        except CpythonGdbError:
            return
        name = info.name.rsplit(".", 1)[-1]
        structs: Tuple[str, ...] = TYPE_STRUCTS.get(name, ("PyObject",))
        if info.flags & (1 << 30):  # an exception
            structs = ("PyBaseExceptionObject",)
        fields = struct_fields(self.layout, ["PyObject", *structs])
        if info.dictoffset > 0:
            fields.append(("__dict__ slot", info.dictoffset))
        span = size or max(info.basicsize, 16)
        region = self.add(label, group, f"object:{name}", address, span, fields)
        if region is None or depth > 1:
            if region is None and address in self._seen and name == "code":
                # A code object met again (another frame of it): its members get this label too.
                region = self._seen[address]
                for key in ("co_filename", "co_name", "co_qualname"):
                    for other, sub in list(self.labels.items()):
                        if other.startswith(region.label + ".") and other.endswith("." + key):
                            self.labels.setdefault(f"{label}.{key}", sub)
            return
        # What the object points to: its keys table, items array, members.
        lay = self.layout
        ptr = t.field_ptr
        followed: List[Tuple[str, int]] = []  # objects it points to: (label, address)
        try:
            if name == "dict":
                keys = ptr(address, "PyDictObject.ma_keys")
                self.add(f"{label}.ma_keys", "secondary", "PyDictKeysObject", keys, 256,
                         struct_fields(lay, ["PyDictKeysObject"]))
                values = ptr(address, "PyDictObject.ma_values") if lay.has("PyDictObject.ma_values") else 0
                self.add(f"{label}.ma_values", "secondary", "values", values, 64,
                         [(f"value[{i}]", 8 * i) for i in range(8)])
            elif name == "list":
                items = ptr(address, "PyListObject.ob_item")
                count = min(ptr(address, "PyVarObject.ob_size"), 32)
                self.add(f"{label}.ob_item", "secondary", "items", items, 8 * max(1, count),
                         [(f"item[{i}]", 8 * i) for i in range(count)])
            elif name in ("set", "frozenset"):
                table = ptr(address, "PySetObject.table")
                self.add(f"{label}.table", "secondary", "setentry", table, 16 * 8,
                         [(f"entry[{i}]", 16 * i) for i in range(8)])
            elif name == "code":
                for key in ("co_filename", "co_name", "co_qualname", "co_lnotab", "co_linetable",
                            "co_localsplusnames", "co_localspluskinds", "co_varnames", "co_cellvars", "co_freevars"):
                    if lay.has("PyCodeObject." + key):
                        followed.append((f"{label}.{key}", ptr(address, "PyCodeObject." + key)))
            elif info.dictoffset > 0:
                followed.append((f"{label}.__dict__", t.ptr(address + info.dictoffset)))
        except CpythonGdbError:
            return
        for sub_label, target in followed:
            if target:
                self.add_object(sub_label, target, 0, "secondary", depth + 1)

    # -- what hostile values point at ----------------------------------------

    def mapping_of(self, address: int) -> Optional[Tuple[int, int, str, str]]:
        for m in self.maps:
            if m[0] <= address < m[1]:
                return m
        return None

    def gap(self) -> int:
        """An address in the first hole of at least 1 MiB between two mappings (never mapped)."""
        for (_, end, _, _), (start, _, _, _) in zip(self.maps, self.maps[1:]):
            if start - end >= 1 << 20:
                return end + (1 << 19)
        return 0x10000

    def stack_below(self) -> int:
        """Just below the main thread's [stack] mapping: a read there must not grow the stack."""
        for start, _, _, name in self.maps:
            if name == "[stack]":
                return start - 64
        return self.gap()

    def text(self) -> int:
        """An address in executable code (a read-only mapping)."""
        for start, end, perms, _ in self.maps:
            if "x" in perms:
                return start + (end - start) // 2
        return self.gap()

    def siblings(self, region: Region) -> List[Region]:
        return [r for r in self.regions if r.kind == region.kind and r is not region]


# The locals of the main thread's innermost frame (hostile.py's main_locals).
MAIN_LOCALS = ("small_int", "big_int", "float_value", "complex_value", "text_ascii", "text_latin1", "text_ucs2",
               "text_ucs4", "raw_bytes", "byte_array", "items", "pair", "mapping", "numbers", "members", "frozen",
               "plain", "slotted", "error", "cycle", "function", "klass", "module")


def u64(value: int) -> bytes:
    return struct.pack("<Q", value & 0xFFFF_FFFF_FFFF_FFFF)
