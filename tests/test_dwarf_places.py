"""engine/elf/dwarf_places.py against gdb itself: the inlined calls, source files and lines at code addresses.

For random addresses in the code of each interpreter's libpython (and of
Debian's python3.11 and libc through their separate debug files), the
frames our DWARF readers say run there (engine/elf/dwarf_info.py: the
calls inlined there; dwarf_lines.py: the line, as gdb picks it among the
rows of several files) must be gdb's, as gdb's own symbol look-ups give
them in a batch session (dwarf_oracle.py). gdb names a frame's outermost
function from its minimal symbol where DWARF calls it otherwise (a
``.constprop.0`` clone); the direct backend names physical frames by
their ELF symbols too, so that name is not compared. Then damaged DWARF:
any cut or overwrite gives answers or none, never an exception.
"""

import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List

import pytest

import sid
from cpython_gdb.engine.elf import dwarf_places
from cpython_gdb.engine.elf.dwarf import sections
from cpython_gdb.engine.elf.dwarf_places import Places
from cpython_gdb.engine.elf.image import ElfFile
from cpython_gdb.engine.elf.symbols import function_symbols
from harness import PYTHONS, version_params

ORACLE = Path(__file__).resolve().parent / "dwarf_oracle.py"
SAMPLES = 200  # addresses per file
DEBIAN = Path("/usr/bin/python3.11")
LIBC = Path("/lib/x86_64-linux-gnu/libc.so.6")


def libpython(version: str) -> Path:
    """The file that holds the interpreter's code: its libpython (every build here is --enable-shared)."""
    exe = PYTHONS[version]
    found = sorted((exe.parent.parent / "lib").glob(f"libpython{version}*.so.1.0"))
    assert found, f"no libpython for {exe}"
    return found[0]


def text_addresses(path: Path, count: int, seed: int) -> List[int]:
    with open(path, "rb") as f:
        text = [sh for name, sh in ElfFile(f, str(path)).sections if name == ".text"]
    assert text, f"{path} has no .text"
    start, size = text[0][3], text[0][5]
    rng = random.Random(seed)
    return sorted(rng.randrange(start, start + size) for _ in range(count))


def gdb_places(path: Path, addresses: List[int], tmp_path: Path) -> Dict[str, list]:
    listing = tmp_path / "addresses"
    listing.write_text(" ".join(f"{a:#x}" for a in addresses))
    done = subprocess.run(["gdb", "-nx", "-batch", "-ex", f"source {ORACLE}", str(path)], capture_output=True,
                          text=True, timeout=300, env=dict(os.environ, DWARF_ORACLE_ADDRESSES=str(listing)))
    lines = [line for line in done.stdout.splitlines() if line.startswith("DWARF-ORACLE ")]
    assert len(lines) == 1, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(lines[0][len("DWARF-ORACLE "):])


def compare(path: Path, tmp_path: Path, seed: int = 1) -> None:
    addresses = text_addresses(path, SAMPLES, seed)
    theirs = gdb_places(path, addresses, tmp_path)
    ours = Places(str(path))
    differ = []
    for address in addresses:
        mine = [list(place) for place in ours.at(address)]
        expected = theirs[f"{address:#x}"]
        if len(mine) == 1 and mine[0][0] is None and not expected:
            mine = []  # no function's block holds it, for either: the line alone (gdb's frame shows it too)
        if mine and expected:  # the physical frame's function is named by its ELF symbol (see the docstring)
            mine[-1][0] = expected[-1][0] = None
        for place in mine[1:]:
            if place[2] is not None and place[2] > 0xFFFF:
                place[2] &= 0xFFFF  # gdb 13 keeps an inlined call's line in 16 bits (deepfreeze.c, jit_stencils)
        if mine != expected:
            differ.append(f"{address:#x}: ours {mine}, gdb {expected}")
    assert not differ, f"{len(differ)} of {len(addresses)} differ in {path}:\n" + "\n".join(differ[:8])
    assert any(len(ours.at(a)) > 1 for a in addresses), "no inlined call among the addresses: a weak sample"


