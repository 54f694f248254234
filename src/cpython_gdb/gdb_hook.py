"""gdb loads cpython-gdb by sourcing this file: ``source /path/to/gdb_hook.py``.

``cpython-gdb gdbinit`` prints that line.  gdb runs the file with its own
embedded Python, which need not be the interpreter the package was installed
into, so the package is imported from the directory this file lives in rather
than from whatever gdb's ``sys.path`` happens to contain.

Sourcing the file again is harmless: registration happens once per gdb
session.  Failures are reported on one line; set CPYTHON_GDB_DEBUG=1 in the
environment to get the full traceback instead.

This file runs inside gdb and must stay compatible with Python 3.8.
"""


# "str | None" stays a string, never evaluated: gdb's Python may be 3.8,
# and importing typing's Optional would put a name in gdb's __main__.
def _cpython_gdb_load(hook_file: "str | None") -> None:
    import os
    import sys

    def fail(what: str, exc: BaseException) -> None:
        if os.environ.get("CPYTHON_GDB_DEBUG"):
            import traceback

            traceback.print_exc()
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        sys.stderr.write(f"cpython-gdb: {what} failed ({detail}); "
                         "its gdb commands and printers are not available\n")

    if not hook_file:
        sys.stderr.write("cpython-gdb: cannot locate the package: load it with "
                         "'source /path/to/cpython_gdb/gdb_hook.py'\n")
        return

    package_dir = os.path.dirname(os.path.realpath(hook_file))
    parent_dir = os.path.dirname(package_dir)

    loaded = sys.modules.get("cpython_gdb")
    if loaded is not None and getattr(loaded, "_gdb_hook_registered", False):
        return  # already loaded in this gdb session: sourcing twice is a no-op

    # Only the top-level package is looked up on sys.path; its submodules are
    # found through the package's own __path__.  So the parent directory
    # (often the site-packages of another Python) is on sys.path only while
    # the package is imported: it must not shadow modules gdb itself uses.
    if loaded is not None:
        loaded_dir = os.path.dirname(os.path.realpath(getattr(loaded, "__file__", "") or ""))
        if loaded_dir != package_dir:
            # A copy from elsewhere was imported before (not through this
            # hook): import ours instead.
            for name in [m for m in sys.modules if m == "cpython_gdb" or
                         m.startswith("cpython_gdb.")]:
                del sys.modules[name]
    sys.path.insert(0, parent_dir)
    try:
        import cpython_gdb
        import cpython_gdb.gdb as adapter
    except Exception as exc:
        fail(f"import of cpython_gdb.gdb from {parent_dir}", exc)
        return
    finally:
        try:
            sys.path.remove(parent_dir)
        except ValueError:
            pass

    try:
        adapter.register()
    except Exception as exc:
        fail("cpython_gdb.gdb.register()", exc)
        return
    cpython_gdb._gdb_hook_registered = True


# gdb runs sourced files in its __main__ namespace and sets __file__ while it
# does: keep that namespace clean.
_cpython_gdb_load(globals().get("__file__"))
del _cpython_gdb_load
