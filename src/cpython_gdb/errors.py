"""The base of every error the package raises on purpose, and the engine's own errors.

The gdb adapter turns a :class:`CpythonGdbError` into a one-line
``gdb.GdbError`` message; anything else is a bug of ours and stays loud.
The other errors derive from it where they are raised:

- ``engine.elf.image.ElfError``: an ELF file that cannot be read, and its
  ``engine.elf.corefile.CoreError`` for a core file;
- ``engine.native.cfi_records.Unsupported``: CFI the unwinder leaves to the debugger;
- ``direct.live.TargetError``: a live process that cannot be read;
- ``cli.launcher.UserError``: a command's one-line error and exit status,
  and its ``cli.coreopts.OptionError`` for a core option without its value.
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