@pytest.mark.parametrize("version", version_params())
def test_libpython_as_gdb(version, tmp_path):
    compare(libpython(version), tmp_path)


def sid_files() -> List[object]:
    """Debian sid's interpreters (tools/sid_root.sh): 3.14's release build, link-time optimised, through
    the DWARF of its separate debug file (read as a file of its own), and the 3.14d/3.15d debug builds."""
    reason = sid.unavailable()
    debug = None
    if not reason:
        with open(sid.inside(Path("/usr/bin/python3.14")), "rb") as f:
            build_id = ElfFile(f, "python3.14").build_id()
        if build_id is not None:
            name = build_id.hex()
            debug = str(sid.inside(Path(f"/usr/lib/debug/.build-id/{name[:2]}/{name[2:]}.debug")))
    cases = [(debug, "sid-3.14")]
    cases += [(str(sid.inside(Path(f"/usr/lib/x86_64-linux-gnu/libpython{v}d.so.1.0"))), f"sid-{v}d")
              for v in ("3.14", "3.15")]
    return [pytest.param(None if reason else path, reason, id=name) for path, name in cases]


@pytest.mark.parametrize("path,reason", sid_files())
def test_sid_as_gdb(path, reason, tmp_path):
    if reason or path is None or not Path(path).exists():
        pytest.skip(reason or "no debug file for sid's python3.14 (tools/sid_root.sh installs python3.14-dbg)")
    compare(Path(path), tmp_path)


@pytest.mark.parametrize("path", [DEBIAN, LIBC], ids=["debian-python3.11", "libc"])
def test_separate_debug_file_as_gdb(path, tmp_path):
    """Code whose DWARF is in a separate, compressed debug file (python3.11-dbg's, libc6-dbg's), link-time
    optimised (references across units) in Debian's python3.11."""
    found = sections(str(path))
    if found is None or found.path == str(path):
        pytest.skip(f"no separate debug file for {path}: .ci/run installs python3.11-dbg and libc6-dbg")
    compare(path, tmp_path)


def test_known_function():
    path = libpython("3.12")
    start = function_symbols(str(path)).defined(["PyObject_Repr"])["PyObject_Repr"]
    places = Places(str(path)).at(start)
    assert places[-1][0] == "PyObject_Repr" and places[-1][1] == "Objects/object.c"
    assert Places(str(path)).at(0) == []


def _section_span(path: Path, name: str):
    with open(path, "rb") as f:
        for section_name, sh in ElfFile(f, str(path)).sections:
            if section_name == name:
                return sh[4], sh[5]
    raise AssertionError(f"{path} has no {name}")


@pytest.mark.parametrize("section", [".debug_line", ".debug_info", ".debug_abbrev", ".debug_aranges",
                                     ".debug_rnglists", ".debug_str"])
@pytest.mark.parametrize("damage", ["zeros", "ones", "random", "cut"])
def test_damaged(section, damage, tmp_path, monkeypatch):
    """A section overwritten from a third of the way in (or the file cut there): answers or none, for
    every address, never an exception."""
    source = libpython("3.12")
    copy = tmp_path / source.name
    shutil.copyfile(source, copy)
    offset, size = _section_span(copy, section)
    at = offset + size // 3
    with open(copy, "r+b") as f:
        if damage == "cut":
            f.truncate(at)
        else:
            f.seek(at)
            rest = size - size // 3
            f.write(b"\0" * rest if damage == "zeros" else b"\xff" * rest if damage == "ones"
                    else random.Random(7).randbytes(rest))
    monkeypatch.setattr(dwarf_places, "_PLACES", {})
    found = dwarf_places.places(str(copy))
    for address in text_addresses(source, 60, 3):
        result = [] if found is None else found.at(address)
        assert isinstance(result, list)
        assert all(len(place) == 3 for place in result)
