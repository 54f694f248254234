"""Where an ELF file's separate debug file is: by its build id, else by its ``.gnu_debuglink``.

A distribution strips its binaries and ships what it stripped (``.symtab``,
DWARF) in packages such as Debian's ``-dbg`` and ``-dbgsym``, installed as
``/usr/lib/debug/.build-id/xx/yyyy.debug``: the file's build id in hex, its
first byte naming the directory. The debug file keeps the stripped file's
section addresses, so its symbols name the same link-time addresses.

A file stripped by hand (``objcopy --only-keep-debug``, then
``--add-gnu-debuglink``) names its debug file in ``.gnu_debuglink``
instead: a file name and the CRC-32 of that file's bytes. gdb looks for
it, and so does :func:`debug_file`, next to the file, in its ``.debug``
directory, then under each debug directory by the file's own directory
(``/usr/lib/debug/usr/lib/x86_64-linux-gnu/NAME``); a file whose CRC
differs is not it.
"""

from __future__ import annotations

import os
import struct

from .image import ElfError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Sequence

    from .image import ElfFile

DEBUG_DIRECTORIES = ("/usr/lib/debug",)


def debug_file(elf: ElfFile, directories: Optional[Sequence[str]] = None) -> Optional[str]:
    """The separate debug file of ``elf`` (a regular file named by its build id, else by its debug link) under
    ``directories`` (by default DEBUG_DIRECTORIES, then those of the root the file is in: see file_root), or
    None."""
    if directories is None:
        root = file_root(elf.path)
        directories = DEBUG_DIRECTORIES + ((root + DEBUG_DIRECTORIES[0],) if root else ())
    build_id = elf.build_id()
    if build_id is not None and len(build_id) >= 2:
        text = build_id.hex()
        for directory in directories:
            path = os.path.join(directory, ".build-id", text[:2], text[2:] + ".debug")
            if os.path.isfile(path):
                return path
    return _by_debuglink(elf, directories)


MAX_LINK = 4096  # bytes of .gnu_debuglink read at most: a file name and its CRC


def _by_debuglink(elf: ElfFile, directories: Sequence[str]) -> Optional[str]:
    """The debug file ``.gnu_debuglink`` names, where gdb looks for it, with the CRC it gives; None if none."""
    try:
        link = next((sh for name, sh in elf.sections if name == ".gnu_debuglink"), None)
        data = b"" if link is None else elf.read(link[4], min(link[5], MAX_LINK))
    except ElfError:  # section headers or the section cut short: no link to follow
        return None
    nul = data.find(b"\0")
    at = (nul + 4) & ~3  # the CRC follows the name's NUL, aligned to 4
    if nul <= 0 or at + 4 > len(data):
        return None
    name = os.fsdecode(data[:nul])
    if "/" in name:
        return None  # a name, never a path
    crc = struct.unpack_from("<I", data, at)[0]
    seen = set()
    root = file_root(elf.path)
    for place in (elf.path, os.path.realpath(elf.path)):
        here = os.path.dirname(place)
        inside = here[len(root):] if root and here.startswith(root + "/") else here  # as the root sees it
        for candidate in (os.path.join(here, name), os.path.join(here, ".debug", name),
                          *(directory + os.path.join(inside, name) for directory in directories)):
            if candidate in seen or not os.path.isfile(candidate):
                continue
            seen.add(candidate)
            if not _same_file(candidate, elf.path) and _crc32(candidate) == crc:
                return candidate
    return None


def _same_file(one: str, other: str) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:  # the other is no file here (an image read from memory)
        return False


def _crc32(path: str) -> Optional[int]:
    import zlib  # only here: few files are found by their debug link

    value = 0
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                value = zlib.crc32(block, value)
    except OSError:
        return None
    return value


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
