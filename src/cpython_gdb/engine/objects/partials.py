"""functools.partial, as repr() shows it: 3.x's
``functools.partial(<function f at remote 0x...>, 1, key=2)``, and 2.7's
object default, ``<functools.partial object at remote 0x...>`` (the
scheme's ``partial_repr``).

Its struct holds, after PyObject_HEAD (see words.py), the function, the
tuple of positional arguments and the dict of keyword arguments (NULL or
empty where there are none), the same from 2.7 to 3.15.
"""

from __future__ import annotations

from ..model import TypeInfo
from .containers import dict_pairs, tuple_items
from .strings import str_or
from .words import word
from .writer import Writer


def write_partial(w: Writer, obj: int, tp: TypeInfo) -> None:
    t = w.target
    if t.scheme.partial_repr == "object":
        w.write(f"<{tp.name} object at remote 0x{obj:x}>")
        return
    fn, args, keywords = word(t, obj, 0), word(t, obj, 1), word(t, obj, 2)
    w.write(f"{tp.name}(")
    w.write_object(w, fn)
    shown = 0
    limit = w.limits.max_items
    if args:
        for item in tuple_items(w, args):
            w.write(", ")
            if item == -1:
                w.write("...")
                break
            w.write_object(w, item)
            shown += 1
    if keywords:
        pairs, _used = dict_pairs(w, keywords)
        for key, value in pairs:
            w.write(", ")
            if shown >= limit:
                w.write("...")
                break
            w.write(str_or(t, key, "?", 200) + "=")
            w.write_object(w, value)
            shown += 1
    w.write(")")
