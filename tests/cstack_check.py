"""gdb's C stacks as the direct backend can see them, for the differential tests.

gdb shows, and numbers, every frame it knows of: the physical frames on
the stack, and from DWARF the calls the compiler inlined into them and
the callers that ended in a tail call. The direct backend numbers only
the physical frames (normal frames and signal trampolines), names each by
its ELF symbol, and with --native shows the calls DWARF says are inlined
into it, before it, with its number. So gdb's report is turned into what
the direct one must then be, from the frame table frame_table.py prints
in the same gdb session:

- a frame level becomes the number of physical frames newer than it (an
  inlined call's: that of the physical frame it runs in);
- the entries of tail-call frames go, and so do those of inlined calls
  but native ones: the "Waiting for the GIL" and "Garbage-collecting"
  lines of calls that DWARF alone shows (3.8's inlined
  collect_with_callback), which the direct backend, reading no DWARF
  without --native, cannot give;
- each physical frame's native entry is named by the ELF symbol gdb
  itself finds there (``info symbol``); inlined calls keep gdb's names;
- ``builtin`` entries of inlined calls go (the direct backend tells a
  built-in call from a physical frame's ELF name); the others stay: both
  read the callable from the frame's C variables, gdb through its DWARF,
  the direct backend by evaluating the same DWARF location expressions.

gdb decodes an ELF name with no capital letter as Ada's, which drops a
GCC clone's number (``take_gil.constprop`` for ``take_gil.constprop.0``)
turns ``__`` into ``.`` (``sys.current_frames``) and a ``.cold`` part into
``[cold]``; names are compared so decoded.

What a thread's state says (GIL, lock, collector) is compared as it is:
where gdb knows it only from an inlined frame, the two differ, and the
tests say where.
"""

import copy
import json
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from cpython_gdb.engine.report.text import BEGIN_MARK, END_MARK
from harness import run_gdb

FRAME_TABLE = Path(__file__).resolve().parent / "frame_table.py"
PHYSICAL = ("normal", "sigtramp")


def gdb_view(**target: Any) -> Tuple[Dict[str, Any], Dict[str, Any], Dict[int, List[Dict[str, Any]]]]:
    """gdb's report without and with --native, and its frame table, at one stop (``target``: run_gdb's)."""
    out = run_gdb(["py-dump-json", "py-dump-json --native", f"source {FRAME_TABLE}"], **target)
    lines = out.splitlines()
    docs = [json.loads(lines[i + 1]) for i, line in enumerate(lines) if line == BEGIN_MARK]
    assert len(docs) == 2 and lines.count(END_MARK) == 2, out[-3000:]
    table = [line for line in lines if line.startswith("FRAME-TABLE ")]
    assert len(table) == 1, out[-3000:]
    frames = {int(number): rows for number, rows in json.loads(table[0][len("FRAME-TABLE "):]).items()}
    return docs[0], docs[1], frames


def _real(path: Optional[str]) -> Optional[str]:
    return None if path is None else os.path.realpath(path)


def physical_levels(rows: List[Dict[str, Any]]) -> Dict[int, int]:
    """gdb's level of each frame -> the number of physical frames newer than it."""
    out: Dict[int, int] = {}
    count = 0
    for row in rows:
        out[row["level"]] = count
        if row["type"] in PHYSICAL:
            count += 1
    return out


def as_direct(doc: Dict[str, Any], table: Dict[int, List[Dict[str, Any]]]) -> Dict[str, Any]:
    """gdb's report as the direct backend must make it (see the module docstring)."""
    doc = copy.deepcopy(doc)
    doc["tool"]["backend"] = "direct"
    for thread in doc["threads"]:
        rows = table.get(thread["gdb_thread"], [])
        levels = physical_levels(rows)
        kinds = {row["level"]: row for row in rows}
        frames = []
        for entry in thread["frames"]:
            level = entry.get("level")
            if entry["kind"] == "builtin" and (level is None or kinds[level]["type"] not in PHYSICAL):
                continue
            shown = level is None or kinds[level]["type"] in PHYSICAL or (
                entry["kind"] == "native" and _inlined_into_physical(rows, level))
            if entry["kind"] != "python" and not shown:
                continue
            if entry["kind"] == "native":
                physical = kinds[level]["type"] in PHYSICAL
                entry = dict(entry, function=comparable_name(kinds[level]["minimal"]) if physical
                             else entry["function"], library=_real(entry["library"]))
            if level is not None:
                entry = dict(entry, level=levels[level])
            frames.append(entry)
        thread["frames"] = frames
    return doc


def as_direct_text(doc: Dict[str, Any], table: Dict[int, List[Dict[str, Any]]]) -> Dict[str, Any]:
    """gdb's report as the direct backend's text dump must make it: as as_direct(), with the built-in call
    lines above each thread's newest Python frame only (the text dump's walk may end there)."""
    doc = as_direct(doc, table)
    for thread in doc["threads"]:
        frames = thread["frames"]
        first = next((i for i, f in enumerate(frames) if f["kind"] == "python"), len(frames))
        thread["frames"] = frames[:first] + [f for f in frames[first:] if f["kind"] != "builtin"]
    return doc


