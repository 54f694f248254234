"""Every py-* command on known programs, checked against the exact text.

Each test runs one gdb on one live target and many commands in it. The
expected text is built from the program's source (line numbers and source
lines), the values the program is known to hold and, for the C frame
numbers, gdb's own `bt` taken in the same session. Addresses are the only
thing normalized (to 0xADDR).

On 3.8-3.10 each Python frame has its own C call of the eval loop; from
3.11 one C call runs a group of Python frames that ends at an "entry"
frame (a frame called from C). The specs below mark entry frames, so the
same spec gives the expected grouping on every version.
"""

import json
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, Union

from harness import PROGRAMS, run_sections, running, wait_blocked

ADDR = re.compile(r"0x[0-9a-f]+")
BT_LINE = re.compile(r"^#(\d+)\s+(?:0x[0-9a-f]+ in )?([\w.]+) \(", re.M)


def norm(text: str) -> str:
    return ADDR.sub("0xADDR", text)


def source_lines(program: str) -> List[str]:
    """PROGRAM: a name under tests/programs or an absolute path."""
    return (PROGRAMS / program).read_text().splitlines()


def line_of(program: str, text: str) -> int:
    """The number of the one line of PROGRAM whose stripped text is TEXT
    (or, for a text starting with '# mark:', that ends with it)."""
    found = [
        i + 1
        for i, line in enumerate(source_lines(program))
        if line.strip() == text or (text.startswith("# mark:") and line.rstrip().endswith(text))
    ]
    assert len(found) == 1, (program, text, found)
    return found[0]


@dataclass
class F:
    """A Python frame: function, its current line (text or '# mark: x'), locals."""

    name: str
    at: str
    locals: str = ""
    entry: bool = False  # called from C: the first frame its eval-loop call ran
    file: Optional[str] = None  # absolute path when not the program itself
    # The function's parameters, read from its source by Stack: the locals
    # of those names show under "Arguments", the others under "Local
    # variables". Locals written already grouped ("args: ...; locals: ...")
    # are taken as they are (cells and free variables).
    params: Tuple[str, ...] = ()


GROUPED = re.compile(r"^(args|locals|cells|free): ")


def split_items(text: str) -> List[str]:
    """'a=1, b=[2, 3]' -> ['a=1', 'b=[2, 3]']: split at the commas outside brackets and quotes."""
    items, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth -= 1
        elif ch == "," and depth == 0 and text[i + 1 : i + 2] == " ":
            items.append(text[start:i])
            start = i + 2
    items.append(text[start:])
    return [item for item in items if item]


def params_of(path: str, name: str) -> Tuple[str, ...]:
    """The parameter names of function NAME (or the one lambda) in the file at PATH."""
    text = (PROGRAMS / path).read_text()
    if name == "<lambda>":
        found = re.search(r"lambda ([\w, ]*):", text)
    else:
        found = re.search(rf"def {re.escape(name)}\(([^)]*)\)", text)
    if found is None:
        return ()
    words = [w.split("=")[0].strip().lstrip("*") for w in found.group(1).split(",")]
    return tuple(w for w in words if w and w not in ("/", "*"))


def inline_locals(f: F) -> str:
    """F's locals as py-bt-full shows them, by group."""
    if not f.locals or GROUPED.match(f.locals):
        return f.locals
    items = split_items(f.locals)
    args = [i for i in items if i.split("=", 1)[0] in f.params]
    rest = [i for i in items if i.split("=", 1)[0] not in f.params]
    parts = ([f"args: {', '.join(args)}"] if args else []) + ([f"locals: {', '.join(rest)}"] if rest else [])
    return "; ".join(parts)


def grouped_lines(f: F, lines: Sequence[str]) -> List[str]:
    """py-locals' lines for F from its 'name = value' lines; lines with group labels are taken as they are."""
    if any(line.endswith(":") for line in lines):
        return list(lines)
    args = [line for line in lines if line.split(" = ", 1)[0] in f.params]
    rest = [line for line in lines if line.split(" = ", 1)[0] not in f.params]
    out = (["Arguments:"] + ["  " + a for a in args]) if args else []
    return out + ((["Local variables:"] + ["  " + r for r in rest]) if rest else [])


