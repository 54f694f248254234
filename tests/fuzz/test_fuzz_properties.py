"""Property tests (hypothesis) of the pure decoders over random bytes.

What may come out of a decoder fed garbage is a value or one of our own
errors: CpythonGdbError (and its subclasses) for everything that reads
target memory, plus each parser's documented one where it has its own
(``ValueError`` of the line-table decoders, which their one caller turns
into "no line"; ``cfi_records.Unsupported``, on which the unwinder falls back to
the debugger; ``corefile.CoreError``, one line for the user). Never an
IndexError, struct.error, OverflowError or RecursionError, never a hang.

The quick tier runs QUICK_EXAMPLES examples of each (derandomized, so the
same ones every run); ``--fuzz-cases N`` runs N of each with new ones.
"""

import json
import os
import struct
import sys
import tempfile
import time
from typing import List, Tuple

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cpython_gdb.direct.core import CoreMemory, core_mappings
from cpython_gdb.direct.documents import Process, build, os_thread
from cpython_gdb.direct.symbols import FoundRuntime
from cpython_gdb.engine.elf.corefile import CoreError, CoreFile
from cpython_gdb.engine.frames.code import line_of, read_code
from cpython_gdb.engine.frames.linetable import KINDS, line_for_offset, positions_for_offset
from cpython_gdb.engine.frames.walk import walk_frames
from cpython_gdb.engine.layout import choose_layout, table_layout
from cpython_gdb.engine.layout.debug_offsets import COOKIE, read_debug_offsets
from cpython_gdb.engine.layout.schemes import SUPPORTED
from cpython_gdb.engine.layout.sources import load_table
from cpython_gdb.engine.limits import Limits
from cpython_gdb.engine.memory import CachedReader
from cpython_gdb.engine.model import CodeInfo
from cpython_gdb.engine.native.cfi import EhFrame
from cpython_gdb.engine.native.cfi_records import Unsupported
from cpython_gdb.engine.objects import object_repr
from cpython_gdb.engine.pyexc import read_exception, thread_exceptions
from cpython_gdb.engine.report.text import render
from cpython_gdb.engine.runtime.anchor import Runtime
from cpython_gdb.engine.runtime.tstate import read_thread
from cpython_gdb.engine.target import Target
from cpython_gdb.errors import CpythonGdbError, MemoryReadError

MINORS = [minor for major, minor in SUPPORTED if (major, minor) >= (3, 8)]
# Seconds one example may take: a decoder's work is bounded by the limits,
# whatever the bytes say (a generous bound: the machine is shared).
SLOW = 5.0


# -- a random memory image -------------------------------------------------------

BASE = 0x10000
STRIDE = 0x10000
TYPE_NAMES = ("int", "bool", "str", "bytes", "bytearray", "float", "complex", "list", "tuple", "dict", "set",
              "frozenset", "NoneType", "code", "function", "method", "builtin_function_or_method", "module", "frame",
              "cell", "generator", "coroutine", "type", "ValueError", "Foo", "collections.OrderedDict", "?")


