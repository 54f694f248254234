"""values.py for CPython 2.7: a wide set of 2.7's values as locals of main().

As values.py, it writes ``name<TAB>id-in-hex<TAB>expected`` to expected.tsv
for every value, then announces it is ready and sleeps in main().
``expected`` is 2.7's own repr() where that has no address: str, unicode
(u'h\\xe9'), int and long (376L), set([1, 2]), ValueError('x',), <type
'int'>... Where repr() shows an address, ``expect()`` builds the form
cpython-gdb prints instead, as for Python 3 (tests/gdb/test_values.py),
with 2.7's names (no qualname: a function's name, Class.method for a
method); a classic class's instance prints as other instances do, the
class as repr() does with the address remote: <class __main__.Old at
remote 0x...>.
"""

import collections
import os
import sys
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shown  # noqa: E402
from ready import announce  # noqa: E402

_VALUE_TYPES = (int, long, float, complex, str, unicode, bytearray, list, tuple, dict, set, frozenset)  # noqa: F821


def _a_cell():
    content = None
    return (lambda: content).__closure__[0]


_CELL = type(_a_cell())


class Foo(object):
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def method(self):
        return self.x


class Old:
    def __init__(self):
        self.a = 1
        self.b = "two"


class OldEmpty:
    pass


class Base(object):
    def __init__(self):
        self.base_attr = "base"


class Derived(Base):
    def __init__(self):
        Base.__init__(self)
        self.derived_attr = [1, 2]


class Slotted(object):
    __slots__ = ("first", "second", "unset")

    def __init__(self):
        self.first = 1
        self.second = "two"


class SlottedChild(Slotted):
    __slots__ = ("third",)

    def __init__(self):
        Slotted.__init__(self)
        self.third = 3.5


class MyStr(str):
    pass


class MyUnicode(unicode):  # noqa: F821
    pass


class MyInt(int):
    pass


class MyLong(long):  # noqa: F821
    pass


class MyList(list):
    pass


class MyError(Exception):
    pass


def gen():
    yield 1


def expect(value, seen=None):
    """What cpython-gdb prints for ``value`` on 2.7 (repr() where that has no address)."""
    seen = set() if seen is None else seen
    tp = type(value)
    addr = "at remote 0x%x" % id(value)
    text = shown.container(value, seen, expect)
    if text is not None:
        return text
    if tp is long and value.bit_length() > 12000:  # noqa: F821
        return hex(value)  # too long for a quick decimal conversion
    if isinstance(value, types.FunctionType):
        return "<function %s %s>" % (value.__name__, addr)
    if isinstance(value, types.MethodType):
        klass = value.im_class.__name__
        if value.im_self is None:
            return "<unbound method %s.%s>" % (klass, value.im_func.__name__)
        return "<bound method %s.%s of %s>" % (klass, value.im_func.__name__, expect(value.im_self, seen))
    if isinstance(value, types.BuiltinFunctionType):
        owner = value.__self__
        if owner is None or isinstance(owner, types.ModuleType):
            return "<built-in function %s>" % value.__name__
        return "<built-in method %s of %s object at remote 0x%x>" % (value.__name__, tp_name(owner), id(owner))
    if isinstance(value, types.ModuleType):
        return "<module %r %s>" % (value.__name__, addr)
    if isinstance(value, types.CodeType):
        return '<code object %s %s, file "%s", line %d>' % (value.co_name, addr, value.co_filename,
                                                           value.co_firstlineno)
    if tp is _CELL:
        return "<cell %s: %s>" % (addr, expect(value.cell_contents, seen))
    if isinstance(value, types.GeneratorType):
        return shown.generator(value, started=False)  # main() never starts it
    if isinstance(value, types.ClassType):
        return "<class %s.%s %s>" % (value.__module__, value.__name__, addr)
    if isinstance(value, types.InstanceType):
        parts = ["%s=%s" % (k, expect(v, seen)) for k, v in value.__dict__.items()]
        inner = "(%s)" % ", ".join(parts) if parts else ""
        return "<%s%s %s>" % (value.__class__.__name__, inner, addr)
    if isinstance(value, type):
        return repr(value)  # <type 'int'>, <class '__main__.Foo'>
    if isinstance(value, BaseException):
        return repr(value)
    if tp.__module__ == "__builtin__" or tp in _VALUE_TYPES:
        return repr(value)
    # 2.7's struct sequences (sys.version_info) are no tuples: cpython-gdb
    # does not know them.
    if tp is collections.defaultdict:
        return repr(value)  # no address in it: repr() as it is
    text = shown.c_subclass(value, seen, expect, _VALUE_TYPES)
    if text is not None:
        return text
    return shown.instance(value, seen, expect, _VALUE_TYPES, tp.__name__)


def tp_name(value):
    return type(value).__name__


