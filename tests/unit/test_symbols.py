"""engine/elf/image.py, as direct/symbols.py uses it: finding symbols through a GNU hash table gives what
reading the whole table gives."""

from pathlib import Path
from typing import List

import pytest

from cpython_gdb.direct.symbols import ElfImage
from cpython_gdb.engine.elf.image import SHT_GNU_HASH, _gnu_hash
from harness import PYTHONS, SID_ROOT

NAMES = ("_PyRuntime", "Py_Version", "Py_Initialize", "PyUnicode_Type", "no_such_symbol_here", "malloc")


def _images() -> List[Path]:
    """Interpreters and libpythons at hand, as the dump reads them (libpython first, else the executable)."""
    found: List[Path] = []
    for exe in PYTHONS.values():
        found.append(exe)
        found += sorted(exe.parent.parent.glob("lib/libpython3*.so.1.0"))
    found.append(Path("/usr/bin/python3.11"))
    found += sorted((SID_ROOT / "usr" / "lib" / "x86_64-linux-gnu").glob("libpython3*.so.1.0"))
    return [path for path in found if path.is_file()]


def test_gnu_hash_function() -> None:
    assert _gnu_hash(b"") == 5381
    assert _gnu_hash(b"a") == (5381 * 33 + ord("a"))
    assert _gnu_hash(b"\xff" * 64) < 1 << 32  # kept to 32 bits


@pytest.mark.parametrize("path", _images() or [pytest.param(None, marks=pytest.mark.skip(reason="no CPython found"))],
                         ids=str)
def test_hashed_lookup_equals_the_full_scan(path: Path) -> None:
    image = ElfImage([str(path)])
    assert any(sh[1] == SHT_GNU_HASH for _, sh in image.sections)  # so the hashed path is the one tested
    with open(path, "rb") as f:
        image._file = f
        hashed = image.lookup(NAMES)
        scanned = image.lookup(NAMES, hashed=False)
    assert hashed == scanned
    if "libpython" in path.name:
        assert "_PyRuntime" in hashed
