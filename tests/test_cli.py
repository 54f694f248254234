"""The cpython-gdb command line, run for real: argv building, errors, the gdb
hook and the demo.

gdb is $CPYTHON_GDB_GDB or gdb from PATH; the tests that need a real gdb
fail without one.  Argument handling is checked with a fake gdb that records
how it was called.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest

import cpython_gdb

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(cpython_gdb.__file__).resolve().parent
HOOK = PACKAGE_DIR / "gdb_hook.py"
SOURCE_HOOK = f"source {HOOK}"
GDB = os.environ.get("CPYTHON_GDB_GDB") or shutil.which("gdb") or "gdb"
PYENV = Path.home() / ".pyenv" / "versions"
SAMPLE_FUNCTIONS = ("descend", "worker", "idle", "supervise")

FAKE_GDB = """\
#!{python}
import json, os, sys
log = os.environ.get("FAKE_GDB_LOG")
if log:
    with open(log, "w") as f:
        json.dump({{"argv": sys.argv, "pid": os.getpid()}}, f)
if "--version" in sys.argv:
    print("GNU gdb (fake) 0.0")
    sys.exit(0)
sys.stdout.write(os.environ.get("FAKE_GDB_OUTPUT", ""))
sys.exit(int(os.environ.get("FAKE_GDB_STATUS", "0")))
"""


def cli(*args: str, env: Optional[Dict[str, str]] = None, timeout: float = 120,
        ) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "cpython_gdb.cli.main", *args],
                          stdin=subprocess.DEVNULL, capture_output=True, encoding="utf-8",
                          errors="replace", env=full_env, timeout=timeout)


def run_gdb(*args: str, timeout: float = 120, debug: bool = False) -> subprocess.CompletedProcess[str]:
    """gdb -nx -batch ARGS; ``debug`` sets CPYTHON_GDB_DEBUG=1 for the hook."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUGINFOD_URLS", "CPYTHON_GDB_DEBUG")}
    if debug:
        env["CPYTHON_GDB_DEBUG"] = "1"
    return subprocess.run([GDB, "-nx", "-batch", *args], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, encoding="utf-8",
                          errors="replace", env=env, timeout=timeout)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0, result
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def fake_gdb(tmp_path: Path) -> Path:
    path = tmp_path / "fake-gdb"
    path.write_text(FAKE_GDB.format(python=sys.executable))
    path.chmod(0o755)
    return path


def dry_run(fake_gdb: Path, *args: str) -> List[str]:
    result = cli(*args, env={"CPYTHON_GDB_GDB": str(fake_gdb)})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return shlex.split(result.stdout)


def pyenv_pythons() -> List[str]:
    """CPython 3.8-3.13 interpreters under ~/.pyenv, newest patch release each."""
    found: Dict[str, str] = {}
    for version in sorted(PYENV.glob("3.*"), key=lambda p: [int(x) for x in
                                                             re.findall(r"\d+", p.name)]):
        minor = ".".join(version.name.split(".")[:2])
        python = version / "bin" / f"python{minor}"
        if re.fullmatch(r"3\.(8|9|1[0-3])", minor) and python.exists():
            found[minor] = str(python)
    return [found[minor] for minor in sorted(found, key=lambda m: int(m.split(".")[1]))]


# -- gdbinit and the hook -----------------------------------------------------


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "cpython-gdb"
    result = subprocess.run([str(script), "--version"], stdout=subprocess.PIPE, text=True,
                            check=True)
    assert result.stdout.strip() == f"cpython-gdb {cpython_gdb.__version__}"


def test_installed_command_does_not_import_re() -> None:
    # The command is a script of ours, not pip's entry-point wrapper, which
    # imports re at every start (scripts/cpython-gdb); `dump` imports all the
    # modules of a gdb-free dump before it finds that the process is missing.
    script = Path(sys.executable).parent / "cpython-gdb"
    result = subprocess.run([sys.executable, "-X", "importtime", str(script), "dump", "999999999"],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "no process with id 999999999" in result.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line]
    assert "cpython_gdb.cli.dump" in imported
    assert "re" not in imported


def test_gdbinit_sources_the_hook() -> None:
    result = cli("gdbinit")
    assert result.returncode == 0
    assert result.stderr == ""
    commands = [line for line in result.stdout.splitlines()
                if line.strip() and not line.startswith("#")]
    assert commands == [SOURCE_HOOK]
    path = Path(commands[0].split(None, 1)[1])
    assert path.is_absolute() and path.is_file()
    assert path.samefile(HOOK)


