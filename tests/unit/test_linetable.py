"""Line-table decoders against the interpreters' own answers, and on garbage.

The fixtures in ``data/linetables-3.X.json`` are written by
``tools/capture_linetables.py`` run under each CPython; see its docstring for
the format.
"""

import json
import random
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

try:
    from cpython_gdb.engine.frames.linetable import KINDS, line_for_offset, positions_for_offset
except ImportError:  # running from a checkout without an install
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    from cpython_gdb.engine.frames.linetable import KINDS, line_for_offset, positions_for_offset

DATA = Path(__file__).resolve().parent / "data"
VERSIONS = ("3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13")
KIND_OF = {
    "3.6": "lnotab",
    "3.7": "lnotab",
    "3.8": "lnotab",
    "3.9": "lnotab",
    "3.10": "linetable310",
    "3.11": "locations311",
    "3.12": "locations311",
    "3.13": "locations311",
}
# A garbage table of this size must be decoded in linear work.
BIG_GARBAGE = 256 * 1024
# The most table bytes one call may look at, per byte of the table: every
# decoder is one pass, reading each byte at most twice.
READS_PER_BYTE = 4

Pos = Tuple[Optional[int], Optional[int], Optional[int], Optional[int]]

_fixtures: Dict[str, Dict[str, Any]] = {}


def fixture(version: str) -> Dict[str, Any]:
    if version not in _fixtures:
        path = DATA / (f"linetables-{version}.json")
        with path.open(encoding="ascii") as f:
            _fixtures[version] = json.load(f)
    return _fixtures[version]


def expected_lines(entry: Dict[str, Any]) -> List[Optional[int]]:
    flat = entry["lines"]
    out: List[Optional[int]] = []
    for i in range(0, len(flat), 2):
        out.extend([flat[i + 1]] * flat[i])
    return out


def expected_positions(entry: Dict[str, Any]) -> List[Pos]:
    flat = entry["positions"]
    out: List[Pos] = []
    prev = entry["first"]
    for i in range(0, len(flat), 5):
        count, dline, dend, col, end_col = flat[i : i + 5]
        line = None if dline is None else prev + dline
        if line is not None:
            prev = line
        end_line = None if dend is None else line + dend
        out.extend([(line, end_line, col, end_col)] * count)
    return out


def codes(version: str) -> Iterator[Tuple[str, bytes, int, Dict[str, Any]]]:
    for entry in fixture(version)["codes"]:
        yield entry["name"], bytes.fromhex(entry["table"]), entry["first"], entry


# ---------------------------------------------------------------------------
# Agreement with the interpreters


@pytest.mark.parametrize("version", VERSIONS)
def test_fixture_is_for_that_version(version: str) -> None:
    fx = fixture(version)
    assert fx["python"].startswith(version + ".")
    assert fx["kind"] == KIND_OF[version]
    assert fx["crosscheck"] == 0, "the interpreter's own APIs disagreed while capturing"
    names = {e["name"] for e in fx["codes"]}
    for synthetic in ("far_jumps", "negative_jumps", "long_lines", "handlers", "big_if"):
        assert any(n.startswith(f"synthetic.{synthetic}.") for n in names), synthetic


@pytest.mark.parametrize("version", VERSIONS)
def test_lines_match_interpreter(version: str) -> None:
    kind = KIND_OF[version]
    checked = 0
    bad: List[str] = []
    for name, table, first, entry in codes(version):
        lines = expected_lines(entry)
        assert len(lines) == entry["size"] // 2, name
        for unit, want in enumerate(lines):
            # Every byte of an instruction belongs to it (odd offsets too).
            for off in (2 * unit, 2 * unit + 1):
                got = line_for_offset(kind, table, first, off)
                checked += 1
                if got != want:
                    bad.append(f"{name} @{off}: got {got!r}, interpreter {want!r}")
    assert not bad, f"{len(bad)} mismatches, first: {bad[:10]}"
    assert checked > 20000


@pytest.mark.parametrize("version", ["3.11", "3.12", "3.13"])
def test_positions_match_interpreter(version: str) -> None:
    checked = 0
    bad: List[str] = []
    for name, table, first, entry in codes(version):
        positions = expected_positions(entry)
        assert len(positions) == entry["size"] // 2, name
        for unit, want in enumerate(positions):
            got = positions_for_offset(table, first, 2 * unit)
            checked += 1
            if got != want:
                bad.append(f"{name} @{2 * unit}: got {got!r}, interpreter {want!r}")
    assert not bad, f"{len(bad)} mismatches, first: {bad[:10]}"
    assert checked > 20000


