"""asyncio tasks in the report: their entries (the document's ``tasks`` and ``cycles``) and their text.

``py-tasks`` in gdb and ``cpython-gdb dump --tasks`` both come this way:
engine/asyncio finds and decodes the tasks, :func:`tasks_section` makes
the entries (docs/dump-schema.json), and :func:`task_lines` /
:func:`tree_lines` the text, each line printable().
"""

from __future__ import annotations

from ...errors import CpythonGdbError
from ..asyncio.graph import await_edges, awaited_by, find_cycles, tree_roots
from ..asyncio.locks import lock_holders
from ..asyncio.tables import asyncio_layout
from ..asyncio.task import TaskInfo, read_task
from ..asyncio.tasklists import find_tasks
from ..limits import Limits
from ..target import Target
from .document import python_entry
from .text import printable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Sequence, Tuple

    from ..runtime.anchor import Runtime
    from .document import SourceCache
    from .text import Entry

_PRIMITIVE_NAMES = {"lock": "Lock", "event": "Event", "condition": "Condition", "semaphore": "Semaphore",
                    "queue": "Queue", "barrier": "Barrier"}


def frame_owners(threads: Sequence[Entry]) -> Dict[int, Optional[int]]:
    """Python frame address -> the OS thread id (lwp) of the thread running it, from thread entries."""
    out: Dict[int, Optional[int]] = {}
    for thread in threads:
        for frame in thread.get("frames") or ():
            if frame.get("kind") == "python" and frame.get("address"):
                out[frame["address"]] = thread.get("lwp")
    return out


MAX_NAMES = 20  # task names on one line of text (the JSON has them all)


def _more(names: List[str], count: int) -> str:
    return ", ".join(names) + (f" and {count - len(names)} more" if count > len(names) else "")


def _names(tasks: Sequence[TaskInfo], addresses: Sequence[int]) -> str:
    by_address = {task.address: task.name for task in tasks}
    return _more([repr(by_address.get(a, f"0x{a:x}")) for a in addresses[:MAX_NAMES]], len(addresses))


def _waiting_text(task: TaskInfo, tasks: Sequence[TaskInfo], now: Optional[float],
                  holder: Optional[int] = None) -> Optional[str]:
    kind = task.waiting_kind
    if kind is None:
        return None
    if kind == "task":
        return f"task {_names(tasks, task.awaits or (task.waiting_object,))}"
    if kind == "gather":
        return f"gather of {_names(tasks, task.awaits)}" if task.awaits else "gather (no pending task)"
    if kind == "taskgroup":
        return f"TaskGroup of {_names(tasks, task.awaits)}" if task.awaits else "TaskGroup"
    if kind == "sleep":
        if task.deadline is None:
            return "asyncio.sleep()"
        if now is not None:
            return f"asyncio.sleep(): {max(task.deadline - now, 0.0):.3f} s left"
        return f"asyncio.sleep() until loop time {task.deadline:.3f}"
    if kind in _PRIMITIVE_NAMES:
        text = f"{_PRIMITIVE_NAMES[kind]} at 0x{task.waiting_object:x}"
        return text + (f", held by task {_names(tasks, (holder,))}" if holder is not None else "")
    if kind == "ready":
        return "nothing: scheduled to run"
    return f"Future at 0x{task.waiting_object:x}"


def task_entry(target: Target, task: TaskInfo, tasks: Sequence[TaskInfo], by: Dict[int, List[int]],
               edges: Dict[int, List[int]], owners: Dict[int, Optional[int]], now: Optional[float],
               limits: Limits, sources: SourceCache, holders: Optional[Dict[int, int]] = None) -> Entry:
    frames = []
    thread = None
    for coro in reversed(task.coroutines):  # most recent first, as a traceback
        if coro.frame is None:
            continue
        entry = python_entry(target, coro.frame, None, False, limits, sources)
        del entry["level"]
        entry["qualname"] = coro.qualname
        entry["coroutine"] = coro.address
        entry["state"] = coro.state
        frames.append(entry)
    if task.coroutines and task.coroutines[0].frame is not None:
        thread = owners.get(task.coroutines[0].frame.address)
    holder = (holders or {}).get(task.waiting_object) if task.waiting_kind == "lock" else None
    text = _waiting_text(task, tasks, now, holder)
    waiting = None
    if text is not None:
        waiting = {"kind": task.waiting_kind, "text": text, "address": task.waiting_object or None,
                   "deadline": task.deadline,
                   "seconds_left": None if task.deadline is None or now is None else task.deadline - now}
        if task.waiting_kind == "lock":
            waiting["holder"] = holder
    exception = None
    if task.exception_type is not None:
        exception = {"type": task.exception_type, "message": task.exception_message}
    return {
        "address": task.address,
        "name": task.name,
        "state": task.state,
        "thread": thread,
        "loop": task.loop or None,
        "frames": frames,
        "waiting_for": waiting,
        "awaits": list(edges.get(task.address, ())),
        "awaited_by": list(by.get(task.address, ())),
        "exception": exception,
        "note": task.error or task.chain_note,
    }


