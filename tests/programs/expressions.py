"""Values for py-print's expressions, and what Python itself says each one is.

main() holds the values as locals. Before it stops it evaluates every
expression of EXPRESSIONS itself and writes ``expected.json`` in its
working directory, a list of objects with ``expr`` and one of:

- ``text``: repr() of the value (the scope is "local" unless ``scope`` says);
- ``error``: the one-line message py-print must give, made from what
  Python raised (AttributeError, IndexError, KeyError, TypeError);
- ``same_as`` (an id) and ``note``: a descriptor py-print shows as itself,
  not called: the test prints the object at that id to compare.

Runs on 2.7 and every 3.x.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ready import announce  # noqa: E402

PY2 = sys.version_info[0] == 2
GLOBAL_D = {"a": [1, 2, 3]}


class Item(object):
    def __init__(self, name, weight):
        self.name = name
        self.weight = weight


class Typed(object):
    """A data descriptor written in Python: it wins over the instance's __dict__."""

    def __get__(self, obj, owner=None):
        return 42

    def __set__(self, obj, value):
        pass


class Plain(object):
    """A descriptor without __set__: the instance's __dict__ wins over it."""

    def __get__(self, obj, owner=None):
        return "from the descriptor"


class Holder(object):
    VALUE = 7
    typed = Typed()
    shadowed = Plain()
    unshadowed = Plain()

    def __init__(self):
        self.items = [Item("item%d" % i, i * 1.5) for i in range(5)]
        self.label = "holder"
        self.shadowed = "from the instance"

    @property
    def prop(self):
        return self.label.upper()

    def method(self):
        return 1


class Slotted(object):
    __slots__ = ("a", "b", "c")

    def __init__(self):
        self.a = "slot a"
        self.c = [10, 20]


class SlottedChild(Slotted):
    def __init__(self):
        Slotted.__init__(self)
        self.extra = "in the child's dict"


# (expression, whether it is a descriptor shown as itself: its note).
EXPRESSIONS = [
    "holder", "holder.label", "holder.items", "holder.items[3]", "holder.items[3].name",
    "holder.items[-1].weight", "holder.items[3].name[0]", "holder.items[3].name[-1]",
    "holder.items[9]", "holder.items[-6]", "holder.nosuch", "holder.VALUE", "Holder.VALUE",
    "Holder.nosuch", "holder.shadowed", "holder.typed", "holder.unshadowed", "holder.prop", "Holder.prop",
    "holder.method", "holder.__dict__", "holder[0]",
    "materialized.name", "materialized.extra", "materialized.weight",
    "slotted.a", "slotted.c[1]", "slotted.b", "child.a", "child.extra", "child.b",
    "mod.sep", "mod.path.sep", "mod.nosuch",
    "tup[0]", "tup[-1]", "tup[2][1]", "tup[5]", "text[0]", "text[-1]", "text[20]", "data[0]", "data[-1]",
    "d['k']", "d[3]", "d[-5]", "d[None]", "d[b'k']", "d[True]", "d[False]", "d[2]", "d[12345678901234567890]",
    "d['missing']", "d[99]", "d['k'][1]", "d['nested']['inner'][0]",
    "ints[1]", "ints[1000]", "ints[-1]", "ints[True]",
    "strs['key0']", "strs['key499']", "strs['key999']", "strs['nokey']", "strs[5]",
    "GLOBAL_D['a'][2]", "len", "nosuch", "nosuch.attr", "number[0]",
]
# What py-print refuses, as needing code to run or not a chain of names,
# attributes and constant keys.
UNSUPPORTED = ["holder.items[1:2]", "f()", "a + b", "d[k]", "d[1.5]", "holder.items[3]name", "d[-'k']",
               "d[(1, 2)]", "[1][0]", "d[1j]", "x.y z"]
EXPRESSIONS += UNSUPPORTED
if not PY2:
    EXPRESSIONS += ["d['\u00e9t\u00e9']", "d['\u20ac']", "d['\U0001f600']", "text_wide[1]", "text_wide[-1]"]


def attribute_error(obj, name):
    if isinstance(obj, type(os)):
        return "module %r has no attribute %r" % (obj.__name__, name)
    if isinstance(obj, type):
        return "type object %r has no attribute %r" % (obj.__name__, name)
    return "%r object has no attribute %r" % (type(obj).__name__, name)


