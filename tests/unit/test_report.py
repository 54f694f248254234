"""The report's text form, from hand-made documents (no target needed)."""

from cpython_gdb.engine.report.text import python_lines, render, thread_heading
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
        "             a = 1",
        "  (frame limit reached)",
    ]
    doc["options"]["native"] = False
    assert render(doc)[4:] == [
        "Traceback (most recent call first):",
        '  File "/x.py", line 3, in f',
        "    g()",
        "        a = 1",
        "  (frame limit reached)",
    ]


def test_unreadable_locals_are_said():
    frame = {"kind": "python", "level": None, "function": "f", "qualname": "f", "file": "m.py", "line": 3,
             "source": "x = 1", "address": 1, "locals": [], "locals_error": "too many locals"}
    assert python_lines(frame) == ['  File "m.py", line 3, in f', "    x = 1",
                                   "        (locals unreadable: too many locals)"]
