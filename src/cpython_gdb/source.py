"""Source lines of Python files, read from the debugger's file system."""

import io
import os
import tokenize
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
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError:
        encoding = "utf-8"
    try:
        text = raw.decode(encoding, "replace")
    except LookupError:
        text = raw.decode("utf-8", "replace")
    lines = text.splitlines()
    _cache[filename] = (mtime, lines)
    return lines


def source_line(filename: str, lineno: Optional[int]) -> Optional[str]:
    if lineno is None or lineno < 1:
        return None
    lines = source_lines(filename)
    if lines is None or lineno > len(lines):
        return None
    return lines[lineno - 1]
