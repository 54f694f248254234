"""The entry points: the cpython-gdb command and its subcommands."""
