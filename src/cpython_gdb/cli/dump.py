"""``cpython-gdb dump``: every thread of a process or core, once, as text or JSON.

Two backends make the same report document. By default ("direct") it is
read without gdb (direct/): from /proc/PID/mem while ptrace holds every
thread stopped, or from the core and the files it mapped, each thread's C
stack unwound from its registers as far as what is printed needs (what
needs DWARF is left out: direct/documents.py says what). With --backend
gdb, gdb runs in batch mode with the extension loaded and its internal
``py-dump-json`` command, which prints the document between marker
lines; this module checks the target first, reads the document out of
gdb's output and prints it. Either way a live process is stopped only
while it is read: it is resumed after, and one that was stopped stays
stopped.

Exit status: 0 the dump was printed; 1 the target cannot be dumped (no such
process, no permission, not a Python process, unreadable core); 2 usage
error; 3 gdb is missing, failed or timed out.
"""

from __future__ import annotations

import os
import sys

from cpython_gdb.cli.launcher import HOOK, PTRACE_DENIED, UserError, find_gdb
from cpython_gdb.direct.documents import core_document, process_document
from cpython_gdb.direct.live import TargetError
from cpython_gdb.direct.stacks import LEVELS, NATIVE, STATE
from cpython_gdb.engine.report.text import BEGIN_MARK, END_MARK, ERROR_MARK, json_text, render
from cpython_gdb.errors import CpythonGdbError, NoInterpreter

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import List, NoReturn, Optional, Tuple

    from cpython_gdb.engine.elf.corefile import CoreFile
    from cpython_gdb.engine.report.text import Document

# Imported where needed, not here: argparse (only for --help and usage
# errors), json (--json and the gdb backend), subprocess, shutil and signal
# (the gdb backend), the core reader (a core). Most of a direct dump's wall
# time is the interpreter's start-up and imports.

PROG = "cpython-gdb dump"
EXIT_OK, EXIT_TARGET, EXIT_USAGE, EXIT_GDB = 0, 1, 2, 3
NO_PROCESS = "ptrace: No such process"
CORE_REJECTED = "is not a core dump"


