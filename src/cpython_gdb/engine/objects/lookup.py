"""py-print's expressions evaluated against a stopped target: reads only, never a call.

A name is looked up as Python does (the frame's variables, cells and
free variables included, then its globals, then its builtins); then each
step of the chain reads one object: an attribute (objects.attributes), an
item of a list or tuple, a character of a str or a byte of a bytes, or the
value of a dict's key (objects.keyfind). A character or a byte has no
object in the target: it is computed here, and printed as repr() prints it.
"""

from __future__ import annotations

from ...errors import CorruptObject, CpythonGdbError
from ..expression import ExpressionError, root_name
from ..frames.walk import frame_locals
from ..model import (
    TPFLAGS_BYTES_SUBCLASS,
    TPFLAGS_DICT_SUBCLASS,
    TPFLAGS_LIST_SUBCLASS,
    TPFLAGS_TUPLE_SUBCLASS,
    TPFLAGS_UNICODE_SUBCLASS,
    PyFrame,
)
from ..target import Target
from .attributes import get_attribute
from .dicts import dict_lookup_str
from .keyfind import dict_find

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Tuple, Union

    from ..expression import Key, Node

_MAX_LEN = 1 << 40


class Value:
    """What an expression gives: an object of the target (``address``), or
    a str or int computed here (``computed``); ``note`` says where it is not
    what Python would give (a property not called)."""

    __slots__ = ("address", "computed", "note")

    def __init__(self, address: int = 0, computed: Union[str, bytes, int, None] = None, note: str = "") -> None:
        self.address = address
        self.computed = computed
        self.note = note


class Context:
    """What a look-up needs besides the target: the frame, and the process's
    str hash key and None's address (for hashing a key), where known."""

    def __init__(self, target: Target, frame: PyFrame, secret: Optional[Tuple[int, int]],
                 none_address: int = 0) -> None:
        self.target = target
        self.frame = frame
        self.secret = secret
        self.none_address = none_address


def find_name(ctx: Context, name: str) -> Optional[Tuple[str, int]]:
    """(scope, object) of a name in the frame: "local", "global" or "builtin"; None if not found."""
    t, frame = ctx.target, ctx.frame
    try:
        variables = frame_locals(t, frame)
    except CpythonGdbError:
        variables = ()  # unreadable slots: the globals and builtins may still have it
    for variable in variables:
        if variable.name == name:
            return "local", variable.address
    for scope, mapping in (("global", frame.globals_address), ("builtin", frame.builtins_address)):
        if mapping:
            value = dict_lookup_str(t, mapping, name, ctx.secret)
            if value:
                return scope, value
    return None


def evaluate(ctx: Context, tree: Node) -> Tuple[str, Value]:
    """(the scope of the chain's first name, its value); ExpressionError says why there is none."""
    name = root_name(tree)
    found = find_name(ctx, name)
    if found is None:
        raise ExpressionError(f"{name!r} not found")
    scope, address = found
    return scope, _walk(ctx, tree, address)


def _walk(ctx: Context, node: Node, root: int) -> Value:
    if node[0] == "name":
        return Value(root)
    inner = _walk(ctx, node[1], root)  # type: ignore[arg-type]
    if node[0] == "attr":
        if inner.address == 0:
            raise ExpressionError("unsupported expression")  # an attribute of a value computed here
        address, note = get_attribute(ctx.target, inner.address, str(node[2]), ctx.secret)
        return Value(address, note=note)
    key: Key = node[2]  # type: ignore[assignment]
    if inner.address == 0:
        return _computed_item(inner.computed, key, ctx.target.scheme.builtins == "py2")
    return _item(ctx, inner.address, key)


def _index(key: Key, size: int, type_name: str) -> int:
    if not isinstance(key, int):
        raise ExpressionError(f"{type_name} indices must be integers, not {type(key).__name__}")
    index = key + size if key < 0 else key
    if not 0 <= index < size:
        raise ExpressionError(f"index {key} out of range (len {size})")
    return index


def _computed_item(value: Union[str, bytes, int, None], key: Key, py2: bool) -> Value:
    if isinstance(value, (str, bytes)):
        index = _index(key, len(value), type(value).__name__)
        # 2.7's str (bytes here) gives a one-character str.
        return Value(computed=value[index:index + 1] if py2 else value[index])
    raise ExpressionError(f"{type(value).__name__!r} object is not subscriptable")


def _item(ctx: Context, obj: int, key: Key) -> Value:
    from .strings import read_bytes, read_str, read_unicode27

    t = ctx.target
    tp = t.type_of(obj)
    flags = tp.flags
    py2 = t.scheme.builtins == "py2"
    if flags & TPFLAGS_DICT_SUBCLASS:
        value = dict_find(t, obj, key, ctx.secret, ctx.none_address)
        if not value:
            raise ExpressionError(f"key {key!r} not in dict")
        return Value(value)
    if flags & (TPFLAGS_LIST_SUBCLASS | TPFLAGS_TUPLE_SUBCLASS):
        size = t.ptr(obj + t.layout.off("PyVarObject.ob_size"))
        if size > _MAX_LEN:
            raise CorruptObject("sequence size")
        index = _index(key, size, tp.name)
        if flags & TPFLAGS_LIST_SUBCLASS:
            items = t.field_ptr(obj, "PyListObject.ob_item")
        else:
            items = obj + t.layout.off("PyTupleObject.ob_item")
        return Value(t.ptr(items + 8 * index))
    if flags & TPFLAGS_UNICODE_SUBCLASS:
        reader = read_unicode27 if py2 else read_str
        _, length = reader(t, obj, 0)
        index = _index(key, length, tp.name)
        text, _ = reader(t, obj, index + 1)
        return Value(computed=text[index])
    if flags & TPFLAGS_BYTES_SUBCLASS:
        _, length = read_bytes(t, obj, 0)
        index = _index(key, length, tp.name)
        data, _ = read_bytes(t, obj, index + 1)
        # 2.7's str gives a one-character str, 3's bytes an int.
        return Value(computed=data[index:index + 1] if py2 else data[index])
    raise ExpressionError(f"{tp.name!r} object is not subscriptable")


def computed_repr(value: Union[str, bytes, int, None], builtins: str) -> str:
    """repr() of a value computed here, as the target's Python writes it (2.7: u'c' and 'c')."""
    from .strings import _unicode27_repr

    if builtins == "py2":
        if isinstance(value, str):
            return _unicode27_repr(value)
        if isinstance(value, bytes):
            return repr(value)[1:]
    return repr(value)