def main():
    # Numbers.
    int_zero = 0
    int_small = 42
    int_negative = -7
    int_max = sys.maxint
    long_small = 376L  # noqa: E999 (a 2.7 literal)
    long_negative = -(2 ** 64)
    int_big_negative = -(10 ** 50)
    int_2000_digits = 7 * 10 ** 1999 + 12345
    int_huge = -(2 ** 20000 + 1)
    bool_true = True
    bool_false = False
    none = None
    float_tenth = 0.1
    float_negative_zero = -0.0
    float_huge = 1e300
    float_inf = float("inf")
    float_nan = float("nan")
    float_third = 1.0 / 3
    complex_value = complex(1.5, -2)
    complex_imag = 3j
    # str (bytes) and unicode.
    str_empty = ""
    str_ascii = "hello world"
    str_bytes = "caf\xe9\x00\xff"
    str_escapes = "a\nb\tc\\d'e\"f"
    str_single_quote = "it's"
    str_both_quotes = 'it\'s "quoted"'
    str_subclass = MyStr("subclassed")
    unicode_empty = u""
    unicode_latin1 = u"caf\xe9"
    unicode_ucs2 = u"price: 5\u20ac"
    str_ucs4 = u"smile \U0001f600!"
    unicode_escapes = u"a\nb\tc\\d'e\"f"
    unicode_control = u"\x00\x07\x7f\x9f\u2028"
    unicode_surrogate = u"\ud800x"
    unicode_subclass = MyUnicode(u"h\xe9")
    bytes_value = "abc\x00\xff\n'"
    bytearray_value = bytearray("xyz\x01")
    # Containers.
    list_empty = []
    list_mixed = [1, "two", 3.0, None, True]
    tuple_empty = ()
    tuple_one = (1,)
    tuple_many = tuple(range(20))
    nested = {"a": [1, (2, 3), {"b": frozenset([4])}], "c": ((),)}
    dict_empty = {}
    dict_str_keys = {"alpha": 1, "beta": [2], "gamma": "three"}
    dict_int_keys = {1: "one", 2: "two", -3: "minus three"}
    dict_mixed_keys = {"s": 1, 2: "i", (3, 4): "t", None: 0.5, u"u": 2L}  # noqa: E999
    dict_deleted = dict((str(i), i) for i in range(12))
    for i in (0, 5, 11):
        del dict_deleted[str(i)]
    dict_300 = dict(("k%d" % i, i) for i in range(300))
    set_value = set([1, 2, 3, 100])
    set_strs = set(["x"])
    set_deleted = set(range(10))
    for i in (2, 7):
        set_deleted.discard(i)
    set_empty = set()
    frozenset_value = frozenset([5, 6])
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
    materialized = Foo(3, "b")
    materialized.z = "added"
    derived = Derived()
    old = Old()
    old_empty = OldEmpty()
    slotted = Slotted()
    slotted_child = SlottedChild()
    int_subclass = MyInt(12)
    long_subclass = MyLong(5)
    list_subclass = MyList([1, 2])
    int_key_attr = Foo(7, 8)
    int_key_attr.__dict__[99] = "int key"
    default_dict = collections.defaultdict(list, {"k": [1]})
    version_info = sys.version_info
    user_error = MyError("bad", 7)
    value_error = ValueError("x")
    no_args_error = KeyError()
    # Other objects.
    type_foo = Foo
    type_int = int
    type_old = Old
    module = sys
    function = gen
    lambda_ = lambda v: v  # noqa: E731
    bound_method = foo.method
    unbound_method = Foo.method
    old_method = old.__init__
    builtin_function = len
    builtin_method = list_mixed.append
    code = gen.__code__
    captured = "in a cell"

    def closure():
        return captured

    cell = closure.__closure__[0]
    generator = gen()
    frame = sys._getframe()
    # Only for the limit tests.
    big_list = range(1000000)
    big_str = "x" * 10000000
    deep = []
    for _ in range(5000):
        deep = [deep]

    skip = set(["big_list", "big_str", "deep", "skip", "closure", "out", "name", "value", "frame_line", "source",
                "values", "i", "_"])
    values = dict((k, v) for k, v in locals().items() if k not in skip)
    with open("expected.tsv", "w") as out:
        for name, value in values.items():
            if name == "frame":
                continue  # written below, with the line it waits on
            out.write("%s\t%x\t%s\n" % (name, id(value), expect(value)))
        out.write("big_list\t%x\t\n" % id(big_list))
        out.write("big_str\t%x\t\n" % id(big_str))
        out.write("deep\t%x\t\n" % id(deep))
        # main() waits on the line of time.sleep() below.
        with open(__file__) as source:
            frame_line = 1 + [line.strip() for line in source].index("time.sleep(1000)  # main waits here")
        out.write("frame\t%x\t<frame at remote 0x%x, file %r, line %d, code main>\n"
                  % (id(frame), id(frame), frame.f_code.co_filename, frame_line))
    announce()
    time.sleep(1000)  # main waits here
    return closure


main()
