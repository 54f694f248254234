"""Yama's ``kernel.yama.ptrace_scope``: who may attach to a process here.

One reading of the setting serves both who need it: the launcher, which
refuses before starting gdb when no attach can work (3: never; 2: only
root), and the messages that explain a refused attach. Imported only on
those paths: a dump that attaches never reads the setting.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

SCOPE_FILE = "/proc/sys/kernel/yama/ptrace_scope"


def scope_setting() -> Optional[str]:
    """The setting as the kernel shows it ("0" to "3"); None without Yama or where it cannot be read."""
    try:
        with open(SCOPE_FILE) as f:
            return f.read().strip()
    except OSError:
        return None


def attach_refusal() -> Optional[str]:
    """Why no attach by this user can work whatever the target, or None if one may."""
    try:
        scope = int(scope_setting() or "")
    except ValueError:
        return None
    if scope >= 3:
        return "ptrace attach is disabled on this system (kernel.yama.ptrace_scope=3)"
    if scope == 2 and os.geteuid() != 0:
        return ("ptrace needs root here (kernel.yama.ptrace_scope=2); "
                "run as root or set kernel.yama.ptrace_scope to 0 or 1")
    return None


def ptrace_advice() -> str:
    """What to do about an attach the kernel refused (EPERM)."""
    setting = scope_setting()
    scope = "" if setting is None else f" (kernel.yama.ptrace_scope={setting})"
    return (f"ptrace not permitted{scope}: run as root or as the process's user, set "
            "kernel.yama.ptrace_scope to 0, or give the container CAP_SYS_PTRACE")
