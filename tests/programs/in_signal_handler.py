"""The main thread blocked inside a C signal handler.

libc's pause(), installed with libc's signal() as the handler of SIGUSR1,
runs when the thread signals itself: on top of the kill() call and its
Python caller, with the signal frame the kernel pushed (and glibc's
__restore_rt as the handler's return address) in between. Announces the
thread's native id just before.
"""

import ctypes
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce, native_id  # noqa: E402

libc = ctypes.CDLL(None)
libc.signal.restype = ctypes.c_void_p
libc.signal.argtypes = (ctypes.c_int, ctypes.c_void_p)


def interrupt():
    announce(str(native_id()))
    os.kill(os.getpid(), signal.SIGUSR1)  # mark: kill


libc.signal(signal.SIGUSR1, ctypes.cast(libc.pause, ctypes.c_void_p))
interrupt()  # mark: module