@dataclass
class B:
    """A C built-in function call, as py-bt shows it."""

    text: str
    # The newest version that makes the call through a C frame py-bt shows.
    # (A method of a C object is called as a bound built-in method up to
    # 3.6, and from 3.7 through its method descriptor, bpo-26110: py-bt
    # shows both as the bound method.)
    until: Tuple[int, int] = (99, 0)
    # And the oldest: 2.7's PyCFunction_Call jumps into the C function (a
    # tail call), and its eval loop calls the simplest ones itself, so no
    # C frame of its tells a built-in call.
    since: Tuple[int, int] = (3, 6)


def shown(version: str, items: Sequence["Item"]) -> List["Item"]:
    """The items a version shows."""
    return [i for i in items if not isinstance(i, B) or i.since <= major_minor(version) <= i.until]


Item = Union[F, B]


def major_minor(version: str) -> Tuple[int, int]:
    a, b = version.rstrip("t").split(".")
    return int(a), int(b)


def groups(version: str, frames: Sequence[F]) -> List[List[F]]:
    """The Python frames of each eval-loop C call, innermost first."""
    if major_minor(version) < (3, 11):
        return [[f] for f in frames]
    out: List[List[F]] = []
    current: List[F] = []
    for f in frames:
        current.append(f)
        if f.entry:
            out.append(current)
            current = []
    assert not current, "the outermost frame must be an entry frame"
    return out


# The C functions that call a built-in for Python code before 3.8 (3.6's
# _PyCFunction_FastCallKeywords calls its _PyCFunction_FastCallDict: one
# call, at the inner frame).
OLD_BUILTIN_CALLS = ("PyCFunction_Call", "_PyCFunction_FastCallKeywords", "_PyCFunction_FastCallDict")
# C method calls: a method descriptor on its object (3.8+'s vectorcall family, 3.7's fast call), a slot wrapper.
METHOD_CALLS = ("_PyMethodDescr_FastCallKeywords", "wrapper_call")


def c_levels(bt: str) -> Tuple[List[int], List[int]]:
    """Levels of the eval-loop C frames and of the C built-in call frames in gdb's bt."""
    evals, builtins = [], []
    previous = (-2, "")
    for m in BT_LINE.finditer(bt):
        level, name = int(m.group(1)), m.group(2)
        if name in ("_PyEval_EvalFrameDefault", "PyEval_EvalFrameEx"):
            evals.append(level)
        elif (name.startswith(("cfunction_", "method_vectorcall_")) or name in OLD_BUILTIN_CALLS
              or name in METHOD_CALLS):
            if previous != (level - 1, "builtin"):
                builtins.append(level)
            previous = (level, "builtin")
            continue
        previous = (level, "")
    return evals, builtins


class Stack:
    """Expected command output for a known Python stack (innermost first)."""

    def __init__(
        self, version: str, program: str, items: Sequence[Item], bt: Optional[str] = None, unstarted: int = 0,
        dwarf: bool = True,
    ) -> None:
        """``dwarf``: False where gdb has no debug info for the interpreter, so py-bt shows no C built-in call."""
        self.version = version
        self.program = program
        self.path = str(PROGRAMS / program)
        self.items = shown(version, items) if dwarf else [i for i in items if isinstance(i, F)]
        self.frames = [i for i in items if isinstance(i, F)]
        for f in self.frames:
            f.params = params_of(self.file(f), f.name)
        self.groups = groups(version, self.frames)
        self.levels: Dict[int, int] = {}  # id(frame or builtin) -> C level
        if bt is not None:
            evals, builtins = c_levels(bt)
            # The newest eval-loop calls may not run a Python frame yet
            # (stopped at the function's entry).
            evals = evals[unstarted:]
            assert len(evals) == len(self.groups), (evals, bt)
            for level, group in zip(evals, self.groups):
                for f in group:
                    self.levels[id(f)] = level
            bs = [i for i in self.items if isinstance(i, B)]
            assert len(builtins) == len(bs) or not dwarf, (builtins, bt)
            for level, b in zip(builtins, bs):
                self.levels[id(b)] = level

    def file(self, f: F) -> str:
        return f.file or self.path

    def line(self, f: F) -> int:
        return line_of(self.file(f), f.at)

    def text(self, f: F) -> str:
        return source_lines(self.file(f))[self.line(f) - 1].strip()

    def py_bt(self) -> str:
        out = ["Traceback (most recent call first):"]
        for item in self.items:
            if isinstance(item, B):
                out.append("  " + item.text)
            else:
                out.append(f'  File "{self.file(item)}", line {self.line(item)}, in {item.name}')
                out.append("    " + self.text(item))
        return "\n".join(out) + "\n"

    def summary(self, f: F, number: Optional[int] = None) -> List[str]:
        """py-up's lines for F; with its NUMBER among the Python frames, py-bt-full's and py-frame's."""
        where = f"for file {self.file(f)}, line {self.line(f)}, in {f.name}"
        head = "" if number is None else f"[{number}] "
        return [
            f"{head}#{self.levels[id(f)]} Frame 0xADDR, {where} ({inline_locals(f)})",
            "    " + self.text(f),
        ]

    def py_bt_full(self) -> str:
        out: List[str] = []
        number = 0
        for item in self.items:
            if isinstance(item, B):
                out.append(f"#{self.levels[id(item)]} {item.text}")
            else:
                out.extend(self.summary(item, number))
                number += 1
        return "\n".join(out) + "\n"

    def group_summary(self, group: Sequence[F]) -> str:
        return "".join(line + "\n" for f in group for line in self.summary(f))

    def group_of(self, name: str, locals_prefix: str = "") -> List[F]:
        for group in self.groups:
            for f in group:
                if f.name == name and f.locals.startswith(locals_prefix):
                    return group
        raise KeyError(name)

    def level_of(self, group: Sequence[F]) -> int:
        return self.levels[id(group[0])]

    def listing(self, f: F, start: int, end: int) -> str:
        lines = source_lines(self.file(f))
        current = self.line(f)
        out = []
        for n in range(max(start, 1), min(end, len(lines)) + 1):
            label = (">" if n == current else "") + str(n)
            out.append(f"{label:>4}    {lines[n - 1]}")
        return "\n".join(out) + "\n"


