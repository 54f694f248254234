"""Fields of objects whose C struct is PyObject_HEAD and then fixed fields, the same on every version.

range, slice, property, classmethod, staticmethod, mappingproxy,
method-wrapper, the descriptors, functools.partial, defaultdict and the
_datetime types declare their own fields right after the object header,
unchanged from 2.7 to 3.15 (checked against the DWARF of each pyenv
interpreter): only the header's size differs (a free-threaded build's is
larger), and the layout gives it. So their offsets are derived here rather
than named in the generated tables.
"""

from __future__ import annotations

from ..target import Target


def head(t: Target) -> int:
    """Where the fields after PyObject_HEAD start."""
    return t.layout.size("PyObject")


def word(t: Target, obj: int, index: int) -> int:
    """The ``index``-th pointer-sized field after the header (a PyObject* or a Py_ssize_t)."""
    return t.ptr(obj + head(t) + 8 * index)


def signed_word(t: Target, obj: int, index: int) -> int:
    value = word(t, obj, index)
    return value - (1 << 64) if value >= 1 << 63 else value
