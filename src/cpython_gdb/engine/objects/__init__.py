"""Decoders that render a remote PyObject* the way repr() would.

``object_repr`` and ``safe_object_repr`` (objects.dispatch) are imported
when first asked for: ``cpython-gdb dump`` reads thread names through the
decoders of this package but shows no object without --locals, and each
module imported is start-up time.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .dispatch import object_repr, safe_object_repr

__all__ = ["object_repr", "safe_object_repr"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from . import dispatch

        return getattr(dispatch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
