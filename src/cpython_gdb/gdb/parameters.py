"""`set cpython ...` / `show cpython ...` settings: the output limits."""

from typing import Callable, Dict, List, Optional

import gdb

from ..engine.limits import DEFAULT_LIMITS, Limits

_params: Dict[str, "_Limit"] = {}


class _Prefix(gdb.Command):
    """Settings of cpython-gdb."""

    def __init__(self, verb: str) -> None:
        super().__init__(f"{verb} cpython", gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)


class _ShowAll(_Prefix):
    """Show every setting of cpython-gdb with its value, as `show print` does gdb's.

Usage: show cpython [SETTING]"""

    def __init__(self) -> None:
        super().__init__("show")

    def invoke(self, argument: str, from_tty: bool) -> None:
        if argument.strip():
            # A name gdb did not match to a setting: its own one-line error.
            raise gdb.GdbError(f"Undefined show cpython command: \"{argument.strip()}\".  Try \"help show cpython\".")
        lines = []
        for name in _names:
            # gdb's own text for each: the setting's show string, as `show cpython NAME` prints it.
            lines.append(gdb.execute(f"show cpython {name}", to_string=True).rstrip("\n"))
        gdb.write("".join(line + "\n" for line in lines))


# Every setting's name, in the order `show cpython` lists them.
_names: List[str] = []


# What to call when a setting changes: state.forget_stop, handed in by
# register_parameters' caller (state reads the settings: importing it here
# would make a cycle).
_on_change: List[Callable[[], None]] = []


class _ForgetsStop:
    """A setting whose change makes what was read at this stop stale."""

    def get_set_string(self) -> str:
        # Stacks cached for this stop were made under the old value.
        for forget in _on_change:
            forget()
        return ""


class _Limit(_ForgetsStop, gdb.Parameter):
    # A PARAM_UINTEGER reads back as an int, or None for "unlimited".
    value: Optional[int]

    def __init__(self, name: str, field: str, doc: str, default: int) -> None:
        self.__doc__ = doc
        self.set_doc = f"Set {doc[0].lower()}{doc[1:]}"
        self.show_doc = f"Show {doc[0].lower()}{doc[1:]}"
        super().__init__(f"cpython {name}", gdb.COMMAND_DATA, gdb.PARAM_UINTEGER)
        self.value = default
        self.field = field
        self.name = name

    def get_show_string(self, svalue: str) -> str:
        return f"cpython {self.name} is {svalue}."


_SPECS = (
    ("max-output", "max_output", "Maximum characters in one printed Python value.", DEFAULT_LIMITS.max_output),
    ("max-items", "max_items", "Maximum items shown per container.", DEFAULT_LIMITS.max_items),
    ("max-depth", "max_depth", "Maximum nesting depth of printed values.", DEFAULT_LIMITS.max_depth),
    ("max-string", "max_string", "Maximum characters shown of one str or bytes.", DEFAULT_LIMITS.max_string),
    ("max-frames", "max_frames", "Maximum Python frames walked per thread.", DEFAULT_LIMITS.max_frames),
    ("max-source-line", "max_source_line", "Maximum characters shown of one source line.",
     DEFAULT_LIMITS.max_source_line),
    ("max-tasks", "max_tasks", "Maximum asyncio tasks listed by py-tasks.", DEFAULT_LIMITS.max_tasks),
)


class _FastUnwind(_ForgetsStop, gdb.Parameter):
    """Whether C frames that repeat frames gdb has already unwound are unwound by cpython-gdb itself.

On a deep stack gdb's own unwinding of thousands of C frames is most of
the cost of py-bt. cpython-gdb then reads each file's .eh_frame itself
(x86-64), numbering and naming the frames as gdb did for the same pair
of return addresses; the output does not change. Turn it off to have gdb
unwind every frame."""

    set_doc = "Set whether cpython-gdb unwinds repeated C frames itself."
    show_doc = "Show whether cpython-gdb unwinds repeated C frames itself."

    def __init__(self) -> None:
        super().__init__("cpython fast-unwind", gdb.COMMAND_DATA, gdb.PARAM_BOOLEAN)
        self.value = True

    def get_show_string(self, svalue: str) -> str:
        return f"cpython fast-unwind is {svalue}."


_fast_unwind: List[_FastUnwind] = []


class _MaxHeapObjects(_ForgetsStop, gdb.Parameter):
    """Maximum objects py-heap and py-refs walk; the census is marked partial when it stops there."""

    value: Optional[int]

    set_doc = "Set the maximum objects a heap census walks."
    show_doc = "Show the maximum objects a heap census walks."

    def __init__(self) -> None:
        super().__init__("cpython max-heap-objects", gdb.COMMAND_DATA, gdb.PARAM_UINTEGER)
        self.value = DEFAULT_MAX_HEAP_OBJECTS

    def get_show_string(self, svalue: str) -> str:
        return f"cpython max-heap-objects is {svalue}."


DEFAULT_MAX_HEAP_OBJECTS = 50_000_000
_max_heap_objects: List[_MaxHeapObjects] = []


def register_parameters(on_change: Callable[[], None]) -> None:
    """Define the settings; ``on_change`` is called whenever one is set."""
    if _params:
        return
    _on_change.append(on_change)
    _Prefix("set")
    _ShowAll()
    for name, field, doc, default in _SPECS:
        _params[field] = _Limit(name, field, doc, default)
        _names.append(name)
    _fast_unwind.append(_FastUnwind())
    _max_heap_objects.append(_MaxHeapObjects())
    _names.extend(["fast-unwind", "max-heap-objects"])


def max_heap_objects() -> int:
    """The heap census's bound; 0 and "unlimited" (None) still keep one: 1 << 40."""
    value: Optional[int] = _max_heap_objects[0].value if _max_heap_objects else DEFAULT_MAX_HEAP_OBJECTS
    return int(value) if value else 1 << 40


def fast_unwind() -> bool:
    return bool(_fast_unwind[0].value) if _fast_unwind else True


def current_limits() -> Limits:
    values = {}
    for field, param in _params.items():
        value = param.value
        # 0 and "unlimited" both read back as None (gdb's convention for
        # PARAM_UINTEGER): keep a hard cap so a value never prints without bound.
        if value is None or value < 0 or value == 0:
            value = 1 << 30
        values[field] = int(value)
    return Limits(**values)