def locals_block(group: Sequence[F], values: Dict[str, List[str]]) -> str:
    """py-locals output for a group, from each function's 'name = value' lines."""
    out = []
    for f in group:
        out.append(f"Locals for {f.name}")
        out.extend(grouped_lines(f, values[f.locals]))
    return "\n".join(out) + "\n"


# -- recursion.py: recursion, a user class, Python -> C (sorted) -> Python ---

SORTED_LINE = "sorted([3, 1, 2], key=lambda v: wait_here(v))"
RECURSE_LINE = "recursive_function(n - 1, Foo(n))"


def foo(n: int, version: str) -> str:
    if version == "2.7":  # a dict in hash order, not insertion order
        return f"<Foo(y='a', x={n}) at remote 0xADDR>"
    return f"<Foo(x={n}, y='a') at remote 0xADDR>"


def recursion_items(version: str) -> List[Item]:
    return [
        B("<built-in function sleep>"),
        F("wait_here", "time.sleep(1000)", "v=3"),
        F("<lambda>", SORTED_LINE, "v=3", entry=True),
        B("<built-in method sort of list object at remote 0xADDR>"),
        B("<built-in function sorted>"),
        F("recursive_function", SORTED_LINE, f"n=0, obj={foo(1, version)}, z=[0, 'abc']"),
        F("recursive_function", RECURSE_LINE, f"n=1, obj={foo(2, version)}, z=[1, 'abc']"),
        F("recursive_function", RECURSE_LINE, f"n=2, obj={foo(3, version)}, z=[2, 'abc']"),
        F("recursive_function", RECURSE_LINE, "n=3, obj=None, z=[3, 'abc']"),
        F("<module>", "recursive_function(3)", "", entry=True),
    ]


def up_down_commands(count: int) -> List[str]:
    """py-up past the oldest of COUNT Python frames, then py-down past the newest."""
    return ["py-up"] * count + ["py-down"] * count


def expected_up_down(stack: Stack) -> List[str]:
    """From the newest Python frame (selected by default), one Python frame at a time."""
    frames = stack.frames
    ups = ["".join(line + "\n" for line in stack.summary(f)) for f in frames[1:]]
    downs = ["".join(line + "\n" for line in stack.summary(f)) for f in reversed(frames[:-1])]
    return (ups + ["Unable to find an older python frame\n"] + downs
            + ["Unable to find a newer python frame\n"])


