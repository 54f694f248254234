"""The object decoders on synthetic memory laid out as CPython 3.12 does.

Offsets are those of the 3.12 default build (see the layouts research notes,
and the DWARF gdb reads in the tests under tests/gdb). The memory holds
hand-built objects; random garbage must only ever give placeholders.
"""

import random
import struct
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

try:
    from cpython_gdb.errors import MemoryReadError
except ImportError:  # running from a checkout without an install
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    from cpython_gdb.errors import MemoryReadError

from cpython_gdb.engine.layout import Layout, scheme_for
from cpython_gdb.engine.limits import Limits
from cpython_gdb.engine.model import (
    TPFLAGS_BASE_EXC_SUBCLASS,
    TPFLAGS_DICT_SUBCLASS,
    TPFLAGS_HEAPTYPE,
    TPFLAGS_LIST_SUBCLASS,
    TPFLAGS_LONG_SUBCLASS,
    TPFLAGS_TUPLE_SUBCLASS,
    TPFLAGS_UNICODE_SUBCLASS,
)
from cpython_gdb.engine.objects import object_repr
from cpython_gdb.engine.pyexc import read_exception, read_raised
from cpython_gdb.engine.report.text import format_exception
from cpython_gdb.engine.target import Target

OFFSETS = {
    "PyObject.ob_type": 8,
    "PyVarObject.ob_size": 16,
    "PyTypeObject.tp_name": 24,
    "PyTypeObject.tp_basicsize": 32,
    "PyTypeObject.tp_itemsize": 40,
    "PyTypeObject.tp_flags": 168,
    "PyTypeObject.tp_members": 240,
    "PyTypeObject.tp_base": 256,
    "PyTypeObject.tp_dict": 264,
    "PyTypeObject.tp_dictoffset": 288,
    "PyLongObject.lv_tag": 16,
    "PyLongObject.ob_digit": 24,
    "PyFloatObject.ob_fval": 16,
    "PyASCIIObject.length": 16,
    "PyASCIIObject.state": 32,
    "PyUnicodeObject.data": 56,
    "PyListObject.ob_item": 24,
    "PyTupleObject.ob_item": 24,
    "PyDictObject.ma_used": 16,
    "PyDictObject.ma_keys": 32,
    "PyDictObject.ma_values": 40,
    "PyDictKeysObject.dk_log2_size": 8,
    "PyDictKeysObject.dk_log2_index_bytes": 9,
    "PyDictKeysObject.dk_kind": 10,
    "PyDictKeysObject.dk_nentries": 24,
    "PyDictKeysObject.dk_indices": 32,
    "PySetObject.used": 24,
    "PySetObject.mask": 32,
    "PySetObject.table": 40,
    "PyBaseExceptionObject.args": 24,
    "PyBaseExceptionObject.traceback": 40,
    "PyBaseExceptionObject.context": 48,
    "PyBaseExceptionObject.cause": 56,
    "PyBaseExceptionObject.suppress_context": 64,
}
SIZES = {
    "PyTypeObject": 416,
    "PyASCIIObject": 40,
    "PyCompactUnicodeObject": 56,
    "PyDictKeyEntry": 24,
    "PyDictUnicodeEntry": 16,
    "setentry": 16,
}
LAYOUT = Layout((3, 12, 1), "test", scheme_for(3, 12), OFFSETS, SIZES)
BIG = Limits(max_output=1 << 20, max_items=1 << 20, max_depth=100, max_string=1 << 20)