def tasks_section(target: Target, runtime: Runtime, limits: Limits,
                  owners: Optional[Dict[int, Optional[int]]] = None, now: Optional[float] = None,
                  sources: Optional[SourceCache] = None) -> Tuple[List[Entry], List[List[int]], List[str]]:
    """The task entries, the await cycles (task addresses) and notes (what was left out or unreadable).

    ``owners``: frame_owners() of the threads, to tell which thread runs a
    task; ``now``: the loop clock's time (time.monotonic() of a live
    process's machine), None for a core.
    """
    al = asyncio_layout(target.layout.version, target.scheme.free_threaded)
    if al is None:
        return [], [], [f"asyncio tasks are not known for {target.layout.description}"]
    max_tasks = limits.max_tasks
    notes_before = len(target.notes)
    try:
        addresses, more = find_tasks(target, al, runtime, max_tasks)
    except CpythonGdbError as exc:
        return [], [], [f"cannot list the asyncio tasks: {exc}"]
    tasks = [read_task(target, al, address, limits) for address in addresses]
    edges = await_edges(tasks)
    by = awaited_by(edges)
    cycles = find_cycles(edges)
    notes = list(target.notes[notes_before:])
    del target.notes[notes_before:]
    if more:
        notes.append(f"more than {max_tasks} tasks: the first {max_tasks} are shown (set cpython max-tasks)")
    src: SourceCache = {} if sources is None else sources
    holders = lock_holders(target, tasks)
    entries = [task_entry(target, task, tasks, by, edges, owners or {}, now, limits, src, holders) for task in tasks]
    return entries, cycles, notes


# Text.

def _heading(task: Entry) -> str:
    state = task["state"]
    if state == "running" and task.get("thread") is not None:
        state = f"running on thread {task['thread']}"
    elif state == "failed" and task.get("exception"):
        exc = task["exception"]
        state = f"failed: {exc['type']}: {exc['message']}" if exc["message"] else f"failed: {exc['type']}"
    return f"Task {task['name']!r} at 0x{task['address']:x} ({state})"


def _frame_lines(frame: Entry, indent: str) -> List[str]:
    line = "?" if frame.get("line") is None else str(frame["line"])
    out = [f'{indent}File "{frame["file"]}", line {line}, in {frame["qualname"]}']
    if frame.get("source") is not None:
        out.append(f"{indent}  {frame['source']}")
    return out


def _name_list(entries: Dict[int, Entry], addresses: Sequence[int]) -> str:
    shown = [repr(entries[a]["name"]) if a in entries else f"0x{a:x}" for a in addresses[:MAX_NAMES]]
    return _more(shown, len(addresses))


def task_lines(tasks: Sequence[Entry], cycles: Sequence[Sequence[int]], notes: Sequence[str]) -> List[str]:
    """Every task with its coroutine stack, what it waits for and who awaits it (py-tasks, dump --tasks)."""
    by_address = {task["address"]: task for task in tasks}
    out = [f"asyncio tasks: {len(tasks)}"]
    out.extend(f"Note: {note}" for note in notes)
    for task in tasks:
        out.append("")
        out.append(_heading(task))
        if task.get("loop"):
            out.append(f"  loop: 0x{task['loop']:x}")
        if task.get("waiting_for"):
            out.append(f"  waiting for: {task['waiting_for']['text']}")
        if task["awaits"]:
            out.append(f"  awaits: {_name_list(by_address, task['awaits'])}")
        if task["awaited_by"]:
            out.append(f"  awaited by: {_name_list(by_address, task['awaited_by'])}")
        if task.get("note"):
            out.append(f"  ({task['note']})")
        if task["frames"]:
            out.append("  Coroutine stack (most recent call first):")
            for frame in task["frames"]:
                out.extend(_frame_lines(frame, "    "))
    out.extend(cycle_lines(tasks, cycles))
    return [printable(line) for line in out]


