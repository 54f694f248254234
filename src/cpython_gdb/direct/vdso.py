"""The vDSO: the kernel's code mapped into every process, which has no file.

Functions such as ``clock_gettime`` run there without entering the
kernel, so a thread busy asking for the time is often stopped in it. The
kernel maps it as an ELF image, with its own ``.eh_frame`` and
``.dynsym``; its address is ``AT_SYSINFO_EHDR`` in the process's
auxiliary vector (/proc/PID/auxv, or a core's ``NT_AUXV``), and its pages
are in the process's memory (and in its cores). The image is read from
there and unwound and named as a file would be (images.py).
"""

from __future__ import annotations

import struct

from ..engine.elf.image import PT_LOAD
from ..errors import CpythonGdbError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional, Tuple

    from ..engine.memory import Reader

AT_SYSINFO_EHDR = 33
NAME = "[vdso]"  # as /proc/PID/maps names it
MAX_SIZE = 1 << 20
_AUXV = struct.Struct("<QQ")


def live_base(pid: int) -> Optional[int]:
    """The vDSO's address in a live process, from its auxiliary vector; None if unknown."""
    try:
        with open(f"/proc/{pid}/auxv", "rb") as f:
            data = f.read()
    except OSError:
        return None
    return auxv(data).get(AT_SYSINFO_EHDR)


def auxv(data: bytes) -> Dict[int, int]:
    """An x86-64 auxiliary vector's entries."""
    entries: Dict[int, int] = {}
    for offset in range(0, len(data) - _AUXV.size + 1, _AUXV.size):
        key, value = _AUXV.unpack_from(data, offset)
        if key == 0:
            break
        entries[key] = value
    return entries


def image(reader: Reader, base: Optional[int]) -> Optional[Tuple[int, bytes]]:
    """(address, bytes) of the vDSO image at ``base``, as far as its load segments and section headers reach;
    None if unreadable."""
    if not base:
        return None
    try:
        header = reader.read(base, 64)
        if header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:
            return None
        phoff, shoff = struct.unpack_from("<QQ", header, 0x20)
        phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", header, 0x36)
        if phentsize < 56 or phnum > 64:
            return None
        table = reader.read(base + phoff, phentsize * phnum)
        end = shoff + shentsize * shnum  # the section headers: where the symbol tables are
        for i in range(phnum):
            kind, _, offset, _, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", table, i * phentsize)
            if kind == PT_LOAD:
                end = max(end, offset + filesz)
        if not 0 < end <= MAX_SIZE:
            return None
        return base, reader.read(base, end)
    except (CpythonGdbError, struct.error):
        return None
