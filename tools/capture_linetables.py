#!/usr/bin/env python3
"""Record line tables and the running interpreter's own line answers.

Run it with any CPython 3.6-3.13; it writes
``tests/unit/data/linetables-3.X.json`` (or ``--out-dir``) for the version that
runs it.  The fixture lists code objects (every code object, nested ones
included, of a few standard-library modules plus synthetic sources written to
hit the corners of the encodings) with:

``name``
    module name plus the chain of ``co_name`` values down to the object.
``first``
    ``co_firstlineno``.
``table``
    the raw table in hex: ``co_lnotab`` before 3.10, ``co_linetable`` after.
``size``
    ``len(co_code)`` in bytes.
``lines``
    run-length encoded line for every 2-byte unit of the bytecode, as a flat
    list ``[count, line, count, line, ...]``, ``line`` being ``null`` where
    the interpreter has none.  Byte offset ``2 * k`` has the line of the
    ``k``-th unit.
``positions`` (3.11+)
    run-length encoded ``co_positions()``, flat, five numbers a run:
    ``count, line_delta, end_line_delta, col, end_col``.  ``line_delta`` is
    the line minus the previous run's non-null line (``co_firstlineno`` for
    the first one), ``end_line_delta`` is ``end_line - line``; ``null``
    stands for ``None`` (a null line has a null ``end_line_delta``).

The expected lines come from ``dis.findlinestarts`` (3.6 to 3.9) or
``co_lines()`` (3.10+), and ``co_positions()`` for 3.11+.  Each answer is
also checked against the C functions a frame uses, ``PyCode_Addr2Line`` (and
``PyCode_Addr2Location`` on 3.11+), called through ctypes; disagreements are
printed and counted in the fixture's ``crosscheck`` field.

Standard library only.
"""

import argparse
import ctypes
import dis
import importlib.util
import json
import os
import sys
import types
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

MODULES = ("contextlib", "dataclasses", "functools", "json.decoder", "shlex", "tokenize")

# Keep each fixture below this many bytes (the test data are in git).
MAX_FIXTURE_BYTES = 400_000

Pos = Tuple[Optional[int], Optional[int], Optional[int], Optional[int]]


def _gap(n: int) -> str:
    return "\n" * n


