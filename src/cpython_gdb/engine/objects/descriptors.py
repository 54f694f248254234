"""Descriptors: property, classmethod and staticmethod, the method and slot
descriptors of types written in C, and a slot bound to its object (method-wrapper).

Each struct starts with PyObject_HEAD and then its own fields (see words.py).
A descriptor (PyDescr_COMMON) holds its type after the header and its name
after that.
"""

from __future__ import annotations

from ..memory import read_c_text
from ..model import TypeInfo
from ..target import Target
from .strings import str_or
from .words import word
from .writer import Writer

# PyDescr_COMMON: d_type, then d_name.
_D_TYPE = 0
_D_NAME = 1


def descriptor_name(t: Target, descr: int) -> str:
    return str_or(t, word(t, descr, _D_NAME), "?", 200)


def descriptor_owner(t: Target, descr: int) -> str:
    """tp_name of the type that defines the descriptor."""
    owner = word(t, descr, _D_TYPE)
    return t.type_info(owner).name if owner else "?"


def write_property(w: Writer, obj: int, _tp: TypeInfo) -> None:
    w.write(f"<property object at remote 0x{obj:x}>")


def write_wrapping(w: Writer, obj: int, tp: TypeInfo) -> None:
    """classmethod and staticmethod: what they wrap, as 3.10+'s repr() shows it on every version."""
    w.write(f"<{tp.name}(")
    w.write_object(w, word(w.target, obj, 0))  # cm_callable / sm_callable
    w.write(")>")


def write_method_descriptor(w: Writer, obj: int, _tp: TypeInfo) -> None:
    t = w.target
    w.write(f"<method {descriptor_name(t, obj)!r} of {descriptor_owner(t, obj)!r} objects>")


def write_slot_wrapper(w: Writer, obj: int, _tp: TypeInfo) -> None:
    t = w.target
    w.write(f"<slot wrapper {descriptor_name(t, obj)!r} of {descriptor_owner(t, obj)!r} objects>")


def method_wrapper_text(t: Target, descr: int, self_obj: int) -> str:
    """A slot bound to an object, named as repr() names it: by the object's type and address."""
    owner = t.type_of(self_obj).name if self_obj else "?"
    return f"<method-wrapper {descriptor_name(t, descr)!r} of {owner} object at remote 0x{self_obj:x}>"


def write_method_wrapper(w: Writer, obj: int, _tp: TypeInfo) -> None:
    t = w.target
    w.write(method_wrapper_text(t, word(t, obj, 0), word(t, obj, 1)))  # descr, self


def bound_method_text(t: Target, descr: int, self_obj: int) -> str:
    """A method descriptor called on ``self_obj``, as repr() shows that method bound to it."""
    owner = t.type_of(self_obj).name if self_obj else "?"
    return f"<built-in method {descriptor_name(t, descr)} of {owner} object at remote 0x{self_obj:x}>"


def builtin_function_text(t: Target, obj: int) -> str:
    """A built-in function or method (PyCFunctionObject): its name, and the object it is bound to unless
    that is a module. Here rather than with the other writers: a dump's built-in call line needs only this
    (engine/cstack/builtin_text.py), not every decoder."""
    ml = t.field_ptr(obj, "PyCFunctionObject.m_ml")
    name = read_c_text(t.reader, t.field_ptr(ml, "PyMethodDef.ml_name"), 200)
    owner = t.field_ptr(obj, "PyCFunctionObject.m_self")
    owner_type = t.type_of(owner).name if owner else "module"
    if not owner or owner_type == "module":
        return f"<built-in function {name}>"
    return f"<built-in method {name} of {owner_type} object at remote 0x{owner:x}>"