@pytest.mark.parametrize("version", VERSIONS)
def test_out_of_range_offsets(version: str) -> None:
    kind = KIND_OF[version]
    for _name, table, first, entry in codes(version):
        # A frame that has not started yet reports co_firstlineno.
        assert line_for_offset(kind, table, first, -1) == first
        assert line_for_offset(kind, table, first, -2) == first
        for past in (entry["size"], entry["size"] + 1, 1 << 40):
            got = line_for_offset(kind, table, first, past)
            if kind == "lnotab":
                # Every increment applies: PyCode_Addr2Line's loop never breaks.
                deltas = [d - 256 if d >= 128 else d for d in table[1::2]]
                assert got == first + sum(deltas)
            else:
                assert got is None
        if kind == "locations311":
            assert positions_for_offset(table, first, -2) == (first, first, 0, 0)
            assert positions_for_offset(table, first, entry["size"]) == (None,) * 4


# ---------------------------------------------------------------------------
# Hand-built tables


def test_unknown_kind() -> None:
    for kind in ("", "lnotab ", "locations312", "LNOTAB"):
        with pytest.raises(ValueError):
            line_for_offset(kind, b"", 1, 0)
    with pytest.raises(ValueError):
        line_for_offset(None, b"", 1, 0)  # type: ignore[arg-type]
    assert set(KINDS) == {"lnotab27", "lnotab", "linetable310", "locations311"}


def test_wrong_argument_types() -> None:
    for kind in KINDS:
        for table in (None, "0102", 5, [1, 2]):
            with pytest.raises(ValueError):
                line_for_offset(kind, table, 1, 0)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            line_for_offset(kind, b"", 1, "0")  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            line_for_offset(kind, b"", None, 0)  # type: ignore[arg-type]
        # bytearray / memoryview are accepted as well.
        assert line_for_offset(kind, bytearray(b"\x02\x01"), 1, -1) == 1
        assert line_for_offset(kind, memoryview(b"\x02\x01"), 1, -1) == 1
    with pytest.raises(ValueError):
        positions_for_offset(None, 1, 0)  # type: ignore[arg-type]


def test_lnotab_by_hand() -> None:
    # line 10 for [0, 6), +3 at 6, big jump of +300 then -129 at 300.
    table = bytes([6, 3, 255, 0, 39, 127, 0, 127, 0, 46, 0, 0x80, 0, 0xFF])
    assert line_for_offset("lnotab", table, 10, 0) == 10
    assert line_for_offset("lnotab", table, 10, 5) == 10
    assert line_for_offset("lnotab", table, 10, 6) == 13
    assert line_for_offset("lnotab", table, 10, 299) == 13
    assert line_for_offset("lnotab", table, 10, 300) == 13 + 300 - 129
    assert line_for_offset("lnotab", table, 10, 10**6) == 13 + 300 - 129
    assert line_for_offset("lnotab", b"", 7, 0) == 7
    assert line_for_offset("lnotab", b"", 7, 100) == 7
    # An increment at address 0 applies from offset 0 on.
    assert line_for_offset("lnotab", bytes([0, 2, 4, 1]), 1, 0) == 3
    assert line_for_offset("lnotab", bytes([0, 2, 4, 1]), 1, 4) == 4


def test_lnotab27_by_hand() -> None:
    # 2.7's line increments are unsigned: 0x80 and 0xFF add 128 and 255.
    table = bytes([6, 3, 10, 0x80, 4, 0xFF])
    assert line_for_offset("lnotab27", table, 10, 5) == 10
    assert line_for_offset("lnotab27", table, 10, 6) == 13
    assert line_for_offset("lnotab27", table, 10, 16) == 13 + 128
    assert line_for_offset("lnotab27", table, 10, 20) == 13 + 128 + 255
    assert line_for_offset("lnotab", table, 10, 20) == 13 - 128 - 1  # the same bytes from 3.6 on


