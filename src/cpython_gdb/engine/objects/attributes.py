"""``obj.name`` found as Python's getattr would find it, by reading memory only.

For an instance: a data descriptor on its type (a property, a __slots__
member) first, then its own attributes (a __dict__, or 3.11+'s managed
dict and inline values: instances.instance_attributes), then what its
type's MRO holds. A module's come from its globals, a class's from its
MRO. Nothing is called: a property or another descriptor is returned as
itself, with a note saying so, in place of what calling it would give.
"""

from __future__ import annotations

from ..expression import ExpressionError
from ..model import TPFLAGS_TYPE_SUBCLASS, TypeInfo
from ..target import Target
from .dicts import dict_lookup_str, find_str_key
from .instances import instance_attributes
from .strings import str_or

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterator, Optional, Tuple

_MAX_MRO = 256
_MAX_ATTRIBUTES = 1 << 20
# PyMemberDef.type of an object slot: T_OBJECT (NULL reads as None) and
# T_OBJECT_EX (NULL: no attribute), the kinds __slots__ makes.
_T_OBJECT = 6
_T_OBJECT_EX = 16
# Builtin descriptors that define __set__ (they win over the instance's
# __dict__), and those that only bind (the instance's __dict__ wins). Their
# types' dicts are not read: 3.12+ keeps a static type's dict elsewhere.
_DATA_DESCRIPTORS = frozenset({"property", "getset_descriptor", "member_descriptor"})
_BINDING = frozenset({"function", "classmethod", "staticmethod", "method_descriptor",
                      "classmethod_descriptor", "wrapper_descriptor", "instancemethod"})


class AttributeMissing(ExpressionError):
    """The object has no such attribute (one line, as Python's AttributeError says it)."""


def mro(t: Target, cls: int) -> Iterator[TypeInfo]:
    """The classes of ``cls``'s __mro__ (its tp_mro tuple; the tp_base chain where that is unset)."""
    order = t.field_ptr(cls, "PyTypeObject.tp_mro")
    if order:
        size = t.ptr(order + t.layout.off("PyVarObject.ob_size"))
        items = order + t.layout.off("PyTupleObject.ob_item")
        for i in range(min(size, _MAX_MRO)):
            klass = t.ptr(items + 8 * i)
            if klass and t.type_of(klass).flags & TPFLAGS_TYPE_SUBCLASS:  # not 2.7's classic bases
                yield t.type_info(klass)
        return
    for _ in range(_MAX_MRO):
        if not cls:
            return
        info = t.type_info(cls)
        yield info
        cls = info.base


def type_lookup(t: Target, cls: int, name: str, secret: Optional[Tuple[int, int]]) -> Optional[int]:
    """What ``name`` is in the dict of the first class of ``cls``'s MRO that has it."""
    for klass in mro(t, cls):
        if klass.dict_address:
            found = dict_lookup_str(t, klass.dict_address, name, secret)
            if found:
                return found
    return None


def _descriptor(t: Target, value: int, secret: Optional[Tuple[int, int]]) -> Tuple[str, str]:
    """("data" | "binding" | "", its type's name) of a value found on a type."""
    tp = t.type_of(value)
    if tp.name in _DATA_DESCRIPTORS:
        return "data", tp.name
    if tp.name in _BINDING:
        return "binding", tp.name
    if tp.is_heap:  # a descriptor class written in Python
        if type_lookup(t, tp.address, "__set__", secret) or type_lookup(t, tp.address, "__delete__", secret):
            return "data", tp.name
        if type_lookup(t, tp.address, "__get__", secret):
            return "binding", tp.name
    return "", tp.name


