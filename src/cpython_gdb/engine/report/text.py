"""The text forms of the report's entries: every command's output is made here.

The decoders fill the report's entries (document.py: a thread, its
frames, their locals, as docs/dump-schema.json describes them); this turns
them into text. ``py-threads`` in gdb and ``cpython-gdb dump`` print the
whole document; under each thread's heading is what ``py-bt`` prints for
that thread (or, with native frames, the mixed C and Python stack).
``py-bt-full``, ``py-up``, ``py-down`` and ``py-locals`` print the same
entries in the formats of the reference howto.

Names, file names and source lines come from the target and may hold
anything: a lone surrogate (a file name that is not UTF-8), a NUL, a
terminal's escape sequences. printable() escapes what a terminal or gdb
cannot take, as repr() writes it; every line printed passes through it
(render() here for ``dump``, the adapter's write() for gdb), and
json_text() keeps the JSON document valid Unicode.
"""

from __future__ import annotations

from ..limits import DEFAULT_LIMITS
from .local_groups import block_lines, inline
from .source import clip_line, source_line, source_lines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Sequence, Tuple

    from ..pyexc import ExceptionInfo, ThreadExceptions, TracebackEntry

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


# Characters a terminal acts on or gdb cannot take, escaped as repr()
# writes them: C0 controls but the tab, DEL and C1 controls (escape
# sequences), and surrogates (no encoding takes a lone one, and gdb takes
# text as UTF-8).
_SURROGATES = range(0xD800, 0xE000)


def _escaped(char: str) -> str:
    code = ord(char)
    if (code < 0x20 and code != 9) or 0x7F <= code < 0xA0 or code in _SURROGATES:
        return repr(char)[1:-1]
    return char


def _surrogate_escaped(char: str) -> str:
    return repr(char)[1:-1] if ord(char) in _SURROGATES else char


def printable(text: str) -> str:
    """``text`` with control characters and lone surrogates escaped (``\\x1b``, ``\\udcff``).

    A repr() holds none, so values print as they did; escaping twice
    changes nothing.
    """
    if text.isprintable():
        return text
    return "".join(map(_escaped, text))


