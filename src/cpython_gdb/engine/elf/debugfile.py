"""Where an ELF file's separate debug file is: by its build id.

A distribution strips its binaries and ships what it stripped (``.symtab``,
DWARF) in packages such as Debian's ``-dbg`` and ``-dbgsym``, installed as
``/usr/lib/debug/.build-id/xx/yyyy.debug``: the file's build id in hex, its
first byte naming the directory. The debug file keeps the stripped file's
section addresses, so its symbols name the same link-time addresses.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Sequence

    from .image import ElfFile

DEBUG_DIRECTORIES = ("/usr/lib/debug",)


def debug_file(elf: ElfFile, directories: Optional[Sequence[str]] = None) -> Optional[str]:
    """The separate debug file of ``elf`` (a regular file named by its build id) under ``directories``
    (by default DEBUG_DIRECTORIES), or None."""
    if directories is None:
        directories = DEBUG_DIRECTORIES
    build_id = elf.build_id()
    if build_id is None or len(build_id) < 2:
        return None
    text = build_id.hex()
    for directory in directories:
        path = os.path.join(directory, ".build-id", text[:2], text[2:] + ".debug")
        if os.path.isfile(path):
            return path
    return None