def synthetic_sources() -> Dict[str, str]:
    """Small programs that stress line/column deltas of every size and sign."""
    srcs: Dict[str, str] = {}

    parts = ["def far_jumps(a, b):\n", "    x = a\n"]
    for gap in (1, 63, 64, 127, 128, 129, 255, 256, 257, 300, 1000, 4096, 70000):
        parts.append(_gap(gap))
        parts.append(f"    x = x + b  # after {gap} blank lines\n")
    parts.append("    return x\n")
    srcs["far_jumps"] = "".join(parts)

    # A call whose arguments are far below the callee: the call instruction
    # belongs to the first line (negative jumps) or spans many lines.
    srcs["negative_jumps"] = (
        "def negative_jumps(f, g):\n"
        "    r = f(\n" + _gap(130) + "        g,\n" + _gap(300) + "        g,\n" + _gap(5000) + "        g)\n"
        "    s = (g\n"
        + _gap(200)
        + "         .attr\n"
        + _gap(2)
        + "         .meth(\n"
        + _gap(129)
        + "            r))\n"
        "    return {\n" + _gap(140) + "        'k': r,\n" + _gap(3) + "        'l': s,\n"
        "    }\n"
    )

    srcs["far_loops"] = (
        "def far_loops(n):\n"
        "    i = 0\n"
        "    while i < n:\n" + _gap(300) + "        i += 1\n"
        "    for j in range(n):\n" + _gap(1000) + "        if j:\n"
        "            continue\n" + _gap(129) + "        i -= 1\n"
        "    else:\n"
        "        i = -i\n"
        "    return i\n"
    )

    # Long single lines: address runs > 255 bytes on one line and columns
    # needing multi-group varints.
    srcs["long_lines"] = (
        "def long_lines(a):\n"
        "    b = " + " + ".join(["a"] * 400) + "\n"
        "    c = " + " + ".join(["b"] * 130) + "\n"
        "    " + "v" * 3000 + " = " + " + ".join(["a" * 1500] * 4) + "\n"
        "    d = " + " * ".join(["c"] * 25) + "; e = (a,\n" + " " * 300 + "b)\n"
        "    s = 'ééééé€€€€𝄞𝄞' + str(a) + 'ü'\n"
        "    return b, c, d, e, s\n"
    )

    body = "".join(f"    a = a + {i}\n" for i in range(300))
    srcs["many_lines"] = "def many_lines(a):\n" + body + "    return a\n"

    # Jumps over more than 255 instructions need EXTENDED_ARG.
    big = "".join(f"        a = a * {i} + b\n" for i in range(200))
    srcs["big_if"] = "def big_if(a, b):\n    if a:\n" + big + "    else:\n        a = b\n    return a\n"

    srcs["handlers"] = (
        "def handlers(path):\n"
        "    try:\n"
        "        f = open(path)\n"
        "    except (OSError, ValueError) as exc:\n"
        "        print(exc)\n"
        "        raise\n"
        "    except Exception:\n"
        "        pass\n"
        "    else:\n"
        "        return 1\n"
        "    finally:\n"
        "        print('done')\n"
        "    with open(path) as f, open(path) as g:\n"
        "        for line in f:\n"
        "            if not line:\n"
        "                break\n"
        "            try:\n"
        "                continue\n"
        "            finally:\n"
        "                g.read()\n"
        "    while True:\n"
        "        try:\n"
        "            1 / 0\n"
        "        except ZeroDivisionError:\n"
        "            del path\n"
        "            return 2\n"
        "        finally:\n"
        "            print('x')\n"
        "\n"
        "def nested_try(a):\n"
        "    try:\n"
        "        try:\n"
        "            return a[0]\n"
        "        except IndexError:\n"
        "            try:\n"
        "                return a[1]\n"
        "            finally:\n"
        "                a.clear()\n"
        "    except BaseException as e:\n"
        "        raise RuntimeError(\n"
        "            'wrapped'\n"
        "        ) from e\n"
    )

    srcs["comprehensions"] = (
        "def comps(xs):\n"
        "    a = [x * 2 for x in xs if x]\n"
        "    b = {x: [y for y in range(x)]\n"
        "         for x in xs}\n"
        "    c = (lambda q:\n"
        "         q + 1)(len(xs))\n"
        "    d = sum(x for x in xs)\n"
        "    e = {x for x in xs\n"
        "         if x\n"
        "         if not x % 3}\n"
        "    if (n := len(xs)) > 3:\n"
        "        a.append(n)\n"
        "    return a, b, c, d, e\n"
        "\n"
        "async def asyncs(aws):\n"
        "    async with aws as a:\n"
        "        async for x in a:\n"
        "            await x\n"
        "    return [y async for y in aws]\n"
        "\n"
        "def gen(n):\n"
        "    x = yield n\n"
        "    yield from range(x)\n"
        "\n"
        "@staticmethod\n"
        "@property\n"
        "def decorated(self):\n"
        "    return self\n"
        "\n"
        "class Klass(object,\n"
        "            metaclass=type):\n"
        "    attr = [i for i in range(3)]\n"
        "\n"
        "    def method(self):\n"
        "        def inner():\n"
        "            def innermost():\n"
        "                return self\n"
        "            return innermost\n"
        "        return inner\n"
        "\n"
        "    @property\n"
        "    def prop(self):\n"
        "        return f'{self.attr!r:>{len(self.attr)}} and {self}'\n"
    )

    srcs["no_code_lines"] = (
        "def no_code_lines(a):\n"
        "    # a comment\n"
        "\n"
        "\n"
        "    pass\n"
        "\n"
        "    ...\n"
        "    return a\n"
        "\n"
        "def empty():\n"
        "    pass\n"
        "\n"
        "def doc_only():\n"
        "    '''Only a docstring.'''\n"
        "\n"
        "def one_liner(): return 1\n"
        "\n"
        "lambda_ = lambda: None\n"
    )

    srcs["late_start"] = _gap(99999) + (
        "def late(a):\n"
        "    return a\n"
        "class Late:\n"
        "    def m(self):\n"
        "        return [x\n" + _gap(20000) + "                for x in self]\n"
    )

    # Newer syntax; a version that cannot compile these skips them.
    srcs["match_310"] = (
        "def matcher(v):\n"
        "    match v:\n"
        "        case [1, 2, *rest]:\n"
        "            return rest\n"
        "        case {'k': x} if x > 1:\n"
        "            return x\n"
        "        case Point(x=0) | None:\n"
        "            return 0\n"
        "        case str() as s:\n"
        "            return s\n"
        "        case _:\n"
        "            return None\n"
    )
    srcs["except_star_311"] = (
        "def star():\n"
        "    try:\n"
        "        raise ExceptionGroup('g', [ValueError()])\n"
        "    except* ValueError as e:\n"
        "        x = e\n"
        "    except* TypeError:\n"
        "        pass\n"
    )
    srcs["type_params_312"] = (
        "type Alias[T] = list[T]\n"
        "def ident[T](x: T) -> T:\n"
        "    return x\n"
        "class Box[T]:\n"
        "    def get(self) -> T:\n"
        "        return f'{f'{self!r}'}'\n"
    )
    return srcs


