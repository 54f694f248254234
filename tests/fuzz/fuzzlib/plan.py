"""A case number -> the corruption it writes, deterministically.

A plan is a list of operations named by what they corrupt ("field
PyThreadState.next of tstate[2] := sibling"), not by address: the seed
(the case number) picks them from the structures' stable labels, and
:func:`resolve` turns them into byte writes against one run's addresses.
So the same case number replays the same corruption in another run, and
the report shows both the meaning and the exact bytes.
"""

import random
import struct
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from .structures import Region, Structures, u64

# 8-byte values: zero, small numbers, poison, huge sizes, the sign bit, and
# pointers that point at nothing, into the kernel, or at odd places.
CONSTANTS = (0, 1, 7, 0x1000, 0xDEADBEEF, 0xDEADBEEFDEADBEEF, 1 << 31, (1 << 31) - 1, 1 << 32, 1 << 60,
             (1 << 63) - 1, 1 << 63, (1 << 64) - 1, 0xFFFF_8000_0000_0000, 0x4141414141414141)
SMALL = (0, 1, 0x7F, 0x80, 0xFF, 60, 63, 64)
WORDS = (0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1 << 30, 0xFFFF)
# Values that depend on the run: resolved by resolve().
SYMBOLIC = ("self", "self+8", "sibling", "other", "gap", "stack_below", "text", "mapping_end")
# Fields that link a structure to the next of its kind: a loop there must end.
LINKS = ("PyThreadState.next", "PyThreadState.prev", "PyInterpreterState.next", "_PyInterpreterFrame.previous",
         "PyFrameObject.f_back", "_PyCFrame.previous", "_PyCFrame.current_frame", "PyThreadState.cframe",
         "PyThreadState.current_frame", "PyBaseExceptionObject.context", "PyBaseExceptionObject.cause",
         "PyBaseExceptionObject.traceback", "PyTypeObject.tp_base", "PyObject.ob_type", "PyThreadState.interp",
         "_PyRuntimeState.interpreters_head", "PyInterpreterState.threads_head", "_PyErr_StackItem.previous_item",
         "PyDictObject.ma_keys", "PyListObject.ob_item", "PyCellObject.ob_ref", "PyFunctionObject.func_code")
# Texts written into a str's characters, by kind of str (1, 2 or 4 bytes a character).
TEXTS = {
    1: (b"\x80\xff\xfe", b"a\x00b", b"\n\r\x1b[31mred", b"\xed\xa0\x80"),
    2: (struct.pack("<3H", 0xD800, 0xDFFF, 0x41), struct.pack("<2H", 0, 0x0A)),
    4: (struct.pack("<2I", 0xD800, 0x41), struct.pack("<2I", 0x110000, 0xFFFFFFFF)),
}
GROUP_WEIGHTS = {"object": 30, "secondary": 15, "code": 15, "frame": 15, "tstate": 15, "runtime": 10}
OP_WEIGHTS = {"field": 40, "link": 12, "bytes": 22, "bitflip": 10, "text": 6, "rawtext": 3, "path": 4, "size": 4}
# Whole str contents (kind, text) that rawtext ops give: raw target text a
# printer must not pass to gdb as it is.
RAW_TEXTS = {"surrogate": (2, "f\ud800x"), "nul": (1, "ab\x00cd"), "newline": (1, "a\nb\rc"),
             "escape": (1, "\x1b[2J\x1b[31mred"), "latin1": (1, "caf\xe9"), "ucs4-bad": (4, "ok\U0010ffff")}


class Op(NamedTuple):
    """One corruption. ``what``: field key or byte offset; ``value``: a constant, a SYMBOLIC name or hex bytes."""

    kind: str  # field, link, bytes, bitflip, text, path, size
    region: str  # the region's label
    what: str
    width: int
    value: str

    def describe(self) -> str:
        return f"{self.kind} {self.what} of {self.region} := {self.value}" + (
            f" ({self.width} bytes)" if self.kind in ("field", "link", "size") else "")


class Write(NamedTuple):
    address: int
    data: bytes
    why: str

    def describe(self) -> str:
        return f"0x{self.address:x} <- {self.data.hex()}  ({self.why})"