def _slot(t: Target, obj: int, descr: int, tp: TypeInfo, name: str) -> int:
    """The value of a __slots__ member (a member_descriptor's PyMemberDef)."""
    lay = t.layout
    member = t.field_ptr(descr, "PyMemberDescrObject.d_member")
    kind = int.from_bytes(t.reader.read(member + lay.off("PyMemberDef.type"), 4), "little")
    if kind not in (_T_OBJECT, _T_OBJECT_EX):
        raise AttributeMissing(f"{name!r} of {tp.name!r} is a C member that is not an object")
    value = t.ptr(obj + t.ptr(member + lay.off("PyMemberDef.offset")))
    if not value:
        if kind == _T_OBJECT:
            raise AttributeMissing(f"{name!r} of {tp.name!r} is NULL (reads as None)")
        raise AttributeMissing(f"{tp.name!r} object has no attribute {name!r}")
    return value


def _classic_attribute(t: Target, obj: int, name: str) -> Tuple[int, str]:
    """2.7's classic instance: its in_dict, then its class's cl_dict (bases not searched)."""
    from .instances import classic_class_name

    cls = t.field_ptr(obj, "PyInstanceObject.in_class")
    for namespace in (t.field_ptr(obj, "PyInstanceObject.in_dict"), t.field_ptr(cls, "PyClassObject.cl_dict")):
        found = dict_lookup_str(t, namespace, name) if namespace else None
        if found:
            return found, ""
    raise AttributeMissing(f"{classic_class_name(t, cls)} instance has no attribute {name!r}")


def _own(t: Target, obj: int, tp: TypeInfo, name: str, secret: Optional[Tuple[int, int]]) -> Optional[int]:
    """``name`` among the instance's own attributes (its __dict__ or inline values)."""
    return find_str_key(t, instance_attributes(t, obj, tp, _MAX_ATTRIBUTES), name)


def get_attribute(t: Target, obj: int, name: str, secret: Optional[Tuple[int, int]]) -> Tuple[int, str]:
    """(the value of ``obj.name``, a note: "" or why it is not what Python would give)."""
    tp = t.type_of(obj)
    if tp.name == "module":
        namespace = t.field_ptr(obj, "PyModuleObject.md_dict")
        found = dict_lookup_str(t, namespace, name, secret) if namespace else None
        if found:
            return found, ""
        module = dict_lookup_str(t, namespace, "__name__", secret) if namespace else None
        module_name = str_or(t, module, "?", 200) if module else "?"
        raise AttributeMissing(f"module {module_name!r} has no attribute {name!r}")
    if tp.flags & TPFLAGS_TYPE_SUBCLASS:
        found = type_lookup(t, obj, name, secret)
        if found:
            kind, kind_name = _descriptor(t, found, secret)
            # On a class a property is itself; a classmethod would bind to the class.
            note = f" (a {kind_name}: not bound)" if kind_name in ("classmethod", "staticmethod") else ""
            return found, note
        raise AttributeMissing(f"type object {t.type_info(obj).name.rsplit('.', 1)[-1]!r} has no attribute {name!r}")
    if t.scheme.builtins == "py2" and tp.name == "classobj":
        namespace = t.field_ptr(obj, "PyClassObject.cl_dict")
        found = dict_lookup_str(t, namespace, name) if namespace else None
        if found:
            return found, ""
        raise AttributeMissing(f"class has no attribute {name!r}")
    if t.scheme.builtins == "py2" and tp.name == "instance":
        return _classic_attribute(t, obj, name)
    on_type = type_lookup(t, tp.address, name, secret)
    kind, kind_name = _descriptor(t, on_type, secret) if on_type else ("", "")
    if kind_name == "member_descriptor":
        return _slot(t, obj, on_type or 0, tp, name), ""
    if kind == "data":
        return on_type or 0, f" (a {kind_name}: not called)"
    own = _own(t, obj, tp, name, secret)
    if own:
        return own, ""
    if on_type:
        return on_type, f" (a {kind_name} of the class: not bound)" if kind == "binding" else ""
    if not tp.is_heap and not tp.dict_address:
        # 3.12+ keeps a builtin type's dict in the interpreter, not in tp_dict.
        raise ExpressionError(f"the attributes of {tp.name!r} objects cannot be read (its type has no tp_dict)")
    raise AttributeMissing(f"{tp.name!r} object has no attribute {name!r}")
