"""Objects of many shapes, with what sys.getsizeof says of each.

argv: OUT_FILE. Writes a JSON list of [address, type name, getsizeof] for
each object of SAMPLES, then announces ready and sleeps.
"""

import json
import sys
import time

from ready import announce


class Plain:
    def __init__(self):
        self.a = 1
        self.b = "x"


class Slots:
    __slots__ = ("p", "q")


class Sub(list):
    pass


class Many:
    pass


materialized = Plain()
materialized.__dict__["c"] = 3  # makes the __dict__ (3.11+)
many = Many()
for i in range(40):
    setattr(many, "attr%d" % i, i)
big_int = 2 ** 200
SAMPLES = [
    {}, {"a": 1}, {1: 2, 3: 4}, {i: i for i in range(100)}, {"k%d" % i: i for i in range(1000)},
    dict.fromkeys(range(5)), materialized.__dict__, many.__dict__,
    [], [1, 2, 3], list(range(1000)), [None] * 17,
    (), (1,), tuple(range(50)),
    "", "abc", "x" * 1000, "é" * 10, "€uro", "\U0001F600" * 3, "naïve text",
    0, 1, -5, 2 ** 40, big_int, -big_int, True,
    1.5, 2j, b"", b"bytes" * 10, bytearray(b"abc"), bytearray(100),
    set(), {1, 2, 3}, set(range(100)), frozenset(range(10)),
    Plain(), Slots(), Sub([1, 2]), many, materialized,
    Plain, Slots, int, len, json, lambda: 0, Plain.__init__, Plain.__init__.__code__,
]
if sys.version_info < (3, 12):
    s = "wide " + "\u20ac" * 5
    s.encode("utf-8")
    SAMPLES.append(s)
out = [[hex(id(o)), type(o).__name__, sys.getsizeof(o)] for o in SAMPLES]
with open(sys.argv[1], "w") as f:
    json.dump(out, f)
announce("ready")
while True:
    time.sleep(1)