def case_plan(structures: Structures, seed: int, paths: Dict[str, str]) -> List[Op]:
    """The operations of case ``seed``: one to five, mostly one or two."""
    rng = random.Random(seed)
    count = rng.choices((1, 2, 3, 5), weights=(50, 30, 14, 6))[0]
    return [one_op(structures, rng, paths) for _ in range(count)]


def _pick_region(structures: Structures, rng: random.Random, kinds: Optional[Sequence[str]] = None) -> Region:
    regions = structures.regions
    if kinds is not None:
        candidates = [r for r in regions if any(r.kind == k or r.label.endswith(k) for k in kinds)]
        if candidates:
            return rng.choice(candidates)
    groups = [g for g in GROUP_WEIGHTS if any(r.group == g for r in regions)]
    group = rng.choices(groups, weights=[GROUP_WEIGHTS[g] for g in groups])[0]
    return rng.choice([r for r in regions if r.group == group])


def one_op(structures: Structures, rng: random.Random, paths: Dict[str, str]) -> Op:
    kind = rng.choices(list(OP_WEIGHTS), weights=list(OP_WEIGHTS.values()))[0]
    if kind == "text":
        region = _pick_region(structures, rng, ["object:str"])
        return Op("text", region.label, "characters", 0, rng.randrange(1 << 16).__str__())
    if kind == "path":
        region = _pick_region(structures, rng, [".co_filename"])
        return Op("path", region.label, "text", 0, rng.choice(sorted(paths)))
    if kind == "rawtext":
        region = _pick_region(structures, rng, ["object:str"])
        return Op("rawtext", region.label, "text", 0, rng.choice(sorted(RAW_TEXTS)))
    region = _pick_region(structures, rng)
    if kind == "link":
        links = [(key, off) for key, off in region.fields if key in LINKS]
        if links:
            key, _ = rng.choice(links)
            return Op("link", region.label, key, 8, rng.choice(("self", "self+8", "sibling", "sibling", "other")))
        kind = "field"
    if kind == "size":
        sizes = [(key, off) for key, off in region.fields
                 if any(word in key for word in ("size", "used", "length", "nentries", "mask", "count", "lv_tag"))]
        if sizes:
            key, _ = rng.choice(sizes)
            return Op("size", region.label, key, 8, hex(rng.choice((1 << 60, (1 << 63) - 1, 1 << 31, (1 << 64) - 1,
                                                                       0x7FFF_FFFF, 1 << 40))))
        kind = "field"
    if kind == "field" and region.fields:
        key, _ = rng.choice(region.fields)
        width = rng.choices((8, 4, 1), weights=(70, 15, 15))[0]
        if width == 8:
            value = rng.choice(SYMBOLIC) if rng.random() < 0.4 else hex(rng.choice(CONSTANTS))
        else:
            table = SMALL if width == 1 else WORDS
            value = hex(rng.choice(table) if rng.random() < 0.8 else rng.randrange(1 << (8 * width)))
        return Op("field", region.label, key, width, value)
    if kind == "bitflip":
        offset = rng.randrange(min(region.span, 64))
        return Op("bitflip", region.label, str(offset), 1, str(rng.randrange(8)))
    # Random bytes: near a field the tool reads, or anywhere in the region.
    if region.fields and rng.random() < 0.6:
        _, base = rng.choice(region.fields)
        offset = max(0, base + rng.randrange(-8, 9))
    else:
        offset = rng.randrange(region.span)
    length = rng.choice((1, 2, 4, 8, 8, 16, 32, 64, region.span))
    length = max(1, min(length, region.span - min(offset, region.span - 1)))
    return Op("bytes", region.label, str(offset), length, rng.randbytes(length).hex() if hasattr(rng, "randbytes")
              else bytes(rng.randrange(256) for _ in range(length)).hex())


