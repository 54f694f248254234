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

from cpython_gdb.layout import Layout, scheme_for
from cpython_gdb.limits import Limits
from cpython_gdb.model import TPFLAGS_LIST_SUBCLASS, TPFLAGS_LONG_SUBCLASS, TPFLAGS_UNICODE_SUBCLASS
from cpython_gdb.objects import object_repr
from cpython_gdb.target import Target

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
}
SIZES = {"PyTypeObject": 416, "PyASCIIObject": 40, "PyCompactUnicodeObject": 56}
LAYOUT = Layout((3, 12, 1), "test", scheme_for(3, 12), OFFSETS, SIZES)
BIG = Limits(max_output=1 << 20, max_items=1 << 20, max_depth=100, max_string=1 << 20)


class Memory:
    """A sparse address space: reads outside the written blocks fail."""

    def __init__(self) -> None:
        self.blocks: List[Tuple[int, bytearray]] = []
        self.next = 0x10000

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

    def type(self, name: str, flags: int) -> int:
        addr = self.mem.alloc(416)
        name_at = self.mem.alloc(len(name) + 1)
        self.mem.put(name_at, name.encode() + b"\0")
        self.mem.put(addr + 24, struct.pack("<QQ", name_at, 32))
        self.mem.put(addr + 168, struct.pack("<Q", flags))
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

    def render(self, addr: int, limits: Limits = BIG) -> str:
        return object_repr(Target(self.mem, LAYOUT), addr, limits)


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
    assert heap.render(lst, Limits(max_items=2)) == "[0, 1, ...]"
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


def test_random_garbage_never_raises():
    rnd = random.Random(0)
    heap = Heap()
    objects = [heap.int(5), heap.str("abc"), heap.list([heap.int(1)])]
    for _ in range(300):
        # Scribble over an object, then render it and a misaligned type.
        target = rnd.choice(objects)
        offset = rnd.randrange(0, 20)  # every object here is >= 28 bytes
        heap.mem.put(target + offset, bytes(rnd.randrange(256) for _ in range(8)))
        heap.render(target, Limits())
        heap.render(rnd.choice(list(heap.types.values())) + rnd.randrange(0, 64, 8), Limits())
