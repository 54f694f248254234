"""A wide set of values as locals of main(), for the value-rendering tests.

For every value it writes a line ``name<TAB>id-in-hex<TAB>expected`` to
``expected.tsv`` in its working directory, then announces it is ready and
sleeps in main(), so ``py-print NAME`` finds each one among main's locals.

``expected`` is repr(value) for every type whose repr() has no address.
Where repr() shows an address, or has no fixed form, ``expect()`` below
builds the form cpython-gdb prints instead (see tests/gdb/test_values.py for
the list of these deviations and why).

Large values used by the limit tests (a 1M-item list, a 10 MB str) are
locals too, but are not written to the file.
"""

import collections
import enum
import os
import sys
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shown  # noqa: E402
from ready import announce  # noqa: E402

if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)


def _a_cell():
    content = None
    return (lambda: content).__closure__[0]


_CELL = type(_a_cell())  # types.CellType, which 3.8 lacks
_VALUE_TYPES = (int, float, complex, str, bytes, bytearray, list, tuple, dict, set, frozenset)


class Foo:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def method(self):
        return self.x


class Point:
    """Two instances set the same attributes in a different order."""

    def __init__(self, swap):
        if swap:
            self.b = 2
            self.a = 1
        else:
            self.a = 1
            self.b = 2


class Base:
    def __init__(self):
        self.base_attr = "base"


class Derived(Base):
    def __init__(self):
        Base.__init__(self)
        self.derived_attr = [1, 2]


class Slotted:
    __slots__ = ("first", "second", "unset")

    def __init__(self):
        self.first = 1
        self.second = "two"


class SlottedChild(Slotted):
    __slots__ = ("third",)

    def __init__(self):
        Slotted.__init__(self)
        self.third = 3.5


class SlottedWithDict(Slotted):
    def __init__(self):
        Slotted.__init__(self)
        self.extra = None


class MyStr(str):
    pass


class MyInt(int):
    pass


class MyList(list):
    pass


class Color(enum.IntEnum):
    RED = 1
    GREEN = 2


class cell:  # noqa: N801 - named like the builtin type on purpose
    def __init__(self):
        self.contents = "not a real cell"


class MyError(Exception):
    pass


def gen():
    yield 1


async def coro():
    pass


def type_name(value):
    return type(value).__name__


def expect(value, seen=None):
    """What cpython-gdb prints for ``value`` (repr() where that has no address)."""
    seen = set() if seen is None else seen
    tp = type(value)
    addr = "at remote 0x%x" % id(value)
    text = shown.container(value, seen, expect)
    if text is not None:
        return text
    if tp is int and value.bit_length() > 12000:
        # Too long for a quick decimal conversion: hexadecimal.
        return ("-" if value < 0 else "") + hex(abs(value))
    if isinstance(value, (types.FunctionType,)):
        return "<function %s %s>" % (value.__qualname__, addr)
    if isinstance(value, types.MethodType):
        return "<bound method %s of %s>" % (value.__func__.__qualname__, expect(value.__self__, seen))
    if isinstance(value, types.BuiltinFunctionType):
        owner = value.__self__
        if owner is None or isinstance(owner, types.ModuleType):
            return "<built-in function %s>" % value.__name__
        return "<built-in method %s of %s object at remote 0x%x>" % (value.__name__, type_name(owner), id(owner))
    if isinstance(value, types.ModuleType):
        return "<module %r %s>" % (value.__name__, addr)
    if isinstance(value, types.CodeType):
        return '<code object %s %s, file "%s", line %d>' % (
            value.co_name,
            addr,
            value.co_filename,
            value.co_firstlineno,
        )
    if isinstance(value, types.FrameType):
        return "<frame %s, file %r, line %d, code %s>" % (
            addr,
            value.f_code.co_filename,
            value.f_lineno,
            value.f_code.co_name,
        )
    if tp is _CELL:
        return "<cell %s: %s>" % (addr, expect(value.cell_contents, seen))
    if isinstance(value, (types.GeneratorType, types.CoroutineType)):
        return shown.generator(value, started=False)  # main() never starts them
    if isinstance(value, type):
        # Whatever the metaclass's repr() says (an Enum's says "<enum ...>").
        if value.__module__ == "builtins":
            return "<class %r>" % value.__qualname__
        return "<class '%s.%s'>" % (value.__module__, value.__qualname__)
    if isinstance(value, BaseException):
        return repr(value)
    if tp.__module__ == "builtins" or tp in _VALUE_TYPES:
        return repr(value)
    if isinstance(value, enum.Enum):
        return "<%s.%s: %s>" % (tp.__name__, value._name_, expect(value._value_, seen))
    if tp in (collections.OrderedDict, collections.defaultdict):
        return repr(value)  # no address in it: repr() as it is
    text = shown.c_subclass(value, seen, expect, _VALUE_TYPES)
    if text is not None:
        return text
    # tp_name: the bare name for a class written in Python, "module.Name" for
    # a heap type made in C (collections.defaultdict from 3.12).
    name = tp.__name__ if tp.__module__ == __name__ else "%s.%s" % (tp.__module__, tp.__name__)
    return shown.instance(value, seen, expect, _VALUE_TYPES, name)


