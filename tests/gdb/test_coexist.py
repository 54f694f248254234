"""Living with CPython's own python-gdb.py, which gdb may auto-load too.

Loaded after the program (as `cpython-gdb attach/core/run` do), our
commands and printers win. Loaded before it (a ~/.gdbinit line, then gdb
auto-loads the official script with the program), the official script's
commands replace ours until the next stop or prompt, which takes them
back, while our printers still come first; either way nothing fails.
"""

import os
import re
import subprocess

import pytest

from harness import GDB, GDB_TIMEOUT, HOOK, MARK, PYTHONS, official_extension, run_gdb, run_sections, running


def _official_or_skip(version):
    path = official_extension(version)
    if path is None:
        pytest.skip(f"CPython {version} has no python{version}-gdb.py")
    return path


def test_ours_wins_when_loaded_after_the_official_script(version):
    official = _official_or_skip(version)
    with running(version, "recursion.py") as target:
        helptext, printers, locals_ = run_sections(
            ["help py-bt", "info pretty-printer", "py-locals"], pid=target.pid, official=official
        )
    assert "Usage: py-bt" in helptext
    objfile_section = printers.split("objfile", 1)[1]
    assert "cpython-gdb" in objfile_section
    assert locals_.splitlines()[:3] == ["Locals for wait_here", "Arguments:", "  v = 3"]
    assert "Traceback" not in locals_ + printers


def test_both_loaded_in_batch_order_gives_no_errors(version):
    official = _official_or_skip(version)
    with running(version, "recursion.py") as target:
        (value,) = run_sections(
            ["print (PyObject *) &PyFloat_Type"],
            pid=target.pid,
            official=official,
            ours=False,
            extra=["-iex", f"source {HOOK}"],
        )
    # Our printer is consulted first: the official one prints <type at remote 0x...>.
    kind = "type" if version == "2.7" else "class"  # as repr() says
    assert value.strip() == f"$1 = <{kind} 'float'>"


# Our hook from ~/.gdbinit, then the official script auto-loaded with the
# program: the order of a user who appended `cpython-gdb gdbinit` to it.
STOPS = "import os, signal\ndef stop_here():\n    os.kill(os.getpid(), signal.SIGTRAP)\nstop_here()\n"


