"""Which task holds an asyncio.Lock that other tasks wait for, where the tasks' frames tell it.

asyncio.Lock does not record its owner. A task holds a locked Lock here
when it is the one task (of those listed) that refers to the lock from a
local variable of its coroutines (``async with lock:`` keeps it there)
without waiting for it; with no such task, or several, nothing is said.
"""

from __future__ import annotations

from ...errors import CpythonGdbError
from ..frames.walk import frame_locals
from ..target import Target
from .names import small_int
from .task import TaskInfo, attributes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Sequence, Set

MAX_SCANNED = 100_000  # coroutine frames whose locals are read


def _locked(t: Target, lock: int) -> bool:
    flag = attributes(t, lock).get("_locked", 0)
    return bool(flag) and t.type_of(flag).name == "bool" and small_int(t, flag) == 1


def lock_holders(t: Target, tasks: Sequence[TaskInfo]) -> Dict[int, int]:
    """Lock address -> the task holding it, for each locked Lock some listed task waits for."""
    waited = {task.waiting_object for task in tasks if task.waiting_kind == "lock" and task.waiting_object}
    if not waited:
        return {}
    try:
        waited = {lock for lock in waited if _locked(t, lock)}
    except CpythonGdbError:
        return {}
    candidates: Dict[int, List[int]] = {lock: [] for lock in waited}
    scanned = 0
    for task in tasks:
        found: Set[int] = set()
        for coro in task.coroutines:
            if coro.frame is None or scanned >= MAX_SCANNED:
                continue
            scanned += 1
            try:
                found.update(local.address for local in frame_locals(t, coro.frame) if local.address in waited)
            except CpythonGdbError:
                continue
        for lock in found:
            if not (task.waiting_kind == "lock" and task.waiting_object == lock):
                candidates[lock].append(task.address)
    return {lock: holders[0] for lock, holders in candidates.items() if len(holders) == 1}
