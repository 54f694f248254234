"""The generated layout tables are what tools/gen_layouts.py makes today.

The script reads each pyenv interpreter's DWARF (2.7, 3.6-3.13) and that of
the Debian sid root's 3.14 and 3.15 with the extension's own DWARF reader,
so this also checks that the tables equal DWARF.
"""

import subprocess
import sys

import pytest

from harness import ROOT, SID_ROOT, VERSIONS


@pytest.mark.skipif(len(VERSIONS) < 9, reason="needs CPython 2.7 and 3.6-3.13 under ~/.pyenv/versions")
@pytest.mark.skipif(not (SID_ROOT / "usr" / "bin" / "python3.15").exists(),
                    reason=f"no Debian sid root at {SID_ROOT} (tools/sid_root.sh builds it)")
def test_tables_are_reproducible_from_dwarf():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_layouts.py"), "--check"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout.decode()
