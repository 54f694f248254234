"""Sourced into gdb by test_fast_unwind.py: our own unwinding of each physical C frame against gdb's.

Prints "UNWIND-MATCH N" when the pc and stack pointer of every physical
frame past the newest one agree with gdb's, else "UNWIND-DIFF ...".
"""

import gdb

from cpython_gdb.engine.native.unwind import Unsupported, Unwinder
from cpython_gdb.gdb.cframes import _modules, _registers
from cpython_gdb.gdb.state import current_target


def _check() -> None:
    target = current_target()
    modules = _modules(target)
    if modules is None:
        print("UNWIND-DIFF no mappings")
        return
    physical = []
    frame = gdb.newest_frame()
    while frame is not None:
        if frame.type() == gdb.NORMAL_FRAME:
            physical.append(frame)
        frame = frame.older()
    start = physical[1]  # its pc is a return address
    unwinder = Unwinder(modules, target.ptr)
    ours = [(start.pc(), int(start.read_register("rsp")))]
    try:
        ours.extend(unwinder.walk(start.pc(), _registers(start), 100000))
    except Unsupported as exc:
        print(f"UNWIND-DIFF unsupported after {len(ours)} frames: {exc}")
        return
    theirs = [(f.pc(), int(f.read_register("rsp"))) for f in physical[1:]]
    if physical[-1].name() == "main":
        # gdb ends its backtrace at main (`set backtrace past-main off`),
        # which 3.6 and 2.7's python keep on the stack; ours goes on to _start.
        ours = ours[: len(theirs)]
    if ours != theirs[: len(ours)] or len(ours) < len(theirs) - 1:
        at = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
        print(f"UNWIND-DIFF at physical frame {at} of {len(ours)} ours, {len(theirs)} gdb's")
        return
    print(f"UNWIND-MATCH {len(ours)}")


_check()
