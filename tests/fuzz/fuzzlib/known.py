"""The bugs issue 16 named, told by what a finding shows, and which of them are still open.

A finding that matches an open bug (``OPEN``) is counted and reported
under its name and does not fail the quick tier (the targeted case aimed
at it is xfail(strict=False)). A finding that matches none, or a fixed
one, is new and fails. All eight are fixed on this tree, so ``OPEN`` is
empty and every finding fails: the targeted cases of targeted.py are
their regression tests. A bug the long tier finds and that cannot be
fixed at once goes here, with its mark, until it is.
"""

from typing import TYPE_CHECKING, Optional, Tuple

if TYPE_CHECKING:
    from .campaign import CaseResult
    from .tools import Finding

RAW_TEXT = "raw-text: raw target text (lone surrogates, NUL, non-UTF-8) gives UnicodeEncodeError/ValueError"
SPECIAL_SOURCE = "special-source: a FIFO or device as the source file hangs py-bt/dump"
HUGE_LINE = "huge-line: a huge source line is printed whole"
BT_NO_REGISTERS = "bt-no-registers: bt on a core without registers: 'Python Exception ... PC not available'"
DICT_2_60 = "dict-2^60: a dict whose keys table says 2^60 entries prints an unbalanced '{'"
CORE_NO_PRPSINFO = "core-no-prpsinfo: a truncated gcore core without NT_PRPSINFO makes dump raise IndexError"
CFRAME_BELOW_STACK = "cframe-below-stack: tstate->cframe just below [stack]: the reads grow the target's stack"
LIST_LOOP = "list-loop: a loop in the thread-state or interpreter list makes every command fail"

ALL = (RAW_TEXT, SPECIAL_SOURCE, HUGE_LINE, BT_NO_REGISTERS, DICT_2_60, CORE_NO_PRPSINFO, CFRAME_BELOW_STACK,
       LIST_LOOP)
# The ones still open (none: each was fixed with its regression test).
OPEN: Tuple[str, ...] = ()
# Files that block or never end when read as a source file.
SPECIAL_PATHS = ("fifo", "ptmx")
HUGE_PATHS = ("bigline", "devzero")


def _paths(result: "CaseResult") -> set:
    return {op.value for op in result.ops if op.kind == "path"}


def known_bug(finding: "Finding", result: "CaseResult") -> Optional[str]:
    """The name of the open bug ``finding`` shows, or None for a new one (or a fixed one back)."""
    bug = _which(finding, result)
    return bug if bug in OPEN else None


def _which(finding: "Finding", result: "CaseResult") -> Optional[str]:
    detail = finding.detail
    if finding.kind == "escape":
        if any(mark in detail for mark in ("UnicodeEncodeError", "surrogates not allowed", "embedded null")):
            return RAW_TEXT
        if "PC not available" in detail:
            return BT_NO_REGISTERS
        if result.kind == "core" and finding.tool == "dump" and "IndexError" in detail:
            return CORE_NO_PRPSINFO
    if finding.kind == "hang" and _paths(result) & set(SPECIAL_PATHS):
        return SPECIAL_SOURCE
    if finding.kind == "huge" and _paths(result) & set(HUGE_PATHS):
        return HUGE_LINE
    if finding.kind == "side effect" and "[stack]" in detail:
        return CFRAME_BELOW_STACK
    if finding.kind == "wrong" and "unbalanced" in detail:
        return DICT_2_60
    if finding.kind == "wrong" and "loops" in detail:
        return LIST_LOOP
    return None


class KnownBug(Exception):
    """Raised by a test that hit one of the bugs above (and nothing else): its xfail(raises=KnownBug) mark."""

    def __init__(self, names) -> None:
        super().__init__("known bug(s): " + "; ".join(sorted(set(names))))
        self.names = sorted(set(names))
