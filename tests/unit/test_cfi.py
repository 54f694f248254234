"""native.cfi's rules against binutils' reading of the same .eh_frame or .debug_frame (readelf -wF), row by row.

For every FDE of each interpreter's libpython (and of the C library) that
readelf decodes into a table, our rule at each row's first address and at
the last address before the next row must say what readelf's row says:
the CFA, the return address and each register saved. Rows readelf shows
as DWARF expressions must be Unsupported (the debugger's case).
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cpython_gdb.engine.native.cfi import SIGNAL, EhFrame
from cpython_gdb.engine.native.cfi_records import RA, Unsupported
from harness import PYTHONS, version_params

REGISTERS = {"rax": 0, "rdx": 1, "rcx": 2, "rbx": 3, "rsi": 4, "rdi": 5, "rbp": 6, "rsp": 7,
             **{f"r{n}": n for n in range(8, 16)}, "ra": RA}
LIBC = Path("/lib/x86_64-linux-gnu/libc.so.6")
FDE = re.compile(r"^\S+ \S+ \S+ FDE cie=\S+ pc=([0-9a-f]+)\.\.([0-9a-f]+)$")


def _libpython(minor):
    found = sorted((PYTHONS[minor].parent.parent / "lib").glob(f"libpython{minor}*.so.1.0"))
    return found[0] if found else PYTHONS[minor]


def _tables(path):
    """readelf's rows: [(start, end, [(loc, cfa, {column: rule})])] per FDE with a table.

    Its exit status is not checked: it fails on a missing separate debug file (libc's
    .gnu_debuglink) after printing .eh_frame; the count of tables below catches a real failure.
    """
    argv = ["readelf", "-wF", str(path)]
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    fdes = []
    current = header = None
    for line in out.splitlines():
        match = FDE.match(line)
        if match:
            current = (int(match.group(1), 16), int(match.group(2), 16), [])
            fdes.append(current)
            header = None
        elif " CIE " in line:
            current = header = None
        elif line.strip().startswith("LOC") and current is not None:
            header = line.split()[2:]
        elif header is not None and current is not None and re.match(r"^[0-9a-f]{16} ", line):
            fields = line.split()
            current[2].append((int(fields[0], 16), fields[1], dict(zip(header, fields[2:]))))
    return [fde for fde in fdes if fde[2]]


def _expected(cfa, columns):
    """What our rule must be for one readelf row (None: it must be Unsupported)."""
    if "+" not in cfa or any("exp" in rule or "(" in rule for rule in columns.values()):
        return None  # expressions
    register, _, offset = cfa.partition("+")
    saved = []
    for name, rule in columns.items():
        number = REGISTERS[name]
        if number == RA:
            continue
        if rule[0] == "c":
            saved.append((number, "at", int(rule[1:])))
        elif rule[0] == "v":
            saved.append((number, "is", int(rule[1:])))
    ra = columns.get("ra", "c-8")
    if ra == "u":
        return "outermost"  # no caller (a new thread's first frame)
    if not ra.startswith("c"):
        return None  # the return address not on the stack (hand-written assembly)
    return REGISTERS[register], int(offset), int(ra[1:]), sorted(saved)


def _ours(frame, pc):
    try:
        rule = frame.rule(pc)
    except Unsupported:
        return None
    if rule is SIGNAL:
        # A signal trampoline's rules are expressions: native/sigframe.py reads the signal frame.
        return "signal frame"
    if rule is None:
        return "outermost"
    cfa_reg, cfa_off, ra_off, saved = rule
    return cfa_reg, cfa_off, ra_off, sorted((reg, how, value) for reg, how, value in saved if how != "undef")


@pytest.mark.skipif(shutil.which("readelf") is None, reason="readelf (binutils) is not installed")
@pytest.mark.parametrize("which", [*version_params(), "libc"])
def test_rules_match_readelf(which):
    path = LIBC if which == "libc" else _libpython(which)
    tables = _tables(path)
    assert len(tables) > 500, f"readelf decoded only {len(tables)} FDE tables of {path}"
    assert _compared(EhFrame(str(path)), path, tables) > 5000


# Functions whose rules differ: callee-saved registers pushed, a frame
# pointer for a variable-length array, calls through pointers, a leaf.
DEBUG_FRAME_SOURCE = """
#include <string.h>
typedef long (*fn)(long);
long leaf(long x) { return x * 3 + 1; }
long saves(fn f, long a, long b, long c) { long x = f(a), y = f(b), z = f(c); return f(x + y) + z * a + b; }
long vla(fn f, int n) { long buf[n]; memset(buf, 0, sizeof buf); for (int i = 0; i < n; i++) buf[i] = f(i);
                        return buf[n / 2] + f(buf[0]); }
long many(fn f, long a) { long r[6]; for (int i = 0; i < 6; i++) r[i] = f(a + i);
                          return f(r[0] * r[1]) + f(r[2] ^ r[3]) + f(r[4] - r[5]); }