def test_recursion_commands(version):
    n_frames = len([i for i in recursion_items(version) if isinstance(i, F)])
    # Where `frame N` should land: the C frame running recursive_function(n=1).
    probe = ["bt -no-filters", "py-bt", "py-bt-full", "py-locals", "py-list", "py-list 1", "py-list 20, 24"]
    probe += ["py-print v", "py-print Foo", "py-print len", "py-print __name__", "py-print no_such_name", "py-print"]
    probe += up_down_commands(n_frames)
    with running(version, "recursion.py") as target:
        first = run_sections(probe, pid=target.pid)
        stack = Stack(version, "recursion.py", recursion_items(version), bt=first[0])
        n1 = stack.group_of("recursive_function", "n=1")
        level = stack.level_of(n1)
        second = run_sections(
            [f"frame {level}", "py-locals", "py-print n", "py-print obj", "py-list", "py-bt", "py-up", "py-down"],
            pid=target.pid,
        )
    out = dict(zip(probe, first))
    assert norm(out["py-bt"]) == stack.py_bt()
    assert norm(out["py-bt-full"]) == stack.py_bt_full()

    # Frame 0 is in C (the sleep): the commands use the newest Python frame.
    wait_here = stack.frames[0]
    values = {
        "v=3": ["v = 3"],
        f"n=0, obj={foo(1, version)}, z=[0, 'abc']": ["n = 0", f"obj = {foo(1, version)}",
                                                                  "z = [0, 'abc']"],
        f"n=1, obj={foo(2, version)}, z=[1, 'abc']": ["n = 1", f"obj = {foo(2, version)}",
                                                                  "z = [1, 'abc']"],
        f"n=2, obj={foo(3, version)}, z=[2, 'abc']": ["n = 2", f"obj = {foo(3, version)}",
                                                                  "z = [2, 'abc']"],
        "n=3, obj=None, z=[3, 'abc']": ["n = 3", "obj = None", "z = [3, 'abc']"],
        "": [],
    }
    assert norm(out["py-locals"]) == locals_block([wait_here], values)
    current = stack.line(wait_here)
    assert out["py-list"] == stack.listing(wait_here, current - 5, current + 5)
    assert ">" + str(current) in out["py-list"]
    assert out["py-list 1"] == stack.listing(wait_here, 1, 11)
    assert out["py-list 20, 24"] == stack.listing(wait_here, 20, 24)

    assert out["py-print v"] == "local 'v' = 3\n"
    assert out["py-print Foo"] == "global 'Foo' = <class '__main__.Foo'>\n"
    assert out["py-print len"] == "builtin 'len' = <built-in function len>\n"
    assert out["py-print __name__"] == "global '__name__' = '__main__'\n"
    assert out["py-print no_such_name"] == "'no_such_name' not found\n"
    assert "usage: py-print EXPR" in out["py-print"]

    moves = first[len(probe) - 2 * n_frames :]
    assert [norm(m) for m in moves] == expected_up_down(stack)

    # `frame N` with N from py-bt-full selects the C frame of that Python
    # frame; the commands then work on the newest Python frame it runs (on
    # 3.11+ the first of its group), and py-up goes on one Python frame.
    frame_out, locals_out, print_n, print_obj, list_out, bt_again, up, down = second
    evaluator = "(_PyEval_EvalFrameDefault|PyEval_EvalFrameEx)"  # 2.7's
    assert re.match(rf"#{level}\s+(0x[0-9a-f]+ in )?{evaluator} ", frame_out), frame_out
    assert norm(locals_out) == locals_block(n1[:1], values)
    first_n = n1[0].locals.split(",")[0].split("=")[1]
    assert print_n == f"local 'n' = {first_n}\n"
    assert norm(print_obj) == "local 'obj' = " + values[n1[0].locals][1].split(" = ")[1] + "\n"
    line = stack.line(n1[0])
    assert list_out == stack.listing(n1[0], line - 5, line + 5)
    # py-bt does not depend on the selected frame.
    assert norm(bt_again) == stack.py_bt()
    at = stack.frames.index(n1[0])
    assert norm(up) == "".join(line + "\n" for line in stack.summary(stack.frames[at + 1]))
    assert norm(down) == "".join(line + "\n" for line in stack.summary(n1[0]))
    if major_minor(version) >= (3, 11):
        # One C frame, several Python frames: same number on each line.
        assert len(n1) == 5 and len({stack.levels[id(f)] for f in n1}) == 1


def test_newest_frame_commands_without_unwinding(version):
    """Typed first at the newest C frame, which is in the C library (the
    sleep), py-print, py-locals and py-list find their Python frame without
    unwinding the C stack; they print what they print once py-bt has
    placed every Python frame on its C frame."""
    commands = ["py-print v", "py-print Foo", "py-print len", "py-locals", "py-list"]
    probe = ("python from cpython_gdb.gdb import stack, state; "
             "print(stack.newest_python_frame(state.current_target()) is not None)")
    with running(version, "recursion.py") as target:
        out = run_sections([probe, *commands, "py-bt", *commands], pid=target.pid)
    assert out[0] == "True\n"
    first, again = out[1 : 1 + len(commands)], out[2 + len(commands) :]
    assert first == again
    assert first[0] == "local 'v' = 3\n"


