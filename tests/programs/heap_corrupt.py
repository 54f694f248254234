"""A heap with corrupt pointers, for the census's unreadable line and its notes.

argv: MODE, one of
- items: a list whose items 1 and 3 point nowhere (0xdead0000) and into a
  bytes buffer of garbage (no object header), items 0 and 2 being fine;
- loop: a collector list whose node links back to an earlier node (a walk
  that never reaches the head);
- break: a collector list whose node links to unmapped memory.

The ready line gives the addresses of nodes 3 and 7 (their PyGC_Head),
of NODES and of NODES[9], in hex. The collector is disabled first (a collection would follow the bad
pointers and crash), and the ready line is written with os.write on a
descriptor opened before, so that nothing is allocated or freed on the
collector's lists after the damage.
"""

import ctypes
import gc
import os
import sys
import time

MODE = sys.argv[1]
gc.disable()
fd = os.open(os.environ["READY_FILE"], os.O_WRONLY) if os.environ.get("READY_FILE") else None


class Victim:
    pass


GARBAGE = b"\xab" * 256
HOLDER = [Victim(), None, Victim(), None]
NODES = [[i] for i in range(10)]  # young lists, tracked one after another
WORD = ctypes.sizeof(ctypes.c_void_p)
# The PyGC_Head before each object: two words from 3.8, a 32-byte union before (bpo-33597).
HEAD = 2 * WORD if sys.version_info >= (3, 8) else 4 * WORD


def set_word(address, value):
    ctypes.c_size_t.from_address(address).value = value


if MODE == "items":
    items = ctypes.c_size_t.from_address(id(HOLDER) + 3 * WORD).value  # PyListObject.ob_item
    set_word(items + 1 * WORD, 0xDEAD0000)
    set_word(items + 3 * WORD, id(GARBAGE) + 64)
elif MODE == "loop":
    set_word(id(NODES[7]) - HEAD, id(NODES[3]) - HEAD)  # gc_next of node 7 -> node 3
elif MODE == "break":
    set_word(id(NODES[7]) - HEAD, 0xDEAD0000)
else:
    raise SystemExit(f"unknown mode {MODE}")

if fd is not None:
    # The nodes' PyGC_Head addresses, and NODES and its last item: what the test expects to hear of.
    os.write(fd, ("%x %x %x %x\n" % (id(NODES[3]) - HEAD, id(NODES[7]) - HEAD, id(NODES),
                                     id(NODES[9]))).encode())
    os.close(fd)
while True:
    time.sleep(1)
