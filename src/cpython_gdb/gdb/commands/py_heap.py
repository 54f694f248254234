"""py-heap and py-refs: what fills the heap, and who holds an object (engine/heap).

The census is the same as ``cpython-gdb heap``'s, read through gdb's
memory in 64 KiB blocks; it is walked once a stop and kept until the
target runs again, so py-heap --type and py-refs after py-heap cost no
second walk.
"""

import time
from typing import Any, Callable, Dict, List, Optional, Tuple

import gdb

from ...engine.heap.blocks import BlockReader
from ...engine.heap.census import Census, HeapWalk, take_census
from ...engine.heap.document import census_document, find_type_names, instances_entry
from ...engine.heap.referrers import referrers_entry
from ...engine.report import heap_text
from ...engine.target import Target
from .. import state
from ..parameters import max_heap_objects
from ..reader import GdbReader
from .base import PyCommand, argv, write

_KEY = "heap"


def _progress(from_tty: bool) -> Optional[Callable[[int, str], None]]:
    """A progress line on stderr, interactively only (a percentage once the total is known)."""
    if not from_tty:
        return None
    last = [time.monotonic()]

    def report(found: int, phase: str) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5:
            last[0] = now
            gdb.write(f"cpython-gdb: heap: {found:,} objects ({phase})\n", gdb.STDERR)
            gdb.flush()

    return report


def heap_walk(from_tty: bool) -> Tuple[Census, HeapWalk, Dict[str, Any]]:
    """This stop's census, walked now or kept from an earlier command."""
    limit = max_heap_objects()
    kept = state.stop_cache.get(_KEY)
    if isinstance(kept, tuple) and kept[0] == limit:
        return kept[1], kept[2], kept[3]
    layout = state.current_target().layout
    runtime = state.runtime_anchor()
    inferior = gdb.selected_inferior()
    mem = BlockReader(GdbReader(inferior))
    target = Target(mem, layout)
    census, walk = take_census(target, mem, runtime, limit, _progress(from_tty))
    major, minor, micro = layout.version
    fields: Dict[str, Any] = {"kind": "gdb", "pid": inferior.pid or None, "core": None, "executable": None,
                              "python": f"{major}.{minor}" + (f".{micro}{layout.release}" if micro >= 0 else "")}
    resident = _resident(inferior)
    if resident:
        fields["resident_bytes"] = resident
    if census.partial != "interrupted":  # an interrupted walk is not kept: the next command walks again
        state.stop_cache[_KEY] = (limit, census, walk, fields)
    return census, walk, fields


def _resident(inferior: "gdb.Inferior") -> Optional[int]:
    """VmRSS of a live local process (gdb's "native" connection), else None (a core, a remote target)."""
    connection = getattr(inferior, "connection", None)
    if not inferior.pid or getattr(connection, "type", None) != "native":
        return None
    from ...direct.procfs import resident_bytes

    return resident_bytes(inferior.pid)


def _int_option(words: List[str], i: int, name: str) -> int:
    if i + 1 >= len(words):
        raise gdb.GdbError(f"{name} needs a value")
    try:
        value = int(words[i + 1], 10)
    except ValueError:
        value = -1
    if value < 0:
        raise gdb.GdbError(f"{name}: not a count: {words[i + 1]!r}")
    return value


class PyHeap(PyCommand):
    """Count the live Python objects by type, largest first.

Usage: py-heap [--top N] [--sort bytes|count]
       py-heap --type NAME [--limit K]

Every object on the cyclic collector's lists (each interpreter's three
generations and the permanent one), and the objects they refer to that
the collector does not track (str, int, float, bytes, tuples and dicts of
those), each counted once; bytes as sys.getsizeof counts them. --type
lists instances of one type (module.Class, or a builtin's name) with
their repr(). The walk stops at `set cpython max-heap-objects` (default
50 million) and Ctrl-C stops it early; the census then says it is partial.
Also: cpython-gdb heap PID|CORE, without gdb (and its --diff)."""

    name = "py-heap"
    takes_arguments = True

    def invoke(self, argument: str, from_tty: bool) -> None:
        self._from_tty = from_tty
        super().invoke(argument, from_tty)

    def run(self, argument: str) -> None:
        words = argv(argument)
        top, sort, type_name, limit = heap_text.DEFAULT_TOP, "bytes", None, 20
        i = 0
        while i < len(words):
            word = words[i]
            if word == "--top":
                top = _int_option(words, i, word)
            elif word == "--limit":
                limit = _int_option(words, i, word)
            elif word == "--sort":
                if i + 1 >= len(words) or words[i + 1] not in heap_text.SORTS:
                    raise gdb.GdbError("--sort takes bytes or count")
                sort = words[i + 1]
            elif word == "--type":
                if i + 1 >= len(words):
                    raise gdb.GdbError("--type needs a type name")
                type_name = words[i + 1]
            else:
                raise gdb.GdbError(f"{self.name}: unknown argument {word!r} (see: help {self.name})")
            i += 2
        census, walk, fields = heap_walk(getattr(self, "_from_tty", False))
        if type_name is not None:
            entry = instances_entry(walk, type_name, limit, state.limits())
            if not entry["count"]:
                similar = find_type_names(walk, type_name)
                hint = f" (did you mean {', '.join(similar)}?)" if similar else ""
                raise gdb.GdbError(f"{self.name}: no object of type {type_name!r} in the heap{hint}")
            for line in heap_text.instances_lines(entry):
                write(line)
            return
        for line in heap_text.census_lines(census_document(census, fields), top, sort):
            write(line)


class PyRefs(PyCommand):
    """List the objects that refer to the object at ADDR, and how.

Usage: py-refs ADDR [--chain]

Among the objects py-heap counts: each referrer with the way it holds the
object (list item 3, dict value for key 'cache', attribute 'parent').
--chain follows referrers up to a module or a class: what keeps the
object alive. References py-heap does not read (a frame's locals from
3.11, a C extension's fields) end a chain early."""

    name = "py-refs"
    takes_arguments = True

    def invoke(self, argument: str, from_tty: bool) -> None:
        self._from_tty = from_tty
        super().invoke(argument, from_tty)

    def run(self, argument: str) -> None:
        words = argv(argument)
        chain = "--chain" in words
        rest = [w for w in words if w != "--chain"]
        if len(rest) != 1:
            raise gdb.GdbError(f"usage: {self.name} ADDR [--chain]")
        try:
            address = int(gdb.parse_and_eval(rest[0]))
        except (gdb.error, ValueError):
            raise gdb.GdbError(f"{self.name}: not an address: {rest[0]!r}") from None
        if address <= 0:
            raise gdb.GdbError(f"{self.name}: not an address: {rest[0]!r}")
        _, walk, _ = heap_walk(getattr(self, "_from_tty", False))
        entry = referrers_entry(walk, address & ((1 << 64) - 1), chain, state.limits())
        for line in heap_text.referrers_lines(entry):
            write(line)
