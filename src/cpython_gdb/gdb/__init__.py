"""The gdb adapter: the only package that imports gdb.

:func:`register` installs the pretty-printers, the py-* commands and the
``set cpython`` settings, and hooks the events that end a stop.
"""

import os
from typing import Optional

import gdb

_registered = False
# Set when an objfile may come with CPython's own python-gdb.py: gdb runs
# that script right after announcing the objfile, and it defines commands
# with our names. The next event after it takes the names back.
_reclaim_pending = False


def _reclaim(_event: object = None) -> None:
    global _reclaim_pending
    if _reclaim_pending:
        _reclaim_pending = False
        from .commands import register_commands

        register_commands()


def _on_new_objfile(event: "gdb.NewObjFileEvent") -> None:
    global _reclaim_pending
    from .printers import register_printers

    _reclaim()
    objfile = event.new_objfile
    # An objfile's own printers are consulted first: ours go to the front of
    # its list, ahead of what an auto-loaded script appends.
    register_printers(objfile)
    filename = objfile.filename or ""
    if filename and os.path.exists(filename + "-gdb.py"):
        _reclaim_pending = True


def register(objfile: "Optional[gdb.Objfile]" = None) -> None:
    global _registered
    from .commands import register_commands
    from .frame_filter import register_frame_filter
    from .parameters import register_parameters
    from .printers import register_printers
    from .state import announce, connect_events, forget_stop

    register_printers(None)
    for existing in gdb.objfiles():
        register_printers(existing)
    register_commands()
    if _registered:
        return
    _registered = True
    register_parameters(forget_stop)
    register_frame_filter()
    connect_events()
    gdb.events.new_objfile.connect(_on_new_objfile)
    gdb.events.stop.connect(_reclaim)
    before_prompt = getattr(gdb.events, "before_prompt", None)
    if before_prompt is not None:
        before_prompt.connect(_reclaim)
    # With a program already loaded (attach, core), say now which CPython
    # it runs, before any command's output.
    announce()