class Memory:
    """A sparse address space: reads outside the written blocks fail."""

    def __init__(self) -> None:
        self.blocks: List[Tuple[int, bytearray]] = []
        self.next = 0x10000
        self.reads = 0  # read calls, to bound the work of a walk

    def alloc(self, size: int) -> int:
        address = self.next
        self.blocks.append((address, bytearray(size)))
        self.next += (size + 0x100) & ~0xFF
        return address

    def put(self, address: int, data: bytes) -> None:
        for start, block in self.blocks:
            if start <= address and address + len(data) <= start + len(block):
                block[address - start : address - start + len(data)] = data
                return
        raise AssertionError("write outside memory")

    def read(self, address: int, size: int) -> bytes:
        self.reads += 1
        for start, block in self.blocks:
            if start <= address and address + size <= start + len(block):
                return bytes(block[address - start : address - start + size])
        raise MemoryReadError(address, size)


class Heap:
    def __init__(self) -> None:
        self.mem = Memory()
        self.types: Dict[str, int] = {}
        self.type("int", TPFLAGS_LONG_SUBCLASS)
        self.type("str", TPFLAGS_UNICODE_SUBCLASS)
        self.type("list", TPFLAGS_LIST_SUBCLASS)
        self.type("float", 0)
        self.type("tuple", TPFLAGS_TUPLE_SUBCLASS)
        self.type("dict", TPFLAGS_DICT_SUBCLASS)
        self.type("set", 0)
        self.type("object", 0)
        self.type("ValueError", TPFLAGS_BASE_EXC_SUBCLASS)
        # A class written in Python whose instances keep a __dict__ pointer
        # just after the header.
        self.type("Foo", TPFLAGS_HEAPTYPE, basicsize=24, dictoffset=16, base="object")

    def type(self, name: str, flags: int, basicsize: int = 32, dictoffset: int = 0, base: str = "") -> int:
        addr = self.mem.alloc(416)
        name_at = self.mem.alloc(len(name) + 1)
        self.mem.put(name_at, name.encode() + b"\0")
        self.mem.put(addr + 24, struct.pack("<QQ", name_at, basicsize))
        self.mem.put(addr + 168, struct.pack("<Q", flags))
        self.mem.put(addr + 256, struct.pack("<Q", self.types[base] if base else 0))
        self.mem.put(addr + 288, struct.pack("<q", dictoffset))
        self.types[name] = addr
        return addr

    def header(self, addr: int, tp: str) -> None:
        self.mem.put(addr, struct.pack("<QQ", 1, self.types[tp]))

    def int(self, value: int) -> int:
        digits = []
        rest = abs(value)
        while rest:
            digits.append(rest & (2**30 - 1))
            rest >>= 30
        addr = self.mem.alloc(24 + 4 * max(1, len(digits)))
        self.header(addr, "int")
        sign = 1 if value == 0 else (2 if value < 0 else 0)
        self.mem.put(addr + 16, struct.pack("<Q", len(digits) << 3 | sign))
        self.mem.put(addr + 24, struct.pack("<%dI" % len(digits), *digits))
        return addr

    def str(self, text: str) -> int:
        kind = max([1] + [1 if ord(c) < 256 else 2 if ord(c) < 65536 else 4 for c in text])
        ascii_ = all(ord(c) < 128 for c in text)
        start = 40 if ascii_ else 56
        addr = self.mem.alloc(start + kind * (len(text) + 1))
        self.header(addr, "str")
        state = kind << 2 | 1 << 5 | (1 << 6 if ascii_ else 0)
        self.mem.put(addr + 16, struct.pack("<Q", len(text)))
        self.mem.put(addr + 32, struct.pack("<I", state))
        codec = {1: "latin-1", 2: "utf-16-le", 4: "utf-32-le"}[kind]
        self.mem.put(addr + start, text.encode(codec, "surrogatepass"))
        return addr

    def list(self, items: List[int]) -> int:
        addr = self.mem.alloc(40)
        array = self.mem.alloc(8 * max(1, len(items)))
        self.header(addr, "list")
        self.mem.put(addr + 16, struct.pack("<QQ", len(items), array))
        self.mem.put(array, struct.pack("<%dQ" % len(items), *items))
        return addr

    def tuple(self, items: List[int]) -> int:
        addr = self.mem.alloc(24 + 8 * max(1, len(items)))
        self.header(addr, "tuple")
        self.mem.put(addr + 16, struct.pack("<Q", len(items)))
        self.mem.put(addr + 24, struct.pack("<%dQ" % len(items), *items))
        return addr

    def dict(self, pairs: List[Tuple[int, int]]) -> Tuple[int, int]:
        """A combined dict of str keys (3.12's unicode kind); (dict, keys)."""
        log2_size = 3
        while len(pairs) * 3 > (1 << log2_size) * 2:
            log2_size += 1
        size = 1 << log2_size
        keys = self.mem.alloc(32 + size + 16 * size)
        self.mem.put(keys + 8, bytes([log2_size, log2_size, 1]))  # 1-byte indices, unicode kind
        self.mem.put(keys + 24, struct.pack("<Q", len(pairs)))
        self.mem.put(keys + 32, bytes(range(len(pairs))) + b"\xff" * (size - len(pairs)))
        for i, (key, value) in enumerate(pairs):
            self.mem.put(keys + 32 + size + 16 * i, struct.pack("<QQ", key, value))
        addr = self.mem.alloc(48)
        self.header(addr, "dict")
        self.mem.put(addr + 16, struct.pack("<Q", len(pairs)))
        self.mem.put(addr + 32, struct.pack("<QQ", keys, 0))
        return addr, keys

    def set(self, items: List[int]) -> Tuple[int, int]:
        """A set (hashes are the key addresses); (set, table)."""
        slots = 8
        while len(items) * 5 > slots * 3:
            slots *= 2
        table = self.mem.alloc(16 * slots)
        for key in items:
            slot = key % slots
            while struct.unpack("<Q", self.mem.read(table + 16 * slot, 8))[0]:
                slot = (slot + 1) % slots
            self.mem.put(table + 16 * slot, struct.pack("<Qq", key, key))
        addr = self.mem.alloc(200)
        self.header(addr, "set")
        self.mem.put(addr + 16, struct.pack("<QQQQ", len(items), len(items), slots - 1, table))
        return addr, table

    def instance(self, attrs: List[Tuple[str, int]]) -> Tuple[int, int]:
        """A Foo whose __dict__ holds ``attrs``; (instance, its dict)."""
        dict_addr, _ = self.dict([(self.str(name), value) for name, value in attrs])
        addr = self.mem.alloc(24)
        self.header(addr, "Foo")
        self.mem.put(addr + 16, struct.pack("<Q", dict_addr))
        return addr, dict_addr

    def exception(self, message: str, cause: int = 0, context: int = 0, suppress: bool = False) -> int:
        addr = self.mem.alloc(72)
        self.header(addr, "ValueError")
        args = self.tuple([self.str(message)])
        self.mem.put(addr + 24, struct.pack("<QQQQQ", args, 0, 0, context, cause))
        self.mem.put(addr + 64, bytes([suppress]))
        return addr

    def target(self) -> Target:
        return Target(self.mem, LAYOUT)

    def render(self, addr: int, limits: Limits = BIG) -> str:
        return object_repr(self.target(), addr, limits)


