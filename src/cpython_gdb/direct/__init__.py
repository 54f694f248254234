"""The gdb-free backend: a live process through /proc/PID/mem and ptrace, or a core file."""