class Image:
    """Blocks of random bytes at fixed addresses; a read outside them fails, as an unmapped page does.

    Each word is read by its low three bits: 001 and 101 make it a pointer
    into a block (to its start half the time: an object there has a type),
    010 a small count (0-15), 110 a byte-sized one, 011 zero, so that garbage links up
    into structures of plausible sizes that the decoders follow far, as
    corrupt memory does; any other word stays random.
    """

    def __init__(self, blocks: List[bytes], types: List[Tuple[str, int]], type_size: int) -> None:
        self.blocks: List[Tuple[int, bytearray]] = []
        count = len(blocks) + len(types)
        for i, raw in enumerate(blocks):
            data = bytearray(raw)
            for at in range(0, len(data) - 7, 8):
                (word,) = struct.unpack_from("<Q", data, at)
                low = word & 7
                if low in (1, 5):
                    target = (word >> 3) % count
                    offset = 0 if word & (1 << 11) else ((word >> 12) % 512) & ~7
                    struct.pack_into("<Q", data, at, BASE + target * STRIDE + offset)
                elif low == 2:
                    struct.pack_into("<Q", data, at, (word >> 3) % 16)
                elif low == 6:
                    struct.pack_into("<Q", data, at, (word >> 3) % 256)
                elif low == 3:
                    struct.pack_into("<Q", data, at, 0)
            self.blocks.append((BASE + i * STRIDE, data))
        # Type objects: tp_name a real name, tp_flags random; the rest is the first block's bytes.
        self.names_at = BASE + count * STRIDE
        names = bytearray()
        self.types = []
        for j, (name, flags) in enumerate(types):
            data = bytearray(type_size)
            head = self.blocks[0][1]
            data[: min(len(head), type_size)] = head[:type_size]
            self.types.append((BASE + (len(blocks) + j) * STRIDE, data, len(names), flags))
            names += name.encode() + b"\0"
        for address, data, _, _ in self.types:
            self.blocks.append((address, data))
        self.blocks.append((self.names_at, names))

    def place_types(self, layout) -> None:
        name_off = layout.off("PyTypeObject.tp_name")
        flags_off = layout.off("PyTypeObject.tp_flags")
        type_of = layout.off("PyObject.ob_type")
        for address, data, name_offset, flags in self.types:
            struct.pack_into("<QQ", data, 0, 1, address)  # a type's type: itself
            struct.pack_into("<Q", data, name_off, self.names_at + name_offset)
            struct.pack_into("<Q", data, flags_off, flags)
        # Every other block starts as an object of one of the types.
        for i, (_, data) in enumerate(self.blocks[: -len(self.types) - 1]):
            if self.types and len(data) >= type_of + 8 and data[0] & 1 == 0:
                struct.pack_into("<Q", data, type_of, self.types[i % len(self.types)][0])

    def read(self, address: int, size: int) -> bytes:
        for start, data in self.blocks:
            if start <= address and address + size <= start + len(data):
                return bytes(data[address - start: address - start + size])
        raise MemoryReadError(address, size)

    def addresses(self) -> List[int]:
        return [start for start, _ in self.blocks] + [start + 8 * k for start, data in self.blocks[:2]
                                                      for k in range(1, min(len(data) // 8, 6))]


FLAG_BITS = st.sampled_from([1 << 24, 1 << 25, 1 << 26, 1 << 27, 1 << 28, 1 << 29, 1 << 30, 1 << 31, 1 << 9,
                             (1 << 9) | (1 << 4), (1 << 9) | (1 << 2), 0])


@st.composite
def images(draw, minor=None):
    blocks = draw(st.lists(st.binary(min_size=8, max_size=600), min_size=2, max_size=7))
    types = draw(st.lists(st.tuples(st.sampled_from(TYPE_NAMES),
                                    st.one_of(FLAG_BITS, st.integers(0, (1 << 64) - 1))), min_size=1, max_size=5))
    return blocks, types


def _image(data, layout) -> Image:
    blocks, types = data
    image = Image(blocks, types, layout.sizes.get("PyTypeObject", 416))
    image.place_types(layout)
    return image


def _random_target(minor, data) -> Tuple[Image, Target]:
    """A random memory image laid out for CPython 3.MINOR's table, and a Target reading it."""
    layout = table_layout((3, minor, 0))
    image = _image(data, layout)
    return image, Target(CachedReader(image), layout)


def _bounded(fn, *args):
    """Call ``fn``; only our own errors may come out, and not slowly."""
    start = time.monotonic()
    try:
        result = fn(*args)
    except CpythonGdbError:
        result = None
    assert time.monotonic() - start < SLOW, f"{fn.__name__} took {time.monotonic() - start:.1f} s"
    return result


# -- objects, frames, threads, exceptions, the whole report ------------------------


@pytest.mark.parametrize("minor", MINORS)
@given(data=images())
def test_objects_over_random_memory(minor, data):
    image, target = _random_target(minor, data)
    for address in image.addresses():
        text = _bounded(object_repr, target, address, Limits(max_output=4096))
        assert text is None or isinstance(text, str)
        if text is not None:
            assert len(text) <= 4096 + 64


@pytest.mark.parametrize("minor", MINORS)
@given(data=images())
def test_frames_threads_and_exceptions_over_random_memory(minor, data):
    image, target = _random_target(minor, data)
    limits = Limits(max_frames=200)
    for address in image.addresses()[:6]:
        _bounded(walk_frames, target, address, 200)
        _bounded(read_thread, target, address, limits)
        _bounded(thread_exceptions, target, address, limits)
        _bounded(read_exception, target, address, limits)
        code = _bounded(read_code, target, address)
        if code is not None:
            assert _bounded(line_of, target, code, 6) is None or isinstance(line_of(target, code, 6), int)


@pytest.mark.parametrize("minor", MINORS)
@given(data=images(), with_cookie=st.booleans())
def test_direct_report_over_random_memory(minor, data, with_cookie):
    """The gdb-free dump's whole pipeline: runtime, interpreters, threads, frames, locals, text and JSON."""
    layout = table_layout((3, minor, 0))
    image = _image(data, layout)
    runtime = image.blocks[0][0]
    if with_cookie and minor >= 13:
        # _Py_DebugOffsets' header: the offsets that follow are the random bytes.
        head = image.blocks[0][1]
        head[:24] = COOKIE + struct.pack("<QQ", (3 << 24) | (minor << 16), 0)[:16].ljust(16, b"\0")
    threads = [os_thread(100, "main", None), os_thread(101, None, None)]
    fields = {"kind": "process", "pid": 100, "core": None, "executable": "/bin/python"}
    try:
        start = time.monotonic()
        found = FoundRuntime(Runtime(runtime), (3, minor, 0, ""), "python")
        doc, _ = build(image, found, threads, Process(fields, [], "python"), True, "state", Limits())
        assert time.monotonic() - start < SLOW
    except CpythonGdbError:
        return
    json.dumps(doc)
    assert all(isinstance(line, str) for line in render(doc))


# -- line tables -------------------------------------------------------------------


@given(kind=st.sampled_from(KINDS), table=st.binary(max_size=2048), firstlineno=st.integers(-(1 << 31), 1 << 31),
       offset=st.integers(-4, 1 << 14))
def test_line_tables(kind, table, firstlineno, offset):
    try:
        line = line_for_offset(kind, table, firstlineno, offset)
    except ValueError:  # the decoders' documented error: line_of() makes it "no line"
        line = None
    assert line is None or isinstance(line, int)
    try:
        positions = positions_for_offset(table, firstlineno, offset)
    except ValueError:
        positions = (None,) * 4
    assert len(positions) == 4


@pytest.mark.parametrize("minor", MINORS)
@given(table=st.binary(max_size=1024), firstlineno=st.integers(-(1 << 31), (1 << 31) - 1),
       offset=st.integers(-4, 1 << 14))
def test_line_of_never_raises(minor, table, firstlineno, offset):
    layout = table_layout((3, minor, 0))
    target = Target(Image([b"\0" * 8, b"\0" * 8], [], 416), layout)
    code = CodeInfo(address=0x1000, filename="f.py", name="f", qualname="f", firstlineno=firstlineno,
                    local_names=(), local_kinds=(), arguments=(), linetable=table,
                    first_traceable=0)
    line = line_of(target, code, offset)
    assert line is None or isinstance(line, int)


@given(table=st.lists(st.tuples(st.integers(0, 255), st.integers(0, 255)), max_size=2000))
def test_line_tables_linear(table):
    """A long garbage table costs one pass: no example may be slow."""
    raw = bytes(b for pair in table for b in pair) * 16
    start = time.monotonic()
    for kind in KINDS:
        try:
            line_for_offset(kind, raw, 1, len(raw))
        except ValueError:
            pass
    assert time.monotonic() - start < SLOW


# -- _Py_DebugOffsets ---------------------------------------------------------------


DEBUG_MINORS = [minor for minor in MINORS if load_table(3, minor).debug_fields]


@pytest.mark.parametrize("minor", DEBUG_MINORS)
@given(body=st.binary(min_size=0, max_size=4096), version=st.one_of(st.just(None), st.integers(0, (1 << 64) - 1)),
       free_threaded=st.integers(0, 3), words=st.dictionaries(st.integers(0, 511), st.integers(0, (1 << 64) - 1)))
def test_debug_offsets(minor, body, version, free_threaded, words):
    fields = load_table(3, minor).debug_fields
    raw = bytearray(body.ljust(max(fields.values()) + 8, b"\0"))
    for index, value in words.items():
        if 8 * index + 8 <= len(raw):
            struct.pack_into("<Q", raw, 8 * index, value)
    hexversion = (3 << 24) | (minor << 16) if version is None else version
    raw[:24] = COOKIE + struct.pack("<QQ", hexversion, free_threaded)
    image = Image([bytes(raw[: max(8, len(body))]) if body else b"\0" * 8], [], 416)
    image.blocks = [(BASE, raw)]
    try:
        found = read_debug_offsets(image, BASE, fields)
    except CpythonGdbError:
        return
    if found is not None:
        assert all(0 <= off < (1 << 20) for off in found.offsets.values())
    try:
        layout = choose_layout((3, minor, 0), image, BASE)
    except CpythonGdbError:
        return
    assert layout.version == (3, minor, 0)


# -- .eh_frame CFA programs -----------------------------------------------------------


def _uleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def eh_frame_elf(initial: bytes, program: bytes, pc_start: int, pc_range: int, augmentation: bytes = b"zR",
                 encoding: int = 0x1B) -> bytes:
    """A minimal x86-64 ELF file: one load segment, .eh_frame_hdr with one entry, a CIE and an FDE."""
    hdr_at, eh_at = 0x100, 0x200
    aug_data = bytes([encoding]) if b"R" in augmentation else b""
    cie_body = (struct.pack("<I", 0) + b"\x01" + augmentation + b"\0" + _uleb(1) + b"\x78" + b"\x10"
                + (_uleb(len(aug_data)) + aug_data if augmentation.startswith(b"z") else b"") + initial)
    cie_body += b"\0" * (-(len(cie_body) + 4) % 8)
    cie = struct.pack("<I", len(cie_body)) + cie_body
    fde_at = eh_at + len(cie)
    # pc_begin: pc-relative sdata4 from its own position (fde_at + 8).
    fde_body = struct.pack("<I", len(cie) + 4) + struct.pack("<i", pc_start - (fde_at + 8))
    fde_body += struct.pack("<i", pc_range) + (_uleb(0) if augmentation.startswith(b"z") else b"") + program
    fde_body += b"\0" * (-(len(fde_body) + 4) % 8)
    fde = struct.pack("<I", len(fde_body)) + fde_body
    eh = cie + fde + b"\0\0\0\0"
    hdr = bytes([1, 0x1B, 0x03, 0x3B]) + struct.pack("<i", eh_at - (hdr_at + 4)) + struct.pack("<I", 1)
    hdr += struct.pack("<ii", pc_start - hdr_at, fde_at - hdr_at)
    size = eh_at + len(eh)
    ehdr = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + b"\0" * 9, 3, 62, 1, 0, 64, 0, 0, 64, 56, 2,
                       64, 0, 0)
    load = struct.pack("<IIQQQQQQ", 1, 5, 0, 0, 0, size, size, 0x1000)
    gnu_eh = struct.pack("<IIQQQQQQ", 0x6474E550, 4, hdr_at, hdr_at, hdr_at, len(hdr), len(hdr), 4)
    image = bytearray(size)
    image[:64] = ehdr
    image[64:64 + 112] = load + gnu_eh
    image[hdr_at:hdr_at + len(hdr)] = hdr
    image[eh_at:eh_at + len(eh)] = eh
    return bytes(image)


CFA_OPS = st.lists(st.one_of(
    st.binary(min_size=1, max_size=4),
    st.sampled_from([b"\x0c\x07\x08", b"\x0e\x10", b"\x86\x02", b"\x0a", b"\x0b", b"\x41", b"\x02\x05",
                     b"\x90\x01", b"\x07\x10", b"\xc6", b"\x0d\x06", b"\x2e\x08", b"\x12\x07\x7f", b"\x13\x7f",
                     b"\x14\x03\x02", b"\x09\x10\x03", b"\x0f\x02\x77\x08", b"\x16\x10\x01\x00", b"\x80\x80\x80"])),
    max_size=24)


PATCHES = st.lists(st.tuples(st.integers(0, 0x300), st.binary(min_size=1, max_size=8)), max_size=3)


@given(initial=CFA_OPS, program=CFA_OPS, pc_range=st.integers(-8, 1 << 20),
       pcs=st.lists(st.integers(-4, 300), min_size=1, max_size=6), patches=PATCHES,
       augmentation=st.sampled_from([b"zR", b"zPLR", b"", b"zS"]))
def test_cfa_programs(initial, program, pc_range, pcs, patches, augmentation):
    data = bytearray(eh_frame_elf(b"".join(initial), b"".join(program), 0x1000, pc_range, augmentation))
    for offset, raw in patches:
        data[offset:offset + len(raw)] = raw
    fd, path = tempfile.mkstemp(prefix="cpython-gdb-cfi-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            frame = EhFrame(path)
        except Unsupported:
            return
        except (OSError, ValueError, IndexError, struct.error):
            # The constructor's failures are caught as a whole by unwind.eh_frame(), which
            # reads files, not target memory: only rule() must keep to Unsupported.
            return
        for pc in pcs:
            start = time.monotonic()
            try:
                rule = frame.rule(0x1000 + pc)
            except Unsupported:
                continue
            assert time.monotonic() - start < SLOW
            assert rule is None or (len(rule) == 4 and all(isinstance(x, int) for x in rule[:3]))
    finally:
        os.unlink(path)


# -- core files ------------------------------------------------------------------------


def _note(kind: int, desc: bytes, name: bytes = b"CORE") -> bytes:
    name += b"\0"
    return (struct.pack("<III", len(name), len(desc), kind) + name + b"\0" * (-len(name) % 4) + desc
            + b"\0" * (-len(desc) % 4))


def synthetic_core(pid: int = 4242) -> bytes:
    """A small x86-64 core: notes (PRSTATUS, PRPSINFO, SIGINFO, AUXV, FILE) and two PT_LOAD segments."""
    prstatus = bytearray(336)
    struct.pack_into("<h", prstatus, 12, 11)
    struct.pack_into("<i", prstatus, 32, pid)
    struct.pack_into("<Q", prstatus, 112 + 21 * 8, 0x7F0000001000)
    prpsinfo = bytearray(136)
    struct.pack_into("<i", prpsinfo, 24, pid)
    prpsinfo[40:56] = b"python3".ljust(16, b"\0")
    prpsinfo[56:136] = b"/usr/bin/python3 -c pass".ljust(80, b"\0")
    siginfo = struct.pack("<iii", 11, 0, 1) + b"\0" * 4 + struct.pack("<Q", 0xDEAD) + b"\0" * 104
    auxv = struct.pack("<QQQQQQ", 9, 0x400100, 31, 0x600010, 0, 0)
    files = struct.pack("<QQ", 2, 4096) + struct.pack("<QQQ", 0x400000, 0x401000, 0)
    files += struct.pack("<QQQ", 0x500000, 0x501000, 1) + b"/usr/bin/python3\0/lib/libpython3.so\0"
    notes = (_note(1, bytes(prstatus)) + _note(3, bytes(prpsinfo)) + _note(0x53494749, siginfo)
             + _note(6, auxv) + _note(0x46494C45, files))
    phnum = 3
    notes_at = 64 + 56 * phnum
    load_at = notes_at + len(notes)
    load_at += -load_at % 16
    segments = [(0x400000, 4096, 5), (0x600000, 4096, 6)]
    phdrs = struct.pack("<IIQQQQQQ", 4, 0, notes_at, 0, 0, len(notes), 0, 4)
    offset = load_at
    for vaddr, size, flags in segments:
        phdrs += struct.pack("<IIQQQQQQ", 1, flags, offset, vaddr, 0, size, size, 4096)
        offset += size
    ehdr = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + b"\0" * 9, 4, 62, 1, 0, 64, 0, 0, 64, 56, phnum,
                       64, 0, 0)
    data = bytearray(offset)
    data[:64] = ehdr
    data[64:64 + len(phdrs)] = phdrs
    data[notes_at:notes_at + len(notes)] = notes
    execfn = load_at + 4096 + 0x10  # AT_EXECFN's string, in the second segment
    data[execfn:execfn + 17] = b"/usr/bin/python3\0"
    return bytes(data)


SYNTHETIC = synthetic_core()


def _exercise_core(path: str) -> None:
    """Every reading of a core: a core without NT_PRPSINFO (its notes cut short, or the note retyped)
    among them (issue 16: argv0 raised IndexError there)."""
    try:
        core = CoreFile(path)
    except CoreError:
        return
    core.describe()
    core.truncation_message()
    core.executable_names()
    assert core.signal is None or isinstance(core.signal, int)
    for seg in core.segments[:4]:
        for address, size in ((seg.vaddr, 16), (seg.vaddr + seg.filesz - 4, 8), (seg.vaddr, 1 << 20)):
            core.read(address, size)
            core.read_string(address)
    _, _, name = core.executable()
    mappings = core_mappings(core, name, None)
    with CoreMemory(core, mappings) as memory:
        # In a segment, and in the mapped files (NT_FILE) that stand for what the core lacks.
        starts = [seg.vaddr for seg in core.segments[:4]] + [mapped.start for mapped in core.files[:4]]
        for start in starts:
            for address in (start, start + 8, 0x400000):
                try:
                    memory.read(address, 64)
                except CpythonGdbError:
                    pass


def test_core_files():
    @given(patches=st.lists(st.tuples(st.integers(0, len(SYNTHETIC) - 1), st.binary(min_size=1, max_size=8)),
                            max_size=6),
           words=st.lists(st.tuples(st.integers(0, 200), st.sampled_from(
               [0, 1, 0xFFFF, 1 << 31, 1 << 40, 1 << 62, (1 << 63) + 5, (1 << 64) - 1])), max_size=3),
           cut=st.one_of(st.none(), st.integers(0, len(SYNTHETIC))))
    def check(patches, words, cut):
        data = bytearray(SYNTHETIC)
        for offset, raw in patches:
            data[offset:offset + len(raw)] = raw
        for index, value in words:
            # A whole word of a header or note: offsets, sizes and counts out of range.
            at = 8 * index
            if at + 8 <= len(data):
                struct.pack_into("<Q", data, at, value)
        if cut is not None:
            del data[cut:]
        _with_file(bytes(data))

    check()


def test_random_files_as_cores():
    @given(data=st.binary(max_size=4096), elf_header=st.booleans())
    def check(data, elf_header):
        raw = bytearray(data)
        if elf_header:
            raw[:64] = SYNTHETIC[:64]
        assume(raw)
        _with_file(bytes(raw))

    check()


def _with_file(data: bytes) -> None:
    fd, path = tempfile.mkstemp(prefix="cpython-gdb-core-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        _exercise_core(path)
    finally:
        os.unlink(path)


def test_synthetic_core_reads():
    """The synthetic core the tests above mutate is a core CoreFile reads whole."""
    fd, path = tempfile.mkstemp(prefix="cpython-gdb-core-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(SYNTHETIC)
        core = CoreFile(path)
        assert (core.pid, core.fname, len(core.threads), len(core.segments), len(core.files)) == \
            (4242, "python3", 1, 2, 2)
        assert core.threads[0].fs_base == 0x7F0000001000
        assert core.execfn == "/usr/bin/python3"
        assert not core.truncated
    finally:
        os.unlink(path)


def test_eh_frame_elf_is_read():
    """The generated ELF file's FDE gives the rule its program says."""
    # def_cfa rsp+8, ra at cfa-8; advance 4; def_cfa_offset 16; rbp at cfa-16.
    elf = eh_frame_elf(b"\x0c\x07\x08\x90\x01", b"\x44\x0e\x10\x86\x02", 0x1000, 0x40)
    fd, path = tempfile.mkstemp(prefix="cpython-gdb-cfi-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(elf)
        frame = EhFrame(path)
        assert frame.rule(0x1000) == (7, 8, -8, ())
        assert frame.rule(0x1005) == (7, 16, -8, ((6, "at", -16),))
    finally:
        os.unlink(path)



def _patched_core(edits) -> str:
    data = bytearray(SYNTHETIC)
    for offset, raw in edits:
        data[offset:offset + len(raw)] = raw
    fd, path = tempfile.mkstemp(prefix="cpython-gdb-core-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path


# Where the synthetic core keeps what these tests corrupt: its program
# headers (PT_NOTE first, then the two PT_LOAD), and NT_FILE's table.
PHDR = 64
P_OFFSET = 8


def test_core_offsets_past_what_a_file_holds():
    """Offsets from a core's own headers past the file, or past 2^63, read as nothing (found by the campaign:
    CoreFile raised ValueError from seek() for the notes, OSError from read() for a segment)."""
    notes_far = _patched_core([(PHDR + P_OFFSET, struct.pack("<Q", (1 << 63) + 5))])
    segment_far = _patched_core([(PHDR + 56 + P_OFFSET, struct.pack("<Q", 1 << 48))])
    try:
        core = CoreFile(notes_far)
        assert (core.threads, core.pid) == ([], None)  # no notes read
        core = CoreFile(segment_far)
        assert core.read(0x400000, 16) is None and core.read_string(0x400000) is None
        assert core.read(0x600000, 4) == b"\0" * 4  # the other segment is whole
    finally:
        os.unlink(notes_far)
        os.unlink(segment_far)


def test_mapped_file_offset_past_2_63():
    """A mapped file's offset (NT_FILE) over 2^63 is unreadable memory, not an OverflowError (found by the
    campaign in direct/core.py)."""
    at = SYNTHETIC.index(struct.pack("<QQQ", 0x500000, 0x501000, 1))
    path = _patched_core([(at + 16, struct.pack("<Q", (1 << 63) // 4096 + 1))])
    try:
        core = CoreFile(path)
        assert core.files[1].path == "/lib/libpython3.so"
        # A file that opens stands for it (this interpreter), or the read would end before pread().
        memory = CoreMemory(core, core_mappings(core, "/lib/libpython3.so", sys.executable))
        with memory, pytest.raises(MemoryReadError):
            memory.read(0x500000, 64)
    finally:
        os.unlink(path)