def _gdbinit_gdb(version, tmp_path, args, stdin=None):
    """gdb with a HOME whose .gdbinit sources our hook; gdb then auto-loads the official script with the program."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / ".gdbinit").write_text(f"source {HOOK}\n")
    env = {k: v for k, v in os.environ.items() if k != "DEBUGINFOD_URLS"}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), PYTHONHASHSEED="0")
    argv = [GDB, "-q", "-iex", "set pagination off", "-iex", "set width 0", "-iex", "set confirm off",
            "-iex", f"add-auto-load-safe-path {PYTHONS[version].parent}", *args,
            "--args", str(PYTHONS[version]), "-c", STOPS]
    proc = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                          encoding="utf-8", errors="replace", timeout=GDB_TIMEOUT)
    return proc.stdout


def _help_texts(official):
    texts = []
    for source in (official, HOOK):
        out = run_gdb([f"source {source}", "help py-bt"], ours=False)
        texts.append(out.strip())
    assert texts[0] and texts[1] and texts[0] != texts[1]
    assert texts[1].startswith("Print the Python stack of the selected thread"), texts[1]
    return texts


def test_official_script_auto_loaded_after_our_gdbinit_gives_the_names_back_at_a_stop(version, tmp_path):
    official = _official_or_skip(version)
    theirs, ours = _help_texts(official)
    commands = ["help py-bt", "info auto-load python-scripts", "run", "help py-bt", "py-bt",
                "print (PyObject *) &PyFloat_Type"]
    args = ["-batch"]
    for i, command in enumerate(commands):
        args += ["-ex", f"echo {MARK}{i}\\n", "-ex", command]
    out = _gdbinit_gdb(version, tmp_path, args)
    assert "Traceback (most recent call last)" not in out and "Python Exception" not in out, out
    sections = [out.split(f"{MARK}{i}\n", 1)[1].split(MARK, 1)[0] for i in range(len(commands))]
    # Before any stop or prompt (a batch run's -ex commands): the official commands.
    assert sections[0].strip() == theirs, out
    assert re.search(rf"^Yes\s+{re.escape(str(official))}\s*$", sections[1], re.M), out
    # At the stop, the names are ours again, and our printers come first.
    assert sections[3].strip() == ours, out
    # 2.7 leaves no frame of the built-in's call (README, Install).
    builtin = "" if version == "2.7" else "  <built-in function kill>\n"
    assert sections[4].endswith('Traceback (most recent call first):\n' + builtin +
                                '  File "<string>", line 3, in stop_here\n'
                                '  File "<string>", line 4, in <module>\n'), out
    kind = "type" if version == "2.7" else "class"  # as repr() says
    assert sections[5].strip().endswith(f"= <{kind} 'float'>"), out


def test_official_script_auto_loaded_after_our_gdbinit_gives_the_names_back_at_the_prompt(version, tmp_path):
    official = _official_or_skip(version)
    theirs, ours = _help_texts(official)
    # Not batch: gdb reads commands from stdin after its first prompt.
    out = _gdbinit_gdb(version, tmp_path, ["-ex", f"echo {MARK}0\\n", "-ex", "help py-bt"],
                       stdin=f"echo {MARK}1\\n\nhelp py-bt\necho {MARK}end\\n\nquit\n")
    assert "Traceback (most recent call last)" not in out and "Python Exception" not in out, out
    before = out.split(f"{MARK}0\n", 1)[1].split("(gdb)", 1)[0]
    after = out.split(f"{MARK}1\n", 1)[1].split(f"{MARK}end", 1)[0].replace("(gdb)", "")
    assert before.strip() == theirs, out
    assert after.strip() == ours, out


PRETEND = "CPYTHON_GDB_PRETEND_UNKNOWN"  # the adapter's test hook: the target's version taken as unknown


def _whole_and_sections(commands, **kwargs):
    """gdb's whole output (what it said while loading included) and each command's section."""
    wrapped = []
    for i, command in enumerate(commands):
        wrapped += [f"echo {MARK}{i}\\n", command]
    out = run_gdb(wrapped + [f"echo {MARK}end\\n"], **kwargs)
    marks = [out.index(f"{MARK}{i}\n") for i in range(len(commands))] + [out.index(f"{MARK}end\n")]
    return out, [out[start:end].split("\n", 1)[1] for start, end in zip(marks, marks[1:])]


@pytest.mark.parametrize("order", ["ours-after", "ours-before"])
def test_an_unknown_version_is_left_to_python_gdb(version, order, monkeypatch):
    """For a CPython we cannot read, CPython's printers print and its py-* commands stay; ours say why, once."""
    official = _official_or_skip(version)
    monkeypatch.setenv(PRETEND, "1")
    # After the program (cpython-gdb attach), or from the command line before it (a ~/.gdbinit line).
    placement = {"ours": True} if order == "ours-after" else {"ours": False, "extra": ["-iex", f"source {HOOK}"]}
    # Loaded first, we take the py-* names back from the official script at the
    # next prompt after it loads, which a batch run never shows: what that
    # prompt runs is run here.
    reclaim = "python import cpython_gdb.gdb as adapter; adapter._reclaim_pending = True; adapter._reclaim()"
    prompt = [reclaim] if order == "ours-before" else []
    commands = prompt + ["print (PyObject *) &PyFloat_Type", "py-bt", "help py-bt", "py-exc", "info pretty-printer"]
    with running(version, "recursion.py") as target:
        whole, sections = _whole_and_sections(commands, pid=target.pid, official=official, **placement)
    value, py_bt, helptext, py_exc, printers = sections[len(prompt):]
    if version.endswith("t") and "Error occurred in Python" in py_bt:
        # What is tested here is that the official commands stay; on this
        # build they fail by themselves (tools/build_freethreaded.sh: its eval
        # loop's `frame` variable is another value in the -O2 build's DWARF).
        pytest.skip("CPython's own py-bt fails on this free-threaded build: "
                    + next(line for line in py_bt.splitlines() if "Error occurred in Python" in line))
    reason = f"CPython {version} is taken for a version cpython-gdb does not know ({PRETEND} is set, for tests)"
    assert whole.count(f"cpython-gdb: {reason}; cpython-gdb steps aside") == 1, whole
    # The official printer, ours being first but giving nothing.
    assert re.fullmatch(r"\$1 = <type at remote 0x[0-9a-f]+>\n", value), value
    assert "cpython-gdb" in printers.split("objfile", 1)[1]
    # The official py-bt, which names the C built-in call its own way.
    assert helptext.startswith("Display the current python frame and all the frames within its call stack")
    assert py_bt.startswith("Traceback (most recent call first):\n"), py_bt
    assert re.search(r'File ".*recursion\.py", line 18, in wait_here\n    time\.sleep\(1000\)\n', py_bt), py_bt
    assert "in <module>" in py_bt and "Error" not in py_bt
    # Ours where it has no command of that name: it says why it cannot help.
    assert py_exc.strip() == f"py-exc: {reason}"
