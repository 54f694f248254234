#!/usr/bin/env python3
"""Generate the layout tables of src/cpython_gdb/layout/tables/ from DWARF.

For each CPython under ~/.pyenv/versions, gdb reads the debug info of its
libpython and resolves every canonical key of layout/dwarf_names.py with
the same code the extension uses at run time. The result is one JSON file
per minor version. Nobody edits those files by hand: run

    python3 tools/gen_layouts.py            # rewrite the tables
    python3 tools/gen_layouts.py --check    # exit 1 if they would change
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
TABLES = SRC / "cpython_gdb" / "layout" / "tables"
PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
SUPPORTED = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13")

# Run inside gdb's Python: resolve the keys through the adapter's DWARF reader.
_GDB_SCRIPT = """
import json, sys
import gdb
sys.path.insert(0, {src!r})
from cpython_gdb.gdb.dwarf import DwarfTypeInfo, runtime_block
from cpython_gdb.layout.dwarf_names import FIELDS, SIZES
types = DwarfTypeInfo(runtime_block(int(gdb.parse_and_eval("(unsigned long)&_PyRuntime"))))
offsets = {{}}
for key, candidates in sorted(FIELDS.items()):
    for ctype, path in candidates:
        off = types.field_offset(ctype, path)
        if off is not None:
            offsets[key] = off
            break
sizes = {{}}
for key, ctypes in sorted(SIZES.items()):
    for ctype in ctypes:
        size = types.type_size(ctype)
        if size is not None:
            sizes[key] = size
            break
with open({out!r}, "w") as f:
    json.dump({{"offsets": offsets, "sizes": sizes}}, f)
"""


def interpreters() -> Dict[str, Path]:
    found: Dict[str, Path] = {}
    for entry in sorted(PYENV.iterdir()) if PYENV.is_dir() else []:
        match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", entry.name)
        if match and f"{match.group(1)}.{match.group(2)}" in SUPPORTED:
            minor = f"{match.group(1)}.{match.group(2)}"
            libs = sorted((entry / "lib").glob(f"libpython{minor}.so.1.0"))
            if libs:
                found[minor] = libs[0]
    return found


def generate(minor: str, library: Path) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "layout.json"
        script = Path(tmp) / "dump.py"
        script.write_text(_GDB_SCRIPT.format(src=str(SRC), out=str(out)))
        subprocess.run(
            ["gdb", "-q", "-batch", "-nx", str(library), "-ex", f"source {script}"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=300,
        )
        data = json.loads(out.read_text())
    version = library.parent.parent.name
    table = {
        "generated_from": f"DWARF of CPython {version} (libpython{minor}.so.1.0) by tools/gen_layouts.py",
        "offsets": data["offsets"],
        "sizes": data["sizes"],
    }
    return json.dumps(table, indent=1, sort_keys=True) + "\n"


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    found = interpreters()
    missing = [m for m in SUPPORTED if m not in found]
    if missing:
        print(f"no pyenv interpreter for {', '.join(missing)}", file=sys.stderr)
        return 2
    changed = []
    for minor, library in found.items():
        text = generate(minor, library)
        path = TABLES / f"cpython-{minor}.json"
        if args.check:
            if not path.exists() or path.read_text() != text:
                changed.append(path.name)
        else:
            path.write_text(text)
    if changed:
        print("out of date: " + ", ".join(changed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
