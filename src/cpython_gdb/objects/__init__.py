"""Decoders that render a remote PyObject* the way repr() would."""

from .render import object_repr, safe_object_repr

__all__ = ["object_repr", "safe_object_repr"]
