"""Every command, printer and ``dump`` variant run on a target, and what each did.

gdb runs once per case with every command batched (an ``echo`` marker
before each), its output read as it comes, so each command's time and
output are known. A command that runs over HANG_SECONDS gets gdb killed:
a hang; the commands after it run in a new gdb. ``dump`` runs as the
``cpython-gdb dump`` command line does, once per variant.

Classes of findings (issue 16): escape (a Python traceback, or gdb's
``Python Exception`` from our code), hang, huge (one command printing over
HUGE_BYTES), crash (gdb dies, or a dump ends in an unexpected way), side
effect (campaign.py checks those).
"""

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Optional, Sequence

from harness import GDB, HOOK

HANG_SECONDS = 10.0
# What the running case uses (hang_limit() changes it for one case).
_hang = [HANG_SECONDS]
LOAD_SECONDS = 60.0  # attaching and loading the hook: slow under load, not a command of ours
HUGE_BYTES = 1 << 20
KEEP_BYTES = 4 << 20  # output kept per command; the rest is only counted
KILL_BYTES = 64 << 20  # a command that prints this much is stopped
MARK = "@@@fuzz"
MAX_HANGS = 2  # hangs in one gdb session before the rest of its commands are left out
LOAD_FAILED = "its gdb commands and printers are not available"
GDB_CRASHES = ("internal-error", "Fatal signal", "A problem internal to GDB", "Segmentation fault")
GDB_OPTIONS = ("set pagination off", "set width 0", "set height 0", "set auto-load python-scripts off",
               "set debuginfod enabled off", "set python print-stack full", "set print thread-events off")


class Run(NamedTuple):
    tool: str  # "gdb" or "dump"
    command: str
    output: str
    size: int
    seconds: float
    status: str  # "ok", "hang", "crash"
    detail: str = ""  # for a crash: how gdb or the dump ended


class Finding(NamedTuple):
    kind: str  # escape, hang, huge, crash, side effect, wrong
    tool: str
    command: str
    detail: str

    def line(self) -> str:
        return f"{self.kind}: [{self.tool}] {self.command}: {self.detail}"


def gdb_argv(target: Sequence[str], extra: Sequence[str] = (), gdb: str = GDB, hook: Path = HOOK,
             prefix: Sequence[str] = ()) -> List[str]:
    """gdb in batch mode on TARGET (``-p PID`` or ``EXE -c CORE``) with our hook loaded."""
    argv = [*prefix, gdb, "-q", "-batch", "-nx"]
    for option in GDB_OPTIONS:
        argv += ["-iex", option]
    return [*argv, *extra, *target, "-ex", f"source {hook}"]


class _Sections:
    """gdb's output split at the markers as it arrives, with the time each section began."""

    def __init__(self, count: int) -> None:
        self.lock = threading.Lock()
        self.current = -1  # -1: before the first marker (attach, load)
        self.started = time.monotonic()
        self.parts: Dict[int, List[bytes]] = {-1: []}
        self.sizes: Dict[int, int] = {-1: 0}
        self.times: Dict[int, float] = {}
        self.count = count
        self.ended = False

    def feed(self, line: bytes) -> None:
        mark = line.find(MARK.encode())
        if mark > 0:
            # A command whose output does not end its line (gdb's `output`).
            self.feed(line[:mark])
            line = line[mark:]
        with self.lock:
            if mark >= 0:
                word = line[len(MARK):].strip().decode()
                now = time.monotonic()
                self.times[self.current] = now - self.started
                if word == "end":
                    self.ended = True
                    self.current = self.count
                else:
                    self.current = int(word)
                self.started = now
                self.parts.setdefault(self.current, [])
                self.sizes.setdefault(self.current, 0)
                return
            self.sizes[self.current] = self.sizes.get(self.current, 0) + len(line)
            if self.sizes[self.current] <= KEEP_BYTES:
                self.parts.setdefault(self.current, []).append(line)

    def text(self, index: int) -> str:
        return b"".join(self.parts.get(index, [])).decode("utf-8", "replace")


def _kill(proc: "subprocess.Popen[bytes]") -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # gdb's own process group (start_new_session)
    except ProcessLookupError:
        pass


def _one_gdb(base: Sequence[str], commands: Sequence[str], env: Dict[str, str]) -> List[Run]:
    argv = list(base)
    for i, command in enumerate(commands):
        argv += ["-ex", f"echo {MARK}{i}\\n", "-ex", command]
    argv += ["-ex", f"echo {MARK}end\\n"]
    sections = _Sections(len(commands))
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env, start_new_session=True)
    assert proc.stdout is not None

    def reader() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            sections.feed(line)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    why = ""
    while proc.poll() is None:
        time.sleep(0.02)
        with sections.lock:
            current, since = sections.current, time.monotonic() - sections.started
            size = sections.sizes.get(current, 0)
        limit = LOAD_SECONDS if current < 0 else _hang[0]
        if since > limit or size > KILL_BYTES:
            why = "hang" if since > limit else "huge"
            _kill(proc)
            break
    proc.wait()
    thread.join(5)
    proc.stdout.close()
    runs: List[Run] = []
    load = sections.text(-1)
    load_seconds = sections.times.get(-1, time.monotonic() - sections.started)
    if sections.current < 0:
        status = "hang" if why == "hang" else "crash"
        runs.append(Run("gdb", "(attach and load the hook)", load, sections.sizes[-1], load_seconds, status,
                        f"gdb exit status {proc.returncode}"))
        return runs
    runs.append(Run("gdb", "(attach and load the hook)", load, sections.sizes[-1], load_seconds, "ok"))
    last = min(sections.current, len(commands) - 1)
    for i in range(last + 1):
        finished = i < sections.current
        seconds = sections.times.get(i, time.monotonic() - sections.started)
        status, detail = "ok", ""
        if not finished:
            if why == "hang":
                status, detail = "hang", f"killed after {_hang[0]:g} s"
            elif why == "huge":
                status, detail = "ok", f"killed after {KILL_BYTES} bytes"
            else:
                status, detail = "crash", f"gdb ended (exit status {proc.returncode}) inside the command"
        runs.append(Run("gdb", commands[i], sections.text(i), sections.sizes.get(i, 0), seconds, status, detail))
    return runs