def walk_code(code: types.CodeType, prefix: str) -> Iterator[Tuple[str, types.CodeType]]:
    name = prefix + "." + code.co_name if prefix else code.co_name
    yield name, code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from walk_code(const, name)


def modules() -> List[str]:
    """The modules of MODULES this interpreter has (3.6 has no dataclasses)."""
    return [name for name in MODULES if importlib.util.find_spec(name) is not None]


def module_source(name: str) -> Tuple[str, str]:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        raise SystemExit(f"cannot find module {name}")
    with open(spec.origin, "rb") as f:
        data = f.read()
    return spec.origin, data.decode("utf-8")


def rle(values: Sequence[Any]) -> List[List[Any]]:
    out: List[List[Any]] = []
    for v in values:
        item = list(v) if isinstance(v, tuple) else [v]
        if out and out[-1][1:] == item:
            out[-1][0] += 1
        else:
            out.append([1] + item)
    return out


def encode_lines(lines: Sequence[Optional[int]]) -> List[Optional[int]]:
    return [x for run in rle(lines) for x in run]


def encode_positions(positions: Sequence[Pos], first: int) -> List[Optional[int]]:
    out: List[Optional[int]] = []
    prev = first
    for count, line, end_line, col, end_col in rle(positions):
        if line is None:
            if end_line is not None:
                raise SystemExit(f"end_line {end_line!r} without a line")
            out += [count, None, None, col, end_col]
        else:
            out += [count, line - prev, None if end_line is None else end_line - line, col, end_col]
            prev = line
    return out


def lines_from_linestarts(code: types.CodeType) -> List[Optional[int]]:
    """Line per 2-byte unit, from dis.findlinestarts (3.6-3.9 semantics)."""
    starts = sorted(dis.findlinestarts(code))
    nunits = len(code.co_code) // 2
    out: List[Optional[int]] = []
    k = -1
    for unit in range(nunits):
        off = 2 * unit
        while k + 1 < len(starts) and starts[k + 1][0] <= off:
            k += 1
        # findlinestarts always starts at offset 0, so k >= 0 here.
        out.append(starts[k][1] if k >= 0 else code.co_firstlineno)
    return out