@pytest.mark.parametrize("value", [0, 1, -1, 2**30 - 1, 2**30, 2**64, -(10**50), 7 * 10**600 + 3])
def test_int_digits(value):
    heap = Heap()
    assert heap.render(heap.int(value)) == repr(value)


@pytest.mark.parametrize("text", ["", "abc", "caf\xe9", "5\u20ac", "\U0001f600 x", "a\n'\"\\", "\ud800"])
def test_str_kinds(text):
    heap = Heap()
    assert heap.render(heap.str(text)) == repr(text)


def test_list_cycle_and_limits():
    heap = Heap()
    items = [heap.int(i) for i in range(5)]
    lst = heap.list(items + [0])  # the last slot is patched to the list itself
    (array,) = struct.unpack("<Q", heap.mem.read(lst + 24, 8))
    heap.mem.put(array + 8 * 5, struct.pack("<Q", lst))
    assert heap.render(lst) == "[0, 1, 2, 3, 4, [...]]"
    assert heap.render(lst, Limits(max_items=2)) == "[0, 1]... (6 items)"
    assert heap.render(lst, Limits(max_output=5)) == "[0, 1...(truncated)"


def test_corrupt_objects_give_placeholders():
    heap = Heap()
    good = heap.str("ok")
    bad_ucs4 = heap.str("\U0001f600")
    heap.mem.put(bad_ucs4 + 56, struct.pack("<I", 0x110000))
    assert heap.render(bad_ucs4) == f"<unreadable str at remote 0x{bad_ucs4:x}>"
    for address in (0x10, 0xDEAD0000, good + 8, good + 3, heap.types["int"] + 24):
        text = heap.render(address)
        assert text.startswith("<") and f"at remote 0x{address:x}>" in text, text
    assert heap.render(0) == "0x0"