def _inlined_into_physical(rows: List[Dict[str, Any]], level: int) -> bool:
    """Whether gdb's frame ``level`` is an inlined call in a physical frame (not in a tail call's)."""
    for row in rows:
        if row["level"] > level and row["type"] != "inline":
            return rows[level]["type"] == "inline" and row["type"] in PHYSICAL
    return False


def comparable_name(name: Optional[str]) -> Optional[str]:
    """An ELF function name as gdb shows it without DWARF: without its version (but ``@plt``), and
    decoded as gdb decodes a lowercase name, as Ada's (see the module docstring)."""
    if name is None:
        return None
    head, at, tail = name.partition("@")
    if at and tail != "plt":
        name = head
    if name.lower() == name and not name.startswith("_"):
        cold = name.endswith(".cold")
        name = name[:-len(".cold")] if cold else name
        name = name.replace("__", ".")  # sys__current_frames: "sys.current_frames"
        head, dot, tail = name.rpartition(".")
        if dot and tail.isdigit():
            name = head  # take_gil.constprop.0: "take_gil.constprop"
        name += "[cold]" if cold else ""  # drop_gil.lto_priv.0.cold: "drop_gil.lto_priv[cold]"
    return name


def direct_comparable(doc: Dict[str, Any]) -> Dict[str, Any]:
    """The direct report with its libraries as real paths (gdb names them as the dynamic linker found them),
    its function names as comparable_name() makes them."""
    doc = copy.deepcopy(doc)
    for thread in doc["threads"]:
        frames = thread["frames"]
        thread["frames"] = [dict(f, library=_real(f["library"]),
                                 function=f["function"] if _inlined(frames, i) else comparable_name(f["function"]))
                            if f["kind"] == "native" else f for i, f in enumerate(frames)]
    return doc


def _inlined(frames: List[Dict[str, Any]], index: int) -> bool:
    """Whether the direct report's entry ``index`` is a call inlined into a physical frame: it comes before
    an entry of the same level (inlined calls share their physical frame's), named from DWARF as gdb does."""
    level = frames[index].get("level")
    return level is not None and index + 1 < len(frames) and frames[index + 1].get("level") == level


def settled(thread: Dict[str, Any]) -> Dict[str, Any]:
    """A thread waiting for the GIL as two live stops a moment apart both see it.

    Such a thread never blocks for good: it waits on a condition variable
    with a time-out (5 ms, the switch interval) and, each time it expires,
    runs take_gil's loop again. So two stops of one live process can find
    it at different depths of the C calls newer than take_gil (inside the
    futex system call, or back in pthread_cond_timedwait), which shifts the
    level of every older frame. What both must agree on: the frames from
    the GIL wait (or, with C frames, take_gil's) outward, without their levels.
    """
    frames = thread["frames"]
    first = next((i for i, f in enumerate(frames) if f["kind"] == "gil_wait"
                  or (f["kind"] == "native" and (f["function"] or "").startswith("take_gil"))), None)
    if first is None:
        return thread
    frames = [f for i, f in enumerate(frames) if i >= first or f["kind"] != "native"]
    return dict(thread, frames=[dict(f, level=None) if "level" in f else f for f in frames])


def same_threads(direct: Dict[str, Any], gdb_doc: Dict[str, Any], table: Dict[int, List[Dict[str, Any]]],
                 fields: Tuple[str, ...] = ("threads", "interpreters", "options"), live: bool = False) -> None:
    """The direct report says of every thread what gdb's says, as far as the direct backend can see it.

    ``live``: the two reports come from two stops of a running process, so
    a thread waiting for the GIL is compared as settled() makes it."""
    ours, theirs = direct_comparable(direct), as_direct(gdb_doc, table)
    for field in fields:
        if field == "threads":
            assert len(ours["threads"]) == len(theirs["threads"])
            for mine, expected in zip(ours["threads"], theirs["threads"]):
                if live:
                    mine, expected = settled(mine), settled(expected)
                assert mine == expected, _difference(mine, expected)
        else:
            assert ours[field] == theirs[field], field


def _difference(mine: Dict[str, Any], expected: Dict[str, Any]) -> str:
    """Where a thread of the direct report differs from gdb's, in a few lines."""
    lines = [f"thread {mine['gdb_thread']} ({mine.get('python_name')}):"]
    for key in sorted(set(mine) | set(expected)):
        if key != "frames" and mine.get(key) != expected.get(key):
            lines.append(f"  {key}: direct {mine.get(key)!r}, gdb {expected.get(key)!r}")
    ours, theirs = mine.get("frames", []), expected.get("frames", [])
    for i in range(max(len(ours), len(theirs))):
        a = ours[i] if i < len(ours) else None
        b = theirs[i] if i < len(theirs) else None
        if a != b:
            lines += [f"  frame entry {i}:", f"    direct {a}", f"    gdb    {b}", "  entries around it:"]
            for j in range(max(0, i - 4), min(max(len(ours), len(theirs)), i + 3)):
                a, b = (ours[j] if j < len(ours) else {}), (theirs[j] if j < len(theirs) else {})
                show = [(x.get("kind"), x.get("level"), x.get("function"), x.get("line")) for x in (a, b)]
                lines.append(f"    {j}: direct {show[0]}, gdb {show[1]}")
            break
    if len(ours) != len(theirs):
        lines.append(f"  {len(ours)} frame entries, gdb {len(theirs)}")
    return "\n".join(lines)
