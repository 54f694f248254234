"""The fuzz campaign's target (tests/fuzz): many kinds of objects across threads.

Every thread ends blocked for good in a lock acquire (a futex wait in the
kernel), except "heartbeat", which waits in os.read() on the FIFO named by
argv[1] and answers each byte on the FIFO argv[2]. So while the test holds
the process stopped and corrupts its memory, no Python code of the target
runs; once the test has put the bytes back it can resume the process and
ask the heartbeat whether it still runs Python code.

When every thread is in place it announces one JSON line: the native
thread ids, and for every object worth corrupting its name, address and
``__sizeof__()`` (the object's own bytes, without the GC header).
"""

import _thread
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ready import announce  # noqa: E402

gate = _thread.allocate_lock()
gate.acquire()  # never released: every thread waits on it
objects = {}  # name -> object, reported with its address
natives = {}  # thread name -> native id
in_place = {}  # thread name -> (thread ident, code of the frame that waits at gate)


class Plain:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def method(self, depth):
        return nested_calls(depth, self)


class Slotted:
    __slots__ = ("first", "second", "unset")

    def __init__(self):
        self.first = 1
        self.second = "two \u20ac"


class Failure(Exception):
    pass


def record(name, value):
    objects[name] = value
    return value


def in_place_soon(name):
    """Called just before the caller blocks at gate.acquire() in its own frame."""
    natives[name] = _thread.get_native_id()
    in_place[name] = (_thread.get_ident(), sys._getframe(1).f_code)


def main_locals():
    """Main thread's innermost frame: one local of every kind (py-print NAME)."""
    small_int = record("small_int", 42)
    big_int = record("big_int", -(7**90))
    float_value = record("float_value", 1.5e-7)
    complex_value = record("complex_value", complex(1, -2))
    text_ascii = record("text_ascii", "hello world " * 3)
    text_latin1 = record("text_latin1", "caf\xe9 cr\xe8me")
    text_ucs2 = record("text_ucs2", "\u20ac \u4e2d\u6587 \u0416")
    text_ucs4 = record("text_ucs4", "smile \U0001f600 \U00010348")
    raw_bytes = record("raw_bytes", b"\x00\xffbytes\n'\"")
    byte_array = record("byte_array", bytearray(b"mutable \x01\x02"))
    items = record("items", [1, "two", 3.0, None, True, [4, (5,)]])
    pair = record("pair", (small_int, text_ascii))
    mapping = record("mapping", {"alpha": 1, "beta": [2, 3], 7: "seven", (1, 2): None})
    numbers = record("numbers", {i: str(i) for i in range(40)})
    members = record("members", {1, 2, 3, "x", 4.5})
    frozen = record("frozen", frozenset({"a", "b"}))
    plain = record("plain", Plain(1, "y"))
    slotted = record("slotted", Slotted())
    error = record("error", Failure("bad", 7))
    cycle = record("cycle", [1, 2])
    cycle.append(cycle)
    function = record("function", nested_calls)
    klass = record("klass", Plain)
    module = record("module", sys)
    nothing = None
    flag = True
    sizes = {name: [id(value), type(value).__sizeof__(value)] for name, value in objects.items()}
    announce(json.dumps({"natives": natives, "objects": sizes}))
    in_place_soon("MainThread")
    gate.acquire()
    return (small_int, big_int, float_value, complex_value, text_ascii, text_latin1, text_ucs2, text_ucs4,
            raw_bytes, byte_array, items, pair, mapping, numbers, members, frozen, plain, slotted, error,
            function, klass, module, nothing, flag)


def nested_calls(depth, owner):
    """A few nested frames, then the frame with every kind of local."""
    if depth:
        return nested_calls(depth - 1, owner)
    return main_locals()


def closures():
    captured = record("captured", ["in", "a", "cell"])
    counter = 7

    def inner(step):
        local = captured[step] * counter
        in_place_soon("closures")
        gate.acquire()
        return local

    return inner(1)


def handling():
    """Blocked inside an except block, with a chained exception."""
    try:
        try:
            {}["missing"]
        except KeyError as exc:
            raise Failure("while handling", 1) from exc
    except Failure as caught:
        record("caught", caught)
        in_place_soon("handling")
        gate.acquire()


def generator(limit):
    total = 0
    for i in range(limit):
        total += i
        yield total
        in_place_soon("generator")
        gate.acquire()


def run_generator():
    gen = record("gen", generator(5))
    for value in gen:
        record("gen_value", value)


def instances():
    obj = Plain(Slotted(), [Plain(i, str(i)) for i in range(3)])
    record("nested_plain", obj)
    in_place_soon("instances")
    gate.acquire()


def recursive(depth):
    if depth:
        return recursive(depth - 1)
    in_place_soon("deep")
    gate.acquire()


def heartbeat(ping, pong):
    natives["heartbeat"] = _thread.get_native_id()
    while True:
        byte = os.read(ping, 1)
        os.write(pong, byte)


def all_waiting(names):
    frames = sys._current_frames()
    for name in names:
        if name not in in_place:
            return False
        ident, code = in_place[name]
        frame = frames.get(ident)
        if frame is None or frame.f_code is not code:
            return False
    return True


def main():
    # Small stacks (and, from the test, one malloc arena): a gcore core of
    # this process stays a few tens of MB, so the campaign can copy it per case.
    threading.stack_size(1 << 19)
    ping = os.open(sys.argv[1], os.O_RDWR)
    pong = os.open(sys.argv[2], os.O_RDWR)
    workers = {"closures": closures, "handling": handling, "generator": run_generator, "instances": instances,
               "deep": lambda: recursive(25)}
    for name, target in workers.items():
        threading.Thread(target=target, name=name, daemon=True).start()
    threading.Thread(target=heartbeat, args=(ping, pong), name="heartbeat", daemon=True).start()
    while not all_waiting(workers) or "heartbeat" not in natives:
        time.sleep(0.01)
    natives["MainThread"] = _thread.get_native_id()
    for name in ("main_locals", "nested_calls", "generator", "recursive"):
        code = globals()[name].__code__
        objects["code_" + name] = code
        objects["codename_" + name] = code.co_name
        objects["linetable_" + name] = getattr(code, "co_linetable", None) or code.co_lnotab
    objects["filename"] = main_locals.__code__.co_filename
    objects["type_plain"] = Plain
    objects["threading_active"] = threading._active
    # The announcement goes out from the main thread's innermost frame,
    # where the last objects are made.
    Plain(None, None).method(3)


main()
