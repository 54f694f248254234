"""Parsing _Py_DebugOffsets from memory, and choosing a layout without DWARF.

The struct is built here from the generated 3.14 and 3.15 tables: each
published field gets the value the table (DWARF of the real interpreter)
has for it, so a correct parser gives back exactly the table's offsets.
"""

import struct
import sys
from pathlib import Path
from typing import Dict, Optional, Tuple

import pytest

try:
    from cpython_gdb.errors import MemoryReadError
except ImportError:  # running from a checkout without an install
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    from cpython_gdb.errors import MemoryReadError

from cpython_gdb.engine.layout import choose_layout
from cpython_gdb.engine.layout.debug_offsets import OFFSETS, SIZES, read_debug_offsets, split_hexversion
from cpython_gdb.engine.layout.sources import load_table
from cpython_gdb.errors import UnsupportedVersion

RUNTIME = 0x10000


class Memory:
    def __init__(self, blob: bytes, at: int = RUNTIME) -> None:
        self.blob = blob
        self.at = at

    def read(self, address: int, size: int) -> bytes:
        lo = address - self.at
        if lo < 0 or lo + size > len(self.blob):
            raise MemoryReadError(address, size)
        return self.blob[lo : lo + size]


def blob_for(minor: int, hexversion: int, free_threaded: int = 0, override: Optional[Dict[str, int]] = None) -> bytes:
    table = load_table(3, minor)
    fields = table.debug_fields
    out = bytearray(max(fields.values()) + 8)
    struct.pack_into("<8sQQ", out, 0, b"xdebugpy", hexversion, free_threaded)
    for name, at in fields.items():
        value = 64  # a sane size for every other section
        if name in OFFSETS and OFFSETS[name] in table.offsets:
            value = table.offsets[OFFSETS[name]]
        elif name in SIZES and SIZES[name] in table.sizes:
            value = table.sizes[SIZES[name]]
        elif name.endswith(".size"):
            value = 1 << 16
        value = (override or {}).get(name, value)
        struct.pack_into("<Q", out, at, value)
    return bytes(out)


@pytest.mark.parametrize("minor, hexversion", [(14, 0x030E0AF0), (15, 0x030F02F0)])
def test_parsed_offsets_are_the_tables(minor: int, hexversion: int) -> None:
    table = load_table(3, minor)
    memory = Memory(blob_for(minor, hexversion))
    parsed = read_debug_offsets(memory, RUNTIME, table.debug_fields)
    assert parsed is not None and not parsed.free_threaded
    assert parsed.version == split_hexversion(hexversion)[:3]
    assert parsed.offsets and all(table.offsets[k] == v for k, v in parsed.offsets.items())
    layout = choose_layout(parsed.version, memory, RUNTIME)
    assert layout.source == "_Py_DebugOffsets" and layout.warning is None
    assert layout.description == f"CPython 3.{minor}.{parsed.version[2]} (layout from _Py_DebugOffsets)"
    # What the struct does not publish comes from the table.
    assert layout.off("PyDictKeysObject.dk_nentries") == table.offsets["PyDictKeysObject.dk_nentries"]


def test_newer_minor_runs_with_a_warning() -> None:
    memory = Memory(blob_for(15, 0x031000A1))  # 3.16.0a1
    version: Tuple[int, int, int] = (3, 16, 0)
    layout = choose_layout(version, memory, RUNTIME, release="a1")
    assert layout.source == "_Py_DebugOffsets"
    assert layout.description == "CPython 3.16.0a1 (layout from _Py_DebugOffsets)"
    assert layout.warning is not None and "reading it as 3.15" in layout.warning
    assert "\n" not in layout.warning


def test_newer_minor_without_debug_offsets_is_refused() -> None:
    with pytest.raises(UnsupportedVersion):
        choose_layout((3, 16, 0), Memory(bytes(4096)), RUNTIME)


def test_no_cookie_means_the_table() -> None:
    layout = choose_layout((3, 14, 10), Memory(bytes(4096)), RUNTIME)
    assert layout.source == "generated table"


def test_insane_values_are_refused() -> None:
    bad = blob_for(14, 0x030E0AF0, override={"interpreter_frame.size": 1 << 30})
    with pytest.raises(UnsupportedVersion):
        choose_layout((3, 14, 10), Memory(bad), RUNTIME)
    past_end = blob_for(14, 0x030E0AF0, override={"interpreter_frame.owner": 4096})
    with pytest.raises(UnsupportedVersion):
        choose_layout((3, 14, 10), Memory(past_end), RUNTIME)


def test_free_threaded_builds_are_refused() -> None:
    with pytest.raises(UnsupportedVersion):
        choose_layout((3, 14, 10), Memory(blob_for(14, 0x030E0AF0, free_threaded=1)), RUNTIME)


def test_hexversion() -> None:
    assert split_hexversion(0x030F00B2) == (3, 15, 0, "b2")
    assert split_hexversion(0x030D00F0) == (3, 13, 0, "")
