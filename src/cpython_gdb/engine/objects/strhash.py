"""The hash CPython gives a str, computed here (PEP 456).

A str hashes its canonical data (one, two or four bytes a character, as
the narrowest kind that holds it stores it) with SipHash keyed by the
process's _Py_HashSecret; 0 for the empty str, and -1 is never a hash.
Knowing it, a lookup probes a dict's index table as CPython does: a
handful of reads instead of one per key.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Tuple

_MASK = (1 << 64) - 1
# SipHash's initial state: "somepseudorandomlygeneratedbytes".
_INIT = (0x736F6D6570736575, 0x646F72616E646F6D, 0x6C7967656E657261, 0x7465646279746573)
# (compression rounds, finalization rounds) of each variant.
_ROUNDS = {"siphash24": (2, 4), "siphash13": (1, 3)}


def _rounds(v0: int, v1: int, v2: int, v3: int, count: int) -> Tuple[int, int, int, int]:
    for _ in range(count):
        v0 = (v0 + v1) & _MASK
        v1 = (((v1 << 13) | (v1 >> 51)) & _MASK) ^ v0
        v0 = ((v0 << 32) | (v0 >> 32)) & _MASK
        v2 = (v2 + v3) & _MASK
        v3 = (((v3 << 16) | (v3 >> 48)) & _MASK) ^ v2
        v0 = (v0 + v3) & _MASK
        v3 = (((v3 << 21) | (v3 >> 43)) & _MASK) ^ v0
        v2 = (v2 + v1) & _MASK
        v1 = (((v1 << 17) | (v1 >> 47)) & _MASK) ^ v2
        v2 = ((v2 << 32) | (v2 >> 32)) & _MASK
    return v0, v1, v2, v3


def siphash(variant: str, k0: int, k1: int, data: bytes) -> int:
    """SipHash of ``data`` with the 128-bit key (k0, k1), as an unsigned 64-bit int."""
    compress, finish = _ROUNDS[variant]
    v0, v1, v2, v3 = _INIT[0] ^ k0, _INIT[1] ^ k1, _INIT[2] ^ k0, _INIT[3] ^ k1
    whole = len(data) - len(data) % 8
    for start in range(0, whole, 8):
        word = int.from_bytes(data[start:start + 8], "little")
        v3 ^= word
        v0, v1, v2, v3 = _rounds(v0, v1, v2, v3, compress)
        v0 ^= word
    last = ((len(data) & 0xFF) << 56) | int.from_bytes(data[whole:], "little")
    v3 ^= last
    v0, v1, v2, v3 = _rounds(v0, v1, v2, v3, compress)
    v0 ^= last
    v2 ^= 0xFF
    v0, v1, v2, v3 = _rounds(v0, v1, v2, v3, finish)
    return v0 ^ v1 ^ v2 ^ v3


def canonical_data(text: str) -> bytes:
    """The bytes CPython stores for ``text``: its narrowest kind, native (little-endian) order."""
    widest = max(map(ord, text), default=0)
    if widest < 0x100:
        return text.encode("latin-1")
    if widest < 0x10000:
        return text.encode("utf-16-le", "surrogatepass")
    return text.encode("utf-32-le", "surrogatepass")


def str_hash(variant: str, k0: int, k1: int, text: str) -> int:
    """hash(text) in a process whose secret is (k0, k1), as a signed Py_hash_t."""
    data = canonical_data(text)
    if not data:
        return 0
    value = siphash(variant, k0, k1, data)
    if value >= 1 << 63:
        value -= 1 << 64
    return -2 if value == -1 else value
