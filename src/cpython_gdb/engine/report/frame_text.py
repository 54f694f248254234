"""Text forms of frames and locals, in the formats of the reference howto."""

from __future__ import annotations

from ...errors import CpythonGdbError
from ..frames.walk import frame_locals
from ..limits import Limits
from ..model import PyFrame
from ..objects import object_repr
from ..target import Target
from .source import source_line, source_lines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional


def locals_text(target: Target, frame: PyFrame, limits: Limits) -> str:
    try:
        local_vars = frame_locals(target, frame)
    except CpythonGdbError as exc:
        return f"locals unreadable: {exc}"
    parts = []
    budget = limits.max_output
    for local in local_vars:
        value = object_repr(target, local.address, limits)
        parts.append(f"{local.name}={value}")
        budget -= len(parts[-1]) + 2
        if budget <= 0:
            parts.append("...(truncated)")
            break
    return ", ".join(parts)


def frame_summary(target: Target, frame: PyFrame, level: Optional[int], limits: Limits) -> List[str]:
    """The lines py-bt-full, py-up and py-down print for a frame."""
    number = "?" if level is None else str(level)
    line = "?" if frame.lineno is None else str(frame.lineno)
    head = (
        f"#{number} Frame 0x{frame.address:x}, for file {frame.code.filename}, "
        f"line {line}, in {frame.code.name} ({locals_text(target, frame, limits)})"
    )
    out = [head]
    text = source_line(frame.code.filename, frame.lineno)
    if text is not None:
        out.append("    " + text.strip())
    return out


def listing(filename: str, current: Optional[int], start: int, end: int) -> Optional[List[str]]:
    """Lines start..end (inclusive) of a file, the current one marked with '>'."""
    lines = source_lines(filename)
    if lines is None:
        return None
    start = max(start, 1)
    end = min(end, len(lines))
    out = []
    for number in range(start, end + 1):
        label = (">" if number == current else "") + str(number)
        out.append(f"{label:>4}    {lines[number - 1]}")
    return out
