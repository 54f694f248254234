"""What the adapter knows about the current target, and when to forget it.

The layout lasts until the program's files change; the Target (and its
memory cache) lasts for one stop.
"""

from typing import Dict, Optional, Set, Tuple

import gdb

from ..engine.layout import Layout, choose_layout
from ..engine.limits import Limits
from ..engine.memory import CachedReader
from ..engine.report.text import printable
from ..engine.target import Target
from ..errors import CpythonGdbError, NoInterpreter
from .dwarf import DwarfTypeInfo, runtime_block
from .lookup import runtime_address, symbol_address, target_version
from .parameters import current_limits
from .reader import GdbReader, forget_mappings

# Both by inferior number: each inferior may run another program.
_layouts: Dict[int, Tuple[Layout, int]] = {}  # layout and _PyRuntime address
_targets: Dict[int, Target] = {}
_said: Set[str] = set()  # what was told about the target's version, once each
_quiet = False  # set when announce() found no CPython: not again until the files change
_secrets: Dict[int, Optional[Tuple[int, int]]] = {}  # _Py_HashSecret's key, by inferior


# What a command worked out at this stop and may use again before the target runs (the heap walk).
stop_cache: Dict[str, object] = {}


def forget_stop(_event: object = None) -> None:
    _targets.clear()
    stop_cache.clear()
    forget_mappings()


def forget_all(_event: object = None) -> None:
    global _quiet
    _layouts.clear()
    _secrets.clear()
    _quiet = False
    forget_stop()


def _load_layout() -> Tuple[Layout, int]:
    inferior = gdb.selected_inferior()
    known = _layouts.get(inferior.num)
    if known is not None:
        return known
    if inferior.pid == 0 and not _has_core():
        raise NoInterpreter("no process: start, attach to or load a core of a Python program")
    runtime = runtime_address()
    major, minor, micro, release = target_version(runtime)
    block = runtime_block(runtime)
    layout = choose_layout(
        (major, minor, micro),
        CachedReader(GdbReader(inferior)),
        runtime,
        types=DwarfTypeInfo(block) if block is not None else None,
        release=release,
    )
    _layouts[inferior.num] = (layout, runtime)
    _say(f"cpython-gdb: {layout.description}")
    if layout.warning:
        _say(f"cpython-gdb: warning: {layout.warning}")
    return layout, runtime


def _say(line: str) -> None:
    if line not in _said:
        _said.add(line)
        gdb.write(printable(line) + "\n")  # the version text is read from the target


def announce(_event: object = None) -> None:
    """Say which CPython the target runs, if there is one to say now.

    Called when the extension loads and at each stop, so that the line
    comes before the output of whatever command follows.
    """
    global _quiet
    if _quiet or gdb.selected_inferior().num in _layouts:
        return
    try:
        _load_layout()
    except (CpythonGdbError, gdb.error):
        _quiet = True


def _has_core() -> bool:
    try:
        return bool(gdb.selected_inferior().threads())
    except gdb.error:
        return False


def current_target() -> Target:
    """The Target of the selected inferior at this stop."""
    layout, _ = _load_layout()
    inferior = gdb.selected_inferior()
    target = _targets.get(inferior.num)
    if target is None:
        target = Target(CachedReader(GdbReader(inferior)), layout)
        _targets[inferior.num] = target
    return target


def stop_target() -> Optional[Target]:
    """The Target of the selected inferior if a command made one at this stop (None: none did)."""
    return _targets.get(gdb.selected_inferior().num)


def runtime() -> int:
    return _load_layout()[1]


def limits() -> Limits:
    return current_limits()


def hash_secret() -> Optional[Tuple[int, int]]:
    """The process's str hash key (k0, k1) from _Py_HashSecret, or None where it cannot be read.

    It is drawn once at start-up and never changes: read once per inferior.
    """
    inferior = gdb.selected_inferior().num
    if inferior not in _secrets:
        secret = None
        address = symbol_address("_Py_HashSecret")
        if address is not None:
            try:
                data = current_target().reader.read(address, 16)
                secret = (int.from_bytes(data[:8], "little"), int.from_bytes(data[8:], "little"))
            except (CpythonGdbError, gdb.error):
                secret = None
        _secrets[inferior] = secret
    return _secrets[inferior]


def connect_events() -> None:
    events = gdb.events
    for name in ("stop", "cont", "memory_changed", "inferior_call", "register_changed"):
        registry = getattr(events, name, None)
        if registry is not None:
            registry.connect(forget_stop)
    events.stop.connect(announce)
    # gdb.Frame objects held in the caches must not outlive gdb's frames.
    for name in ("new_objfile", "clear_objfiles", "exited", "new_inferior", "gdb_exiting"):
        registry = getattr(events, name, None)
        if registry is not None:
            registry.connect(forget_all)
