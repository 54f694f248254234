"""engine/elf/symbols.py names code addresses as gdb's minimal symbols do; engine/native/dwarfexpr.py
evaluates the CFA expressions of PLT stubs.

Names are checked against gdb's own ``info symbol`` on the same file
(link-time addresses, no process): in functions, at their first bytes,
past their ends, and in PLT stubs (``NAME@plt``), for a libpython with its
.symtab, Debian's stripped python3.11 and libc (.dynsym, and the .symtab
of their separate debug files).
"""

import re
import subprocess
from pathlib import Path
from typing import List, Optional

import pytest

from cpython_gdb.engine.elf.image import ElfFile
from cpython_gdb.engine.elf.symbols import FunctionSymbols
from cpython_gdb.engine.native.cfi import EXPRESSION, RSP, EhFrame
from cpython_gdb.engine.native.dwarfexpr import evaluate
from cstack_check import comparable_name
from harness import GDB, PYTHONS, VERSIONS

LIBC = Path("/lib/x86_64-linux-gnu/libc.so.6")
DEBIAN = Path("/usr/bin/python3.11")


def _files() -> List[Path]:
    found = [path for version in VERSIONS[-1:]
             for path in sorted((PYTHONS[version].parent.parent / "lib").glob("libpython3*.so.1.0"))]
    return found + [path for path in (DEBIAN, LIBC) if path.exists()]


def _addresses(path: Path) -> List[int]:
    """Function starts, addresses inside and just past functions, and PLT stubs, by link-time address."""
    frame = EhFrame(str(path))
    starts = [frame._hdr_vaddr + start for start in frame._starts]
    picked = starts[:: max(1, len(starts) // 60)]
    out = []
    for start in picked:
        out += [start, start + 1, start + 37]
    with open(path, "rb") as f:
        for name, sh in ElfFile(f, str(path)).sections:
            if name in (".plt", ".plt.got", ".plt.sec") and sh[9]:
                out += [sh[3] + i * sh[9] + 3 for i in range(1, min(20, sh[5] // sh[9]))]
    return out


def _gdb_names(path: Path, addresses: List[int]) -> List[Optional[str]]:
    argv = [GDB, "-q", "-batch", "-nx", str(path)]
    for address in addresses:
        argv += ["-ex", f"info symbol {address:#x}"]
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300).stdout
    lines = [line for line in out.splitlines() if " in section " in line or line.startswith("No symbol")]
    assert len(lines) == len(addresses), out[-2000:]
    return [None if line.startswith("No symbol") else re.sub(r" \+ \d+$", "", line.split(" in section ")[0])
            for line in lines]


@pytest.mark.parametrize("path", _files() or [pytest.param(None, marks=pytest.mark.skip(reason="no files"))], ids=str)
def test_names_as_gdb_gives_them(path: Path) -> None:
    addresses = _addresses(path)
    symbols = FunctionSymbols(str(path))
    theirs = _gdb_names(path, addresses)
    ours = [symbols.name_at(address) for address in addresses]
    differ = [(hex(a), o, t) for a, o, t in zip(addresses, ours, theirs) if comparable_name(o) != comparable_name(t)]
    assert not differ, differ[:10]
    assert any(name and name.endswith("@plt") for name in ours)


def test_plt_cfa_expression() -> None:
    """glibc's PLT rule: the stub pushes its index after its first jump (byte 11 on): CFA = rsp + 8, then 16."""
    libpython = next((p for p in _files() if p.name.startswith("libpython")), None)
    if libpython is None:
        pytest.skip("no shared libpython")
    with open(libpython, "rb") as f:
        plt = next(sh for name, sh in ElfFile(f, str(libpython)).sections if name == ".plt")
    frame = EhFrame(str(libpython))
    stub = plt[3] + 16  # the first stub after PLT0
    for offset, pushed in ((0, 0), (6, 0), (11, 8), (15, 8)):
        rule = frame.rule(stub + offset, expressions=True)
        assert rule is not None and rule[0] == EXPRESSION
        assert evaluate(rule[1], {RSP: 0x7000}, stub + offset, lambda a: 0) == 0x7000 + 8 + pushed
