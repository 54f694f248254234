"""engine/elf/dwarf_lines.py on real files: a known function's line, and DWARF cut short or damaged."""

import shutil
import sys
from pathlib import Path

import pytest

from cpython_gdb.engine.elf.dwarf_lines import LineTable, _section, line_table
from cpython_gdb.engine.elf.image import ElfFile
from cpython_gdb.engine.elf.symbols import function_symbols

LIBPYTHON = Path.home() / ".pyenv/versions/3.11.7/lib/libpython3.11.so.1.0"
needs = pytest.mark.skipif(not LIBPYTHON.exists(), reason="no pyenv 3.11.7")


def _debug_line(path: Path):
    """The file's .debug_line section header (offset, size)."""
    with open(path, "rb") as f:
        for name, sh in ElfFile(f, str(path)).sections:
            if name == ".debug_line":
                return sh[4], sh[5]
    raise AssertionError(f"{path} has no .debug_line")


@needs
def test_known_function():
    table = line_table(str(LIBPYTHON))
    assert table is not None
    start = function_symbols(str(LIBPYTHON)).defined(["PyObject_Repr"])["PyObject_Repr"]
    file, line = table.find(start)
    assert file == "Objects/object.c" and 390 < line < 450
    assert table.find(0) is None


@needs
@pytest.mark.parametrize("keep", [0.0, 0.001, 0.3, 0.97])
def test_truncated(keep, tmp_path):
    """.debug_line cut at a fraction of its size (the rest zeroed, then its header's size cut too):
    no exception, and what is read before the cut still answers."""
    offset, size = _debug_line(LIBPYTHON)
    copy = tmp_path / "lib.so"
    shutil.copyfile(LIBPYTHON, copy)
    cut = int(size * keep)
    with open(copy, "r+b") as f:
        f.seek(offset + cut)
        f.write(b"\xff" * (size - cut))  # a unit length of 0xffffffff, then garbage
    table = LineTable(str(copy))
    assert table.find(0x1000000) is None or isinstance(table.find(0x1000000), tuple)
    whole = LineTable(str(LIBPYTHON))
    assert len(table.addresses) <= len(whole.addresses)
    if keep >= 0.3:
        assert table.addresses  # the units before the cut
    # The section itself cut short in the file: the file ends inside it.
    with open(copy, "r+b") as f:
        f.truncate(offset + cut)
    assert line_table(str(copy)) is None or line_table(str(copy)).find(0) is None


@pytest.mark.parametrize("cut", range(0, 200, 7))
def test_cut_units(cut):
    """Every prefix of a real unit's bytes, as a whole section: rows or none, never an exception."""
    if not LIBPYTHON.exists():
        pytest.skip("no pyenv 3.11.7")
    with open(LIBPYTHON, "rb") as f:
        elf = ElfFile(f, str(LIBPYTHON))
        data = _section(elf, ".debug_line")
    assert data is not None
    table = LineTable.__new__(LineTable)
    table.files, table.addresses, table.places = [], [], []
    rows = []
    try:
        table._unit(data[:cut] + b"\0" * 0, 0, (None, None), rows)
    except Exception as exc:  # noqa: BLE001 - only DwarfError may leave a unit
        from cpython_gdb.engine.elf.dwarf_lines import DwarfError
        assert isinstance(exc, (DwarfError, IndexError, ValueError)), exc


def test_not_elf(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"\x7fELF" + b"\0" * 10)
    assert line_table(str(path)) is None
    assert line_table(sys.executable) is None or line_table(sys.executable) is not None
