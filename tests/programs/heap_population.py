"""A heap of known populations, with the ground truth the target itself computes.

argv: TRUTH_FILE [SCALE]. SCALE (default 1.0) multiplies the populations
of issue 15: 100,000 instances of a class with a __dict__, 20,000 with
__slots__, 50,000 dicts, a list of 200,000 distinct ints and one of
100,000 distinct strs, a reference cycle kept by a global, and instances
frozen into the permanent generation by gc.freeze() (which gc.get_objects()
skips). The truth (gc.get_objects() and sys.getsizeof, computed before the
ready line) is written to TRUTH_FILE as JSON. On SIGUSR1 the target adds
10,000 instances of Leak and writes TRUTH_FILE + ".added".
"""

import gc
import json
import os
import signal
import sys
import time

from ready import announce

TRUTH = sys.argv[1]
SCALE = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0


def scaled(n):
    return max(1, int(n * SCALE))


class Frozen:
    def __init__(self, i):
        self.i = i


class WithDict:
    def __init__(self, i):
        self.number = i
        self.name = "w"


class WithSlots:
    __slots__ = ("x", "y")

    def __init__(self, i):
        self.x = i
        self.y = None


class Node:
    def __init__(self):
        self.other = None


class Leak:
    pass


class HeldByFrame:
    """One instance, held only by a local variable of serve()."""


def name_of(tp):
    module = tp.__module__
    return tp.__qualname__ if module == "builtins" else f"{module}.{tp.__qualname__}"


def untracked_dicts(objects, into):
    """The dicts the collector does not track that ``objects`` refer to, appended to ``into`` (a list:
    a dict would be one more to count)."""
    for o in objects:
        for r in gc.get_referents(o):
            if type(r) is dict and not gc.is_tracked(r):
                into.append(r)


gc.collect()
FROZEN = [Frozen(i) for i in range(scaled(3000))]
frozen_truth = {"count": len(FROZEN), "bytes": sum(sys.getsizeof(o) for o in FROZEN)}
before = gc.get_objects()
# Kept, not summed now: a frozen dict may grow later (__main__'s globals do).
FROZEN_DICTS = [o for o in before if type(o) is dict]
reachable = []
untracked_dicts(before, reachable)
debug_ids = [id(o) for o in before if type(o) is dict] if os.environ.get("HEAP_DEBUG") else []
del before
gc.freeze()

INSTANCES = [WithDict(i) for i in range(scaled(100_000))]
SLOTTED = [WithSlots(i) for i in range(scaled(20_000))]
DICTS = [{"key": i, "other": str(i)} for i in range(scaled(50_000))]
INTS = list(range(10**9, 10**9 + scaled(200_000)))
STRS = ["s%d" % i for i in range(scaled(100_000))]
CYCLE = Node()
CYCLE.other = Node()
CYCLE.other.other = CYCLE
SLOTTED[5].y = CYCLE  # a slot that holds an object
LEAKS = []


def truth():
    gc.collect()
    objects = gc.get_objects()
    counts = {}
    for o in objects:
        name = name_of(type(o))
        entry = counts.get(name)
        if entry is None:
            entry = counts[name] = [0, 0]
        entry[0] += 1
        entry[1] += sys.getsizeof(o)
    untracked_dicts(objects, reachable)
    unique = {id(d): d for d in reachable}
    slot_list = SLOTTED
    out = {
        "version": list(sys.version_info[:3]),
        "tracked": {name: counts[name] for name in counts},
        "frozen": frozen_truth,
        "frozen_dicts": [len(FROZEN_DICTS), sum(sys.getsizeof(d) for d in FROZEN_DICTS)],
        "untracked_dicts": [len(unique), sum(sys.getsizeof(d) for d in unique.values())],
        "ints": [len(INTS), sum(sys.getsizeof(i) for i in INTS)],
        "strs": [len(STRS), sum(sys.getsizeof(s) for s in STRS)],
        "instance": hex(id(INSTANCES[7])),
        "instances_list": hex(id(INSTANCES)),
        "slotted": hex(id(slot_list[3])),
        "slotted5": hex(id(slot_list[5])),
        "cycle": hex(id(CYCLE)),
        "cycle_other": hex(id(CYCLE.other)),
    }
    if os.environ.get("HEAP_DEBUG"):
        out["dict_ids"] = debug_ids + [id(o) for o in objects if type(o) is dict] + list(unique)
    del objects
    return out


def write_truth(held):
    found = truth()
    found["held"] = hex(id(held))
    data = json.dumps(found)
    with open(TRUTH, "w") as out:
        out.write(data)

added = []


def on_usr1(signum, frame):
    added.append(1)


def add_leaks():
    """10,000 more Leak objects; nothing else is left behind (the file object and its name die here)."""
    del added[:]
    LEAKS.extend(Leak() for _ in range(10_000))
    with open(TRUTH + ".added", "w") as out:
        out.write("added")


def serve():
    held = HeldByFrame()
    write_truth(held)
    signal.signal(signal.SIGUSR1, on_usr1)
    announce("ready")
    while True:
        time.sleep(0.02)
        if added:
            add_leaks()


serve()
