"""Source lines of Python files, read from the debugger's file system.

A code object's file name is the target's to choose: ``/dev/stdin`` (a
program run as ``python3 /dev/stdin < script.py``), a FIFO, a device, a
file of any size. Only regular files are read, and at most _MAX_BYTES of
one; a line is cut where it is shown (clip_line).

A file name is the target's view of its file system. Where that is not
ours (a process in a container or a chroot, a core from another machine),
the backend gives the directory that stands for the target's ``/``
(``/proc/PID/root``, a sysroot): an absolute name is read under it. The
name shown stays the target's.
"""

from __future__ import annotations

import os
import stat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple

_cache: Dict[str, Tuple[float, List[str]]] = {}
_MAX_BYTES = 16 << 20


def on_disk(filename: str, root: str = "") -> str:
    """Where to read the target's file ``filename``, its ``/`` being ``root`` here ("": ours)."""
    if root and filename.startswith("/"):
        return root.rstrip("/") + filename
    return filename


def source_lines(filename: str, root: str = "") -> Optional[List[str]]:
    """All lines of ``filename`` (without line ends), or None if unreadable or not a regular file.

    ``root``: see on_disk.
    """
    filename = on_disk(filename, root)
    try:
        info = os.stat(filename)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        # Reading a FIFO, a terminal or our own stdin would block for
        # good; opening some devices has effects of its own.
        return None
    cached = _cache.get(filename)
    if cached is not None and cached[0] == info.st_mtime:
        return cached[1]
    raw = _read_regular(filename)
    if raw is None:
        return None
    encoding = _encoding(raw)
    try:
        text = raw.decode(encoding, "replace")
    except LookupError:
        text = raw.decode("utf-8", "replace")
    lines = text.splitlines()
    _cache[filename] = (info.st_mtime, lines)
    return lines


def _read_regular(filename: str) -> Optional[bytes]:
    """Up to _MAX_BYTES of ``filename`` if it is still a regular file once open."""
    try:
        # Non-blocking, and checked again on the open file: the name may
        # have been replaced by a FIFO or a device since it was looked at.
        fd = os.open(filename, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except (OSError, ValueError):
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks = []
        left = _MAX_BYTES
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


TRUNCATED = "...(truncated)"


def clip_line(line: str, limit: int) -> str:
    """``line`` cut after ``limit`` characters of its text, the cut marked.

    The indentation is not counted, so a line is cut at the same
    character where py-list shows it whole and where a traceback shows it
    stripped.
    """
    if len(line) <= limit:
        return line
    indent = len(line) - len(line.lstrip())
    text = line[indent:].rstrip()
    if len(text) <= limit:
        return line
    return line[:indent + limit] + TRUNCATED


def _encoding(raw: bytes) -> str:
    """The source encoding, as tokenize.detect_encoding tells it (UTF-8 if it cannot)."""
    end = raw.find(b"\n")
    if end >= 0:
        end = raw.find(b"\n", end + 1)
    head = raw if end < 0 else raw[:end]  # the two lines a cookie may be on
    if b"coding" not in head and not raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8"  # no BOM, no cookie: the default, without importing tokenize
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError:
        encoding = "utf-8"
    return encoding


def source_line(filename: str, lineno: Optional[int], root: str = "") -> Optional[str]:
    if lineno is None or lineno < 1:
        return None
    lines = source_lines(filename, root)
    if lines is None or lineno > len(lines):
        return None
    return lines[lineno - 1]
