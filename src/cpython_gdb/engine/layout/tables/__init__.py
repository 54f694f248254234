"""Generated layout tables, one module per CPython minor version (tools/gen_layouts.py)."""
