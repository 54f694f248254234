"""The all-threads report: its JSON document and its text form.

``py-threads`` in gdb and ``cpython-gdb dump`` print the same text, made
here from the same document; docs/dump-schema.json describes the document.
Under each thread's heading the text is what ``py-bt`` prints for that
thread (or, with native frames, the mixed C and Python stack).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List

    # JSON objects: the document and its entries (threads, frames, locals).
    Document = Dict[str, Any]
    Entry = Dict[str, Any]

SCHEMA_ID = "cpython-gdb-dump"
SCHEMA_VERSION = 1

# The lines py-bt prints for the C frames it names.
UNREADABLE = "(unable to read python frame information)"
WAITING_FOR_GIL = "Waiting for the GIL"
GARBAGE_COLLECTING = "Garbage-collecting"

_GIL_WORDS = {"held": "holds the GIL", "waiting": "waiting for the GIL", "dropping": "dropping the GIL"}


def python_lines(entry: Entry, indent: str = "  ") -> List[str]:
    """A Python frame as a traceback shows it: file, line, function, source."""
    line = "?" if entry.get("line") is None else str(entry["line"])
    out = [f'{indent}File "{entry["file"]}", line {line}, in {entry["function"]}']
    if entry.get("source") is not None:
        out.append(f"{indent}  {entry['source']}")
    for local in entry.get("locals") or ():
        out.append(f"{indent}      {local['name']} = {local['repr']}")
    if entry.get("locals_error"):
        out.append(f"{indent}      (locals unreadable: {entry['locals_error']})")
    return out


def traceback_lines(frames: List[Entry]) -> List[str]:
    """What py-bt prints for a thread's frame entries."""
    out = ["Traceback (most recent call first):"]
    for entry in frames:
        kind = entry["kind"]
        if kind == "python":
            out.extend(python_lines(entry))
        elif kind == "builtin":
            out.append("  " + entry["repr"])
        elif kind == "gil_wait":
            out.append("  " + WAITING_FOR_GIL)
        elif kind == "gc":
            out.append("  " + GARBAGE_COLLECTING)
        elif kind == "unreadable":
            out.append("  " + UNREADABLE)
    return out


def _native_line(entry: Entry) -> str:
    pc = "" if entry.get("pc") is None else f"0x{entry['pc']:016x} in "
    text = f"  #{entry['level']:<3} {pc}{entry.get('function') or '??'}"
    if entry.get("file"):
        line = "" if entry.get("line") is None else f":{entry['line']}"
        return f"{text} at {entry['file']}{line}"
    if entry.get("library"):
        return f"{text} from {entry['library']}"
    return text


def _mixed(thread: Entry) -> List[str]:
    out = ["Stack (most recent call first):"]
    for entry in thread["frames"]:
        kind = entry["kind"]
        level = entry.get("level")
        number = "#?  " if level is None else f"#{level:<3}"
        if kind == "native":
            out.append(_native_line(entry))
        elif kind == "python":
            lines = python_lines(entry, indent="       ")
            out.append(f"  {number} {lines[0].strip()} [Python]")
            out.extend(lines[1:])
        elif kind == "unreadable":
            out.append(f"  {number} {UNREADABLE}")
    return out


def thread_heading(thread: Entry) -> str:
    if thread.get("gdb_thread") is None:
        head = "Thread ? (no OS thread found for it)"
    else:
        head = f"Thread {thread['gdb_thread']} (LWP {thread['lwp']})"
        if thread.get("os_name"):
            head += f' "{thread["os_name"]}"'
    if not thread["python"]:
        return head + ": no Python thread state"
    if thread.get("python_name") is not None:
        head += f', Python thread "{thread["python_name"]}"'
    elif thread.get("ident") is not None:
        head += f", Python thread 0x{thread['ident']:x}"
    if thread.get("interpreter_id"):
        head += f", subinterpreter {thread['interpreter_id']}"
    states = []
    if thread["gil"] in _GIL_WORDS:
        states.append(_GIL_WORDS[thread["gil"]])
    if thread.get("lock_wait"):
        states.append("waiting for a lock")
    if thread.get("gc"):
        states.append("collecting garbage")
    return head + (": " + ", ".join(states) if states else "")


def thread_body(thread: Entry, native: bool) -> List[str]:
    if native:
        out = _mixed(thread)
    elif not thread["python"]:
        return ["Unable to locate python frame: " + (thread.get("note") or "no Python thread state")]
    else:
        out = traceback_lines(thread["frames"])
    if thread.get("truncated"):
        out.append(f"  ({thread['truncated']})")
    return out


def _interpreter_line(interp: Entry) -> str:
    name = "Main interpreter" if interp["id"] == 0 else f"Subinterpreter {interp['id']}"
    gil = interp["gil"]
    if gil["locked"] is None:
        text = "GIL state unknown"
    elif not gil["locked"]:
        text = "GIL released"
    elif gil.get("holder_thread") is not None:
        text = f"GIL held by thread {gil['holder_thread']}"
    else:
        text = "GIL held"
    if interp.get("gc_collecting"):
        text += ", garbage collection running"
    return f"{name}: {text}"


def summary(doc: Document) -> str:
    target = doc["target"]
    python = doc["python"]
    count = len(doc["threads"])
    what = f"CPython {python['version']}, {count} thread{'s' if count != 1 else ''}"
    if target["kind"] == "core":
        where = f"Core {target.get('core') or '?'}"
        if target.get("pid"):
            where += f" (pid {target['pid']})"
    else:
        where = f"Process {target.get('pid')}"
    if target.get("executable"):
        where += f", {target['executable']}"
    return f"{where}: {what}"


def render(doc: Document) -> List[str]:
    native = bool(doc["options"]["native"])
    out = [summary(doc)]
    out.extend(_interpreter_line(i) for i in doc["interpreters"])
    for thread in doc["threads"]:
        out.append("")
        out.append(thread_heading(thread))
        out.extend(thread_body(thread, native))
    return out


# How py-dump-json frames its output for `cpython-gdb dump`, which reads it
# out of gdb's other chatter.
BEGIN_MARK = "@@cpython-gdb-dump-begin@@"
END_MARK = "@@cpython-gdb-dump-end@@"
ERROR_MARK = "@@cpython-gdb-dump-error@@"