def _symbol(structures: Structures, region: Region, name: str) -> int:
    if name == "self":
        return region.address
    if name == "self+8":
        return region.address + 8
    if name == "sibling":
        siblings = structures.siblings(region)
        return siblings[0].address if siblings else region.address
    if name == "other":
        # A structure of another kind: type confusion.
        others = [r for r in structures.regions if r.kind != region.kind]
        return others[len(others) // 2].address if others else region.address
    if name == "gap":
        return structures.gap()
    if name == "stack_below":
        return structures.stack_below()
    if name == "text":
        return structures.text()
    if name == "mapping_end":
        mapping = structures.mapping_of(region.address)
        return mapping[1] - 4 if mapping else structures.gap()
    return int(name, 16)


def _str_data(structures: Structures, region: Region) -> Tuple[int, int]:
    """Where a compact str's characters start, and their width (1, 2 or 4)."""
    lay = structures.layout
    state = structures.reader.read(region.address + lay.off("PyASCIIObject.state"), 4)
    bits = int.from_bytes(state, "little")
    # Bit fields from 3.8 to 3.15 (default builds): interned (2 bits), kind
    # (3), compact, ascii, then ready (<= 3.11) or statically_allocated.
    kind = (bits >> 2) & 7 or 1
    ascii_ = (bits >> 6) & 1
    head = lay.size("PyASCIIObject") if ascii_ else lay.size("PyCompactUnicodeObject")
    return region.address + head, kind


def _whole_str(structures: Structures, region: Region, kind: int, text: str, why: str) -> List[Write]:
    """Writes that make the str at ``region`` a compact str of ``kind`` holding ``text`` as it is."""
    lay = structures.layout
    codec = {1: "latin-1", 2: "utf-16-le", 4: "utf-32-le"}[kind]
    data = text.encode(codec, "surrogatepass") + b"\0" * kind
    ascii_ = kind == 1 and all(ord(c) < 128 for c in text)
    state_off = lay.off("PyASCIIObject.state")
    state = int.from_bytes(structures.reader.read(region.address + state_off, 4), "little")
    # Bit fields from 3.8 to 3.15 (default builds): interned (2 bits), kind
    # (3), compact, ascii, then ready (<= 3.11) or statically_allocated.
    state = (state & ~(0x7F << 2)) | (kind << 2) | (1 << 5) | (ascii_ << 6)
    if structures.version < (3, 12):
        state |= 1 << 7  # ready
    head = lay.size("PyASCIIObject" if ascii_ else "PyCompactUnicodeObject")
    return [Write(region.address + lay.off("PyASCIIObject.length"), u64(len(text)), why),
            Write(region.address + state_off, struct.pack("<I", state), why),
            # No cached UTF-8 or wchar_t form: whatever the tool shows comes from the characters.
            Write(region.address + state_off + 4, bytes(head - state_off - 4), why),
            Write(region.address + head, data, why)]


def resolve(structures: Structures, ops: Sequence[Op], paths: Dict[str, str], strict: bool = False) -> List[Write]:
    """The byte writes of ``ops`` against this run's structures."""
    writes: List[Write] = []
    for op in ops:
        region = structures.labels.get(op.region)
        if region is None:
            if strict:
                raise KeyError(f"no region {op.region!r} in this target")
            continue  # this version lacks it (a structure another version has)
        why = op.describe()
        if op.kind in ("field", "link", "size"):
            offset = dict(region.fields).get(op.what)
            if offset is None:
                if strict:
                    raise KeyError(f"{op.region} has no field {op.what}")
                continue
            value = _symbol(structures, region, op.value)
            data = u64(value)[: op.width]
            writes.append(Write(region.address + offset, data, why))
        elif op.kind == "bitflip":
            at = region.address + int(op.what)
            old = structures.reader.read(at, 1)[0]
            writes.append(Write(at, bytes([old ^ (1 << int(op.value))]), why))
        elif op.kind == "bytes":
            writes.append(Write(region.address + int(op.what), bytes.fromhex(op.value), why))
        elif op.kind == "text":  # characters of the str's own kind, over its first ones
            start, width = _str_data(structures, region)
            texts = TEXTS.get(width, TEXTS[1])
            text = texts[int(op.value) % len(texts)]
            writes.append(Write(start, text, why))
        elif op.kind in ("path", "rawtext"):
            if op.kind == "path":
                kind, text = 1, paths[op.value]
            else:
                kind, text = RAW_TEXTS[op.value]
            writes += _whole_str(structures, region, kind, text, why)
    return writes
