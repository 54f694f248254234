"""_Py_DebugOffsets read from a live 3.13+ interpreter equal its DWARF.

Every published offset and size that the extension uses is compared with
what gdb reads in the same interpreter's debug info.
"""

import json

import pytest

from harness import VERSIONS, run_sections, running

WITH_DEBUG_OFFSETS = [v for v in VERSIONS if tuple(int(x) for x in v.split(".")) >= (3, 13)]

# Run inside gdb: the DWARF layout, and the debug offsets parsed from memory.
COMPARE = (
    "python import json; from cpython_gdb.gdb import state; "
    "from cpython_gdb.engine.layout.sources import load_table; "
    "from cpython_gdb.engine.layout.debug_offsets import read_debug_offsets; "
    "t = state.current_target(); lay = t.layout; "
    "d = read_debug_offsets(t.reader, state.runtime(), load_table(3, lay.version[1]).debug_fields); "
    "print(json.dumps({'source': lay.source, 'version': list(d.version), 'layout': list(lay.version), "
    "'dbg': d.offsets, 'dwarf': {k: lay.offsets.get(k) for k in d.offsets}, "
    "'dbg_sizes': d.sizes, 'dwarf_sizes': {k: lay.sizes.get(k) for k in d.sizes}}))"
)


def compare_in_gdb(**kwargs: object) -> dict:
    (out,) = run_sections([COMPARE], **kwargs)
    return json.loads(out.strip().splitlines()[-1])


def check(data: dict) -> None:
    assert data["source"] == "DWARF"
    assert data["version"] == data["layout"]
    assert len(data["dbg"]) >= 30, data["dbg"]
    assert data["dbg"] == data["dwarf"]
    assert data["dbg_sizes"] == data["dwarf_sizes"]


@pytest.mark.skipif(not WITH_DEBUG_OFFSETS, reason="no CPython 3.13+ under ~/.pyenv/versions")
@pytest.mark.parametrize("version", WITH_DEBUG_OFFSETS)
def test_debug_offsets_equal_dwarf(version):
    with running(version, "recursion.py") as target:
        check(compare_in_gdb(pid=target.pid))
