"""cpython-gdb: Python stacks, locals and objects from a CPython process or core, in gdb."""

__version__ = "0.1.0"
