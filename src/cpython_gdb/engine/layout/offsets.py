"""The Layout value: offsets and sizes by canonical name, plus a scheme."""

from __future__ import annotations

from ...errors import UnsupportedVersion
from ..record import frozen
from .schemes import Scheme

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping, Optional, Tuple


@frozen
class Layout:
    version: Tuple[int, int, int]
    source: str  # where the offsets came from, said to the user once
    scheme: Scheme
    offsets: Mapping[str, int]
    sizes: Mapping[str, int]
    release: str = ""  # "b2" for 3.15.0b2, "" for a final release
    # Said once with the description when the version is newer than known.
    warning: Optional[str] = None

    def __repr__(self) -> str:
        # Hundreds of offsets say nothing in an assertion message.
        return f"Layout({self.description}, {len(self.offsets)} offsets, {len(self.sizes)} sizes)"

    def off(self, key: str) -> int:
        try:
            return self.offsets[key]  # a hot path: no call when the key is there
        except KeyError:
            return self._missing("field", key)

    def has(self, key: str) -> bool:
        return key in self.offsets

    def size(self, key: str) -> int:
        try:
            return self.sizes[key]
        except KeyError:
            return self._missing("size of", key)

    def _missing(self, what: str, key: str) -> int:
        raise UnsupportedVersion(f"the {self.version_text} layout has no {what} {key}") from None

    @property
    def version_text(self) -> str:
        major, minor, micro = self.version
        if micro < 0:
            return f"CPython {major}.{minor}"
        return f"CPython {major}.{minor}.{micro}{self.release}"

    @property
    def description(self) -> str:
        build = " free-threaded" if self.scheme.free_threaded else ""
        return f"{self.version_text}{build} (layout from {self.source})"
