"""Frozen value classes, as ``@dataclass(frozen=True)`` declares them, without importing dataclasses.

``import dataclasses`` pulls in inspect, ast, dis and tokenize: about 10 ms,
a third of what ``cpython-gdb dump`` may spend in all (bench/dump.py
measures it against py-spy). A class decorated with :func:`frozen` keeps
the dataclass spelling (annotated fields, defaults, methods, properties)
and becomes a named tuple: immutable, built by one C call, compared and
hashed by value. mypy checks it as a frozen dataclass (PEP 681).
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    from typing_extensions import dataclass_transform

    _T = TypeVar("_T")
else:
    def dataclass_transform(**_options):
        return lambda decorator: decorator

# What a class body holds besides its fields and methods: not copied.
_CLASS_BOOKKEEPING = frozenset(("__dict__", "__weakref__", "__annotations__", "__slots__"))


@dataclass_transform(frozen_default=True)
def frozen(cls: type[_T]) -> type[_T]:
    """The class ``cls`` as a named tuple with the same fields, defaults and methods."""
    # The class's own annotations: stored in its __dict__ up to 3.13, made
    # on demand by __annotate__ from 3.14 (PEP 649); strings either way
    # under ``from __future__ import annotations``, and only names are used.
    fields = tuple(cls.__annotations__)
    defaults = [cls.__dict__[name] for name in fields if name in cls.__dict__]
    namespace = {key: value for key, value in cls.__dict__.items()
                 if key not in fields and key not in _CLASS_BOOKKEEPING and not key.startswith("__annotat")}
    namespace["__slots__"] = ()
    base = namedtuple(cls.__name__, fields, defaults=defaults)  # type: ignore[misc]
    return type(cls.__name__, (base,), namespace)


def replace(record: _T, **changes: Any) -> _T:
    """A copy of ``record`` with ``changes`` to its fields (dataclasses.replace)."""
    copy: _T = record._replace(**changes)  # type: ignore[attr-defined]
    return copy
