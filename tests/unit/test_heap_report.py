"""The heap census's documents and text, without a process: diff, census and referrer lines, block reads."""

import pytest

from cpython_gdb.engine.heap.blocks import BLOCK, BlockReader
from cpython_gdb.engine.heap.diff import diff_document
from cpython_gdb.engine.report.heap_text import census_lines, diff_lines, human, referrers_lines
from cpython_gdb.errors import MemoryReadError


def doc(types, partial=None, target=None):
    return {"tool": {"name": "cpython-gdb", "format": "cpython-gdb heap"},
            "target": target or {"kind": "process", "pid": 7, "python": "3.12.1", "resident_bytes": 4000},
            "summary": {"objects": sum(c for _, c, _ in types), "bytes": sum(b for _, _, b in types),
                        "tracked": 2, "referenced": sum(c for _, c, _ in types) - 2, "unreadable": 0,
                        "partial": partial, "notes": []},
            "types": [{"type": n, "count": c, "bytes": b} for n, c, b in types]}


def test_diff_lists_the_types_with_more_objects():
    before = doc([("int", 10, 280), ("list", 1, 100), ("str", 5, 250), ("gone", 3, 30)])
    after = doc([("int", 10, 280), ("list", 1, 900), ("str", 4, 200), ("app.Leak", 1000, 48000),
                 ("tuple", 2, 96)])
    diff = diff_document(before, after)
    assert [(e["type"], e["count"], e["bytes"]) for e in diff["grew"]] == [("app.Leak", 1000, 48000),
                                                                           ("tuple", 2, 96)]
    assert [(e["type"], e["bytes"]) for e in diff["bigger"]] == [("list", 800)]
    assert diff["shrank"] == {"types": 2, "objects": -4, "bytes": -80}
    lines = diff_lines(diff, top=1)
    assert lines[0] == "Heap growth from process 7 (CPython 3.12.1) to process 7 (CPython 3.12.1):"
    assert lines[2].split() == ["+1,000", "+48,000", "app.Leak"]
    assert lines[3].split() == ["+2", "+96", "(1", "more", "types", "that", "grew)"]
    assert lines[4] == "more bytes, as many objects: list +800"
    assert lines[-1] == f"total: {diff['total']['objects']:+,} objects, {diff['total']['bytes']:+,} bytes"


def test_census_lines_top_sort_partial_and_escapes():
    census = doc([("a", 1, 900), ("b\x1b[2J", 50, 100), ("c", 20, 50)], partial="interrupted")
    lines = census_lines(census, top=2, sort="count")
    assert lines[0] == "Heap of process 7 (CPython 3.12.1): 71 objects, 1.0 KiB (as sys.getsizeof counts)"
    assert lines[1] == "PARTIAL: interrupted"
    assert [line.split()[2] for line in lines[3:5]] == ["b\\x1b[2J", "c"]
    assert lines[5].split()[2:] == ["(1", "more", "types)"]
    assert lines[6].split()[:3] == ["71", "1,050", "total:"]
    assert lines[7] == "resident size of the process: 3.9 KiB; the census counts 26% of it"
    assert census_lines(census, top=0)[3].split()[2:] == ["(3", "more", "types)"]


def test_human_sizes():
    assert [human(n) for n in (0, 1023, 1024, 5 * 2**20, 3 * 2**30)] == [
        "0 bytes", "1,023 bytes", "1.0 KiB", "5.0 MiB", "3.0 GiB"]


def test_referrer_lines_of_a_frame_local():
    entry = {"object": "0x1000", "more": 0, "chain": [], "root": "held by local 'x' of f() in thread 5",
             "referrers": [{"address": None, "type": "frame", "how": "local 'x' of f() in thread 5"}]}
    assert referrers_lines(entry) == ["Referrers of 0x1000:", "  frame  (local 'x' of f() in thread 5)",
                                      "Kept alive by: held by local 'x' of f() in thread 5"]


def test_referrer_lines_without_referrers_or_root():
    entry = {"object": "0x10 (not an object the census found)", "referrers": [], "more": 0, "chain": [],
             "root": "held by nothing the census reads"}
    assert referrers_lines(entry) == ["Referrers of 0x10 (not an object the census found):",
                                      "  none among the objects the census walks",
                                      "Kept alive by: held by nothing the census reads"]


class Memory:
    """Two readable blocks with an unreadable page in the second."""

    def __init__(self):
        self.reads = []

    def read(self, address, size):
        self.reads.append((address, size))
        hole = 3 * BLOCK + 4096
        if address < 2 * BLOCK or address + size > 4 * BLOCK or (address < hole + 4096 and address + size > hole):
            raise MemoryReadError(address, size)
        return bytes((a // 8) % 256 for a in range(address, address + size))


def test_block_reader_reads_blocks_once_and_pages_around_a_hole():
    memory = Memory()
    mem = BlockReader(memory, max_blocks=1)
    assert mem.u64(2 * BLOCK + 16) == int.from_bytes(bytes([2 % 256] * 8), "little")
    assert mem.read(2 * BLOCK + 8, 8) == bytes([1] * 8)
    assert memory.reads == [(2 * BLOCK, BLOCK)]
    # Across two blocks, the second read by pages around its hole.
    data = mem.read(3 * BLOCK - 8, 16)
    assert data == bytes([(3 * BLOCK - 8) // 8 % 256] * 8 + [(3 * BLOCK) // 8 % 256] * 8)
    with pytest.raises(MemoryReadError):
        mem.read(3 * BLOCK + 4096 + 8, 8)
    assert mem.read(3 * BLOCK + 8192, 8) == bytes([(3 * BLOCK + 8192) // 8 % 256] * 8)
    # One block kept at most: the first was dropped for the second.
    assert len(mem.blocks) == 1
