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
    (by default DEBUG_DIRECTORIES, then those of the root the file is in: see file_root), or None."""
    if directories is None:
        root = file_root(elf.path)
        directories = DEBUG_DIRECTORIES + ((root + DEBUG_DIRECTORIES[0],) if root else ())
    build_id = elf.build_id()
    if build_id is None or len(build_id) < 2:
        return None
    text = build_id.hex()
    for directory in directories:
        path = os.path.join(directory, ".build-id", text[:2], text[2:] + ".debug")
        if os.path.isfile(path):
            return path
    return None


def file_root(path: str) -> str:
    """The root directory a file is seen through, where it is not "/": a container's ``/proc/PID/root``
    (whose files a live process maps as ``/proc/PID/map_files/...``), a sysroot or chroot under which it
    lies as ``ROOT/usr/...`` or ``ROOT/lib/...``. Its debug files are installed there as the file is, and
    the build id says whether one found there is the file's (as gdb looks under its sysroot too)."""
    parts = path.split("/")
    if len(parts) > 3 and parts[1] == "proc" and parts[3] in ("map_files", "root"):
        return "/proc/" + parts[2] + "/root"
    markers = ("/usr/", "/lib/", "/lib64/")
    if path.startswith(markers):
        return ""
    found = [at for at in (path.find(marker) for marker in markers) if at > 0]
    return path[:min(found)] if found else ""
