"""The error types of the core.

The core raises only these. The gdb adapter turns them into one-line
``gdb.GdbError`` messages; anything else is a bug of ours and stays loud.
"""


class CpythonGdbError(Exception):
    """Base of every error the core raises on purpose."""


class MemoryReadError(CpythonGdbError):
    """The target's memory at ``address`` could not be read."""

    def __init__(self, address: int, size: int) -> None:
        super().__init__(f"cannot read {size} bytes at 0x{address:x}")
        self.address = address
        self.size = size


class UnsupportedVersion(CpythonGdbError):
    """The target runs a CPython whose layout we do not know."""


class NoInterpreter(CpythonGdbError):
    """No CPython runtime was found in the target."""


class CorruptObject(CpythonGdbError):
    """A structure holds values that cannot be right (a negative size, a loop)."""