def cycle_lines(tasks: Sequence[Entry], cycles: Sequence[Sequence[int]]) -> List[str]:
    by_address = {task["address"]: task for task in tasks}
    out = []
    for cycle in cycles:
        names = [repr(by_address[a]["name"]) if a in by_address else f"0x{a:x}" for a in cycle]
        out.append("")
        out.append("Await cycle: " + " -> ".join(names + names[:1]))
    return out


def _frame_label(frame: Entry) -> str:
    line = "?" if frame.get("line") is None else frame["line"]
    return f"{frame['qualname']} {frame['file']}:{line}"


MAX_TREE_DEPTH = 100  # tasks on one branch of the tree (drawing recurses once per task)
MAX_TREE_FRAMES = 30  # coroutines drawn under one task (each one level deeper)


def tree_lines(tasks: Sequence[Entry], cycles: Sequence[Sequence[int]], notes: Sequence[str]) -> List[str]:
    """The await graph as ``python -m asyncio pstree`` (3.14) draws it.

    Roots are the tasks nothing awaits; under a task, its coroutine stack
    (outermost first, one level each), and under the innermost coroutine
    the tasks it awaits; a task that awaits no task ends with its own
    stack. A task met again on its own branch (a cycle) is marked and not
    followed; the drawing is bounded in depth and in lines.
    """
    by_address = {task["address"]: task for task in tasks}
    order = [task["address"] for task in tasks]
    roots = tree_roots({a: list(by_address[a]["awaits"]) for a in order}, order)
    out: List[str] = [f"asyncio tasks: {len(tasks)}"]
    out.extend(f"Note: {note}" for note in notes)
    budget = [max(50 * len(tasks), 1000)]

    def line(prefix: str, last: bool, label: str) -> str:
        return f"{prefix}{'└── ' if last else '├── '}{label}"

    def draw(address: int, prefix: str, last: bool, path: Tuple[int, ...]) -> None:
        if budget[0] <= 0:
            return
        budget[0] -= 1
        task = by_address[address]
        if address in path:
            out.append(line(prefix, last, f"(T) {task['name']} (await cycle)"))
            return
        if len(path) >= MAX_TREE_DEPTH:
            out.append(line(prefix, last, f"(T) {task['name']} ... (awaits deeper than {MAX_TREE_DEPTH} tasks: "
                                          "not drawn)"))
            return
        out.append(line(prefix, last, f"(T) {task['name']}"))
        prefix += "    " if last else "│   "
        frames = list(reversed(task["frames"]))  # outermost first
        awaited = [a for a in task["awaits"] if a in by_address]
        if len(frames) > MAX_TREE_FRAMES:  # the innermost are kept: they say what it waits for
            out.append(line(prefix, True, f" ... {len(frames) - MAX_TREE_FRAMES + 1} outer coroutines"))
            prefix += "    "
            frames = frames[-MAX_TREE_FRAMES + 1:]
        for frame in frames:
            out.append(line(prefix, True, f" {_frame_label(frame)}"))
            prefix += "    "
        for i, other in enumerate(awaited):
            draw(other, prefix, i == len(awaited) - 1, path + (address,))

    for root in roots:
        draw(root, "", True, ())
    if budget[0] <= 0:
        out.append("... (tree cut: too many lines)")
    out.extend(cycle_lines(tasks, cycles))
    return [printable(line) for line in out]


def add_tasks(doc: Entry, target: Target, runtime: Runtime, limits: Limits, now: Optional[float],
              sources: Optional[SourceCache] = None) -> None:
    """Put ``tasks`` and ``cycles`` in a report document (its threads tell which thread runs a task)."""
    entries, cycles, notes = tasks_section(target, runtime, limits, frame_owners(doc["threads"]), now, sources)
    doc["tasks"] = entries
    doc["cycles"] = cycles
    running = {task["thread"]: task["name"] for task in entries if task["thread"] is not None}
    for thread in doc["threads"]:
        if thread.get("lwp") in running:
            thread["asyncio_task"] = running[thread["lwp"]]
    doc["notes"] = list(doc.get("notes") or ()) + notes
