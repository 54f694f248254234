"""Python frames whose source "file" is no regular file: stdin, a FIFO, a device.

tests/gdb/test_hostile_sources.py runs it as ``python /dev/stdin <
nonfile_sources.py`` (its module and wait_here then come from the file
name /dev/stdin), with tests/programs on PYTHONPATH. Two more frames
carry the file names of a FIFO it makes in its working directory (no one
ever writes to it) and of /dev/zero (endless NULs). Reading any of them
for a source line would block, or never end.
"""

import os
import time

from ready import announce, replace_code


def wait_here():
    announce(os.path.abspath("fifo"))
    time.sleep(1000)


def named(path, inner):
    def call():
        inner()

    call.__code__ = replace_code(call.__code__, co_filename=path)
    return call


os.mkfifo("fifo")
named("/dev/zero", named(os.path.abspath("fifo"), wait_here))()
