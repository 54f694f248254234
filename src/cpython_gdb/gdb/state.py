"""What the adapter knows about the current target, and when to forget it.

The layout lasts until the program's files change; the Target (and its
memory cache) lasts for one stop.
"""

from typing import Dict, Optional, Tuple

import gdb

from ..errors import NoInterpreter
from ..layout import Layout, build_layout, table_layout
from ..limits import Limits
from ..memory import CachedReader
from ..target import Target
from .dwarf import DwarfTypeInfo, runtime_block
from .reader import GdbReader
from .version import detect_version, runtime_address

_layout: Optional[Layout] = None
_runtime: Optional[int] = None
_targets: Dict[int, Target] = {}  # by inferior number


def forget_stop(_event: object = None) -> None:
    _targets.clear()


def forget_all(_event: object = None) -> None:
    global _layout, _runtime
    _layout = None
    _runtime = None
    _targets.clear()


def _load_layout() -> Tuple[Layout, int]:
    global _layout, _runtime
    if _layout is not None and _runtime is not None:
        return _layout, _runtime
    if gdb.selected_inferior().pid == 0 and not _has_core():
        raise NoInterpreter("no process: start, attach to or load a core of a Python program")
    runtime = runtime_address()
    version = detect_version()
    block = runtime_block(runtime)
    if block is not None:
        layout = build_layout(version, DwarfTypeInfo(block), "DWARF")
    else:
        # No debug info (a stripped or distro build): the tables generated
        # from the DWARF of the same minor version.
        layout = table_layout(version)
    _layout, _runtime = layout, runtime
    return layout, runtime


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


def runtime() -> int:
    return _load_layout()[1]


def limits() -> Limits:
    from .parameters import current_limits

    return current_limits()


def connect_events() -> None:
    events = gdb.events
    for name in ("stop", "cont", "memory_changed", "inferior_call", "register_changed"):
        registry = getattr(events, name, None)
        if registry is not None:
            registry.connect(forget_stop)
    # gdb.Frame objects held in the caches must not outlive gdb's frames.
    for name in ("new_objfile", "clear_objfiles", "exited", "new_inferior", "gdb_exiting"):
        registry = getattr(events, name, None)
        if registry is not None:
            registry.connect(forget_all)
