"""The report's text form, from hand-made documents (no target needed)."""

from cpython_gdb.engine.report.text import frame_summary, locals_lines, python_lines, render, thread_heading
from cpython_gdb.engine.runtime.interpreter import gil_status


def thread(**fields):
    base = {"gdb_thread": 2, "lwp": 11, "os_name": "python3", "selected": False, "python": True,
            "tstate": 0x1000, "ident": 0xABC, "python_name": "worker", "interpreter_id": 0, "gil": "not held",
            "gc": False, "lock_wait": False, "frames": [], "truncated": None, "note": None}
    base.update(fields)
    return base


def test_gil_status_prefers_what_the_stack_says():
    assert gil_status(holds=True, waiting=False, dropping=True, known=True) == "dropping"
    assert gil_status(holds=False, waiting=True, dropping=False, known=True) == "waiting"
    assert gil_status(holds=True, waiting=False, dropping=False, known=True) == "held"
    assert gil_status(holds=False, waiting=False, dropping=False, known=True) == "not held"
    assert gil_status(holds=False, waiting=False, dropping=False, known=False) == "unknown"


def test_headings():
    assert thread_heading(thread(gil="dropping", gc=True)) == (
        'Thread 2 (LWP 11) "python3", Python thread "worker": dropping the GIL, collecting garbage')
    assert thread_heading(thread(python_name=None, interpreter_id=3, lock_wait=True, os_name=None)) == (
        "Thread 2 (LWP 11), Python thread 0xabc, subinterpreter 3: waiting for a lock")
    assert thread_heading(thread(python=False)) == 'Thread 2 (LWP 11) "python3": no Python thread state'
    assert thread_heading(thread(gdb_thread=None, gil="held")).startswith(
        'Thread ? (no OS thread found for it), Python thread "worker": holds the GIL')


def test_render_native_and_python():
    python = {"kind": "python", "level": 4, "function": "f", "qualname": "f", "file": "/x.py", "line": 3,
              "source": "g()", "address": 1, "locals": [{"name": "a", "kind": "local", "repr": "1"}]}
    native = {"kind": "native", "level": 0, "function": "poll", "pc": 0x10, "file": None, "line": None,
              "library": "/lib/libc.so.6"}
    doc = {
        "target": {"kind": "core", "pid": 7, "core": "/tmp/core", "executable": "/usr/bin/python3"},
        "python": {"version": "3.12.1", "layout": "DWARF"},
        "options": {"native": True, "locals": True},
        "interpreters": [{"id": 0, "gil": {"locked": True, "holder_thread": None}, "gc_collecting": None}],
        "threads": [thread(frames=[native, python], truncated="frame limit reached")],
    }
    assert render(doc) == [
        "Core /tmp/core (pid 7), /usr/bin/python3: CPython 3.12.1, 1 thread",
        "Main interpreter: GIL held",
        "",
        'Thread 2 (LWP 11) "python3", Python thread "worker"',
        "Stack (most recent call first):",
        "  #0   0x0000000000000010 in poll from /lib/libc.so.6",
        '  #4   File "/x.py", line 3, in f [Python]',
        "         g()",
        "           Local variables:",
        "             a = 1",
        "  (frame limit reached)",
    ]
    doc["options"]["native"] = False
    assert render(doc)[4:] == [
        "Traceback (most recent call first):",
        '  File "/x.py", line 3, in f',
        "    g()",
        "      Local variables:",
        "        a = 1",
        "  (frame limit reached)",
    ]


def test_unreadable_locals_are_said():
    frame = {"kind": "python", "level": None, "function": "f", "qualname": "f", "file": "m.py", "line": 3,
             "source": "x = 1", "address": 1, "locals": [], "locals_error": "too many locals"}
    assert python_lines(frame) == ['  File "m.py", line 3, in f', "    x = 1",
                                   "        (locals unreadable: too many locals)"]


def test_printable_escapes_what_a_terminal_or_gdb_cannot_take():
    from cpython_gdb.engine.report.text import printable

    odd = "d\udcff/\x00\x1b[2J\x7f\x9b\n\r"
    assert printable(odd) == repr(odd)[1:-1]
    # Text past ASCII, tabs and repr()s (which hold none of those) are left alone; twice is once.
    for text in ("café \u4e2d\t", repr(odd), "{'a': b'\\x00'}"):
        assert printable(text) == text
    assert printable(printable(odd)) == printable(odd)