# Run by CPython 2.7: every code object of a few modules, with the line
# 2.7's own PyCode_Addr2Line gives at each byte offset of its bytecode.
PROBE27 = """
import ctypes, json, sys
addr2line = ctypes.pythonapi.PyCode_Addr2Line
addr2line.argtypes = [ctypes.py_object, ctypes.c_int]
out = []
def walk(code):
    out.append([code.co_lnotab.encode("hex"), code.co_firstlineno,
                [addr2line(code, off) for off in range(len(code.co_code))]])
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            walk(const)
for name in sys.argv[1:]:
    module = __import__(name, fromlist=["x"])
    path = module.__file__[:-1] if module.__file__.endswith(".pyc") else module.__file__
    walk(compile(open(path).read(), path, "exec", dont_inherit=True))
print(json.dumps(out))
"""


def test_lnotab27_matches_interpreter() -> None:
    """2.7 has no co_lines() nor wordcode: its own C function answers for every byte offset."""
    import subprocess

    from harness import PYTHONS

    if "2.7" not in PYTHONS:
        pytest.skip("no CPython 2.7 under ~/.pyenv/versions")
    out = subprocess.run([str(PYTHONS["2.7"]), "-c", PROBE27, "contextlib", "functools", "json.decoder", "shlex",
                          "tokenize", "inspect"], stdout=subprocess.PIPE, check=True, timeout=120).stdout
    checked = 0
    for table, first, lines in json.loads(out):
        for offset, want in enumerate(lines):
            assert line_for_offset("lnotab27", bytes.fromhex(table), first, offset) == want, (table, first, offset)
            checked += 1
    assert checked > 20000


def test_linetable310_by_hand() -> None:
    # [0,4): no line; [4,6): first+1; length-0 pair: +2; [6,10): first+3 (+0);
    # [10,12): no line; [12,14): first+2 (-1).
    table = bytes([4, 0x80, 2, 1, 0, 2, 4, 0, 2, 0x80, 2, 0xFF])
    want = [None] * 4 + [6] * 2 + [8] * 4 + [None] * 2 + [7] * 2
    got = [line_for_offset("linetable310", table, 5, off) for off in range(len(want))]
    assert got == want
    assert line_for_offset("linetable310", table, 5, 14) is None
    assert line_for_offset("linetable310", table, 5, -1) == 5
    assert line_for_offset("linetable310", b"", 5, 0) is None
    # A computed line of -1 is the interpreter's "no line" too.
    assert line_for_offset("linetable310", bytes([2, 0xFE]), 1, 0) is None
    assert line_for_offset("linetable310", bytes([2, 0xFD]), 1, 0) == -2


# A small independent encoder for location tables, used to build inputs.


def _varint(value: int) -> bytes:
    assert value >= 0
    out = bytearray()
    while value >= 64:
        out.append(0x40 | (value & 63))
        value >>= 6
    out.append(value)
    return bytes(out)


def _svarint(value: int) -> bytes:
    return _varint((-value << 1) | 1 if value < 0 else value << 1)


def _entry(form: int, units: int, payload: bytes = b"") -> bytes:
    assert 1 <= units <= 8
    return bytes([0x80 | (form << 3) | (units - 1)]) + payload


def test_locations311_by_hand() -> None:
    table = b"".join(
        [
            _entry(15, 2),  # [0,4): nothing
            _entry(14, 1, _svarint(3) + _varint(2) + _varint(5) + _varint(0)),  # [4,6)
            _entry(13, 3, _svarint(-2)),  # [6,12)
            _entry(11, 1, bytes([7, 9])),  # [12,14)
            _entry(4, 8, bytes([(5 << 4) | 3])),  # [14,30): col 37..40
            _entry(15, 1),  # [30,32)
            _entry(10, 1, bytes([0, 127])),  # [32,34)
            _entry(14, 1, _svarint(-70000) + _varint(0) + _varint(0) + _varint(5000)),
        ]
    )
    first = 100
    want: List[Pos] = (
        [(None, None, None, None)] * 4
        + [(103, 105, 4, None)] * 2
        + [(101, 101, None, None)] * 6
        + [(102, 102, 7, 9)] * 2
        + [(102, 102, 37, 40)] * 16
        + [(None, None, None, None)] * 2
        + [(102, 102, 0, 127)] * 2
        + [(102 - 70000, 102 - 70000, None, 4999)] * 2
    )
    got = [positions_for_offset(table, first, off) for off in range(len(want))]
    assert got == want
    lines = [line_for_offset("locations311", table, first, off) for off in range(len(want))]
    assert lines == [w[0] for w in want]
    assert positions_for_offset(table, first, len(want)) == (None,) * 4
    assert line_for_offset("locations311", table, first, len(want)) is None
    assert positions_for_offset(b"", first, 0) == (None,) * 4