def test_dicts_sets_instances():
    heap = Heap()
    one, two = heap.int(1), heap.int(2)
    d, _ = heap.dict([(heap.str("a"), one), (heap.str("b"), two)])
    assert heap.render(d) == "{'a': 1, 'b': 2}"
    s, _ = heap.set([one, two])
    assert heap.render(s) in ("{1, 2}", "{2, 1}")
    foo, _ = heap.instance([("x", one), ("y", d)])
    assert heap.render(foo) == f"<Foo(x=1, y={{'a': 1, 'b': 2}}) at remote 0x{foo:x}>"


def test_corrupt_dict_and_set_headers_cost_few_reads():
    heap = Heap()
    d, keys = heap.dict([(heap.str("a"), heap.int(1))])
    s, _ = heap.set([heap.int(1)])
    cases = [
        (keys + 24, struct.pack("<Q", 1 << 27)),  # dk_nentries past the capacity
        (keys + 8, bytes([60, 60])),  # dk_log2_size: a huge table
        (d + 16, struct.pack("<Q", 1 << 62)),  # ma_used
        (s + 32, struct.pack("<Q", (1 << 28) - 2)),  # mask + 1 not a power of two
        (s + 32, struct.pack("<Q", (1 << 40) - 1)),  # a huge table
        (s + 24, struct.pack("<Q", 1 << 62)),  # used
    ]
    for address, data in cases:
        old = heap.mem.read(address, len(data))
        heap.mem.put(address, data)
        heap.mem.reads = 0
        text = heap.render(d if address < s else s, Limits())
        assert heap.mem.reads < 100, (address, data, heap.mem.reads, text)
        heap.mem.put(address, old)


def test_set_walk_stops_at_used():
    heap = Heap()
    items = [heap.int(i) for i in range(3)]
    s, table = heap.set(items)
    # A table of 2**20 slots whose tail is unreadable: never reached, as the
    # walk ends once the 3 used keys were found at its start.
    big = heap.mem.alloc(16 * 256)
    for i, key in enumerate(items):
        heap.mem.put(big + 16 * i, struct.pack("<Qq", key, key))
    heap.mem.put(s + 32, struct.pack("<QQ", (1 << 20) - 1, big))
    assert heap.render(s) == "{0, 1, 2}"


def test_unnormalized_raised_exception():
    heap = Heap()
    t = heap.target()
    message = heap.str("invalid literal for int() with base 10: 'x'")
    info = read_raised(t, heap.types["ValueError"], message, Limits())
    assert format_exception(info) == ["ValueError: invalid literal for int() with base 10: 'x'"]
    assert format_exception(read_raised(t, heap.types["ValueError"], 0, Limits())) == ["ValueError"]
    args = heap.tuple([heap.int(1), heap.int(2)])
    assert format_exception(read_raised(t, heap.types["ValueError"], args, Limits())) == ["ValueError: (1, 2)"]
    normalized = heap.exception("boom")
    assert format_exception(read_raised(t, heap.types["ValueError"], normalized, Limits())) == ["ValueError: boom"]