def test_render_and_json_of_odd_names():
    import json

    from cpython_gdb.engine.report.text import json_text

    frame = {"kind": "python", "level": None, "function": "f\x00", "qualname": "f\x00", "file": "/d\udcff/x.py",
             "line": 1, "source": "g()  # \x1b[2J", "address": 1}
    doc = {"schema": "cpython-gdb-dump", "target": {"kind": "process", "pid": 7, "core": None, "executable": None},
           "python": {"version": "3.12.1", "layout": "DWARF"}, "options": {"native": False, "locals": False},
           "interpreters": [], "threads": [thread(frames=[frame], python_name="\U0001f600\udcff")]}
    text = render(doc)
    assert '  File "/d\\udcff/x.py", line 1, in f\\x00' in text and "    g()  # \\x1b[2J" in text
    assert 'Python thread "\U0001f600\\udcff"' in text[2]
    for indent in (None, 2):
        out = json.loads(json_text(doc, indent))
        assert out["threads"][0]["frames"][0] == dict(frame, file="/d\\udcff/x.py")
        assert out["threads"][0]["python_name"] == "\U0001f600\\udcff"  # the pair is a character: kept


def test_clip_line_counts_the_text_not_the_indentation():
    from cpython_gdb.engine.report.source import TRUNCATED, clip_line

    assert clip_line("    abcdef", 6) == "    abcdef"
    assert clip_line("    abcdef  ", 6) == "    abcdef  "
    assert clip_line("    abcdefg", 6) == "    abcdef" + TRUNCATED
    assert clip_line("abcdefg", 6) == "abcdef" + TRUNCATED


def test_a_thread_across_interpreters_marks_where_it_changes():
    def frame(function, interp):
        return {"kind": "python", "level": None, "function": function, "qualname": function, "file": "m.py",
                "line": 1, "source": None, "address": 1, "interpreter_id": interp}

    builtin = {"kind": "builtin", "level": 5, "repr": "<built-in function run_string>"}
    frames = [frame("inner", 2), frame("middle", 1), builtin, frame("outer", 0), frame("main", 0)]
    marker_2_1 = "--- subinterpreter 2 above, subinterpreter 1 below ---"
    marker_1_0 = "--- subinterpreter 1 above, main interpreter below ---"
    from cpython_gdb.engine.report.text import full_lines, traceback_lines

    # The C call that entered the subinterpreter is the older frame's: below the marker.
    assert traceback_lines(frames) == [
        "Traceback (most recent call first):",
        '  File "m.py", line 1, in inner', "  " + marker_2_1,
        '  File "m.py", line 1, in middle', "  " + marker_1_0,
        "  <built-in function run_string>",
        '  File "m.py", line 1, in outer',
        '  File "m.py", line 1, in main',
    ]
    assert [line for line in full_lines(frames, 100) if line.startswith("---")] == [marker_2_1, marker_1_0]
    # A thread in one interpreter: its frames carry no interpreter_id, and nothing is marked.
    plain = [{key: value for key, value in f.items() if key != "interpreter_id"} for f in frames]
    assert not any(line.startswith("  ---") for line in traceback_lines(plain))


def test_a_thread_state_runs_on_the_stack_that_holds_its_anchor():
    from cpython_gdb.engine.runtime.os_thread import OsThreadKeys, _holder

    main = OsThreadKeys(1, (0x7000,), sp=0x7FFF_0000, tls=0x7000)  # its control block is not on its stack
    worker = OsThreadKeys(2, (0x6FFF_F000,), sp=0x6FF0_0000, tls=0x6FFF_F000)
    unknown = OsThreadKeys(3, (0x5000,))
    assert main.stack_top() is None and worker.stack_top() == 0x6FFF_F000
    threads = [main, worker, unknown]
    assert _holder(threads, 0x6FF0_0100) == (1, 0x100)
    assert _holder(threads, 0x7FFF_0200) == (0, 0x200)
    # Above the worker's control block (another thread's stack that no sp is known for), below main's sp.
    assert _holder(threads, 0x6FFF_F800) is None
    assert _holder(threads, 0x1000) is None


def test_locals_grouped_by_kind():
    """Each kind of variable under its label, in a fixed order; empty groups left out."""
    variables = [{"name": "v", "kind": "local", "repr": "2"}, {"name": "c", "kind": "cell", "repr": "3"},
                 {"name": "a", "kind": "argument", "repr": "1"}, {"name": "f", "kind": "free", "repr": "4"}]
    frame = {"kind": "python", "level": 5, "function": "g", "qualname": "g", "file": "m.py", "line": 3,
             "source": None, "address": 16, "locals": variables}
    assert locals_lines(frame) == ["Locals for g", "Arguments:", "  a = 1", "Local variables:", "  v = 2",
                                   "Cell variables:", "  c = 3", "Free variables:", "  f = 4"]
    assert frame_summary(frame, 1000) == [
        "#5 Frame 0x10, for file m.py, line 3, in g (args: a=1; locals: v=2; cells: c=3; free: f=4)"]
    assert frame_summary(frame, 1000, 2)[0].startswith("[2] #5 Frame 0x10,")
    # Cut once the budget is spent, the cut said.
    assert frame_summary(frame, 4)[0].endswith("in g (args: a=1, ...(truncated))")
