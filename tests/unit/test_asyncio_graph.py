"""The await graph on hand-made tasks: edges both ways, cycles, roots and the tree's bounds."""

from cpython_gdb.engine.asyncio.graph import await_edges, awaited_by, find_cycles, tree_roots
from cpython_gdb.engine.asyncio.task import TaskInfo
from cpython_gdb.engine.report.tasks import tree_lines


def task(address, awaits=(), awaited_by_field=()):
    return TaskInfo(address, f"T{address}", "pending", awaits=tuple(awaits), awaited_by_field=tuple(awaited_by_field))


def test_edges_from_both_sides_each_once():
    tasks = [task(1, awaits=[2, 3, 99]), task(2, awaited_by_field=[1]), task(3, awaited_by_field=[4]), task(4)]
    edges = await_edges(tasks)
    assert edges == {1: [2, 3], 2: [], 3: [], 4: [3]}  # 99 is no listed task
    assert awaited_by(edges) == {1: [], 2: [1], 3: [1, 4], 4: []}


def test_cycles():
    # 1 -> 2 -> 3 -> 1, 4 -> 4 (awaits itself), 5 -> 1 (into a cycle, not on it), 6 -> 7 (no cycle).
    edges = {1: [2], 2: [3], 3: [1], 4: [4], 5: [1], 6: [7], 7: []}
    assert sorted(find_cycles(edges)) == [[1, 2, 3], [4]]
    assert find_cycles({1: [2, 3], 2: [4], 3: [4], 4: []}) == []  # a diamond is no cycle


def test_a_long_chain_is_not_recursive():
    n = 100_000
    edges = {i: [i + 1] for i in range(n)}
    edges[n] = [0]
    (cycle,) = find_cycles(edges)
    assert len(cycle) == n + 1 and cycle[0] == 0


def test_roots_include_a_cycle_nothing_outside_awaits():
    edges = {1: [2], 2: [1], 3: [4], 4: []}
    assert tree_roots(edges, [1, 2, 3, 4]) == [3, 1]


def entry(address, name, awaits, awaited):
    return {"address": address, "name": name, "state": "pending", "frames": [], "awaits": awaits,
            "awaited_by": awaited}


def test_tree_marks_a_cycle_once():
    tasks = [entry(1, "a", [2], [2]), entry(2, "b", [1], [1])]
    lines = tree_lines(tasks, [[1, 2]], [])
    assert lines == ["asyncio tasks: 2", "└── (T) a", "    └── (T) b", "        └── (T) a (await cycle)", "",
                     "Await cycle: 'a' -> 'b' -> 'a'"]


def test_tree_of_a_long_await_chain_is_bounded():
    n = 5000
    tasks = [entry(i, f"t{i}", [i + 1] if i + 1 < n else [], [i - 1] if i else []) for i in range(n)]
    lines = tree_lines(tasks, [], [])
    assert len(lines) == 102
    assert lines[-1].endswith("(T) t100 ... (awaits deeper than 100 tasks: not drawn)")


def test_tree_of_a_deep_coroutine_stack_keeps_the_innermost():
    frames = [{"qualname": f"f{i}", "file": "x.py", "line": i} for i in range(1000)]  # most recent first
    tasks = [dict(entry(1, "deep", [], []), frames=frames)]
    lines = tree_lines(tasks, [], [])
    assert len(lines) == 2 + 30
    assert lines[2].endswith(" ... 971 outer coroutines")
    assert lines[-1].endswith(" f0 x.py:0")


def test_long_name_lists_are_cut():
    from cpython_gdb.engine.report.tasks import task_lines

    children = list(range(2, 1002))
    tasks = [entry(1, "parent", children, [])] + [entry(a, f"c{a}", [], [1]) for a in children]
    lines = task_lines(tasks, [], [])
    awaits = next(line for line in lines if line.startswith("  awaits: "))
    assert awaits == "  awaits: " + ", ".join(repr(f"c{a}") for a in range(2, 22)) + " and 980 more"
