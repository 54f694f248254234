"""The debugger-independent engine: from a memory reader to records, entries and text.

Nothing here imports a debugger or touches a process: backends (direct/,
gdb/) hand it a Reader and, for C stacks, frames (see docs/architecture.md).
"""