def test_hook_loads_in_gdb_twice_without_traceback() -> None:
    result = run_gdb("-ex", SOURCE_HOOK, "-ex", SOURCE_HOOK,
                     "-ex", "python import cpython_gdb, sys; print('LOADED', cpython_gdb.__file__)",
                     "-ex", f"python print('ON PATH', {str(PACKAGE_DIR.parent)!r} in sys.path)")
    assert "Traceback" not in result.stdout, result.stdout
    assert result.returncode == 0, result.stdout
    # gdb's own Python imports the package next to the hook, and the directory
    # (often another Python's site-packages) does not stay on gdb's sys.path.
    loaded = re.search(r"^LOADED (.*)$", result.stdout, re.M)
    assert loaded is not None, result.stdout
    assert Path(loaded.group(1)).resolve().parent == PACKAGE_DIR
    assert "ON PATH False" in result.stdout


def test_hook_registers_the_commands_and_printers() -> None:
    result = run_gdb("-ex", SOURCE_HOOK, "-ex", "help py-bt", "-ex", "help py-locals",
                     "-ex", "show cpython max-items", "-ex", "info pretty-printer")
    assert "Traceback" not in result.stdout, result.stdout
    assert "cpython-gdb:" not in result.stdout, result.stdout  # the hook's failure line
    assert "Undefined" not in result.stdout, result.stdout
    assert "cpython-gdb" in result.stdout  # the printer collection
    assert result.returncode == 0, result.stdout


def test_hook_without_package_prints_one_line(tmp_path: Path) -> None:
    lonely = tmp_path / "gdb_hook.py"
    shutil.copy(HOOK, lonely)
    result = run_gdb("-ex", f"source {lonely}")
    assert "Traceback" not in result.stdout, result.stdout
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("cpython-gdb: "), result.stdout
    assert "failed" in lines[0]
    assert result.returncode == 0


@pytest.mark.parametrize("broken", ["no package", "register fails"])
def test_hook_failure_traceback_with_cpython_gdb_debug(tmp_path: Path, broken: str) -> None:
    """One line says why the package cannot be loaded; CPYTHON_GDB_DEBUG=1 adds the traceback."""
    if broken == "no package":
        hook = tmp_path / "gdb_hook.py"
        shutil.copy(HOOK, hook)
        line = (f"cpython-gdb: import of cpython_gdb.gdb from {tmp_path.parent} failed (ModuleNotFoundError: "
                "No module named 'cpython_gdb'); its gdb commands and printers are not available")
        last = "ModuleNotFoundError: No module named 'cpython_gdb'"
    else:
        copy = tmp_path / "cpython_gdb"
        shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
        with open(copy / "gdb" / "__init__.py", "a") as f:
            f.write("\n\ndef register(objfile=None):\n    raise RuntimeError('boom')\n")
        hook = copy / "gdb_hook.py"
        line = ("cpython-gdb: cpython_gdb.gdb.register() failed (RuntimeError: boom); "
                "its gdb commands and printers are not available")
        last = "RuntimeError: boom"
    quiet = run_gdb("-ex", f"source {hook}", "-ex", "echo END\\n")
    assert quiet.returncode == 0 and quiet.stdout == f"{line}\nEND\n", quiet.stdout
    loud = run_gdb("-ex", f"source {hook}", "-ex", "echo END\\n", debug=True)
    assert loud.returncode == 0, loud.stdout
    lines = loud.stdout.splitlines()
    assert lines[0] == "Traceback (most recent call last):", loud.stdout
    assert f'  File "{hook}", line ' in loud.stdout, loud.stdout
    assert lines[-3:] == [last, line, "END"], loud.stdout


def official_extension() -> Path:
    """The python3.X-gdb.py that CPython installed next to this interpreter."""
    real = Path(os.path.realpath(sys.executable))
    name = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    candidate = real.with_name(f"{name}-gdb.py")
    if not candidate.exists():
        pytest.skip(f"no official {candidate.name} next to {real}")
    return candidate


def test_hook_after_official_extension_takes_the_commands() -> None:
    official = official_extension()
    ours = run_gdb("-ex", SOURCE_HOOK, "-ex", "help py-bt")
    both = run_gdb("-ex", f"source {official}", "-ex", SOURCE_HOOK, "-ex", "help py-bt",
                   "-ex", "info pretty-printer")
    assert "Traceback" not in both.stdout, both.stdout
    assert both.returncode == 0, both.stdout
    assert ours.stdout.strip() and ours.stdout.strip() in both.stdout
    assert "cpython-gdb" in both.stdout


