"""py-bt at four kinds of stop: a C breakpoint, a SIGSEGV, attach, a core file.

Plus a stop at the entry of _PyEval_EvalFrameDefault, where the newest
eval-loop C call has not linked its Python frame into the thread state
yet: the Python frames must still land on the right C frames.
"""

import json
import shutil
import tempfile
from pathlib import Path

from test_commands import B, F, Stack, major_minor, norm, recursion_items, thread_items, thread_sections

from harness import PROGRAMS, PYTHONS, eval_loop, gcore, run_sections, running, wait_blocked

STOPS = str(PROGRAMS / "stops.py")
PENDING = ("-iex", "set breakpoint pending on")


def ctypes_init(version: str) -> str:
    exe = PYTHONS[version]
    return str(exe.parent.parent / "lib" / f"python{version}" / "ctypes" / "__init__.py")


def test_breakpoint_on_c_function(version):
    first = ["bt -no-filters", "py-bt", "py-bt-full", "py-locals", "py-print obj"]
    # Then stop at the entry of the next C call of the eval loop.
    second = ["bt -no-filters", "py-bt", "py-bt-full", "py-locals"]
    commands = ["break builtin_id", f"run {STOPS} break", *first]
    commands += [f"break {eval_loop(version)}", "continue", *second]
    out = run_sections(commands, executable=PYTHONS[version], extra=PENDING)
    assert "Breakpoint 1, builtin_id" in out[1], out[1]
    bt, py_bt, py_bt_full, py_locals, py_print = out[2:7]
    items = [
        B("<built-in function id>"),
        F("target_call", "# mark: id", "obj=[1]"),
        F("caller", "# mark: caller-id", "mode='break', n=1"),
        F("<module>", "# mark: module", "", entry=True),
    ]
    stack = Stack(version, "stops.py", items, bt=bt)
    assert norm(py_bt) == stack.py_bt()
    assert norm(py_bt_full) == stack.py_bt_full()
    # Frame 0 is builtin_id: the commands use the newest Python frame.
    assert py_locals.startswith("Locals for target_call\nArguments:\n  obj = [1]\n"), py_locals
    assert py_print == "local 'obj' = [1]\n"

    # At the entry of _PyEval_EvalFrameDefault. Up to 3.10 every Python call
    # is a C call: after() itself has not started. From 3.11 after() runs
    # in its caller's C call and the stop is helper() called from map().
    assert f"Breakpoint 2, {eval_loop(version)}" in out[8], out[8]
    bt, py_bt, py_bt_full, py_locals = out[9:13]
    assert bt.startswith(f"#0  {eval_loop(version)} ("), bt
    started = [
        F("caller", "# mark: caller-after", "mode='break', n=1"),
        F("<module>", "# mark: module", "", entry=True),
    ]
    if major_minor(version) >= (3, 11):
        started.insert(0, F("after", "# mark: after", "y=1"))
    # The eval C frame #0 has not linked its Python frame into the thread
    # state yet; the older ones are matched from the oldest, so each frame
    # keeps its own C frame number. The frame being entered is read from
    # the C argument when gdb has it (then shown at its `def` line, as the
    # official extension does): these builds give it on 3.8-3.12, while
    # 3.13's debug info yields a stale value there, which is rejected.
    if major_minor(version) >= (3, 11):
        entering = F("helper", "def helper(x):", "x=1", entry=True)
    else:
        entering = F("after", "def after(y):", "y=1", entry=True)
    shown = py_bt_full.startswith("[0] #0 Frame ")
    assert shown or major_minor(version) >= (3, 13), py_bt_full
    if shown:
        stack = Stack(version, "stops.py", [entering, *started], bt=bt)
        assert norm(py_bt) == stack.py_bt()
        assert norm(py_bt_full) == stack.py_bt_full()
    else:
        # The C frame is still listed, with the seed's message.
        stack = Stack(version, "stops.py", started, bt=bt, unstarted=1)
        unreadable = "(unable to read python frame information)"
        head = "Traceback (most recent call first):\n"
        assert norm(py_bt) == head + f"  {unreadable}\n" + stack.py_bt()[len(head) :]
        assert norm(py_bt_full) == f"#0 {unreadable}\n" + stack.py_bt_full()
    newest = entering if shown else started[0]
    assert py_locals.startswith(f"Locals for {newest.name}\n"), py_locals


