"""py-print's expressions: names, attributes and constant subscripts, parsed.

Only what can be answered by reading memory is accepted: a name, ``a.b``,
and ``a[KEY]`` where KEY is an int (negative too), a str, a bytes, None,
True or False; chained as Python chains them (``self.items[3].name``).
Anything else (a call, arithmetic, a slice, a variable as the key) would
need the target to run code, and is refused as one error.

The text is parsed by Python's own parser, then checked node by node
against that short list: a parse never evaluates anything.
"""

from __future__ import annotations

import ast

from ..errors import CpythonGdbError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Tuple, Union

    Key = Union[int, str, bytes, None]  # bool is an int
    # ("name", NAME) | ("attr", Node, NAME) | ("item", Node, KEY)
    Node = Tuple[object, ...]

# Longer texts and chains than anyone types: a bound on parsing and walking.
MAX_TEXT = 1000
MAX_STEPS = 64


class ExpressionError(CpythonGdbError):
    """An expression py-print does not evaluate, or whose value is not there (one line)."""


UNSUPPORTED = "unsupported expression"


def parse(text: str) -> Node:
    """The tree of ``text``, or ExpressionError("unsupported expression")."""
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise ExpressionError(UNSUPPORTED)
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ExpressionError(UNSUPPORTED) from None
    return _node(tree.body, 0)


def _node(node: ast.AST, steps: int) -> Node:
    if steps > MAX_STEPS:
        raise ExpressionError(UNSUPPORTED)
    if isinstance(node, ast.Name):
        return ("name", node.id)
    if isinstance(node, ast.Attribute):
        return ("attr", _node(node.value, steps + 1), node.attr)
    if isinstance(node, ast.Subscript):
        return ("item", _node(node.value, steps + 1), _key(node.slice))
    raise ExpressionError(UNSUPPORTED)


def _key(node: ast.AST) -> Key:
    index = getattr(ast, "Index", None)  # Python 3.8 wraps a subscript's key in ast.Index
    if index is not None and isinstance(node, index):
        node = node.value
    negative = False
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        negative, node = True, node.operand
    if not isinstance(node, ast.Constant):
        raise ExpressionError(UNSUPPORTED)
    value = node.value
    if negative:
        if type(value) is not int:
            raise ExpressionError(UNSUPPORTED)
        return -value
    if value is None or isinstance(value, (int, str, bytes)):
        return value
    raise ExpressionError(UNSUPPORTED)


def root_name(node: Node) -> str:
    """The name a chain starts from."""
    while node[0] != "name":
        node = node[1]  # type: ignore[assignment]
    return str(node[1])