def test_run_sources_the_hook_after_the_auto_loaded_official_extension() -> None:
    """`cpython-gdb run` puts the hook in an -ex, which gdb runs after it has loaded the
    program and auto-loaded the official extension with it: py-bt is ours from the start.
    (Our hook loaded first, from ~/.gdbinit, and the names taken back at the next stop or
    prompt: tests/gdb/test_coexist.py.)"""
    official = official_extension()
    ours = run_gdb("-ex", SOURCE_HOOK, "-ex", "help py-bt")
    interpreter = official.with_name(official.name[:-len("-gdb.py")])
    program = "import os, signal\ndef stop_here():\n    os.kill(os.getpid(), signal.SIGTRAP)\n" \
              "stop_here()\n"
    result = cli("run", "-nx", "-batch", "-iex", f"add-auto-load-safe-path {official}",
                 "-ex", "run", "-ex", "info auto-load python-scripts", "-ex", "help py-bt",
                 "-ex", "py-bt", "--", str(interpreter), "-c", program,
                 env={"DEBUGINFOD_URLS": ""})
    output = result.stdout + result.stderr
    assert "Traceback (most recent call last)" not in output, output
    assert re.search(rf"Yes\s+{re.escape(str(official))}", output), output  # it was loaded
    assert ours.stdout.strip() and ours.stdout.strip() in output
    assert re.search(r'File "<string>", line 3, in stop_here\n', output), output
    assert result.returncode == 0, output


# -- argv built for gdb ---------------------------------------------------------


def test_run_argv(fake_gdb: Path) -> None:
    argv = dry_run(fake_gdb, "run", "--dry-run", "-batch", "-ex", "break foo", "--",
                   sys.executable, "-c", "print(1)", "--dry-run")
    assert argv == [str(fake_gdb), "-ex", SOURCE_HOOK, "-batch", "-ex", "break foo",
                    "--args", sys.executable, "-c", "print(1)", "--dry-run"]


def test_attach_argv(fake_gdb: Path) -> None:
    pid = str(os.getpid())
    expected = [str(fake_gdb), "-ex", SOURCE_HOOK, "-batch", "-ex", "py-bt", "-p", pid]
    assert dry_run(fake_gdb, "attach", pid, "-batch", "-ex", "py-bt", "--dry-run") == expected
    assert dry_run(fake_gdb, "attach", "--dry-run", pid, "-batch", "-ex", "py-bt") == expected
    assert dry_run(fake_gdb, "attach", "--dry-run", pid) == expected[:3] + ["-p", pid]


def test_core_argv(fake_gdb: Path, tmp_path: Path) -> None:
    # An ELF core header and nothing else (tests/test_core.py uses real cores).
    core = tmp_path / "core.1234"
    header = (b"\x7fELF", 2, 1, 1, 4, 62, 1, 0, 64, 0, 0, 64, 56, 0, 64, 0, 0)  # ET_CORE, x86-64
    core.write_bytes(struct.pack("<4sBBB9xHHIQQQIHHHHHH", *header))
    base = [str(fake_gdb), "-ex", SOURCE_HOOK]
    assert dry_run(fake_gdb, "core", "--dry-run", str(core), sys.executable) == base + [
        sys.executable, "-c", str(core)]
    assert dry_run(fake_gdb, "core", "--dry-run", str(core), sys.executable,
                   "-batch", "-ex", "py-bt") == base + ["-batch", "-ex", "py-bt",
                                                        sys.executable, "-c", str(core)]
    assert dry_run(fake_gdb, "core", str(core), sys.executable, "-ex", "py-bt", "--dry-run") == base + [
        "-ex", "py-bt", sys.executable, "-c", str(core)]


def test_attach_execs_gdb_and_returns_its_status(fake_gdb: Path, tmp_path: Path) -> None:
    log = tmp_path / "argv.json"
    env = dict(os.environ, CPYTHON_GDB_GDB=str(fake_gdb), FAKE_GDB_LOG=str(log),
               FAKE_GDB_STATUS="7")
    process = subprocess.Popen([sys.executable, "-m", "cpython_gdb.cli.main", "attach",
                                str(os.getpid()), "-batch"], env=env)
    assert process.wait(timeout=60) == 7
    called = json.loads(log.read_text())
    assert called["pid"] == process.pid  # the CLI process became gdb
    assert called["argv"][1:] == ["-ex", SOURCE_HOOK, "-batch", "-p", str(os.getpid())]


# -- user errors: one line, no traceback ----------------------------------------


@pytest.mark.parametrize("command", [
    ["attach", str(os.getpid())],
    ["run", "--", sys.executable],
    ["core", __file__],
    ["demo"],
])
def test_missing_gdb(command: List[str]) -> None:
    result = cli(*command, env={"CPYTHON_GDB_GDB": "/nonexistent"})
    assert_one_line_error(result, "gdb not found", "/nonexistent")


def test_gdb_not_on_path(tmp_path: Path) -> None:
    env = dict(os.environ, PATH=str(tmp_path))
    env.pop("CPYTHON_GDB_GDB", None)
    result = subprocess.run([sys.executable, "-m", "cpython_gdb.cli.main", "attach",
                             str(os.getpid())], capture_output=True, text=True,
                            env=env, timeout=60)
    assert_one_line_error(result, "gdb not found on PATH")