def lines_from_co_lines(code: types.CodeType) -> List[Optional[int]]:
    nunits = len(code.co_code) // 2
    missing = object()
    out: List[Any] = [missing] * nunits
    for start, end, line in code.co_lines():  # type: ignore[attr-defined,unused-ignore]
        for unit in range(start // 2, min(end // 2, nunits)):
            out[unit] = line
    if any(v is missing for v in out):
        raise SystemExit(f"co_lines() does not cover every unit of {code!r}")
    return out


class CApi:
    """The C functions the interpreter uses for a frame's line/position."""

    def __init__(self) -> None:
        api = ctypes.pythonapi
        self.addr2line = api.PyCode_Addr2Line
        self.addr2line.argtypes = [ctypes.py_object, ctypes.c_int]
        self.addr2line.restype = ctypes.c_int
        self.addr2loc = None
        if sys.version_info >= (3, 11):
            self.addr2loc = api.PyCode_Addr2Location
            pint = ctypes.POINTER(ctypes.c_int)
            self.addr2loc.argtypes = [ctypes.py_object, ctypes.c_int, pint, pint, pint, pint]
            self.addr2loc.restype = ctypes.c_int

    def line(self, code: types.CodeType, offset: int) -> Optional[int]:
        value = int(self.addr2line(code, offset))
        if sys.version_info >= (3, 10) and value == -1:
            return None
        return value

    def location(self, code: types.CodeType, offset: int) -> Pos:
        assert self.addr2loc is not None
        sl, sc, el, ec = (ctypes.c_int(), ctypes.c_int(), ctypes.c_int(), ctypes.c_int())
        self.addr2loc(code, offset, ctypes.byref(sl), ctypes.byref(sc), ctypes.byref(el), ctypes.byref(ec))
        vals = [v.value for v in (sl, el, sc, ec)]
        line, end_line, col, end_col = (None if v == -1 else v for v in vals)
        return (line, end_line, col, end_col)


def capture_one(name: str, code: types.CodeType, capi: CApi, problems: List[str]) -> Dict[str, Any]:
    v = sys.version_info
    if v >= (3, 10):
        table = code.co_linetable  # type: ignore[attr-defined,unused-ignore]
        lines = lines_from_co_lines(code)
    else:
        table = code.co_lnotab
        lines = lines_from_linestarts(code)
    entry: Dict[str, Any] = {
        "name": name,
        "first": code.co_firstlineno,
        "table": table.hex(),
        "size": len(code.co_code),
    }
    for unit, line in enumerate(lines):
        c_line = capi.line(code, 2 * unit)
        if c_line != line:
            problems.append(f"{name} @{2 * unit}: PyCode_Addr2Line {c_line!r}, expected {line!r}")
    entry["lines"] = encode_lines(lines)
    if v >= (3, 11):
        positions = list(code.co_positions())  # type: ignore[attr-defined,unused-ignore]
        if len(positions) != len(lines):
            raise SystemExit(f"{name}: {len(positions)} positions for {len(lines)} units")
        for unit, pos in enumerate(positions):
            if pos[0] != lines[unit]:
                problems.append(f"{name} @{2 * unit}: co_positions line {pos[0]!r}, co_lines {lines[unit]!r}")
            c_pos = capi.location(code, 2 * unit)
            if c_pos != tuple(pos):
                problems.append(f"{name} @{2 * unit}: PyCode_Addr2Location {c_pos!r}, co_positions {tuple(pos)!r}")
        entry["positions"] = encode_positions(positions, code.co_firstlineno)
    return entry


def collect() -> Tuple[List[Tuple[str, types.CodeType]], List[str]]:
    codes: List[Tuple[str, types.CodeType]] = []
    skipped: List[str] = []
    for mod in modules():
        path, src = module_source(mod)
        top = compile(src, path, "exec", dont_inherit=True)
        codes.extend(walk_code(top, mod))
    for key, src in synthetic_sources().items():
        try:
            top = compile(src, f"<synthetic {key}>", "exec", dont_inherit=True)
        except SyntaxError:
            skipped.append(key)
            continue
        codes.extend(walk_code(top, "synthetic." + key))
    return codes, skipped


def dump(fixture: Dict[str, Any]) -> str:
    """JSON with one code object per line (compact, yet diffable)."""
    head = {k: v for k, v in fixture.items() if k != "codes"}
    out = [json.dumps(head, separators=(",", ":"), sort_keys=True)[:-1] + ',"codes":[']
    codes = fixture["codes"]
    for i, entry in enumerate(codes):
        sep = "," if i + 1 < len(codes) else ""
        out.append(json.dumps(entry, separators=(",", ":"), ensure_ascii=True) + sep)
    out.append("]}")
    return "\n".join(out) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests", "unit", "data")
    parser.add_argument("--out-dir", default=os.path.normpath(default_dir))
    args = parser.parse_args(argv)

    v = sys.version_info
    if not (3, 6) <= v[:2] <= (3, 13):
        raise SystemExit(f"run this with CPython 3.6-3.13, not {v[0]}.{v[1]}")
    kind = "lnotab" if v < (3, 10) else "linetable310" if v < (3, 11) else "locations311"
    capi = CApi()
    codes, skipped = collect()
    problems: List[str] = []
    entries = [capture_one(name, code, capi, problems) for name, code in codes]
    fixture = {
        "python": f"{v[0]}.{v[1]}.{v[2]}",
        "kind": kind,
        "modules": modules(),
        "skipped_synthetic": skipped,
        "crosscheck": len(problems),
        "codes": entries,
    }
    text = dump(fixture)
    os.makedirs(args.out_dir, exist_ok=True)
    out = os.path.join(args.out_dir, f"linetables-{v[0]}.{v[1]}.json")
    with open(out, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    nunits = sum(e["size"] // 2 for e in entries)
    print(
        f"{out}: {fixture['python']}, {len(entries)} code objects, {nunits} offsets, "
        f"{len(text)} bytes, skipped {skipped or 'nothing'}"
    )
    for p in problems[:20]:
        print("  crosscheck:", p)
    if problems:
        print(f"  {len(problems)} crosscheck disagreements")
    if len(text) > MAX_FIXTURE_BYTES:
        print(f"  WARNING: fixture is larger than {MAX_FIXTURE_BYTES} bytes")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
