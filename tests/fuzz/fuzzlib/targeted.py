"""Cases aimed at the bugs of issue 16 (known.py), and at the corruptions it names.

Random cases reach some of these corruptions only rarely (a code object
whose file name is a FIFO, a keys table of 2^60 slots); each case here
makes one on purpose and names the bug it was aimed at. Those bugs are
fixed: these cases are their regression tests on live processes and
cores. The quick tier runs each on one version (in turn), the long tier
on every version; a case whose bug is in known.OPEN is xfail(strict=False).

Some bugs are wrong output rather than an escape: ``checks`` look for
them in the outputs and report a "wrong" finding.
"""

import re
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

from . import known
from .plan import Op
from .structures import Structures
from .tools import Finding, Run

Ops = Callable[[Structures], List[Op]]


class Targeted(NamedTuple):
    name: str
    kind: str  # live or core
    bug: Optional[str]  # the bug of issue 16 it is aimed at (its regression test)
    ops: Ops
    commands: Tuple[str, ...]  # gdb commands, and "dump ARGS" variants
    core: Optional[Dict[str, object]] = None  # core_plan's parameters, for a core case
    versions: Optional[Tuple[str, ...]] = None  # None: every version
    check: Optional[Callable[[Sequence[Run]], List[Finding]]] = None
    hang_seconds: Optional[float] = None  # a shorter hang limit, for a case that hangs while its bug is open


def _code_str(field: str, kind: str, value: str) -> Ops:
    def ops(s: Structures) -> List[Op]:
        return [Op(kind, f"code of {s.frame_of('main_locals')}.{field}", "text", 0, value)]
    return ops


def _balanced(runs: Sequence[Run]) -> List[Finding]:
    out = []
    for run in runs:
        if run.command.startswith("py-print"):
            text = re.sub(r"'[^']*'", "", run.output)  # braces inside strs do not count
            if text.count("{") != text.count("}"):
                out.append(Finding("wrong", run.tool, run.command, f"unbalanced braces: {run.output.strip()[:200]}"))
    return out


def _still_shows_frames(runs: Sequence[Run]) -> List[Finding]:
    """A loop in a list must not hide the threads before it (those after it cannot be reached: the
    selected thread, the main one, is the list's last, so py-bt says it has no thread state)."""
    out = []
    for run in runs:
        if run.command in ("py-threads", "thread apply all py-bt", "dump") and "File " not in run.output:
            why = "list loops" if "loops" in run.output else run.output.strip()[:200]
            out.append(Finding("wrong", run.tool, run.command, f"no frame shown ({why})"))
    return out


def _all_tstates(field: str, value: str) -> Ops:
    def ops(s: Structures) -> List[Op]:
        return [Op("field", r.label, field, 8, value) for r in s.regions if r.kind == "PyThreadState"]
    return ops


PY_BT = ("py-bt", "py-list", "dump")
CASES: Tuple[Targeted, ...] = (
    Targeted("surrogate-function-name", "live", known.RAW_TEXT, _code_str("co_name", "rawtext", "surrogate"),
             ("py-bt", "py-bt-full", "bt", "thread apply all py-bt", "dump", "dump --json")),
    Targeted("surrogate-file-name", "live", known.RAW_TEXT, _code_str("co_filename", "rawtext", "surrogate"),
             ("py-bt", "py-list", "bt", "dump")),
    Targeted("nul-in-file-name", "live", known.RAW_TEXT, _code_str("co_filename", "path", "nul"), PY_BT),
    Targeted("escape-sequences-in-name", "live", None, _code_str("co_name", "rawtext", "escape"), ("py-bt", "dump")),
    Targeted("fifo-source", "live", known.SPECIAL_SOURCE, _code_str("co_filename", "path", "fifo"),
             ("py-bt", "dump"), hang_seconds=3),
    Targeted("device-source", "live", known.SPECIAL_SOURCE, _code_str("co_filename", "path", "ptmx"), ("py-list",),
             hang_seconds=3),
    Targeted("devzero-source", "live", None, _code_str("co_filename", "path", "devzero"), PY_BT),
    Targeted("huge-source-line", "live", known.HUGE_LINE, _code_str("co_filename", "path", "bigline"), PY_BT),
    Targeted("directory-source", "live", None, _code_str("co_filename", "path", "dir"), PY_BT),
    Targeted("dict-keys-2^60", "live", known.DICT_2_60,
             lambda s: [Op("field", "object mapping.ma_keys",
                           "PyDictKeysObject.dk_log2_size" if s.layout.has("PyDictKeysObject.dk_log2_size")
                           else "PyDictKeysObject.dk_size", 1 if s.layout.has("PyDictKeysObject.dk_log2_size")
                           else 8, "0x3c" if s.layout.has("PyDictKeysObject.dk_log2_size") else hex(1 << 60))],
             ("py-print mapping", "py-locals", "dump --locals"), check=_balanced),
    Targeted("list-size-2^60", "live", None,
             lambda s: [Op("size", "object items", "PyVarObject.ob_size", 8, hex(1 << 60))],
             ("py-print items", "py-locals", "dump --locals")),
    Targeted("tstate-list-loop", "live", known.LIST_LOOP,
             lambda s: [Op("link", "tstate[1]", "PyThreadState.next", 8, "self")],
             ("py-bt", "py-threads", "thread apply all py-bt", "dump"), check=_still_shows_frames),
    Targeted("interpreter-list-loop", "live", known.LIST_LOOP,
             lambda s: [Op("link", "interp[0]", "PyInterpreterState.next", 8, "self")],
             ("py-bt", "py-threads", "dump"), check=_still_shows_frames),
    Targeted("frame-chain-loop", "live", None,
             lambda s: [Op("link", s.frame_of("nested_calls"), "_PyInterpreterFrame.previous"
                           if s.layout.scheme.frame != "frameobject" else "PyFrameObject.f_back", 8, "self")],
             ("py-bt", "py-bt-full", "bt", "dump")),
    Targeted("cframe-below-stack", "live", known.CFRAME_BELOW_STACK,
             _all_tstates("PyThreadState.cframe", "stack_below"), ("py-bt", "py-threads", "dump"),
             versions=("3.11", "3.12")),
    # The same growth through another pointer: tstate->current_frame (<= 3.10, 3.13+).
    Targeted("frame-below-stack", "live", known.CFRAME_BELOW_STACK,
             _all_tstates("PyThreadState.current_frame", "stack_below"),
             ("py-bt", "py-threads", "dump"), versions=("3.8", "3.9", "3.10", "3.13", "3.14", "3.15")),
    Targeted("unmapped-code", "live", None,
             lambda s: [Op("field", s.frame_of("main_locals"), "_PyInterpreterFrame.executable"
                           if s.layout.scheme.frame != "frameobject" else "PyFrameObject.f_code", 8, "gap")],
             ("py-bt", "py-bt-full", "py-locals", "bt", "dump --locals")),
    Targeted("core-without-registers", "core", known.BT_NO_REGISTERS, lambda s: [],
             ("bt", "py-bt", "thread apply all py-bt", "dump", "dump --native"), core={"note": "drop_prstatus"}),
    Targeted("truncated-core-without-prpsinfo", "core", known.CORE_NO_PRPSINFO, lambda s: [],
             ("py-bt", "dump", "dump --json"), core={"note": "drop_prpsinfo", "truncate_at": 0.5}),
    Targeted("core-cut-in-notes", "core", None, lambda s: [], ("py-bt", "bt", "dump"), core={"truncate_in_notes": 1}),
)


def by_name(name: str) -> Targeted:
    return next(case for case in CASES if case.name == name)
