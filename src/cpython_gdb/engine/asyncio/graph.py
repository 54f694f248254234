"""The await graph of a process's tasks: who awaits whom, cycles, and the tree.

An edge A -> B says task A awaits task B: B is A's fut_waiter, one of the
tasks of a gather A awaits, or (TaskGroup) a task of the group whose
``__aexit__`` A waits in; from 3.14 also each waiter CPython records in
B's ``task_awaited_by``, as ``python -m asyncio pstree`` reads it.
"""

from __future__ import annotations

from .task import TaskInfo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Sequence, Set, Tuple

MAX_CYCLES = 100


def await_edges(tasks: Sequence[TaskInfo]) -> Dict[int, List[int]]:
    """For each task, the tasks it awaits (only tasks in ``tasks``), each once, in order found."""
    known = {task.address for task in tasks}
    edges: Dict[int, List[int]] = {task.address: [] for task in tasks}
    seen: Set[Tuple[int, int]] = set()

    def add(waiter: int, awaited: int) -> None:
        if awaited in known and waiter in known and (waiter, awaited) not in seen:
            seen.add((waiter, awaited))
            edges[waiter].append(awaited)

    for task in tasks:
        for other in task.awaits:
            add(task.address, other)
    for task in tasks:
        for waiter in task.awaited_by_field:
            add(waiter, task.address)
    return edges


def awaited_by(edges: Dict[int, List[int]]) -> Dict[int, List[int]]:
    out: Dict[int, List[int]] = {node: [] for node in edges}
    for node, targets in edges.items():
        for other in targets:
            out[other].append(node)
    return out


def find_cycles(edges: Dict[int, List[int]]) -> List[List[int]]:
    """The await cycles (each as its tasks in await order, starting at its lowest address), at most MAX_CYCLES.

    An iterative depth-first search: a back edge to a task on the current
    path closes a cycle. Bounded by the graph's size, never recursive.
    """
    cycles: List[List[int]] = []
    seen_cycles: Set[Tuple[int, ...]] = set()
    done: Set[int] = set()
    for root in edges:
        if root in done:
            continue
        path: List[int] = [root]
        on_path = {root}
        stack: List[Tuple[int, int]] = [(root, 0)]
        while stack:
            node, index = stack[-1]
            targets = edges.get(node, [])
            if index >= len(targets):
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
                continue
            stack[-1] = (node, index + 1)
            nxt = targets[index]
            if nxt in on_path:
                cycle = path[path.index(nxt):]
                low = cycle.index(min(cycle))
                key = tuple(cycle[low:] + cycle[:low])
                if key not in seen_cycles and len(cycles) < MAX_CYCLES:
                    seen_cycles.add(key)
                    cycles.append(list(key))
            elif nxt not in done:
                path.append(nxt)
                on_path.add(nxt)
                stack.append((nxt, 0))
    return cycles


def tree_roots(edges: Dict[int, List[int]], order: Sequence[int]) -> List[int]:
    """The tasks nothing awaits, in ``order``; plus one task of each cycle nothing outside awaits."""
    by = awaited_by(edges)
    roots = [node for node in order if not by.get(node)]
    reached: Set[int] = set()
    pending = list(roots)
    while pending:
        node = pending.pop()
        if node in reached:
            continue
        reached.add(node)
        pending.extend(edges.get(node, []))
    for node in order:  # what only a cycle reaches
        if node not in reached:
            roots.append(node)
            pending = [node]
            while pending:
                current = pending.pop()
                if current in reached:
                    continue
                reached.add(current)
                pending.extend(edges.get(current, []))
    return roots
