"""Sourced into gdb by cstack_check.py: every frame gdb shows in every thread, with its kind.

Prints one line, "FRAME-TABLE " and a JSON object: by gdb thread number,
each frame's level, type (normal, inline, tailcall, sigtramp...), pc,
gdb's name for it (DWARF's where gdb has it) and the name of the minimal
(ELF) symbol gdb finds at the frame's address in its block (the pc, or
the byte before it for a caller's frame), as ``info symbol`` shows it.
"""

import json

import gdb

TYPES = {gdb.NORMAL_FRAME: "normal", gdb.INLINE_FRAME: "inline", gdb.TAILCALL_FRAME: "tailcall",
         gdb.SIGTRAMP_FRAME: "sigtramp", gdb.DUMMY_FRAME: "dummy", gdb.ARCH_FRAME: "arch"}
CALLS = (gdb.NORMAL_FRAME, gdb.TAILCALL_FRAME)


def _address_in_block(frame):
    """gdb's get_frame_address_in_block(): where the frame's code is looked up."""
    newer = frame.newer()
    while newer is not None and newer.type() == gdb.INLINE_FRAME:
        newer = newer.newer()
    if newer is not None and newer.type() in CALLS and frame.type() in CALLS + (gdb.INLINE_FRAME,):
        return frame.pc() - 1
    return frame.pc()


def _minimal(address):
    text = gdb.execute(f"info symbol {address:#x}", to_string=True)
    if text.startswith("No symbol"):
        return None
    return text.split(" in section ", 1)[0].split(" + ", 1)[0].strip()


def _rows():
    rows = []
    try:
        frame = gdb.newest_frame()
    except gdb.error:
        return rows
    while frame is not None:
        rows.append({"level": frame.level(), "type": TYPES.get(frame.type(), str(frame.type())), "pc": frame.pc(),
                     "name": frame.name(), "minimal": _minimal(_address_in_block(frame))})
        try:
            frame = frame.older()
        except gdb.error:
            break
    return rows


def _table():
    table = {}
    selected = gdb.selected_thread()
    for thread in sorted(gdb.selected_inferior().threads(), key=lambda t: t.num):
        thread.switch()
        table[thread.num] = _rows()
    if selected is not None:
        selected.switch()
    return table


print("FRAME-TABLE " + json.dumps(_table()))
