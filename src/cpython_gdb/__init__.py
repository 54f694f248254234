"""cpython-gdb: Python stacks, locals and objects from a CPython process or core, in gdb."""

__version__ = "0.1.0"

# Set by gdb_hook.py once the gdb adapter is registered: sourcing the hook
# again then does nothing.
_gdb_hook_registered = False