def _random_locations(rng: random.Random, n: int) -> Tuple[bytes, List[Pos]]:
    """Random well-formed table and the positions of every byte offset."""
    parts: List[bytes] = []
    want: List[Pos] = []
    line = 0
    for _ in range(n):
        units = rng.randint(1, 8)
        form = rng.choice([0, 3, 9, 10, 11, 12, 13, 14, 15])
        if form == 15:
            parts.append(_entry(form, units))
            pos: Pos = (None, None, None, None)
        elif form == 14:
            delta = rng.choice([0, 1, -1, 63, -64, 1000, -5000, 1 << 20])
            span = rng.choice([0, 1, 200, 1 << 16])
            col = rng.choice([0, 1, 80, 4097, 1 << 24])
            end_col = rng.choice([0, 1, 300, 1 << 30])
            line += delta
            parts.append(_entry(form, units, _svarint(delta) + _varint(span) + _varint(col) + _varint(end_col)))
            pos = (line, line + span, col - 1 if col else None, end_col - 1 if end_col else None)
        elif form == 13:
            delta = rng.randint(-300, 300)
            line += delta
            parts.append(_entry(form, units, _svarint(delta)))
            pos = (line, line, None, None)
        elif form >= 10:
            col, end_col = rng.randint(0, 127), rng.randint(0, 127)
            line += form - 10
            parts.append(_entry(form, units, bytes([col, end_col])))
            pos = (line, line, col, end_col)
        else:
            low, width = rng.randint(0, 7), rng.randint(0, 15)
            col = (form << 3) | low
            parts.append(_entry(form, units, bytes([(low << 4) | width])))
            pos = (line, line, col, col + width)
        want.extend([pos] * (2 * units))
    return b"".join(parts), want


def test_locations311_random_roundtrip() -> None:
    rng = random.Random(311)
    for _ in range(200):
        first = rng.choice([1, 17, 100000])
        table, rel = _random_locations(rng, rng.randint(0, 40))
        for off, (line, end_line, col, end_col) in enumerate(rel):
            want = (
                None if line is None else line + first,
                None if end_line is None else end_line + first,
                col,
                end_col,
            )
            if want[0] == -1 or want[1] == -1:
                continue  # the -1 sentinel case is covered by hand above
            assert positions_for_offset(table, first, off) == want
            assert line_for_offset("locations311", table, first, off) == want[0]


# ---------------------------------------------------------------------------
# Damaged tables: only ValueError or an answer, quickly


class CountingTable(bytes):
    """A table that counts the bytes the decoders look at."""

    reads = 0

    def __getitem__(self, index: Any) -> Any:
        item = super().__getitem__(index)
        self.reads += len(item) if isinstance(item, bytes) else 1
        return item


def _probe(kind: str, data: bytes, first: int, offsets: List[int]) -> None:
    """Ask each offset of a table that may be garbage: an answer or a
    ValueError, and linear work whatever the bytes."""
    table = CountingTable(data)
    calls = 0
    for off in offsets:
        calls += 1 if kind != "locations311" else 2
        try:
            got = line_for_offset(kind, table, first, off)
        except ValueError:
            pass
        else:
            assert got is None or isinstance(got, int)
        if kind == "locations311":
            try:
                pos = positions_for_offset(table, first, off)
            except ValueError:
                pass
            else:
                assert len(pos) == 4
                assert all(v is None or isinstance(v, int) for v in pos)
    assert table.reads <= calls * (READS_PER_BYTE * len(table) + 8), (kind, len(table), table.reads)


def test_odd_length_pair_tables() -> None:
    # The complete pairs still answer; past them the missing byte matters.
    assert line_for_offset("lnotab", bytes([4, 1, 6]), 1, 3) == 1
    assert line_for_offset("lnotab", bytes([4, 1, 6]), 1, 9) == 2
    with pytest.raises(ValueError):
        line_for_offset("lnotab", bytes([4, 1, 6]), 1, 10)
    assert line_for_offset("linetable310", bytes([4, 1, 6]), 1, 3) == 2
    with pytest.raises(ValueError):
        line_for_offset("linetable310", bytes([4, 1, 6]), 1, 4)


