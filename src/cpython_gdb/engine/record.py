"""Frozen value classes, as ``@dataclass(frozen=True)`` declares them, without importing dataclasses.

``import dataclasses`` pulls in inspect, ast, dis and tokenize: about 10 ms,
a third of what ``cpython-gdb dump`` may spend in all (bench/dump.py
measures it against py-spy). A class decorated with :func:`frozen` keeps
the dataclass spelling (annotated fields, defaults, methods, properties)
and becomes a tuple with named fields, as ``collections.namedtuple`` makes
one: immutable, built by one C call, compared and hashed by value. mypy
checks it as a frozen dataclass (PEP 681).

Not by namedtuple itself, though: it compiles each class's ``__new__``
from source, and a dump's start-up makes some twenty of these classes.
Here one ``__new__`` per number of fields is written out (record_new.py,
compiled with the package: compiling ten at start-up cost a dump 0.4 ms),
and each class gets a copy under its own parameter names.
"""

from __future__ import annotations

import sys

from .record_new import NEW

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Tuple, TypeVar

    from typing_extensions import dataclass_transform

    _T = TypeVar("_T")
else:
    def dataclass_transform(**_options):
        return lambda decorator: decorator

# What a class body holds besides its fields and methods: not copied.
_CLASS_BOOKKEEPING = frozenset(("__dict__", "__weakref__", "__annotations__", "__slots__"))


try:
    from _collections import _tuplegetter  # type: ignore[import-not-found]  # namedtuple's fields (3.8+)
except ImportError:  # another implementation: a property does the same
    from operator import itemgetter

    def _tuplegetter(index: int, doc: str) -> Any:
        return property(itemgetter(index), doc=doc)

# By number of fields: a __new__ that makes the tuple, its parameters named
# _0, _1... until a class renames them (code.replace: no compiling). Past
# record_new's, compiled when first needed.
_TEMPLATES: Dict[int, Any] = dict(NEW)
_GLOBALS = {"_tuple_new": tuple.__new__, "__builtins__": {}}
_FUNCTION: Any = type(lambda: None)  # types.FunctionType, without importing types


def _new(name: str, fields: Tuple[str, ...], defaults: Tuple[Any, ...]) -> Callable[..., Any]:
    """The ``__new__`` of a class with these fields, as namedtuple's."""
    template = _TEMPLATES.get(len(fields))
    if template is None:
        arguments = ", ".join(f"_{i}" for i in range(len(fields)))
        source = f"lambda _cls, {arguments}: _tuple_new(_cls, ({arguments}{',' if len(fields) == 1 else ''}))"
        template = _TEMPLATES[len(fields)] = eval(source, _GLOBALS).__code__
    code = template.replace(co_varnames=("_cls", *fields), co_name="__new__")
    if sys.version_info >= (3, 11):
        code = code.replace(co_qualname=f"{name}.__new__")
    function: Callable[..., Any] = _FUNCTION(code, _GLOBALS, "__new__", defaults or None)
    return function


def _repr(self: Tuple[Any, ...]) -> str:
    names = type(self)._fields  # type: ignore[attr-defined]
    return type(self).__name__ + "(" + ", ".join(f"{n}={v!r}" for n, v in zip(names, self)) + ")"


def _replace(self: Tuple[Any, ...], **changes: Any) -> Any:
    values = list(self)
    index = type(self)._index  # type: ignore[attr-defined]
    for name, value in changes.items():
        if name not in index:
            raise TypeError(f"{type(self).__name__} has no field {name!r}")
        values[index[name]] = value
    return tuple.__new__(type(self), values)


@dataclass_transform(frozen_default=True)
def frozen(cls: type[_T]) -> type[_T]:
    """The class ``cls`` as a tuple with the same fields, defaults and methods."""
    # The class's own annotations: stored in its __dict__ up to 3.13, made
    # on demand by __annotate__ from 3.14 (PEP 649); strings either way
    # under ``from __future__ import annotations``, and only names are used.
    fields = tuple(cls.__annotations__)
    defaults = tuple(cls.__dict__[name] for name in fields if name in cls.__dict__)
    namespace = {key: value for key, value in cls.__dict__.items()
                 if key not in fields and key not in _CLASS_BOOKKEEPING and not key.startswith("__annotat")}
    namespace.update(__slots__=(), _fields=fields, _index={name: i for i, name in enumerate(fields)},
                     __new__=_new(cls.__name__, fields, defaults), __repr__=_repr, _replace=_replace,
                     __getnewargs__=tuple)
    for i, name in enumerate(fields):
        namespace[name] = _tuplegetter(i, f"Alias for field number {i}")
    made: type[_T] = type(cls.__name__, (tuple,), namespace)
    return made


def replace(record: _T, **changes: Any) -> _T:
    """A copy of ``record`` with ``changes`` to its fields (dataclasses.replace)."""
    copy: _T = record._replace(**changes)  # type: ignore[attr-defined]
    return copy
