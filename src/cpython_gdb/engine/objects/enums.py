"""Members of enum classes, as repr() shows them: ``<Color.RED: 1>``.

A member is an instance of its class, whose metaclass is enum's (EnumMeta,
named EnumType from 3.11), with its name and value in its ``_name_`` and
``_value_`` attributes. A member missing them prints as other instances.
"""

from __future__ import annotations

from ..model import TypeInfo
from ..target import Target
from .dicts import find_str_key
from .instances import instance_attributes, write_instance
from .writer import Writer

ENUM_METACLASSES = frozenset({"EnumMeta", "EnumType"})
# Enough for _name_, _value_ and a few more a member may carry (_sort_order_, ...).
_ATTRIBUTES = 32


def is_enum_class(t: Target, tp: TypeInfo) -> bool:
    return t.type_of(tp.address).name in ENUM_METACLASSES


def write_enum_member(w: Writer, obj: int, tp: TypeInfo) -> None:
    t = w.target
    attrs = list(instance_attributes(t, obj, tp, _ATTRIBUTES))
    name = find_str_key(t, attrs, "_name_")
    value = find_str_key(t, attrs, "_value_")
    if name is None or value is None:
        write_instance(w, obj, tp)
        return
    w.write(f"<{tp.name}.")
    # The name is a str: shown as its text, repr() shows it unquoted.
    from .strings import str_or

    w.write(str_or(t, name, "?", 200))
    w.write(": ")
    w.write_object(w, value)
    w.write(">")