class Options:
    """The parsed command line."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.exe: Optional[str] = None
        self.sysroot: Optional[str] = None
        self.locals = False
        self.native = False
        self.backend: Optional[str] = None
        self.json = False
        self.tasks = False
        self.timeout = DEFAULT_TIMEOUT


DEFAULT_TIMEOUT = 300.0
_FLAGS = ("--locals", "--native", "--json", "--tasks")
_VALUED = ("--exe", "--backend", "--timeout", "--sysroot")
BACKENDS = ("direct", "gdb")


def _quick_options(argv: List[str]) -> Optional[Options]:
    """The options of a plain command line, without argparse; None: let argparse parse it.

    Only what argparse would read the same way is taken here: anything
    else (help, an error, an unusual spelling) goes to argparse, which
    prints the help or the error.
    """
    target: Optional[str] = None
    flags: List[str] = []
    values: List[Tuple[str, str]] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg in _FLAGS:
            flags.append(arg)
            continue
        name, equals, value = arg.partition("=")
        if name in _VALUED:
            if not equals:
                if i >= len(argv):
                    return None
                value = argv[i]
                i += 1
            if not value or value.startswith("-"):
                return None
            values.append((name, value))
            continue
        if not arg or arg.startswith("-") or target is not None:
            return None
        target = arg
    if target is None:
        return None
    options = Options(target)
    for flag in flags:
        setattr(options, flag[2:], True)
    for name, value in values:
        if name == "--exe":
            options.exe = value
        elif name == "--sysroot":
            options.sysroot = value
        elif name == "--backend":
            if value not in BACKENDS:
                return None
            options.backend = value
        else:
            try:
                options.timeout = float(value)
            except ValueError:
                return None
    return options


def _parse(argv: List[str]) -> Options:
    options = _quick_options(argv)
    if options is not None:
        return options
    args = _parser().parse_args(argv)
    options = Options(args.target)
    options.exe, options.locals, options.native = args.exe, args.locals, args.native
    options.sysroot = args.sysroot
    options.backend, options.json, options.timeout = args.backend, args.json, args.timeout
    options.tasks = args.tasks
    return options


def _parser() -> "argparse.ArgumentParser":
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            raise UserError(f"{message} (see '{PROG} --help')", EXIT_USAGE)

    parser = _Parser(prog=PROG, allow_abbrev=False, description=(
        "Print every thread of a running Python process or of a core file once: its names, "
        "GIL and GC state and Python stack. A process is stopped while it is read, then resumed."),
        epilog="What DWARF and symbols answered is kept for the next run, per file by build id, in "
               "$CPYTHON_GDB_CACHE_DIR "
               "(default ~/.cache/cpython-gdb); CPYTHON_GDB_CACHE=0 turns that off. "
               "Exit status: 0 printed, 1 target cannot be dumped, 2 usage error, 3 gdb failed.")
    parser.add_argument("target", metavar="PID|CORE", help="process id, or core file")
    parser.add_argument("--exe", metavar="PYTHON",
                        help="the Python executable (for a core: found from the core if not given)")
    parser.add_argument("--sysroot", metavar="DIR",
                        help="for a core from a container or another machine: look for its executable, "
                             "libraries and source files under DIR (a live process's are read through "
                             "/proc/PID/root)")
    parser.add_argument("--locals", action="store_true", help="show each Python frame's local variables")
    parser.add_argument("--native", action="store_true",
                        help="show the C stack, with Python frames in place of the eval loop's")
    parser.add_argument("--backend", choices=BACKENDS,
                        help="read the target directly (the default) or through gdb (the reference: the same "
                             "report, read by gdb and the extension)")
    parser.add_argument("--json", action="store_true", help="print the JSON document (docs/dump-schema.json)")
    parser.add_argument("--tasks", action="store_true",
                        help="also list every asyncio task: its coroutine stack, what it awaits, who awaits it")
    parser.add_argument("--timeout", metavar="SECONDS", type=float, default=DEFAULT_TIMEOUT,
                        help="with gdb: give up if gdb takes longer (default: %(default)g)")
    return parser


def _find_gdb() -> str:
    try:
        return find_gdb()
    except UserError as exc:
        raise UserError(str(exc), EXIT_GDB) from None


def _process_state(pid: int) -> Optional[str]:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _check_pid(pid: int) -> None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        raise UserError(f"no process with id {pid}") from None
    except PermissionError:
        from cpython_gdb.direct.ptrace_scope import ptrace_advice

        raise UserError(f"cannot read process {pid}: {ptrace_advice()}") from None


def _check_core(path: str, exe: Optional[str],
                sysroot: Optional[str]) -> Tuple[CoreFile, str, Optional[str], Optional[str]]:
    """(the core's notes, its executable on disk and as the core names it, a warning about a truncated
    core or None)."""
    from cpython_gdb.engine.elf.corefile import CoreError, CoreFile

    try:
        info = CoreFile(path)
    except CoreError as exc:
        raise UserError(f"not a usable core file: {exc}") from None
    warning = info.truncation_message()
    on_disk, _, name = info.executable(exe, sysroot)
    if on_disk is None:
        # A core cut short may have lost the notes that name it (gdb's gcore writes them last).
        raise UserError(f"cannot find the executable of {path}: give it with --exe PYTHON"
                        + (f"; {warning}" if warning else ""))
    return info, on_disk, name, warning


def _gdb_argv(gdb: str, target: List[str], options: List[str]) -> List[str]:
    argv = [gdb, "-nx", "-batch"]
    for setting in ("set auto-load python-scripts off", "set debuginfod enabled off",
                    "set print thread-events off", "set pagination off", "set width 0"):
        argv += ["-iex", setting]
    return argv + target + ["-ex", f"source {HOOK}", "-ex", " ".join(["py-dump-json", *options])]


def _run_gdb(argv: List[str], timeout: float) -> str:
    import subprocess

    env = {key: value for key, value in os.environ.items() if key != "DEBUGINFOD_URLS"}
    try:
        result = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise UserError(f"gdb did not finish within {timeout:g} s", EXIT_GDB) from None
    except OSError as exc:
        raise UserError(f"cannot run {argv[0]}: {exc.strerror}", EXIT_GDB) from None
    return result.stdout.decode("utf-8", "replace")


def _document(output: str, what: str) -> Document:
    import json

    lines = output.splitlines()
    for line in lines:
        if line.startswith(ERROR_MARK):
            kind, _, detail = line[len(ERROR_MARK):].strip().partition(" ")
            if kind == "no-python":
                raise UserError(f"{what} is not a Python process ({detail})")
            raise UserError(f"cannot read {what}: {detail}")
    if BEGIN_MARK in lines and END_MARK in lines:
        start = lines.index(BEGIN_MARK)
        try:
            doc: Document = json.loads("".join(lines[start + 1:lines.index(END_MARK)]))
            return doc
        except ValueError:
            raise UserError("gdb printed a malformed report", EXIT_GDB) from None
    if any(marker in output for marker in PTRACE_DENIED):
        from cpython_gdb.direct.ptrace_scope import ptrace_advice

        raise UserError(f"cannot attach to {what}: {ptrace_advice()}")
    if NO_PROCESS in output:
        raise UserError(f"no {what}")
    last = [line for line in lines if line.strip()][-1:] or ["no output"]
    raise UserError(f"gdb could not read {what}: {last[0].strip()}", EXIT_GDB)


def _detail(args: Options) -> str:
    """How far the direct backend unwinds C stacks: as far as what is printed needs (direct/stacks.py)."""
    return NATIVE if args.native else LEVELS if args.json else STATE


def _direct(args: Options) -> Tuple[Document, Optional[str]]:
    """The document read without gdb, and a warning (or None)."""
    warning = None
    try:
        if args.target.isdigit():
            pid = int(args.target)
            what = f"process {pid}"
            _check_pid(pid)
            return process_document(pid, args.locals, args.exe, _detail(args), tasks=args.tasks)
        if not os.path.exists(args.target):
            raise UserError(f"no such process or core file: {args.target}")
        what = f"core {args.target}"
        info, exe, name, warning = _check_core(args.target, args.exe, args.sysroot)
        doc, layout_warning = core_document(info, exe, name, args.locals, _detail(args), args.sysroot,
                                            tasks=args.tasks)
        return doc, "; ".join(w for w in (warning, layout_warning) if w) or None
    except UserError:
        raise  # already said as it must be (it is a CpythonGdbError too)
    except NoInterpreter as exc:
        # In a truncated core, what names the interpreter may be what was cut off.
        message = f"cannot read {what}: {exc}" if warning else f"{what} is not a Python process ({exc})"
        status = EXIT_TARGET
    except TargetError as exc:
        message, status = str(exc), EXIT_TARGET
    except CpythonGdbError as exc:
        message, status = f"cannot read {what}: {exc}", EXIT_TARGET
    except OSError as exc:
        message, status = f"cannot read {what}: {exc.strerror or exc}", EXIT_TARGET
    raise UserError(message + (f"; {warning}" if warning else ""), status)


def dump(args: Options) -> Tuple[Document, Optional[str]]:
    """The report document, and a warning to print with it (or None)."""
    if args.exe is not None and not os.path.isfile(args.exe):
        import shutil

        found = shutil.which(args.exe)
        if found is None:
            raise UserError(f"executable not found: {args.exe}", EXIT_USAGE)
        args.exe = found
    if args.sysroot is not None:
        if args.target.isdigit():
            raise UserError("--sysroot is for a core: a live process's files are read through /proc/PID/root "
                            f"(see '{PROG} --help')", EXIT_USAGE)
        if not os.path.isdir(args.sysroot):
            raise UserError(f"--sysroot: no such directory: {args.sysroot}", EXIT_USAGE)
    if args.backend != "gdb":
        return _direct(args)
    gdb = _find_gdb()
    options = (["--native"] if args.native else []) + (["--locals"] if args.locals else [])
    options += ["--tasks"] if args.tasks else []
    warning = None
    if args.target.isdigit():
        pid = int(args.target)
        _check_pid(pid)
        before = _process_state(pid)
        target = ([args.exe] if args.exe else []) + ["-p", str(pid)]
        what = f"process {pid}"
        try:
            output = _run_gdb(_gdb_argv(gdb, target, options), args.timeout)
        finally:
            if before == "T" and _process_state(pid) not in ("T", None):
                import signal

                os.kill(pid, signal.SIGSTOP)  # it was stopped: leave it so
        doc = _document(output, what)
    elif os.path.exists(args.target):
        _, exe, _, warning = _check_core(args.target, args.exe, args.sysroot)
        what = f"core {args.target}"
        # Set before the core is loaded, as gdb needs it to find the libraries.
        settings = [] if args.sysroot is None else ["-iex", f"set sysroot {args.sysroot}"]
        output = _run_gdb(_gdb_argv(gdb, [*settings, exe, "-c", args.target], options), args.timeout)
        try:
            if CORE_REJECTED in output:
                # BFD refuses a core whose segments run past its end.
                raise UserError(f"gdb rejects {what} as not a core dump")
            doc = _document(output, what)
        except UserError as exc:
            if warning is not None:
                raise UserError(f"{exc}; {warning}", exc.status) from None
            raise
        doc["target"]["core"] = os.path.abspath(args.target)
    else:
        raise UserError(f"no such process or core file: {args.target}")
    return doc, warning


def cmd_dump(argv: List[str]) -> int:
    try:
        args = _parse(argv)
        doc, warning = dump(args)
    except UserError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return exc.status
    if warning is not None:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    # What the target holds is printable (render(), json_text()); a
    # character that the output's encoding lacks is escaped, not fatal.
    if args.json:
        text = json_text(doc, indent=2)
    else:
        lines = render(doc)
        if doc.get("tasks") is not None:
            from ..engine.report.tasks import task_lines  # only with --tasks

            lines += [""] + task_lines(doc["tasks"], doc.get("cycles") or [], [])
        text = "\n".join(lines)
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    cache = sys.modules.get("cpython_gdb.direct.answer_cache")
    if cache is not None:  # DWARF was read: keep its answers for the next run (after the output)
        cache.save_all()
    return EXIT_OK
