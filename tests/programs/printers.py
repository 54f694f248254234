"""Values of the types with printers of their own, for tests/gdb/test_printers.py.

Each value is also a global of the module (py-print finds it by name).
For each value it writes ``{name: [id, expected]}`` to ``printers.json`` in
the directory of its ready FIFO, then announces it is ready and sleeps in main().
``expected`` is the value's own repr() with `` at 0x`` made `` at remote
0x``, except where cpython-gdb prints a documented form of its own (built
here beside the value, see the test's docstring). Python 2.7 and 3 syntax.
"""

import collections
import datetime
import functools
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shown  # noqa: E402
from ready import announce  # noqa: E402

PY2 = sys.version_info[0] == 2


def plain():
    pass


class MyList(list):
    pass


def remote(text):
    return text.replace(" at 0x", " at remote 0x")


def function_text(fn):
    return "<function %s at remote 0x%x>" % (getattr(fn, "__qualname__", fn.__name__), id(fn))


def counting():
    yield 1
    yield 2


def waiter(expected):
    """A generator that runs while the program waits: print shows it running, at this line."""
    me = yield
    publish(expected, "gen_running", me)
    yield


def main():
    values = {}
    forms = {}  # the forms of cpython-gdb's own, where repr() differs
    if PY2:
        values["range_step"] = xrange(1, 10, 2)  # noqa: F821
        values["range_plain"] = xrange(5)  # noqa: F821
        values["range_start"] = xrange(-3, 4)  # noqa: F821
    else:
        values["range_step"] = range(1, 10, 2)
        values["range_plain"] = range(5)
        values["range_big"] = range(-(2**70), 2**70, 3)
    values["slice_value"] = slice(1, None, 2)
    values["slice_objects"] = slice("a", [1, (2,)], None)
    values["property_value"] = property(lambda self: 1)
    values["classmethod_value"] = classmethod(plain)
    forms["classmethod_value"] = "<classmethod(%s)>" % function_text(plain)
    values["staticmethod_value"] = staticmethod(len)
    forms["staticmethod_value"] = "<staticmethod(<built-in function len>)>"
    values["memoryview_value"] = memoryview(b"abc")
    values["method_descriptor"] = list.append
    values["slot_wrapper"] = list.__init__
    values["method_wrapper"] = MyList().__init__
    if not PY2:
        import types

        values["mappingproxy_value"] = types.MappingProxyType({"a": 1, "b": [2]})
        values["ordered_dict"] = collections.OrderedDict([("a", 1), ("b", [2])])
        values["ordered_dict_empty"] = collections.OrderedDict()
        # Reordered by its own list only: the dict underneath keeps a, b, c.
        moved = collections.OrderedDict([("a", 1), ("b", 2), ("c", 3)])
        moved.move_to_end("a")
        values["ordered_dict_moved"] = moved
    values["deque_value"] = collections.deque([1, "two", (3,)])
    # Its items span two blocks: the first item sits in the middle of the leftmost.
    values["deque_maxlen"] = collections.deque(range(100), maxlen=70)
    values["deque_empty"] = collections.deque()
    values["default_dict"] = collections.defaultdict(list, {"k": [1]})
    values["default_dict_none"] = collections.defaultdict(None, {1: 2})
    values["counter"] = collections.Counter("abracadabra")
    values["counter_empty"] = collections.Counter()
    values["date_value"] = datetime.date(2024, 2, 29)
    values["time_value"] = datetime.time(12, 30)
    values["time_seconds"] = datetime.time(0, 0, 7)
    values["time_us"] = datetime.time(1, 2, 3, 4)
    values["datetime_value"] = datetime.datetime(2024, 1, 2, 3, 4, 5, 600000)
    values["datetime_midnight"] = datetime.datetime(1999, 12, 31)
    values["timedelta_value"] = datetime.timedelta(days=1, seconds=5, microseconds=7)
    values["timedelta_negative"] = datetime.timedelta(-1, 5)
    values["timedelta_seconds"] = datetime.timedelta(seconds=5)
    values["timedelta_zero"] = datetime.timedelta(0)
    if not PY2:
        values["datetime_utc"] = datetime.datetime(2024, 1, 2, 3, 4, tzinfo=datetime.timezone.utc)
        values["timezone_named"] = datetime.timezone(datetime.timedelta(hours=1), "X")
        values["time_fold"] = datetime.time(1, 2, fold=1)
        import enum

        class Color(enum.Enum):
            RED = 1
            BLUE = "b"

        class Number(enum.IntEnum):
            TWO = 2

        values["enum_member"] = Color.RED
        values["enum_str_value"] = Color.BLUE
        values["int_enum_member"] = Number.TWO
        forms["enum_member"] = "<Color.RED: 1>"
        forms["enum_str_value"] = "<Color.BLUE: 'b'>"
        forms["int_enum_member"] = "<Number.TWO: 2>"
    values["partial_value"] = functools.partial(plain, 1, "x", key=[2])
    if not PY2:  # 2.7's repr() is object's: its type and address
        forms["partial_value"] = "functools.partial(%s, 1, 'x', key=[2])" % function_text(plain)
    # The truncation forms (default limits: 512 characters, 200 items).
    values["long_str"] = "x" * 10000
    # 2.7's str holds bytes.
    forms["long_str"] = "'" + "x" * 512 + "'... (10000 %s)" % ("bytes" if PY2 else "chars")
    values["long_bytes"] = b"y" * 600
    forms["long_bytes"] = ("" if PY2 else "b") + "'" + "y" * 512 + "'... (600 bytes)"
    values["long_list"] = list(range(300))
    forms["long_list"] = "[%s]... (300 items)" % ", ".join(map(str, range(200)))
    values["long_dict"] = dict((i, None) for i in range(250))
    forms["long_dict"] = "{%s}... (250 items)" % ", ".join("%d: None" % i for i in range(200))
    values["long_deque"] = collections.deque(range(300))
    forms["long_deque"] = "deque([%s])... (300 items)" % ", ".join(map(str, range(200)))

    if not PY2:  # 2.7's decimal is written in Python: an ordinary instance
        import decimal

        for index, text in enumerate(["3.14", "-0", "0", "NaN", "-sNaN12", "Infinity", "-Infinity", "1E+10",
                                      "-1234567890123456789012345.678901234567890", "0.000001", "1E-7",
                                      "123E-30", "10000000000000000000", "-5E+3", "0.00"]):
            values["decimal_%d" % index] = decimal.Decimal(text)

    # Generators (and, from 3.6, coroutines and async generators) in each
    # state, shown with where they are as Python itself says (shown.py).
    created = counting()
    suspended = counting()
    next(suspended)
    exhausted = counting()
    list(exhausted)
    closed = counting()
    next(closed)
    closed.close()
    generators = {"gen_created": (created, False), "gen_suspended": (suspended, True),
                  "gen_exhausted": (exhausted, True), "gen_closed": (closed, True)}
    if not PY2:
        import generators3

        generators.update(generators3.values())
    for name, (value, started) in generators.items():
        values[name] = value
        forms[name] = shown.generator(value, started)

    expected = {}
    for name, value in values.items():
        expected[name] = [id(value), forms[name] if name in forms else remote(repr(value))]
    globals().update(values)  # py-print NAME finds them as globals
    runner = waiter(expected)
    next(runner)
    runner.send(runner)  # waits in there, running


def publish(expected, name, running):
    """Add the running generator RUNNING as NAME, write what each value must print, announce, and wait."""
    expected[name] = [id(running), shown.generator(running)]
    globals()[name] = running
    # Beside the ready FIFO: the test's directory, also where a chroot moved the working directory.
    where = os.path.dirname(os.environ.get("READY_FILE", "./ready"))
    with open(os.path.join(where, "printers.json"), "w") as out:
        json.dump(expected, out)
    announce()
    time.sleep(1000)


main()