def test_sigsegv_in_c_call(version):
    commands = [f"run {STOPS} crash", "bt -no-filters", "py-bt", "py-bt-full", "py-up", "py-locals"]
    out = run_sections(commands, executable=PYTHONS[version], extra=PENDING)
    assert "SIGSEGV" in out[0], out[0]
    items = [
        F("string_at", "return _string_at(ptr, size)", "ptr=1, size=-1", file=ctypes_init(version)),
        F("crash", "# mark: crash", "address=1"),
        F("caller", "# mark: caller-crash", "mode='crash', n=1"),
        F("<module>", "# mark: module", "", entry=True),
    ]
    stack = Stack(version, "stops.py", items, bt=out[1])
    assert norm(out[2]) == stack.py_bt()
    assert norm(out[3]) == stack.py_bt_full()
    # Frame 0 is in C: the selected Python frame is string_at, and py-up goes one older.
    assert norm(out[4]) == stack.group_summary(stack.frames[1:2])
    assert out[5] == "Locals for crash\nArguments:\n  address = 1\n"


def test_attach_to_sleeping_process(version):
    with running(version, "recursion.py") as target:
        out = run_sections(["bt -no-filters", "py-bt", "py-bt-full"], pid=target.pid)
        # Detaching leaves the process running: attach once more.
        again = run_sections(["py-bt"], pid=target.pid)
    stack = Stack(version, "recursion.py", recursion_items(version), bt=out[0])
    assert norm(out[1]) == stack.py_bt()
    assert norm(out[2]) == stack.py_bt_full()
    assert norm(again[0]) == stack.py_bt()


def test_core_file_from_gcore(version):
    workdir = Path(tempfile.mkdtemp(prefix="cpython-gdb-core-"))
    try:
        with running(version, "recursion.py") as target:
            core = gcore(target.pid, workdir)
        # The process is gone: everything comes from the core file.
        out = run_sections(
            ["bt -no-filters", "py-bt", "py-bt-full", "py-locals", "py-print v", "py-print len"],
            core=core,
            executable=PYTHONS[version],
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    stack = Stack(version, "recursion.py", recursion_items(version), bt=out[0])
    assert norm(out[1]) == stack.py_bt()
    assert norm(out[2]) == stack.py_bt_full()
    # The selected Python frame only, though from 3.11 <lambda> shares its C frame.
    assert out[3] == "Locals for wait_here\nArguments:\n  v = 3\n"
    assert out[4] == "local 'v' = 3\n"
    assert out[5] == "builtin 'len' = <built-in function len>\n"


def test_core_file_threads(version):
    """Thread states matched to a core's threads (no live libthread_db)."""
    workdir = Path(tempfile.mkdtemp(prefix="cpython-gdb-core-"))
    try:
        with running(version, "threads.py") as target:
            lwps = json.loads(target.ready)
            wait_blocked(target.pid, [lwps["first"], lwps["second"]])
            core = gcore(target.pid, workdir)
        out = run_sections(
            ["thread apply all py-bt", "thread apply all bt -no-filters"], core=core, executable=PYTHONS[version]
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    bts, cbts = thread_sections(out[0]), thread_sections(out[1])
    assert set(bts) == set(lwps.values()), out[0]
    for role, lwp in lwps.items():
        stack = Stack(version, "threads.py", thread_items()[role], bt=cbts[lwp])
        assert norm(bts[lwp]) == stack.py_bt(), (role, bts[lwp])
