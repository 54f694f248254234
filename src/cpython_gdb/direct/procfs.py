"""A live process's own view of the file system, from /proc: what both backends need of it.

A process in a container (another mount namespace) or a chroot names its
files from its own root directory. /proc/PID/root is that directory as
seen from here: the process's files are read through it where its root is
not ours, and the paths we print are the process's own.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional


def process_root(pid: int) -> str:
    """``/proc/PID/root`` where the process's root directory is not ours, else "" (or if unknown)."""
    theirs = f"/proc/{pid}/root"
    try:
        mine, other = os.stat("/proc/self/root"), os.stat(theirs)
    except OSError:
        return ""
    return "" if (mine.st_dev, mine.st_ino) == (other.st_dev, other.st_ino) else theirs


def as_seen_by(pid: int, path: str) -> str:
    """``path``, as /proc shows it to us, as the process names it.

    The kernel writes a process's paths (its exe, maps) from our root: under
    a chroot into one of our directories they start with that directory,
    which the process does not see. In another mount namespace whose root
    we cannot reach, they are already the process's own.
    """
    try:
        root = os.readlink(f"/proc/{pid}/root").rstrip("/")
    except OSError:
        return path
    if root and path.startswith(root + "/"):
        return path[len(root):]
    return path


def resident_bytes(pid: int) -> Optional[int]:
    """VmRSS of a live process, None where /proc does not say."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None
