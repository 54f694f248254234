"""Code that runs inside gdb runs under gdb's embedded Python: 3.8 or later (README).

The suite's gdbs embed 3.11 (gdb 13) and 3.14 (gdb 18), so nothing else would
notice a feature newer than 3.8 in that code until a gdb built with 3.8, 3.9
or 3.10 failed to load it. vermin checks the source; CPython 3.8 itself
imports every module that does not need gdb and compiles the others.
"""

import subprocess
import sys
from pathlib import Path

from harness import PYTHONS, ROOT, missing_version

PACKAGE = ROOT / "src" / "cpython_gdb"
FUTURE = "from __future__ import annotations"


def vermin(*args: str) -> "subprocess.CompletedProcess[str]":
    script = Path(sys.executable).parent / "vermin"  # a test dependency, installed with pytest
    return subprocess.run([str(script), "-t=3.8-", "--no-tips", "--violations", *args],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, encoding="utf-8", timeout=300)


def test_vermin_finds_nothing_newer_than_3_8(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f(x: 'list[int]') -> str:\n    return 'ab'.removeprefix('a')\n")
    assert vermin(str(bad)).returncode != 0  # vermin fails on what it finds
    result = vermin(str(PACKAGE))
    assert result.returncode == 0, result.stdout
    # Annotations are evaluated where a def runs, unless the module postpones them.
    eager = [str(path) for path in sorted(PACKAGE.rglob("*.py")) if FUTURE not in path.read_text()]
    assert any("/gdb/" in path for path in eager)
    result = vermin("--eval-annotations", *eager)
    assert result.returncode == 0, result.stdout


IMPORT_ALL = r"""
import importlib, os, sys
src = sys.argv[1]
sys.path.insert(0, src)
imported, compiled = [], []
for directory, subdirs, files in os.walk(os.path.join(src, "cpython_gdb")):
    subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
    for name in sorted(f for f in files if f.endswith(".py")):
        path = os.path.join(directory, name)
        parts = os.path.relpath(path, src)[:-3].split(os.sep)
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if module.startswith("cpython_gdb.gdb") or module == "cpython_gdb.cli.demo.sample":
            # gdb's modules (and the hook) need gdb; the demo's sample is a program.
            with open(path, "rb") as f:
                compile(f.read(), path, "exec", dont_inherit=True)
            compiled.append(module)
        else:
            importlib.import_module(module)
            imported.append(module)
print(sys.version_info[:2] == (3, 8), len(imported), len(compiled))
"""


def test_package_imports_under_python_3_8():
    if "3.8" not in PYTHONS:
        import pytest

        pytest.skip(missing_version("3.8"))
    result = subprocess.run([str(PYTHONS["3.8"]), "-I", "-B", "-c", IMPORT_ALL, str(ROOT / "src")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, encoding="utf-8", timeout=300)
    assert result.returncode == 0, result.stdout
    is_38, imported, compiled = result.stdout.split()
    assert is_38 == "True" and int(imported) > 50 and int(compiled) > 20, result.stdout