def test_selected_frame_found_by_unwinding_only_as_far_as_it(version):
    """From a stop in the C library, py-up finds the next eval-loop frame by
    unwinding only up to it, and py-locals, py-print and py-list find the
    selected frame's Python frames the same way; each prints what it does
    once py-bt has placed every Python frame on its C frame."""
    steps = ["py-up", "py-locals", "py-up", "py-print v", "py-up", "frame", "py-down", "py-list", "py-locals",
             "py-up", "py-up"]
    probe = ("python from cpython_gdb.gdb import stack, state; "
             "print(stack.settled_python_cframe(state.current_target(), 1) is not None)")
    with running(version, "recursion.py") as target:
        partial = run_sections([probe, *steps], pid=target.pid)
        full = run_sections(["py-bt", *steps], pid=target.pid)
    assert partial[0] == "True\n"
    assert partial[1:] == full[1:]
    assert "Frame 0x" in partial[1] and "Locals for" in partial[2]


PARTIAL_STACK = """python
from cpython_gdb.gdb import stack, state
t = state.current_target()
part = stack.thread_stack(t)
full = stack.thread_stack(t, whole=True)
placed = lambda s: [(c.level, [f.address for f in c.python]) for c in s.cframes if c.python]
print(part.whole, full.whole, placed(part) == placed(full), len(part.cframes) < len(full.cframes))
"""


def test_unwinding_ends_at_the_oldest_python_frame(version):
    """At a settled stop the C stack is unwound only down to the eval-loop
    call of the oldest Python frame; every Python frame is placed on the
    same C frame as when the whole stack is unwound (for --native)."""
    with running(version, "recursion.py") as target:
        (out,) = run_sections([PARTIAL_STACK], pid=target.pid)
    assert out.split() == ["False", "True", "True", "True"], out


def test_help_describes_usage(version):
    commands = ["py-bt", "py-bt-full", "py-list", "py-up", "py-down", "py-print", "py-locals"]
    with running(version, "recursion.py") as target:
        out = run_sections([f"help {c}" for c in commands], pid=target.pid)
    for command, text in zip(commands, out):
        assert f"Usage: {command}" in text, text
        assert len(text.splitlines()) >= 2, text
    assert "START, END" in out[2]
    assert "NAME" in out[5]


# -- shapes.py: methods, closures, a generator frame -------------------------

def walker(version: str) -> str:
    if version == "2.7":  # a dict in hash order, not insertion order
        return "<Walker(steps=[1, 2], name='w') at remote 0xADDR>"
    return "<Walker(name='w', steps=[1, 2]) at remote 0xADDR>"


def inner_function(version: str) -> str:
    # 2.7's functions have no qualname: the name shows.
    name = "inner" if version == "2.7" else "outer.<locals>.inner"
    return f"<function {name} at remote 0xADDR>"


def running_numbers() -> str:
    """shapes.py's generator, which runs (it called wait_here) at its mark."""
    where = f"{PROGRAMS / 'shapes.py'}:{line_of('shapes.py', '# mark: generator')}"
    return f"<generator object numbers at remote 0xADDR, running at {where}>"


def shapes_items(version: str) -> List[Item]:
    walker_ = walker(version)
    return [
        B("<built-in function sleep>"),
        F("wait_here", "# mark: sleep", "value=7"),
        # The generator's frame, resumed by next() from C.
        F("numbers", "# mark: generator", "limit=6", entry=True),
        B("<built-in function next>"),
        # count is a free variable of inner, a cell of outer: shown with
        # the value the cell holds.
        F("inner", "# mark: inner", f"locals: gen={running_numbers()}, first=6; free: count=6"),
        F("outer", "# mark: outer", f"args: start=5; locals: inner={inner_function(version)}; cells: count=6"),
        F("walk", "# mark: walk", f"self={walker_}, extra=3, total=5"),
        F("main", "# mark: main", f"walker={walker_}"),
        F("<module>", "# mark: module", "", entry=True),
    ]


