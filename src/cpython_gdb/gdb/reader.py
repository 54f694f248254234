"""The memory reader over gdb's inferior."""

import gdb

from ..engine.memory import check_address
from ..errors import MemoryReadError


class GdbReader:
    def __init__(self, inferior: "gdb.Inferior") -> None:
        self._inferior = inferior

    def read(self, address: int, size: int) -> bytes:
        check_address(address, size)
        try:
            return bytes(self._inferior.read_memory(address, size))
        except (gdb.MemoryError, gdb.error, OverflowError, ValueError) as exc:
            raise MemoryReadError(address, size) from exc