def current_hang_limit() -> float:
    return _hang[0]


@contextmanager
def hang_limit(seconds: float) -> Iterator[None]:
    """Commands over ``seconds`` count as hangs in this block (a known hang need not cost 10 s)."""
    old = _hang[0]
    _hang[0] = seconds
    try:
        yield
    finally:
        _hang[0] = old


def gdb_session(base: Sequence[str], commands: Sequence[str], env: Optional[Dict[str, str]] = None) -> List[Run]:
    """Run COMMANDS in gdb; after a hang or a crash, the rest in a new gdb."""
    env = dict(os.environ if env is None else env)
    env.pop("DEBUGINFOD_URLS", None)
    runs: List[Run] = []
    pending = list(commands)
    while pending:
        got = _one_gdb(base, pending, env)
        runs += got
        done = len(got) - 1  # the load is not a command
        if done <= 0:
            break  # gdb could not even load: the commands cannot run
        if got[-1].status == "ok" and done == len(pending):
            break
        pending = pending[done:]
        if sum(run.status == "hang" for run in runs) >= MAX_HANGS:
            # Most likely the same cause each time, and each costs the whole limit.
            runs.append(Run("gdb", "(the rest)", "", 0, 0, "ok", f"{len(pending)} commands not run after "
                            f"{MAX_HANGS} hangs: {', '.join(pending)}"))
            break
    return runs


def run_dump(args: Sequence[str], env: Optional[Dict[str, str]] = None) -> Run:
    """``cpython-gdb dump ARGS`` as a user runs it; stdout and stderr together."""
    env = dict(os.environ if env is None else env)
    env.pop("DEBUGINFOD_URLS", None)
    argv = [sys.executable, "-m", "cpython_gdb.cli.main", "dump", *args]
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env, start_new_session=True)
    command = " ".join(["dump", *args])
    try:
        out, _ = proc.communicate(timeout=_hang[0])
    except subprocess.TimeoutExpired:
        _kill(proc)
        out, _ = proc.communicate()
        return Run("dump", command, out[:KEEP_BYTES].decode("utf-8", "replace"), len(out), time.monotonic() - start,
                   "hang", f"killed after {_hang[0]:g} s")
    seconds = time.monotonic() - start
    text = out[:KEEP_BYTES].decode("utf-8", "replace")
    status, detail = "ok", ""
    if proc.returncode < 0:
        status, detail = "crash", f"killed by signal {-proc.returncode}"
    elif proc.returncode not in (0, 1) and escape_detail(text) is None:
        status, detail = "crash", f"exit status {proc.returncode}: {last_line(text)}"
    return Run("dump", command, text, len(out), seconds, status, detail)


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "(no output)"


def _ours(block: Sequence[str]) -> bool:
    """Whether a traceback is of code running in gdb or the dump command, not of the target.

    py-exc prints the target's own tracebacks; ours run in our package, in
    gdb's Python library (a frame decorator's default method that our frame
    filter's decorators inherit) or in runpy (``python -m``).
    """
    return any(line.strip().startswith("File ") and any(part in line for part in ("/cpython_gdb/", "runpy",
                                                                                   "/python/gdb/"))
               for line in block)


def escape_detail(text: str) -> Optional[str]:
    """The exception an escape shows (its last traceback line, or gdb's one-line report), or None."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "Python Exception <" in line or "Error occurred in Python" in line or LOAD_FAILED in line:
            return line.strip()[:300]
        if "Traceback (most recent call last)" in line:
            block = []
            for after in lines[i + 1:]:
                if after.startswith(" "):
                    block.append(after)
                    continue
                if _ours(block):
                    where = [x.strip() for x in block if x.strip().startswith("File ")]
                    return f"{after.strip()[:300]} (at {where[-1][:200]})"
                break
    return None


def classify(run: Run) -> List[Finding]:
    out: List[Finding] = []
    if run.status == "hang":
        out.append(Finding("hang", run.tool, run.command, run.detail))
    elif run.status == "crash":
        out.append(Finding("crash", run.tool, run.command, run.detail or last_line(run.output)))
    if run.size > HUGE_BYTES:
        out.append(Finding("huge", run.tool, run.command, f"{run.size} bytes of output"))
    detail = escape_detail(run.output)
    if detail is not None:
        out.append(Finding("escape", run.tool, run.command, detail))
    if run.tool == "gdb" and any(mark in run.output for mark in GDB_CRASHES) and run.status != "crash":
        out.append(Finding("crash", run.tool, run.command,
                           next(line for line in run.output.splitlines() if any(m in line for m in GDB_CRASHES))))
    return out
