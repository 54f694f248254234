"""The generated layout tables are what tools/gen_layouts.py makes today.

The script reads each pyenv interpreter's DWARF with the extension's own
DWARF reader, so this also checks that the tables equal DWARF.
"""

import subprocess
import sys

import pytest

from harness import ROOT, VERSIONS


@pytest.mark.skipif(len(VERSIONS) < 6, reason="needs CPython 3.8-3.13 under ~/.pyenv/versions")
def test_tables_are_reproducible_from_dwarf():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_layouts.py"), "--check"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout.decode()
