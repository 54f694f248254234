"""A frame's variables in labelled groups: what py-locals, py-bt-full and ``dump --locals`` show.

The entries' locals (document.py) carry their kind; the parameters come
first, in the signature's order (frames/walk.py). A reader looks for a
parameter's value apart from the variables the body made, and a cell or
free variable is shared with another function: each kind is shown under
its own label, in the order below, and a kind with no variable is left out.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, List, Tuple

    from .text import Entry

# (kind, label of its block, label on one line)
GROUPS = (
    ("argument", "Arguments", "args"),
    ("local", "Local variables", "locals"),
    ("cell", "Cell variables", "cells"),
    ("free", "Free variables", "free"),
)
_ORDER = {kind: index for index, (kind, _, _) in enumerate(GROUPS)}


def grouped(local_vars: Iterable[Entry]) -> List[Tuple[int, List[Entry]]]:
    """(index into GROUPS, its variables) for each kind that has one, in GROUPS order.

    A kind not known here (a newer document's) goes with the plain locals.
    """
    found: List[List[Entry]] = [[] for _ in GROUPS]
    for local in local_vars:
        found[_ORDER.get(local.get("kind", "local"), 1)].append(local)
    return [(index, items) for index, items in enumerate(found) if items]


def block_lines(local_vars: Iterable[Entry], indent: str = "", step: str = "  ") -> List[str]:
    """Each group as a label line, then one ``name = repr`` line for each of its variables."""
    out: List[str] = []
    for index, items in grouped(local_vars):
        out.append(f"{indent}{GROUPS[index][1]}:")
        out.extend(f"{indent}{step}{local['name']} = {local['repr']}" for local in items)
    return out


def inline(local_vars: Iterable[Entry], max_output: int) -> str:
    """The groups on one line, ``args: a=1, b=2; locals: c=3``, cut once ``max_output`` characters are used."""
    segments: List[str] = []
    budget = max_output
    for index, items in grouped(local_vars):
        parts: List[str] = []
        for local in items:
            parts.append(f"{local['name']}={local['repr']}")
            budget -= len(parts[-1]) + 2
            if budget <= 0:
                parts.append("...(truncated)")
                break
        segments.append(f"{GROUPS[index][2]}: " + ", ".join(parts))
        if budget <= 0:
            break
    return "; ".join(segments)