def test_attach_nonexistent_pid(fake_gdb: Path) -> None:
    pid_max = int(Path("/proc/sys/kernel/pid_max").read_text())
    result = cli("attach", str(pid_max + 1), env={"CPYTHON_GDB_GDB": str(fake_gdb)})
    assert_one_line_error(result, f"no process with id {pid_max + 1}")


@pytest.mark.parametrize("args, message", [
    (["attach", "abc"], "invalid process id: 'abc'"),
    (["attach", "0"], "invalid process id"),
    (["attach"], "missing PID"),
    (["core"], "missing CORE"),
    (["core", "/nonexistent/core"], "core file not found: /nonexistent/core"),
    (["core", __file__, "/nonexistent/python"], "executable not found: /nonexistent/python"),
    (["run", "-batch"], "no program given"),
    (["run", "--", "/nonexistent/program"], "program not found: /nonexistent/program"),
    (["demo", "--python", "/nonexistent/python"], "python not found: /nonexistent/python"),
    (["demo", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["gdbinit", "extra"], "unrecognized arguments: extra"),
    (["frobnicate"], "unknown command 'frobnicate'"),
])
def test_user_errors(fake_gdb: Path, args: List[str], message: str) -> None:
    result = cli(*args, env={"CPYTHON_GDB_GDB": str(fake_gdb)})
    assert_one_line_error(result, message)
    assert result.stdout == ""


def test_no_arguments_prints_usage() -> None:
    result = cli()
    assert result.returncode == 2
    assert "usage: cpython-gdb" in result.stderr
    result = cli("--help")
    assert result.returncode == 0
    for command in ("gdbinit", "run", "attach", "core", "demo"):
        assert f"  {command} " in result.stdout


# -- the sample and the demo ----------------------------------------------------


@pytest.mark.parametrize("python", pyenv_pythons() or [sys.executable])
def test_sample_announces_when_ready(python: str) -> None:
    sample = subprocess.Popen([python, str(PACKAGE_DIR / "cli" / "demo" / "sample.py"),
                               "--timeout", "60"], stdout=subprocess.PIPE, text=True)
    try:
        assert sample.stdout is not None
        line = sample.stdout.readline()
        assert re.fullmatch(rf"ready pid={sample.pid} python=3\.\d+\.\d+\S*\n", line), line
        assert sample.poll() is None
    finally:
        sample.kill()
        sample.wait()


def test_demo_reports_ptrace_refusal(fake_gdb: Path) -> None:
    result = cli("demo", env={"CPYTHON_GDB_GDB": str(fake_gdb), "FAKE_GDB_STATUS": "1",
                              "FAKE_GDB_OUTPUT": "ptrace: Operation not permitted.\n"})
    assert_one_line_error(result, "ptrace not permitted")
    pid = re.search(r"\(pid (\d+)\)", result.stdout)
    assert pid is not None, result.stdout
    assert not Path(f"/proc/{pid.group(1)}").exists()  # the sample was killed and reaped


@pytest.mark.parametrize("python", [None, *pyenv_pythons()])
def test_demo(python: Optional[str]) -> None:
    args = ["demo"] if python is None else ["demo", "--python", python]
    result = cli(*args, env={"CPYTHON_GDB_GDB": GDB}, timeout=400)
    out = result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    assert f"python: {os.path.abspath(python or sys.executable)}" in out, out
    assert f"gdb:    {os.path.abspath(shutil.which(GDB) or GDB)}" in out, out
    # Every thread's Python stack: two workers and the main thread.
    assert out.count("Traceback (most recent call first)") == 3, out
    for name in SAMPLE_FUNCTIONS:
        assert re.search(rf'File ".*sample\.py", line \d+, in {name}\n', out), (name, out)
    assert out.count(", in descend\n") == 2 * 4, out  # 4 levels deep in both workers
    # py-locals of `idle` and one pretty-printed instance.
    assert "counts = {'workers': 2, 'depth': 3}" in out, out
    assert "greeting = 'grüße, 世界'" in out, out
    assert re.search(r"local 'job' = <Job\(name='main', size=42, tags=\['demo', 'main'\]\) "
                     r"at remote 0x[0-9a-f]+>", out), out
    assert result.returncode == 0, out + result.stderr
    pid = re.search(r"\(pid (\d+)\)", out)
    assert pid is not None and not Path(f"/proc/{pid.group(1)}").exists()


# -- README and CI ----------------------------------------------------------------


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- test-command[^>]*-->\s*```sh\n(.+)\n```", readme)
    assert match is not None, "README.md lost its test-command block"
    ci_lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert ci_lines[-1] == match.group(1)
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