def _json_safe(value: Any) -> Any:
    """``value`` with the surrogates in its strings escaped as printable() escapes them."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "".join(map(_surrogate_escaped, value))
        return value
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    return value


def json_text(doc: Document, indent: Optional[int] = None) -> str:
    """The document as JSON text: ASCII, and valid Unicode.

    A target's string may hold a lone surrogate, which json writes as a
    ``\\udcff`` escape that strict parsers reject: such strings are
    written as printable() shows them (control characters are JSON's to
    escape).
    """
    import json  # only here: a text dump does not need it

    text = json.dumps(doc, indent=indent, sort_keys=True)
    if "\\ud" in text:  # a surrogate: a pair (a character past U+FFFF) or a lone one
        text = json.dumps(_json_safe(doc), indent=indent, sort_keys=True)
    return text


def python_lines(entry: Entry, indent: str = "  ") -> List[str]:
    """A Python frame as a traceback shows it: file, line, function, source."""
    line = "?" if entry.get("line") is None else str(entry["line"])
    out = [f'{indent}File "{entry["file"]}", line {line}, in {entry["function"]}']
    if entry.get("source") is not None:
        out.append(f"{indent}  {entry['source']}")
    if entry.get("locals"):
        out.extend(block_lines(entry["locals"], indent + "    "))
    if entry.get("locals_error"):
        out.append(f"{indent}      (locals unreadable: {entry['locals_error']})")
    return out


# The text of the C frames py-bt names, by entry kind ("builtin": its repr).
_C_LINES = {"gil_wait": WAITING_FOR_GIL, "gc": GARBAGE_COLLECTING, "unreadable": UNREADABLE}


def _c_line(entry: Entry) -> Optional[str]:
    """The line of a C frame py-bt names; None for other entries."""
    if entry["kind"] == "builtin":
        return str(entry["repr"])
    return _C_LINES.get(entry["kind"])


def interpreter_name(ident: int) -> str:
    return "main interpreter" if ident == 0 else f"subinterpreter {ident}"


def interpreter_changes(frames: Sequence[Entry]) -> Dict[int, str]:
    """Where a thread's stack passes from one interpreter to another: the marker line after each such frame.

    By the index of the last Python frame entry run by one interpreter
    when the next older Python frame runs in another (the frames carry
    ``interpreter_id`` only when a thread's stack spans interpreters). The
    C calls between them (the built-in that entered the subinterpreter)
    belong to the older frames, so the marker comes before them.
    """
    marks: Dict[int, str] = {}
    newer: Optional[Tuple[int, int]] = None  # (index, interpreter id) of the last Python frame seen
    for index, entry in enumerate(frames):
        ident = entry.get("interpreter_id") if entry["kind"] == "python" else None
        if ident is None:
            continue
        if newer is not None and newer[1] != ident:
            marks[newer[0]] = f"--- {interpreter_name(newer[1])} above, {interpreter_name(ident)} below ---"
        newer = (index, ident)
    return marks


def traceback_lines(frames: List[Entry]) -> List[str]:
    """What py-bt prints for a thread's frame entries."""
    out = ["Traceback (most recent call first):"]
    marks = interpreter_changes(frames)
    for index, entry in enumerate(frames):
        if entry["kind"] == "python":
            out.extend(python_lines(entry))
        else:
            text = _c_line(entry)
            if text is not None:
                out.append("  " + text)
        if index in marks:
            out.append("  " + marks[index])
    return out


def _locals_inline(entry: Entry, max_output: int) -> str:
    """A frame's locals on one line, by group (local_groups.inline), cut once ``max_output`` characters are used."""
    if entry.get("locals_error"):
        return f"locals unreadable: {entry['locals_error']}"
    return inline(entry.get("locals") or (), max_output)


def frame_summary(entry: Entry, max_output: int, number: Optional[int] = None) -> List[str]:
    """A Python frame entry (with its locals) as py-bt-full, py-up, py-down and py-frame print it.

    ``number``: the frame's number among the thread's Python frames
    (py-frame N selects it), shown first as ``[N]``.
    """
    level = "?" if entry.get("level") is None else str(entry["level"])
    line = "?" if entry.get("line") is None else str(entry["line"])
    head = "" if number is None else f"[{number}] "
    out = [f"{head}#{level} Frame 0x{entry['address']:x}, for file {entry['file']}, "
           f"line {line}, in {entry['function']} ({_locals_inline(entry, max_output)})"]
    if entry.get("source") is not None:
        out.append("    " + entry["source"])
    return out


def full_lines(frames: Sequence[Entry], max_output: int) -> List[str]:
    """What py-bt-full prints for a thread's frame entries: Python ones numbered, with their locals."""
    out: List[str] = []
    marks = interpreter_changes(frames)
    number = 0
    for index, entry in enumerate(frames):
        if entry["kind"] == "python":
            out.extend(frame_summary(entry, max_output, number))
            number += 1
        else:
            text = _c_line(entry)
            if text is not None:
                out.append(f"#{'?' if entry.get('level') is None else entry['level']} {text}")
        if index in marks:
            out.append(marks[index])
    return out


def locals_lines(entry: Entry) -> List[str]:
    """What py-locals prints for a Python frame entry."""
    out = [f"Locals for {entry['function']}"]
    if entry.get("locals_error"):
        out.append(f"(locals unreadable: {entry['locals_error']})")
    out.extend(block_lines(entry.get("locals") or ()))
    return out


def listing(filename: str, current: Optional[int], start: int, end: int,
            max_line: int = DEFAULT_LIMITS.max_source_line, root: str = "") -> Optional[List[str]]:
    """Lines start..end (inclusive) of a file, the current one marked with '>' (py-list).

    Each is cut as py-bt cuts it (clip_line), its indentation kept.
    ``root``: where the target's ``/`` is (source.on_disk).
    """
    lines = source_lines(filename, root)
    if lines is None:
        return None
    start = max(start, 1)
    end = min(end, len(lines))
    out = []
    for number in range(start, end + 1):
        label = (">" if number == current else "") + str(number)
        out.append(f"{label:>4}    {clip_line(lines[number - 1], max_line)}")
    return out


def format_exception(info: ExceptionInfo, extra_traceback: Tuple[TracebackEntry, ...] = (),
                     max_line: int = DEFAULT_LIMITS.max_source_line, root: str = "") -> List[str]:
    """Lines as Python's traceback module prints them, oldest cause first.

    ``max_line``: characters shown of a source line (clip_line); ``root``:
    where the target's ``/`` is (source.on_disk).
    """
    lines: List[str] = []
    if info.older_not_shown:
        lines += [f"[older chained exceptions left out: only {info.older_not_shown} links are followed]", ""]
    if info.cause is not None:
        lines += format_exception(info.cause, max_line=max_line, root=root)
        lines += ["", "The above exception was the direct cause of the following exception:", ""]
    elif info.context is not None and not info.suppress_context:
        lines += format_exception(info.context, max_line=max_line, root=root)
        lines += ["", "During handling of the above exception, another exception occurred:", ""]
    entries = info.traceback or extra_traceback
    if entries:
        lines.append("Traceback (most recent call last):")
        for entry in entries:
            if entry.unreadable:
                lines.append(f"  <unreadable traceback entry at remote 0x{entry.unreadable:x}>")
                continue
            line = "?" if entry.lineno is None else str(entry.lineno)
            lines.append(f'  File "{entry.filename}", line {line}, in {entry.name}')
            text = source_line(entry.filename, entry.lineno, root)
            if text is not None:
                lines.append("    " + clip_line(text.strip(), max_line))
    name = info.type_name
    # A message of several lines prints as several, as Python prints it.
    lines.extend((f"{name}: {info.message}" if info.message else name).split("\n"))
    return lines


def exception_lines(found: ThreadExceptions, max_line: int = DEFAULT_LIMITS.max_source_line,
                    root: str = "") -> List[str]:
    """py-exc's output for a thread: the exception being raised, then the one being handled."""
    lines: List[str] = []
    if found.raised_error is not None:
        lines.append(f"<unreadable raised exception: {found.raised_error}>")
    elif found.raised is not None:
        lines.append("Exception being raised:")
        lines += format_exception(found.raised, found.raised_traceback, max_line, root)
    if found.handled is not None:
        if lines:
            lines.append("")
        if found.handled_unsure:
            lines.append("(handled by the selected frame or a newer one: their exception states cannot be told apart)")
        lines.append("Exception being handled:")
        lines += format_exception(found.handled, max_line=max_line, root=root)
    if found.handled_error is not None:
        lines += ["", f"<unreadable handled exception: {found.handled_error}>"] if lines else [
            f"<unreadable handled exception: {found.handled_error}>"]
    if not lines:
        lines.append("No Python exception is being raised or handled in this thread.")
    return lines


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
    marks = interpreter_changes(thread["frames"])
    for index, entry in enumerate(thread["frames"]):
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
        if index in marks:
            out.append("  " + marks[index])
    if thread.get("python") and thread.get("note"):
        out.append(f"  ({thread['note']})")  # why the stack ends where it does, when the backend knows
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
    if thread.get("asyncio_task") is not None:
        head += f", running asyncio task {thread['asyncio_task']!r}"
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
    if gil.get("enabled") is False:
        text = "no GIL (free-threaded)"
    elif gil["locked"] is None:
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
    build = " (free-threaded)" if python.get("free_threaded") else ""
    what = f"CPython {python['version']}{build}, {count} thread{'s' if count != 1 else ''}"
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
    """The whole document as text (py-threads, ``dump``), each line printable()."""
    native = bool(doc["options"]["native"])
    out = [summary(doc)]
    out.extend(_interpreter_line(i) for i in doc["interpreters"])
    out.extend(f"Note: {note}" for note in doc.get("notes") or ())
    for thread in doc["threads"]:
        out.append("")
        out.append(thread_heading(thread))
        out.extend(thread_body(thread, native))
    return [printable(line) for line in out]


# How py-dump-json frames its output for `cpython-gdb dump`, which reads it
# out of gdb's other chatter.
BEGIN_MARK = "@@cpython-gdb-dump-begin@@"
END_MARK = "@@cpython-gdb-dump-end@@"
ERROR_MARK = "@@cpython-gdb-dump-error@@"