def main():
    # Numbers.
    int_zero = 0
    int_small = 42
    int_negative = -7
    int_2_30 = 2**30
    int_2_64 = 2**64
    int_big_negative = -(10**50)
    int_2000_digits = 7 * 10**1999 + 12345
    int_huge = -(2**20000 + 1)
    bool_true = True
    bool_false = False
    none = None
    float_tenth = 0.1
    float_negative_zero = -0.0
    float_huge = 1e300
    float_inf = float("inf")
    float_nan = float("nan")
    float_third = 1 / 3
    complex_value = complex(1.5, -2)
    complex_imag = 3j
    # Strings of every kind.
    str_empty = ""
    str_ascii = "hello world"
    str_latin1 = "caf\xe9"
    str_ucs2 = "price: 5\u20ac"
    str_ucs4 = "smile \U0001f600!"
    str_escapes = "a\nb\tc\\d'e\"f"
    str_single_quote = "it's"
    str_both_quotes = 'it\'s "quoted"'
    str_control = "\x00\x07\x7f\x9f\u2028"
    str_surrogate = "\ud800x"
    str_subclass = MyStr("subclassed")
    bytes_value = b"abc\x00\xff\n'"
    bytes_empty = b""
    bytearray_value = bytearray(b"xyz\x01")
    # Containers.
    list_empty = []
    list_mixed = [1, "two", 3.0, None, True]
    tuple_empty = ()
    tuple_one = (1,)
    tuple_many = tuple(range(20))
    nested = {"a": [1, (2, 3), {"b": frozenset({4})}], "c": ((),)}
    dict_empty = {}
    dict_str_keys = {"alpha": 1, "beta": [2], "gamma": "three"}
    dict_int_keys = {1: "one", 2: "two", -3: "minus three"}
    dict_mixed_keys = {"s": 1, 2: "i", (3, 4): "t", None: 0.5}
    dict_deleted = {str(i): i for i in range(12)}
    for i in (0, 5, 11):
        del dict_deleted[str(i)]
    dict_300 = {"k%d" % i: i for i in range(300)}
    set_value = {1, 2, 3, 100}
    set_strs = {"x"}
    set_empty = set()
    frozenset_value = frozenset({5, 6})
    frozenset_empty = frozenset()
    ellipsis = Ellipsis
    not_implemented = NotImplemented
    list_cycle = [1, 2]
    list_cycle.append(list_cycle)
    dict_cycle = {"k": 1}
    dict_cycle["self"] = dict_cycle
    # Instances.
    foo = Foo(1, "a")
    foo_nested = Foo([1, 2], {"k": Foo(None, ())})
    point = Point(False)
    point_swapped = Point(True)
    materialized = Foo(3, "b")
    vars(materialized)
    materialized.z = "added"
    derived = Derived()
    slotted = Slotted()
    slotted_child = SlottedChild()
    slotted_with_dict = SlottedWithDict()
    int_subclass = MyInt(12)
    list_subclass = MyList([1, 2])
    int_enum = Color.GREEN
    deleted_attr = Foo(1, 2)
    deleted_attr.z = 3
    del deleted_attr.x
    many_attrs = Foo(0, 0)
    for i in range(40):
        setattr(many_attrs, "a%d" % i, i)
    dict_replaced = Foo(5, 6)
    dict_replaced.__dict__ = {"q": "replaced"}
    int_key_attr = Foo(7, 8)
    int_key_attr.__dict__[99] = "int key"
    fake_cell = globals()["cell"]()
    ordered_dict = collections.OrderedDict([("a", 1), ("b", 2)])
    default_dict = collections.defaultdict(list, {"k": [1]})
    version_info = sys.version_info
    user_error = MyError("bad", 7)
    value_error = ValueError("x")
    # Other objects.
    type_foo = Foo
    type_int = int
    module = sys
    function = gen
    lambda_ = lambda v: v  # noqa: E731
    bound_method = foo.method
    builtin_function = len
    builtin_method = list_mixed.append
    code = gen.__code__
    captured = "in a cell"

    def closure():
        return captured

    cell = closure.__closure__[0]
    generator = gen()
    coroutine = coro()
    frame = sys._getframe()
    # Only for the limit tests.
    big_list = list(range(1_000_000))
    big_str = "x" * 10_000_000
    deep = []
    for _ in range(5000):
        deep = [deep]

    skip = {"big_list", "big_str", "deep", "skip", "closure", "path", "out", "name", "value", "frame_line", "source"}
    values = {k: v for k, v in locals().items() if k not in skip}
    with open("expected.tsv", "w", encoding="utf-8") as out:
        for name, value in values.items():
            if name == "frame":
                continue  # written below, with the line it waits on
            out.write("%s\t%x\t%s\n" % (name, id(value), expect(value)))
        out.write("big_list\t%x\t\n" % id(big_list))
        out.write("big_str\t%x\t\n" % id(big_str))
        out.write("deep\t%x\t\n" % id(deep))
        # main() waits on the line of time.sleep() below.
        with open(__file__, encoding="utf-8") as source:
            frame_line = 1 + [line.strip() for line in source].index("time.sleep(1000)  # main waits here")
        out.write(
            "frame\t%x\t<frame at remote 0x%x, file %r, line %d, code main>\n"
            % (id(frame), id(frame), frame.f_code.co_filename, frame_line)
        )
    announce()
    time.sleep(1000)  # main waits here
    return closure, coroutine


main()
