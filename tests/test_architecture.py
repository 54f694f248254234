"""Rules of the package's layout, checked on its source.

- Only the gdb adapter (cpython_gdb.gdb) and the file gdb sources
  (gdb_hook.py) may import gdb: every other module imports in a Python
  that has no gdb module, and tries to import none.
- No module imports, at module level or in a function, a module that
  imports it back, directly or through others. An import under
  ``if TYPE_CHECKING:`` does not count: it never runs.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Set, Tuple

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "cpython_gdb"


def runs_in_gdb_only(name: str) -> bool:
    """The adapter package and the file gdb sources."""
    return name in ("cpython_gdb.gdb", "cpython_gdb.gdb_hook") or name.startswith("cpython_gdb.gdb.")


def modules(src: Path, package: str) -> Dict[str, Path]:
    """Every module of ``package`` under ``src``, by dotted name (a package by its own name)."""
    found = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


# --- no gdb outside the adapter ---------------------------------------------

# Run in a fresh interpreter: records every attempt to import gdb (even one
# guarded by try/except ImportError) and which module made it, then answers
# as a Python without gdb would.
_IMPORT_ALL = r"""
import importlib, json, sys
src, names = sys.argv[1], json.loads(sys.argv[2])
sys.path.insert(0, src)
attempts = []

class NoGdb:
    def find_spec(self, name, path=None, target=None):
        if name == "gdb" or name.startswith("gdb."):
            frame = sys._getframe(1)
            while frame is not None and frame.f_globals.get("__name__", "").startswith(("importlib", "_frozen")):
                frame = frame.f_back
            attempts.append([name, frame.f_globals.get("__name__", "?") if frame is not None else "?"])
            raise ImportError("No module named %r" % name, name=name)
        return None

sys.meta_path.insert(0, NoGdb())
failed = {}
for name in names:
    before = len(attempts)
    try:
        importlib.import_module(name)
    except BaseException as exc:
        failed[name] = "%s: %s" % (type(exc).__name__, exc)
    for wanted, importer in attempts[before:]:
        failed.setdefault(name, "imports %s (from %s)" % (wanted, importer))
print(json.dumps({"failed": failed, "loaded": sorted(m for m in sys.modules if m.startswith("cpython_gdb"))}))
"""


def test_no_module_outside_the_adapter_imports_gdb() -> None:
    names = [name for name in modules(SRC, PACKAGE) if not runs_in_gdb_only(name)]
    # The walk must reach the three layers, or this test checks nothing.
    for layer in ("engine", "direct", "cli"):
        assert any(name.startswith(f"{PACKAGE}.{layer}.") for name in names), layer
    proc = subprocess.run([sys.executable, "-c", _IMPORT_ALL, str(SRC), json.dumps(names)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["failed"] == {}
    assert set(names) <= set(result["loaded"])
    assert not any(runs_in_gdb_only(name) for name in result["loaded"])


# --- no import cycles --------------------------------------------------------


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST) -> Iterator[ast.stmt]:
    """The import statements that may run: at any depth, less those under ``if TYPE_CHECKING:``."""
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        for other in node.orelse:
            yield from _imports(other)
        return
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    for child in ast.iter_child_nodes(node):
        yield from _imports(child)


def import_graph(src: Path, package: str) -> Dict[str, Set[str]]:
    """The modules of ``package`` each module imports.

    ``from X import name`` imports the module X.name where there is one,
    else X. Importing a module also runs its parent packages, first: those
    edges are left out, as no parent can then import its child back before
    the child is loaded (a package's lazy ``__getattr__`` import of its own
    submodule is no cycle).
    """
    found = modules(src, package)
    graph: Dict[str, Set[str]] = {}
    for name, path in found.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: Set[str] = set()
        for node in _imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            assert isinstance(node, ast.ImportFrom)
            if node.level:
                parts = here.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in found else base)
        graph[name] = {target for target in targets if target in found and target != name}
    return graph


def cycles(graph: Dict[str, Set[str]]) -> List[Tuple[List[str], List[str]]]:
    """A shortest cycle through each group of modules that import each other, and the group's other members.

    The groups are the graph's strongly connected components (Tarjan).
    """
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    groups: List[Set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    found = []
    for group in groups:
        cycle = _shortest_cycle(graph, group)
        found.append((cycle, sorted(group - set(cycle))))
    return found


def _shortest_cycle(graph: Dict[str, Set[str]], group: Iterable[str]) -> List[str]:
    members = set(group)
    start = min(members)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & members):
                if nxt == start:
                    return paths[node] + [start]
                if nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no cycle through {start}")


def test_no_import_cycles() -> None:
    graph = import_graph(SRC, PACKAGE)
    # A few edges known to be there: the graph is read as meant.
    assert "cpython_gdb.engine.layout" in graph["cpython_gdb.engine.target"]
    assert "cpython_gdb.engine.objects.dispatch" in graph["cpython_gdb.engine.objects"]  # in __getattr__
    assert "cpython_gdb.engine.objects.strhash" in graph["cpython_gdb.engine.objects.dicts"]  # in a function
    found = [" -> ".join(cycle) + (f" (also in the tangle: {', '.join(others)})" if others else "")
             for cycle, others in cycles(graph)]
    assert found == [], "import cycles:\n" + "\n".join(found)


def test_the_cycle_check_sees_function_imports_and_skips_type_checking(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "a.py": "from . import b\n",
        "b.py": "def late():\n    from .sub.c import x\n",
        "sub/__init__.py": "",
        "sub/c.py": "import pkg.a\nx = 1\n",
        "d.py": "TYPE_CHECKING = False\nif TYPE_CHECKING:\n    from .e import y\nelse:\n    y = 0\n",
        "e.py": "from .d import y\n",
    }
    for relative, text in files.items():
        (package / relative).write_text(text)
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.d"] == set() and graph["pkg.e"] == {"pkg.d"}
    assert cycles(graph) == [(["pkg.a", "pkg.b", "pkg.sub.c", "pkg.a"], [])]