def test_methods_closures_generators(version):
    items = shapes_items(version)
    walker_ = walker(version)
    frames = [i for i in items if isinstance(i, F)]
    # Select each Python frame in turn (py-frame 0, then py-up) and query it.
    per_frame = ["py-locals", "py-print self", "py-print count", "py-print GREETING", "py-print time"]
    selectors = ["py-frame 0"] + ["py-up"] * (len(frames) - 1)
    commands = ["bt -no-filters", "py-bt", "py-bt-full"]
    for selector in selectors:
        commands += [selector, *per_frame]
    commands += ["py-up"] + ["py-down"] * len(frames)
    with running(version, "shapes.py") as target:
        out = run_sections(commands, pid=target.pid)
    stack = Stack(version, "shapes.py", items, bt=out[0])
    assert norm(out[1]) == stack.py_bt()
    assert norm(out[2]) == stack.py_bt_full()

    values = {
        "value=7": ["value = 7"],
        "limit=6": ["limit = 6"],
        frames[2].locals: ["Local variables:", f"  gen = {running_numbers()}", "  first = 6",
                           "Free variables:", "  count = 6"],
        frames[3].locals: ["Arguments:", "  start = 5", "Local variables:", f"  inner = {inner_function(version)}",
                           "Cell variables:", "  count = 6"],
        frames[4].locals: ["Arguments:", f"  self = {walker_}", "  extra = 3", "Local variables:", "  total = 5"],
        frames[5].locals: ["Local variables:", f"  walker = {walker_}"],
        "": [],
    }
    k = 3
    for index, f in enumerate(frames):
        selected, locals_out, p_self, p_count, p_greeting, p_time = out[k : k + 1 + len(per_frame)]
        k += 1 + len(per_frame)
        assert norm(selected) == "".join(line + "\n" for line in stack.summary(f, 0 if index == 0 else None))
        assert norm(locals_out) == locals_block([f], values)
        # py-print looks in the selected Python frame.
        assert norm(p_self) == (f"local 'self' = {walker_}\n" if f.name == "walk" else "'self' not found\n")
        assert p_count == ("local 'count' = 6\n" if f.name in ("inner", "outer") else "'count' not found\n")
        assert p_greeting == "global 'GREETING' = 'hello'\n"
        assert norm(p_time) == "global 'time' = <module 'time' at remote 0xADDR>\n"
    assert out[k] == "Unable to find an older python frame\n"
    downs = [norm(o) for o in out[k + 1 :]]
    assert downs == ["".join(line + "\n" for line in stack.summary(f)) for f in reversed(frames[:-1])] + [
        "Unable to find a newer python frame\n"]


# -- threads.py: thread apply all py-bt --------------------------------------


def thread_sections(text: str) -> Dict[int, str]:
    """`thread apply all` output by LWP."""
    out: Dict[int, str] = {}
    for chunk in re.split(r"\n(?=Thread \d+ )", "\n" + text):
        m = re.match(r"Thread \d+ \(Thread 0x[0-9a-f]+ \(LWP (\d+)\)[^\n]*\):\n", chunk)
        if m:
            out[int(m.group(1))] = chunk[m.end() :].rstrip("\n") + "\n"
    return out


def thread_items() -> Dict[str, List[Item]]:
    acquire = "# mark: second"
    lock = B("<built-in method acquire of _thread.lock object at remote 0xADDR>")
    return {
        "first": [lock, F("first_worker", "# mark: first", "tag='a'", entry=True)],
        "second": [
            lock,
            F("second_worker", acquire, "tag='b', depth=0"),
            F("second_worker", "# mark: second-recurse", "tag='b', depth=1"),
            F("second_worker", "# mark: second-recurse", "tag='b', depth=2", entry=True),
        ],
        "main": [
            B("<built-in function sleep>"),
            F("main_wait", "# mark: main", ""),
            F("<module>", "# mark: module", "", entry=True),
        ],
    }


def test_threads(version):
    with running(version, "threads.py") as target:
        lwps = json.loads(target.ready)
        wait_blocked(target.pid, [lwps["first"], lwps["second"]])
        out = run_sections(
            ["thread apply all py-bt", "thread apply all bt -no-filters", "thread apply all py-bt-full"], pid=target.pid
        )
    bts = thread_sections(out[0])
    cbts = thread_sections(out[1])
    fulls = thread_sections(out[2])
    assert set(bts) == set(lwps.values()) == set(fulls), out[0]
    assert lwps["main"] == target.pid
    for role, lwp in lwps.items():
        stack = Stack(version, "threads.py", thread_items()[role], bt=cbts[lwp])
        assert norm(bts[lwp]) == stack.py_bt(), (role, bts[lwp])
        assert norm(fulls[lwp]) == stack.py_bt_full(), (role, fulls[lwp])
