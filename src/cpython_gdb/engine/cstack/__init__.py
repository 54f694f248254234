"""A thread's C stack, as any backend supplies it, and what its frames tell.

A backend (gdb today; the gdb-free dump and an LLDB adapter later) lists a
thread's C frames as objects that follow :class:`~.frame.CFrame`. The
engine decides from their function names what each one is (the eval loop,
a built-in call, a wait for the GIL or a lock, a collection: kinds.py),
and places the thread's Python frames on the eval-loop calls that run them
(placement.py).
"""