def test_exception_chain_is_linear_and_bounded():
    heap = Heap()
    # raise B from A inside `except A`: cause and context are the same object.
    exc = heap.exception("link 0")
    for i in range(1, 30):
        exc = heap.exception(f"link {i}", cause=exc, context=exc, suppress=True)
    heap.mem.reads = 0
    lines = format_exception(read_exception(heap.target(), exc, Limits()))
    assert heap.mem.reads < 2000, heap.mem.reads
    assert lines[0].startswith("[older chained exceptions left out")
    assert lines.count("The above exception was the direct cause of the following exception:") == 20
    assert lines[-1] == "ValueError: link 29"
    assert "ValueError: link 9" in lines and "ValueError: link 8" not in lines


def test_exception_chain_cycle_and_unreadable_link():
    heap = Heap()
    a = heap.exception("a")
    b = heap.exception("b", context=a)
    heap.mem.put(a + 48, struct.pack("<Q", b))  # a's context is b: a cycle
    lines = format_exception(read_exception(heap.target(), b, Limits()))
    assert lines == [
        "ValueError: a",
        "",
        "During handling of the above exception, another exception occurred:",
        "",
        "ValueError: b",
    ]
    # A suppressed context is never read; a cause that cannot be read
    # becomes a placeholder.
    c = heap.exception("c", cause=0xDEAD0000, context=0xBEEF0000, suppress=True)
    lines = format_exception(read_exception(heap.target(), c, Limits()))
    assert lines[0] == "<unreadable exception at remote 0xdead0000>"
    assert lines[-1] == "ValueError: c"
    heap.mem.put(c + 56, struct.pack("<Q", 0))
    assert format_exception(read_exception(heap.target(), c, Limits())) == ["ValueError: c"]
    # An unreadable message.
    heap.mem.put(c + 24, struct.pack("<Q", 0xDEAD0000))
    assert format_exception(read_exception(heap.target(), c, Limits())) == [
        f"ValueError: <unreadable message of exception at remote 0x{c:x}>"
    ]


def test_random_garbage_never_raises():
    rnd = random.Random(0)
    heap = Heap()
    limits = Limits()
    most = limits.max_output + len("...(truncated)")
    ints = [heap.int(i) for i in range(5)]
    lst = heap.list(ints)
    (array,) = struct.unpack("<Q", heap.mem.read(lst + 24, 8))
    d, keys = heap.dict([(heap.str(f"k{i}"), v) for i, v in enumerate(ints)])
    s, table = heap.set(ints)
    foo, foo_dict = heap.instance([("x", ints[0]), ("y", lst)])
    # (address, size) of every block to scribble over: objects, then their
    # item arrays, keys objects and tables.
    blocks = [
        (heap.int(5), 28),
        (heap.str("abc"), 43),
        (lst, 40),
        (array, 40),
        (heap.tuple(ints), 64),
        (d, 48),
        (keys, 32 + 8 + 16 * 5),
        (s, 48),
        (table, 16 * 8),
        (foo, 24),
        (foo_dict, 48),
        (heap.exception("boom"), 72),
    ]
    roots = [addr for addr, _ in blocks] + [foo, d, s, lst]
    for _ in range(1000):
        # Scribble over a block, then render an object and a misaligned type.
        block, size = rnd.choice(blocks)
        offset = rnd.randrange(0, size - 8)
        heap.mem.put(block + offset, bytes(rnd.randrange(256) for _ in range(rnd.choice([1, 8]))))
        for address in (rnd.choice(roots), rnd.choice(list(heap.types.values())) + rnd.randrange(0, 64, 8)):
            text = heap.render(address, limits)
            assert isinstance(text, str) and len(text) <= most, (address, text)