"""


@pytest.mark.skipif(shutil.which("readelf") is None or shutil.which("gcc") is None,
                    reason="readelf (binutils) or gcc is not installed")
@pytest.mark.parametrize("optimize", ["-O0", "-O2"])
def test_debug_frame_rules_match_readelf(optimize, tmp_path):
    """A library built without unwind tables but with -g: its rules are in .debug_frame alone, which
    EhFrame reads for the pcs its (empty) .eh_frame does not cover."""
    source, library = tmp_path / "rules.c", tmp_path / "librules.so"
    source.write_text(DEBUG_FRAME_SOURCE)
    subprocess.run(["gcc", "-shared", "-fPIC", optimize, "-g", "-fno-asynchronous-unwind-tables",
                    "-fno-unwind-tables", "-o", str(library), str(source)], check=True)
    tables = _tables(library)
    assert len(tables) >= 3, f"readelf decoded only {len(tables)} FDE tables of {library}"
    assert _compared(EhFrame(str(library)), library, tables) >= 8


def _compared(frame, path, tables):
    """How many pcs our rules and readelf's tables agree on (it fails where one does not)."""
    checked = 0
    for _, end, rows in tables:
        for index, (loc, cfa, columns) in enumerate(rows):
            if loc >= end:
                continue  # a row readelf prints for the address past the function's end
            last = (rows[index + 1][0] if index + 1 < len(rows) else end) - 1
            if any(rule[0] in "r(" for rule in columns.values()):
                # A register held in another register: readelf's table shows
                # the other columns of such rows wrongly (glibc's clone).
                continue
            expected = _expected(cfa, columns)
            for pc in {loc, last}:
                ours = _ours(frame, pc)
                if ours != "signal frame":
                    assert ours == expected, f"{path} at {pc:#x} (row {loc:#x}: {cfa} {columns})"
                    checked += 1
    return checked


def _corrupted_copies(source, directory):
    """Truncated copies of an ELF file, and copies with bytes of .eh_frame_hdr and .eh_frame overwritten."""
    data = source.read_bytes()
    frame = EhFrame(str(source))
    hdr_at = data.find(b"\x01\x1b\x03\x3b")  # version 1 and the usual encodings start .eh_frame_hdr
    assert hdr_at > 0
    eh_at = frame._eh_vaddr - (frame._loads[0][1] - frame._loads[0][0])  # first segment maps offset 0
    cuts = [0, 10, 64, 100, 1000, hdr_at + 2, hdr_at + 9, hdr_at + 40, eh_at + 5, eh_at + 3000]
    for size in cuts:
        path = directory / f"cut-{size}"
        path.write_bytes(data[:size])
        yield path
    for name, at, fill in (("hdr-count", hdr_at + 8, b"\xff\xff\xff\x7f"), ("hdr-enc", hdr_at + 1, b"\x07"),
                           ("cie", eh_at + 8, b"\xff" * 64), ("fdes", eh_at + 2000, b"\xa5" * 4000)):
        path = directory / name
        path.write_bytes(data[:at] + fill + data[at + len(fill):])
        yield path


def test_malformed_files_are_unsupported(tmp_path):
    """A truncated or damaged file gives Unsupported (or a rule), never another exception."""
    from cpython_gdb.engine.native.unwind import eh_frame

    good = EhFrame(str(LIBC))
    pcs = [good._hdr_vaddr + start for start in good._starts[:: max(1, len(good._starts) // 300)]]
    for path in _corrupted_copies(LIBC, tmp_path):
        try:
            frame = eh_frame(str(path))
        except Unsupported:
            continue
        for pc in pcs:
            try:
                frame.rule(pc + 1)
            except Unsupported:
                pass
    with pytest.raises(Unsupported):
        eh_frame(str(tmp_path / "missing"))
    with pytest.raises(Unsupported):
        eh_frame("/dev/zero")


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
def test_damaged_debug_frame_is_unsupported(tmp_path):
    """Copies of a library whose .debug_frame is cut short or has bytes overwritten: each pc gives a rule or
    Unsupported, never another exception (seeded, 300 copies)."""
    import random

    from cpython_gdb.engine.elf.image import ElfFile

    source, library = tmp_path / "rules.c", tmp_path / "librules.so"
    source.write_text(DEBUG_FRAME_SOURCE)
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-g", "-fno-asynchronous-unwind-tables",
                    "-fno-unwind-tables", "-o", str(library), str(source)], check=True)
    data = library.read_bytes()
    with library.open("rb") as f:
        header = next(sh for name, sh in ElfFile(f, str(library)).sections if name == ".debug_frame")
    offset, size = header[4], header[5]
    pcs = [start + delta for start, end, _ in _tables(library) for delta in (0, 1, 4, 9, end - start - 1)]
    rng = random.Random(1403)
    for copy in range(300):
        damaged = bytearray(data)
        if copy % 3 == 0:  # the section's bytes past a point zeroed: a record cut short
            cut = rng.randrange(size)
            damaged[offset + cut:offset + size] = bytes(size - cut)
        else:
            for _ in range(rng.randrange(1, 8)):
                damaged[offset + rng.randrange(size)] = rng.randrange(256)
        path = tmp_path / f"damaged-{copy}.so"
        path.write_bytes(bytes(damaged))
        frame = EhFrame(str(path))
        for pc in pcs:
            try:
                frame.rule(pc, expressions=copy % 2 == 0)
                frame.function_start(pc)
            except Unsupported:
                pass
        path.unlink()
