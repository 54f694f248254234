"""Two worker threads blocked on a lock and the main thread asleep; announces each thread state.

The ready line is JSON: for "main", "first" and "second", the address of
the thread's PyThreadState and its native id, and "interp": the main
interpreter's address. The tests corrupt what they point to.
"""

import ctypes
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce  # noqa: E402

try:
    import _thread
except ImportError:  # 2.7
    import thread as _thread

if hasattr(_thread, "get_native_id"):
    native_id = _thread.get_native_id
else:  # before 3.8: gettid(2), system call 186 on x86-64
    def native_id():
        return ctypes.CDLL(None).syscall(186)

current_tstate = ctypes.pythonapi.PyThreadState_Get
current_tstate.restype = ctypes.c_void_p
try:
    main_interpreter = ctypes.pythonapi.PyInterpreterState_Main
except AttributeError:  # 2.7, 3.6: the only interpreter is the list's head
    main_interpreter = ctypes.pythonapi.PyInterpreterState_Head
main_interpreter.restype = ctypes.c_void_p
gate = _thread.allocate_lock()
gate.acquire()
found = {}


def worker(name):
    found[name] = [current_tstate(), native_id()]
    gate.acquire()  # mark: worker


def main_wait(marker):
    found["main"] = [current_tstate(), native_id()]
    while len(found) < 3:
        time.sleep(0.01)
    found["interp"] = main_interpreter()
    announce(json.dumps(found))
    time.sleep(1000)  # mark: main


_thread.start_new_thread(worker, ("first",))
_thread.start_new_thread(worker, ("second",))
main_wait("main's local")
