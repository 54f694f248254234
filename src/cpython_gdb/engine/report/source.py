"""Source lines of Python files, read from the debugger's file system."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple

_cache: Dict[str, Tuple[float, List[str]]] = {}
_MAX_BYTES = 16 << 20


def source_lines(filename: str) -> Optional[List[str]]:
    """All lines of ``filename`` (without line ends), or None if unreadable."""
    try:
        mtime = os.stat(filename).st_mtime
    except (OSError, ValueError):
        return None
    cached = _cache.get(filename)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    try:
        with open(filename, "rb") as f:
            raw = f.read(_MAX_BYTES)
    except (OSError, ValueError):
        return None
    encoding = _encoding(raw)
    try:
        text = raw.decode(encoding, "replace")
    except LookupError:
        text = raw.decode("utf-8", "replace")
    lines = text.splitlines()
    _cache[filename] = (mtime, lines)
    return lines


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


def source_line(filename: str, lineno: Optional[int]) -> Optional[str]:
    if lineno is None or lineno < 1:
        return None
    lines = source_lines(filename)
    if lines is None or lineno > len(lines):
        return None
    return lines[lineno - 1]