def test_damaged_locations311() -> None:
    good = _entry(11, 2, bytes([3, 4])) + _entry(13, 1, _svarint(5))
    # Entry does not start with a marked byte.
    bad = good + b"\x05" + _entry(15, 1)
    assert line_for_offset("locations311", bad, 1, 5) == 7
    with pytest.raises(ValueError):
        line_for_offset("locations311", bad, 1, 6)
    with pytest.raises(ValueError):
        positions_for_offset(bad, 1, 100)
    # Truncated varint, varint with a marked byte inside, endless varint.
    for tail in (
        _entry(14, 1, b"\x41"),
        _entry(14, 1, b"\x02\x40\x81"),
        _entry(13, 1, b"\x7f" * 50),
    ):
        assert positions_for_offset(good + tail, 1, 4) == (7, 7, None, None)
        with pytest.raises(ValueError):
            line_for_offset("locations311", good + tail, 1, 6)
    # Short and one-line forms cut short.
    for tail in (_entry(3, 1), _entry(10, 1, b"\x01"), _entry(12, 1, b"\x01\x90")):
        with pytest.raises(ValueError):
            positions_for_offset(good + tail, 1, 6)
    with pytest.raises(ValueError):
        line_for_offset("locations311", b"\x00", 1, 0)
    # Negative offsets never look at the table.
    assert line_for_offset("locations311", b"\x00", 3, -1) == 3


@pytest.mark.parametrize("version", VERSIONS)
def test_truncated_real_tables(version: str) -> None:
    kind = KIND_OF[version]
    rng = random.Random(version)
    entries = [e for e in codes(version) if len(e[1]) > 4]
    for name, table, first, entry in rng.sample(entries, 12):
        want = expected_lines(entry)
        for cut in range(len(table)):
            short = table[:cut]
            for unit in rng.sample(range(len(want)), min(8, len(want))):
                try:
                    got = line_for_offset(kind, short, first, 2 * unit)
                except ValueError:
                    continue
                if kind != "lnotab":
                    # A prefix either knows the answer or says it does not.
                    assert got in (want[unit], None), (name, cut, unit)
                else:
                    assert isinstance(got, int)


@pytest.mark.parametrize("version", VERSIONS)
def test_mutated_real_tables(version: str) -> None:
    kind = KIND_OF[version]
    rng = random.Random("mutate" + version)
    entries = [e for e in codes(version) if e[1]]
    for _ in range(400):
        _name, table, first, entry = rng.choice(entries)
        data = bytearray(table)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        offsets = [rng.randrange(-4, entry["size"] + 8) for _ in range(6)]
        _probe(kind, bytes(data), first, offsets)


@pytest.mark.parametrize("kind", KINDS)
def test_random_garbage(kind: str) -> None:
    rng = random.Random("garbage" + kind)
    for _ in range(2000):
        table = bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))
        first = rng.choice([0, 1, -5, 1 << 31])
        offsets = [rng.randint(-3, 300) for _ in range(4)] + [1 << 62]
        _probe(kind, table, first, offsets)
    # Patterned garbage that a naive decoder might loop on.
    for table in (
        b"\x00" * 4096,
        b"\xff" * 4096,
        b"\x80" * 4096,
        b"\x40" * 4096,
        b"\xf0" + b"\x7f" * 4096,
        bytes(range(256)) * 16,
    ):
        _probe(kind, table, 1, [0, 2, 1000, 5000, 1 << 40])


@pytest.mark.parametrize("kind", KINDS)
def test_big_garbage_is_linear(kind: str) -> None:
    rng = random.Random("big" + kind)
    table = bytes(rng.randrange(256) for _ in range(BIG_GARBAGE))
    _probe(kind, table, 1, [0, 1000, BIG_GARBAGE, 1 << 40])
    # Mostly marked bytes: every byte may start an entry, the worst case.
    table = bytes(0x80 | rng.randrange(128) for _ in range(BIG_GARBAGE))
    _probe(kind, table, 1, [0, 1000, BIG_GARBAGE, 1 << 40])
