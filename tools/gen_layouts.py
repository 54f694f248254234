#!/usr/bin/env python3
"""Generate the layout tables of src/cpython_gdb/engine/layout/tables/ from DWARF.

For each CPython under ~/.pyenv/versions (2.7, 3.6-3.13) and in the Debian sid
root that .ci/run builds (3.14, 3.15: the release interpreter with the
debug info of its -dbg package), gdb reads the debug info and resolves
every canonical key of engine/layout/dwarf_names.py with the same code the
extension uses at run time. From 3.13 it also records where each field of
_Py_DebugOffsets sits, which is how the extension parses that struct
without debug info. The result is one Python module per minor version
(tables/cpython_3_X.py: dict literals, loaded from their byte code faster
than JSON, whose module alone costs `dump` 1.5 ms to import). Nobody edits
those files by hand: run

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
from typing import Dict, List, NamedTuple, Tuple

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
TABLES = SRC / "cpython_gdb" / "engine" / "layout" / "tables"
PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
SUPPORTED = ("2.7", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15")
SID = ("3.14", "3.15")  # from the Debian sid root
SID_ROOT = Path(os.environ.get("CPYTHON_GDB_SID_ROOT", "/var/cache/cpython-gdb/sid-root"))
# Free-threaded builds (tools/build_freethreaded.sh), as "3.13t": required
# ones, then those built whenever their sources download.
FREE_THREADED = ("3.13t",)
FREE_THREADED_OPTIONAL = ("3.14t", "3.15t")
FT_ROOT = Path(os.environ.get("CPYTHON_GDB_FT_ROOT", "/var/cache/cpython-gdb/free-threaded"))

# Run inside gdb's Python: resolve the keys through the adapter's DWARF reader.
_GDB_SCRIPT = """
import json, sys
import gdb
sys.path.insert(0, {src!r})
from cpython_gdb.gdb.dwarf import DwarfTypeInfo, runtime_block
from cpython_gdb.engine.layout.dwarf_names import FIELDS, SIZES
try:
    anchor = int(gdb.parse_and_eval("(unsigned long)&_PyRuntime"))
except gdb.error:  # 2.7 and 3.6 have none: a global of the same file
    anchor = int(gdb.parse_and_eval("(unsigned long)&_PyThreadState_Current"))
types = DwarfTypeInfo(runtime_block(anchor))
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
def flatten(struct, base, prefix, out):
    for field in struct.fields():
        kind = field.type.strip_typedefs()
        at = base + field.bitpos // 8
        if kind.code == gdb.TYPE_CODE_STRUCT:
            flatten(kind, at, prefix + field.name + ".", out)
        elif prefix:
            out[prefix + field.name] = at
debug = {{}}
try:
    dbg = gdb.lookup_type("_Py_DebugOffsets", types._block).strip_typedefs()
except gdb.error:
    dbg = None
if dbg is not None:
    flatten(dbg, 0, "", debug)
table = {{"offsets": offsets, "sizes": sizes}}
if debug:
    table["debug_offsets"] = debug
with open({out!r}, "w") as f:
    json.dump(table, f)
"""


class Source(NamedTuple):
    binary: Path  # the file whose DWARF (its own or its -dbg package's) is read
    description: str  # for the table's "generated_from"
    gdb_options: Tuple[str, ...] = ()


def interpreters() -> Dict[str, Source]:
    found: Dict[str, Source] = {}
    for entry in sorted(PYENV.iterdir()) if PYENV.is_dir() else []:
        match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", entry.name)
        minor = f"{match.group(1)}.{match.group(2)}" if match else ""
        if minor in SUPPORTED and minor not in SID:
            # 3.7 and older name the ABI flags in the file name (libpython3.7m.so.1.0).
            libs = sorted((entry / "lib").glob(f"libpython{minor}*.so.1.0"))
            if libs:
                found[minor] = Source(libs[0], f"CPython {entry.name} ({libs[0].name})")
    for minor in SID:
        binary = SID_ROOT / "usr" / "bin" / f"python{minor}"
        if binary.exists():
            options = ("-iex", f"set sysroot {SID_ROOT}", "-iex", f"set debug-file-directory {SID_ROOT}/usr/lib/debug")
            found[minor] = Source(binary, f"Debian sid python{minor} {sid_version(minor)} (python{minor}-dbg)", options)
    for name in FREE_THREADED + FREE_THREADED_OPTIONAL:
        lib = FT_ROOT / name / "lib" / f"libpython{name}.so.1.0"
        if lib.exists():
            found[name] = Source(lib, f"free-threaded CPython {ft_version(name)} (libpython{name}.so.1.0, "
                                      "tools/build_freethreaded.sh)")
    return found


def ft_version(name: str) -> str:
    """The full version of a free-threaded build, from its pkg-config file."""
    pc = FT_ROOT / name / "lib" / "pkgconfig" / f"python-{name[:-1]}.pc"
    match = re.search(r"^Version: (\S+)", pc.read_text(), re.M) if pc.exists() else None
    return match.group(1) if match else name


def sid_version(minor: str) -> str:
    """The Debian package version of python{minor} in the sid root."""
    status = SID_ROOT / "var" / "lib" / "dpkg" / "status"
    text = status.read_text(errors="replace") if status.exists() else ""
    match = re.search(rf"^Package: python{re.escape(minor)}\n(?:[^\n]+\n)*?Version: (\S+)", text, re.M)
    return match.group(1) if match else "?"


def generate(minor: str, source: Source) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "layout.json"
        script = Path(tmp) / "dump.py"
        script.write_text(_GDB_SCRIPT.format(src=str(SRC), out=str(out)))
        subprocess.run(
            ["gdb", "-q", "-batch", "-nx", *source.gdb_options, str(source.binary), "-ex", f"source {script}"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=300,
        )
        data = json.loads(out.read_text())
    return table_module(source.description, data)


def table_module(description: str, data: Dict[str, Dict[str, int]]) -> str:
    """The text of a table module: one sorted dict literal per kind of entry."""
    lines = ['"""Offsets and sizes of CPython\'s structs, made by tools/gen_layouts.py: do not edit.', "",
             f"From the DWARF of {description}.", '"""', "", "from __future__ import annotations", ""]
    for name, key in (("OFFSETS", "offsets"), ("SIZES", "sizes"), ("DEBUG_OFFSETS", "debug_offsets")):
        lines.append(f"{name}: dict[str, int] = {{")
        lines += [f"    {json.dumps(k)}: {int(v)}," for k, v in sorted(data.get(key, {}).items())]
        lines += ["}", ""]
    return "\n".join(lines)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    found = interpreters()
    missing = [m for m in SUPPORTED + FREE_THREADED if m not in found]
    if missing:
        print(f"no interpreter for {', '.join(missing)} (pyenv; the sid root {SID_ROOT} for 3.14+; "
              f"{FT_ROOT} for free-threaded builds: tools/build_freethreaded.sh)", file=sys.stderr)
        return 2
    changed = []
    for minor, library in found.items():
        text = generate(minor, library)
        path = TABLES / f"cpython_{minor.replace('.', '_')}.py"
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
