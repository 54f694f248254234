"""engine/elf/image.py, as direct/symbols.py uses it: finding symbols through a GNU hash table gives what
reading the whole table gives."""

from pathlib import Path
from typing import List

import pytest

from cpython_gdb.direct.symbols import ElfImage
from cpython_gdb.engine.elf.image import SHT_GNU_HASH, _gnu_hash
from cpython_gdb.engine.runtime.anchor import interp_head_from_code
from cpython_gdb.errors import MemoryReadError
from harness import PYTHONS, SID_ROOT

NAMES = ("_PyRuntime", "Py_Version", "Py_Initialize", "PyUnicode_Type", "no_such_symbol_here", "malloc",
         "_PyThreadState_Current", "interp_head")


def _images() -> List[Path]:
    """Interpreters and libpythons at hand, as the dump reads them (libpython first, else the executable)."""
    found: List[Path] = []
    for exe in PYTHONS.values():
        found.append(exe)
        found += sorted(exe.parent.parent.glob("lib/libpython[23]*.so.1.0"))
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
        # 2.7 and 3.6 have no _PyRuntime: their statics stand for it.
        assert "_PyRuntime" in hashed or {"_PyThreadState_Current", "interp_head"} <= set(hashed)


class _Code:
    """Memory holding ``code`` at ``at``, and nothing else."""

    def __init__(self, code: bytes, at: int) -> None:
        self.code, self.at = code, at

    def read(self, address: int, size: int) -> bytes:
        if not self.at <= address <= address + size <= self.at + len(self.code):
            raise MemoryReadError(address, size)
        return self.code[address - self.at : address - self.at + size]


def test_interp_head_from_the_code_of_PyInterpreterState_Head() -> None:
    # 3.6.15's: mov 0x18a349(%rip),%rax; ret (then padding), at 0x174b90 -> interp_head at 0x2feee0.
    code = bytes.fromhex("488b0549a31800c3") + bytes.fromhex("0f1f840000000000")
    assert interp_head_from_code(_Code(code, 0x174B90), 0x174B90) == 0x2FEEE0
    # With CET's endbr64 first, and a negative displacement.
    cet = bytes.fromhex("f30f1efa488b05f0ffffffc3") + bytes(4)
    assert interp_head_from_code(_Code(cet, 0x1000), 0x1000) == 0x1000 + 11 - 16
    # 3.7's reads _PyRuntime through the GOT, then a field: not this.
    assert interp_head_from_code(_Code(bytes.fromhex("488b05c1f11100488b4018c3") + bytes(4), 0), 0) is None
    assert interp_head_from_code(_Code(b"", 0), 0) is None  # unreadable
