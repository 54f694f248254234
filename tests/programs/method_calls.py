"""Threads blocked inside C methods, for the method lines of py-bt (tests/gdb/test_method_calls.py).

- "lock": in threading.Lock().acquire() (a method descriptor call);
- "select": in selectors.DefaultSelector().select() (2.7: select.select());
- "slot": in a generator that list.__init__ runs for a list subclass's
  super().__init__() (a slot wrapper bound to the object: a method-wrapper call).

It writes ``{thread name: [native id, what py-bt shows for the C call]}``
to ``methods.json`` beside its ready FIFO, announces ready, and sleeps.
Python 2.7 and 3 syntax.
"""

import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ready import announce, native_id  # noqa: E402

HELD = threading.Lock()
HELD.acquire()
SLOT_HELD = threading.Lock()
SLOT_HELD.acquire()
found = {}
started = threading.Semaphore(0)


def blocked_on_lock():
    found["lock"] = [native_id(), "<built-in method acquire of %s object at remote 0x%x>"
                     % (type(HELD).__module__ + "." + type(HELD).__name__, id(HELD))]
    started.release()
    HELD.acquire()


def blocked_in_select():
    read_end, _write_end = os.pipe()
    try:
        import selectors
    except ImportError:  # 2.7
        import select

        found["select"] = [native_id(), "<built-in function select>"]
        started.release()
        select.select([read_end], [], [])
        return
    selector = selectors.DefaultSelector()
    selector.register(read_end, selectors.EVENT_READ)
    # The select.epoll object whose poll() blocks (3.6 names it _epoll).
    poller = getattr(selector, "_selector", None) or selector._epoll
    found["select"] = [native_id(), "<built-in method poll of %s object at remote 0x%x>"
                       % (type(poller).__module__ + "." + type(poller).__name__, id(poller))]
    started.release()
    selector.select()


def items():
    started.release()
    SLOT_HELD.acquire()
    yield 1


class MyList(list):
    def __init__(self):
        found["slot"] = [native_id(), "<method-wrapper '__init__' of MyList object at remote 0x%x>" % id(self)]
        super(MyList, self).__init__(items())  # noqa: UP008 - 2.7 syntax too


def blocked_in_slot():
    MyList()


def main():
    for target in (blocked_on_lock, blocked_in_select, blocked_in_slot):
        threading.Thread(target=target, name=target.__name__).start()
    for _ in range(3):
        started.acquire()
    where = os.path.dirname(os.environ.get("READY_FILE", "./ready"))
    with open(os.path.join(where, "methods.json"), "w") as out:
        json.dump(found, out)
    announce()
    while True:
        time.sleep(1000)


main()
