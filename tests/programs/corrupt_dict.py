"""A dict whose keys table claims 2**60 slots, as locals and inside containers.

The program corrupts its own dict through ctypes, then never touches it
again (the collector, which would walk it, is off). Announces the dict's
address.
"""

import ctypes
import gc
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ready import announce  # noqa: E402

# sizeof(PyObject): 16 bytes (ob_refcnt, ob_type), 32 on a free-threaded
# build (ob_tid, flags and local count, ob_ref_shared, ob_type).
HEAD = object.__basicsize__


def corrupt(d):
    if sys.version_info < (3,):
        # 2.7: the table is in the dict itself (ma_fill, ma_used, then
        # ma_mask), its size ma_mask + 1.
        ctypes.c_ssize_t.from_address(id(d) + HEAD + 16).value = (1 << 60) - 1
        return
    # PyDictObject: the object's head, ma_used, ma_version_tag, then
    # ma_keys; PyDictKeysObject: dk_refcnt, then the table's size, a
    # byte holding log2 of it from 3.11, a Py_ssize_t before.
    keys = ctypes.c_void_p.from_address(id(d) + HEAD + 16).value
    if sys.version_info >= (3, 11):
        ctypes.c_uint8.from_address(keys + 8).value = 60
    else:
        ctypes.c_ssize_t.from_address(keys + 8).value = 1 << 60


def wait_here(bad, inside_list, inside_dict, inside_tuple):
    announce(hex(id(bad)))
    time.sleep(1000)


gc.disable()
bad = {"a": 1, "b": 2}
corrupt(bad)
wait_here(bad, [bad, "x"], {"k": bad}, (bad,))
