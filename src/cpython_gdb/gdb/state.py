"""What the adapter knows about the current target, and when to forget it.

The layout lasts until the program's files change; the Target (and its
memory cache) lasts for one stop.
"""

import os
from typing import Dict, List, Optional, Set, Tuple

import gdb

from ..direct.procfs import process_root
from ..engine.layout import Layout, choose_layout
from ..engine.limits import Limits
from ..engine.memory import CachedReader
from ..engine.report.text import printable
from ..engine.runtime.anchor import Runtime
from ..engine.target import Target
from ..errors import CpythonGdbError, NoInterpreter, UnsupportedVersion
from .dwarf import DwarfTypeInfo, runtime_block
from .lookup import find_runtime, symbol_address, target_version
from .parameters import current_limits
from .reader import GdbReader, forget_mappings

# gdb's prefix for a file it reads through the target (a process in another
# mount namespace): "target:/usr/bin/python3".
TARGET_PREFIX = "target:"

# Test-only: set in gdb's environment, it makes the adapter take the
# target's CPython for one it does not know, to test how it steps aside.
PRETEND_UNKNOWN = "CPYTHON_GDB_PRETEND_UNKNOWN"
# Said once, after the reason, where the target's CPython is one we cannot read.
STEPPING_ASIDE = ("cpython-gdb steps aside: its printers show nothing for this program, "
                  "and CPython's own python-gdb.py keeps its py-* commands where it is loaded")

# All by inferior number: each inferior may run another program.
_layouts: Dict[int, Tuple[Layout, Runtime]] = {}  # layout and where the runtime is
_unknown: Dict[int, str] = {}  # why its CPython cannot be read: a version we do not know
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
    _unknown.clear()
    _secrets.clear()
    _quiet = False
    forget_stop()


def _load_layout() -> Tuple[Layout, Runtime]:
    inferior = gdb.selected_inferior()
    known = _layouts.get(inferior.num)
    if known is not None:
        return known
    if inferior.num in _unknown:
        raise UnsupportedVersion(_unknown[inferior.num])
    if inferior.pid == 0 and not _has_core():
        raise NoInterpreter("no process: start, attach to or load a core of a Python program")
    runtime = find_runtime()
    major, minor, micro, release = target_version(runtime.address)
    try:
        if os.environ.get(PRETEND_UNKNOWN):
            raise UnsupportedVersion(f"CPython {major}.{minor} is taken for a version cpython-gdb does not know "
                                     f"({PRETEND_UNKNOWN} is set, for tests)")
        block = runtime_block(runtime.address)
        layout = choose_layout(
            (major, minor, micro),
            CachedReader(GdbReader(inferior)),
            runtime.address,
            types=DwarfTypeInfo(block) if block is not None else None,
            release=release,
        )
    except UnsupportedVersion as exc:
        _unknown[inferior.num] = str(exc)
        _say(f"cpython-gdb: {exc}; {STEPPING_ASIDE}")
        raise
    _layouts[inferior.num] = (layout, runtime)
    _say(f"cpython-gdb: {layout.description}")
    if layout.warning:
        _say(f"cpython-gdb: warning: {layout.warning}")
    return layout, runtime


def _say(line: str) -> None:
    """Say ``line`` once, when it is safe to write (flush_notices).

    The layout may be loaded by a pretty-printer, while gdb is in the middle
    of a line of its own (a stop's `Breakpoint 1, func (v=...`): the notice
    waits for the end of the stop's output, the next prompt or a command.
    """
    if line not in _said:
        _said.add(line)
        _notices.append(printable(line))  # the version text is read from the target


_notices: List[str] = []


def flush_notices(_event: object = None) -> None:
    """Write what _say held back: at a stop (after gdb printed its frame), at the prompt, before a command."""
    if _notices:
        text = "".join(line + "\n" for line in _notices)
        _notices.clear()
        gdb.write(text)


def announce(_event: object = None) -> None:
    """Say which CPython the target runs, if there is one to say now.

    Called when the extension loads and at each stop, so that the line
    comes before the output of whatever command follows.
    """
    global _quiet
    if not _quiet and gdb.selected_inferior().num not in _layouts:
        try:
            _load_layout()
        except (CpythonGdbError, gdb.error):
            _quiet = True
    flush_notices()


def _has_core() -> bool:
    try:
        return bool(gdb.selected_inferior().threads())
    except gdb.error:
        return False


def unknown_version() -> Optional[str]:
    """Why the selected inferior runs a CPython we cannot read (a version we do not know), else None.

    Then the printers return nothing, so that others (CPython's own) print,
    and CPython's python-gdb.py keeps the commands it defines. None also
    where there is no Python program (yet): nothing to step aside for.
    """
    try:
        _load_layout()
    except UnsupportedVersion as exc:
        return str(exc)
    except (CpythonGdbError, gdb.error):
        return None
    return None


def current_target() -> Target:
    """The Target of the selected inferior at this stop."""
    layout, _ = _load_layout()
    inferior = gdb.selected_inferior()
    target = _targets.get(inferior.num)
    if target is None:
        target = Target(CachedReader(GdbReader(inferior)), layout)
        target.source_root = source_root(inferior)
        _targets[inferior.num] = target
    return target


def stop_target() -> Optional[Target]:
    """The Target of the selected inferior if a command made one at this stop (None: none did)."""
    return _targets.get(gdb.selected_inferior().num)
def is_core(inferior: "gdb.Inferior") -> bool:
    connection = getattr(inferior, "connection", None)  # gdb 11+
    if connection is not None:
        return bool(connection.type == "core")
    return inferior.pid == 0 and _has_core()


def sysroot() -> str:
    """gdb's sysroot as a directory here ("" for none, or "target:", the target's own files)."""
    try:
        value = str(gdb.parameter("sysroot") or "")
    except (gdb.error, RuntimeError):
        return ""
    return "" if value.startswith(TARGET_PREFIX) else value


def source_root(inferior: "gdb.Inferior") -> str:
    """Where the target's "/" is here, for its source files (report/source.py).

    A live process's own root (a container's, a chroot's) through /proc,
    if it is not ours; a core's, where the user set a sysroot for its
    libraries (`cpython-gdb core --sysroot`).
    """
    if is_core(inferior):
        return sysroot()
    if inferior.pid and is_native(inferior):
        return process_root(inferior.pid)
    return ""


def is_native(inferior: "gdb.Inferior") -> bool:
    """Whether the process runs on this machine, so that its /proc is ours (not under gdbserver)."""
    connection = getattr(inferior, "connection", None)
    return connection is None or connection.type == "native"


def runtime() -> int:
    """The address of _PyRuntime; for 2.7 and 3.6, of the static interp_head (see runtime_anchor)."""
    return _load_layout()[1].address


def runtime_anchor() -> Runtime:
    """Where the interpreters are, with 2.7 and 3.6's other statics (engine.runtime.anchor)."""
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
    # A notice a printer's load held back (a printed frame argument), said
    # at the prompt; in batch mode, before the next command (PyCommand) or at exit.
    for name in ("before_prompt", "gdb_exiting"):
        registry = getattr(events, name, None)
        if registry is not None:
            registry.connect(flush_notices)
    # gdb.Frame objects held in the caches must not outlive gdb's frames.
    for name in ("new_objfile", "clear_objfiles", "exited", "new_inferior", "gdb_exiting"):
        registry = getattr(events, name, None)
        if registry is not None:
            registry.connect(forget_all)
