"""``cpython-gdb dump``: every thread of a process or core, once, as text or JSON.

gdb runs in batch mode with the extension loaded and its internal
``py-dump-json`` command, which prints the report document between marker
lines; this module checks the target first, reads the document out of
gdb's output and prints it. A live process is stopped only while gdb is
attached: detaching resumes it, and one that was stopped stays stopped.

Exit status: 0 the dump was printed; 1 the target cannot be dumped (no such
process, no permission, not a Python process, unreadable core); 2 usage
error; 3 gdb is missing, failed or timed out.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
from typing import List, NoReturn, Optional, Tuple

from cpython_gdb.elfcore import CoreError, CoreFile
from cpython_gdb.launcher import HOOK, PTRACE_DENIED, UserError, find_gdb
from cpython_gdb.report import BEGIN_MARK, END_MARK, ERROR_MARK, Document, render

PROG = "cpython-gdb dump"
EXIT_OK, EXIT_TARGET, EXIT_USAGE, EXIT_GDB = 0, 1, 2, 3
NO_PROCESS = "ptrace: No such process"
CORE_REJECTED = "is not a core dump"


class DumpError(Exception):
    def __init__(self, message: str, status: int = EXIT_TARGET) -> None:
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise DumpError(f"{message} (see '{PROG} --help')", EXIT_USAGE)


def _parser() -> _Parser:
    parser = _Parser(prog=PROG, allow_abbrev=False, description=(
        "Print every thread of a running Python process or of a core file once: its names, "
        "GIL and GC state and Python stack. A process is stopped while it is read, then resumed."),
        epilog="exit status: 0 printed, 1 target cannot be dumped, 2 usage error, 3 gdb failed")
    parser.add_argument("target", metavar="PID|CORE", help="process id, or core file")
    parser.add_argument("--exe", metavar="PYTHON",
                        help="the Python executable (for a core: found from the core if not given)")
    parser.add_argument("--locals", action="store_true", help="show each Python frame's local variables")
    parser.add_argument("--native", action="store_true",
                        help="show the C stack, with Python frames in place of the eval loop's")
    parser.add_argument("--json", action="store_true", help="print the JSON document (docs/dump-schema.json)")
    parser.add_argument("--timeout", metavar="SECONDS", type=float, default=300.0,
                        help="give up if gdb takes longer (default: %(default)g)")
    return parser


def _find_gdb() -> str:
    try:
        return find_gdb()
    except UserError as exc:
        raise DumpError(str(exc), EXIT_GDB) from None


def _ptrace_advice() -> str:
    try:
        with open("/proc/sys/kernel/yama/ptrace_scope") as f:
            scope = f" (kernel.yama.ptrace_scope={f.read().strip()})"
    except OSError:
        scope = ""
    return (f"ptrace not permitted{scope}: run as root or as the process's user, set "
            "kernel.yama.ptrace_scope to 0, or give the container CAP_SYS_PTRACE")


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
        raise DumpError(f"no process with id {pid}") from None
    except PermissionError:
        raise DumpError(f"cannot read process {pid}: {_ptrace_advice()}") from None


def _check_core(path: str, exe: Optional[str]) -> Tuple[str, Optional[str]]:
    """(executable, warning about a truncated core or None)."""
    try:
        info = CoreFile(path)
    except CoreError as exc:
        raise DumpError(f"not a usable core file: {exc}") from None
    warning = info.truncation_message()
    if exe is None:
        found = info.find_executable()
        if found is None:
            raise DumpError(f"cannot find the executable of {path}: give it with --exe PYTHON")
        exe = found[0]
    return exe, warning


def _gdb_argv(gdb: str, target: List[str], options: List[str]) -> List[str]:
    argv = [gdb, "-nx", "-batch"]
    for setting in ("set auto-load python-scripts off", "set debuginfod enabled off",
                    "set print thread-events off", "set pagination off", "set width 0"):
        argv += ["-iex", setting]
    return argv + target + ["-ex", f"source {HOOK}", "-ex", " ".join(["py-dump-json", *options])]


def _run_gdb(argv: List[str], timeout: float) -> str:
    env = {key: value for key, value in os.environ.items() if key != "DEBUGINFOD_URLS"}
    try:
        result = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise DumpError(f"gdb did not finish within {timeout:g} s", EXIT_GDB) from None
    except OSError as exc:
        raise DumpError(f"cannot run {argv[0]}: {exc.strerror}", EXIT_GDB) from None
    return result.stdout.decode("utf-8", "replace")


def _document(output: str, what: str) -> Document:
    lines = output.splitlines()
    for line in lines:
        if line.startswith(ERROR_MARK):
            kind, _, detail = line[len(ERROR_MARK):].strip().partition(" ")
            if kind == "no-python":
                raise DumpError(f"{what} is not a Python process ({detail})")
            raise DumpError(f"cannot read {what}: {detail}")
    if BEGIN_MARK in lines and END_MARK in lines:
        start = lines.index(BEGIN_MARK)
        try:
            doc: Document = json.loads("".join(lines[start + 1:lines.index(END_MARK)]))
            return doc
        except ValueError:
            raise DumpError("gdb printed a malformed report", EXIT_GDB) from None
    if any(marker in output for marker in PTRACE_DENIED):
        raise DumpError(f"cannot attach to {what}: {_ptrace_advice()}")
    if NO_PROCESS in output:
        raise DumpError(f"no {what}")
    last = [line for line in lines if line.strip()][-1:] or ["no output"]
    raise DumpError(f"gdb could not read {what}: {last[0].strip()}", EXIT_GDB)


def dump(args: argparse.Namespace) -> Tuple[Document, Optional[str]]:
    """The report document, and a warning to print with it (or None)."""
    gdb = _find_gdb()
    options = (["--native"] if args.native else []) + (["--locals"] if args.locals else [])
    if args.exe is not None and not os.path.isfile(args.exe):
        found = shutil.which(args.exe)
        if found is None:
            raise DumpError(f"executable not found: {args.exe}", EXIT_USAGE)
        args.exe = found
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
                os.kill(pid, signal.SIGSTOP)  # it was stopped: leave it so
        doc = _document(output, what)
    elif os.path.exists(args.target):
        exe, warning = _check_core(args.target, args.exe)
        what = f"core {args.target}"
        output = _run_gdb(_gdb_argv(gdb, [exe, "-c", args.target], options), args.timeout)
        try:
            if CORE_REJECTED in output:
                # BFD refuses a core whose segments run past its end.
                raise DumpError(f"gdb rejects {what} as not a core dump")
            doc = _document(output, what)
        except DumpError as exc:
            if warning is not None:
                raise DumpError(f"{exc}; {warning}", exc.status) from None
            raise
        doc["target"]["core"] = os.path.abspath(args.target)
    else:
        raise DumpError(f"no such process or core file: {args.target}")
    return doc, warning


def cmd_dump(argv: List[str]) -> int:
    try:
        args = _parser().parse_args(argv)
        doc, warning = dump(args)
    except DumpError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return exc.status
    if warning is not None:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    text = json.dumps(doc, indent=2, sort_keys=True) if args.json else "\n".join(render(doc))
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    return EXIT_OK
