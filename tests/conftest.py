"""What the suite runs on, checked once before any test.

The suite proves what README.md says about every interpreter it names: each
pyenv CPython 3.8-3.13, the Debian sid root's 3.14, 3.14d and 3.15 (with its
gdb 18), Debian's own python3.11 with python3.11-dbg, and the binutils that
make stripped copies and separate debug files. When one is missing the run
fails at once, naming it and how to install it (.ci/run installs all but
pyenv's), rather than passing on fewer tests. CPYTHON_GDB_ALLOW_MISSING=1
runs on what is there: the tests of what is missing are skipped, each with
its reason.
"""

import shutil
import subprocess
from pathlib import Path
from typing import List

import pytest

import sid
from harness import ALLOW_MISSING, FREE_THREADED, PYTHONS, SUPPORTED, missing_version, version_params

DEBIAN_PYTHON = Path("/usr/bin/python3.11")
TOOLS = ("gdb", "strip", "objcopy", "readelf")


def debian_dbg_installed() -> bool:
    if shutil.which("dpkg") is None:
        return False
    status = subprocess.run(["dpkg", "-s", "python3.11-dbg"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return status.returncode == 0


def missing() -> List[str]:
    """What the suite expects and this machine lacks, each with how to get it."""
    out = [missing_version(minor) for minor in SUPPORTED + FREE_THREADED if minor not in PYTHONS]
    reason = sid.unavailable()
    if reason is not None:
        out.append(f"CPython 3.14, 3.14d, 3.15 and gdb 18: {reason}")
    if not DEBIAN_PYTHON.exists():
        out.append(f"no Debian {DEBIAN_PYTHON} (apt-get install python3.11)")
    elif not debian_dbg_installed():
        out.append("python3.11-dbg is not installed (apt-get install python3.11-dbg)")
    for tool in TOOLS:
        if shutil.which(tool) is None:
            out.append(f"no {tool} on PATH (apt-get install {'gdb' if tool == 'gdb' else 'binutils'})")
    return out


MISSING = missing()


def pytest_report_header(config):
    lines = ["CPython under test: " + (", ".join(f"{v} ({PYTHONS[v]})" for v in PYTHONS) or "none found")]
    if MISSING:
        lines.append("missing (CPYTHON_GDB_ALLOW_MISSING=1: their tests are skipped): " + "; ".join(MISSING))
    return lines


def pytest_sessionstart(session):
    if MISSING and not ALLOW_MISSING:
        listed = "".join(f"\n  - {what}" for what in MISSING)
        pytest.exit(
            f"the test suite needs what this machine lacks:{listed}\n"
            ".ci/run installs all but the pyenv versions; or set CPYTHON_GDB_ALLOW_MISSING=1 "
            "to skip the tests that need them",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


@pytest.fixture(params=version_params())
def version(request):
    return request.param


@pytest.fixture(scope="module")
def sid_hook():
    """Our package and the test programs, installed at the same paths in the sid root, for a module's sid tests."""
    path = sid.install()
    yield path
    shutil.rmtree(sid.inside(path).parent.parent, ignore_errors=True)
