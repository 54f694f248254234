"""Targets read without a debugger: live processes and core files (for ``cpython-gdb dump``)."""