def expected(expr, scope):
    """What py-print must say of ``expr``, from Python's own evaluation of it."""
    import ast

    if expr in UNSUPPORTED:
        return {"expr": expr, "error": "unsupported expression"}
    tree = ast.parse(expr, mode="eval").body
    root = tree
    while not isinstance(root, ast.Name):
        root = root.value
    if root.id not in scope and root.id not in globals() and not hasattr(__builtins__, root.id):
        return {"expr": expr, "error": "%r not found" % root.id}
    # Evaluate step by step, to say which step failed as py-print says it.
    steps = []
    node = tree
    while not isinstance(node, ast.Name):
        steps.append(node)
        node = node.value
    value = eval(root.id, globals(), scope)
    shown_scope = "local" if root.id in scope else ("global" if root.id in globals() else "builtin")
    for step in reversed(steps):
        if isinstance(step, ast.Attribute):
            name = step.attr
            if not hasattr(value, name):
                return {"expr": expr, "error": attribute_error(value, name)}
            klass = value if isinstance(value, type) else type(value)
            for base in klass.__mro__:
                if name in vars(base):
                    on_type = vars(base)[name]
                    break
            else:
                on_type = None
            own = getattr(value, "__dict__", {}) if not isinstance(value, type) else {}
            kind = type(on_type).__name__
            if isinstance(value, (type, type(os))):
                value = getattr(value, name)
                continue
            data = kind in ("property", "getset_descriptor") or hasattr(type(on_type), "__set__")
            if data and kind != "member_descriptor":
                return {"expr": expr, "same_as": id(on_type), "note": " (a %s: not called)" % kind,
                        "scope": shown_scope}
            if name not in own and kind in ("function", "builtin_function_or_method", "method_descriptor"):
                return {"expr": expr, "same_as": id(on_type), "note": " (a %s of the class: not bound)" % kind,
                        "scope": shown_scope}
            if name not in own and hasattr(type(on_type), "__get__") and kind != "member_descriptor":
                return {"expr": expr, "same_as": id(on_type), "note": " (a %s of the class: not bound)" % kind,
                        "scope": shown_scope}
            value = getattr(value, name)
        else:
            node = step.slice
            if hasattr(ast, "Index") and isinstance(node, ast.Index):
                node = node.value  # 2.7 to 3.8 wrap the key
            key = ast.literal_eval(node)
            if isinstance(value, dict):
                if key not in value:
                    return {"expr": expr, "error": "key %r not in dict" % (key,)}
                value = value[key]
            elif isinstance(value, (list, tuple, str, bytes)) or PY2 and isinstance(value, unicode):  # noqa: F821
                if not isinstance(key, int):
                    return {"expr": expr, "error": "%s indices must be integers, not %s" % (
                        type(value).__name__, type(key).__name__)}
                if not -len(value) <= key < len(value):
                    return {"expr": expr, "error": "index %d out of range (len %d)" % (key, len(value))}
                value = value[key]
            else:
                return {"expr": expr, "error": "%r object is not subscriptable" % type(value).__name__}
    return {"expr": expr, "text": repr(value), "id": id(value), "scope": shown_scope}


def main():
    holder = Holder()
    materialized = Item("materialized", 2.5)
    materialized.__dict__["extra"] = "added through __dict__"
    slotted = Slotted()
    child = SlottedChild()
    mod = os
    tup = (1, "two", (3, 4), None)
    text = "hello"
    data = b"\x00bytes\xff"
    d = {"k": [1, 2], 3: "three", -5: "minus five", None: "none", True: "true (the key 1)",
         False: "false (the key 0)", 12345678901234567890: "big", "nested": {"inner": ("deep",)}}
    d[b"k"] = "bytes k"
    if not PY2:
        d["\u00e9t\u00e9"] = "latin-1"
        d["\u20ac"] = "two-byte"
        d["\U0001f600"] = "four-byte"
        text_wide = "a\u20ac\U0001f600"  # noqa: F841
    ints = dict((i, i * i) for i in range(2000))
    ints[-1] = "minus one"
    strs = dict(("key%d" % i, i) for i in range(1000))
    number = 12  # noqa: F841
    scope = dict(locals())
    # Beside the ready FIFO: the test's work directory, also in a chroot.
    where = os.path.dirname(os.environ.get("READY_FILE", "x"))
    with open(os.path.join(where, "expected.json"), "w") as out:
        json.dump([expected(expr, scope) for expr in EXPRESSIONS], out)
    announce()
    while True:
        time.sleep(1000)


main()
