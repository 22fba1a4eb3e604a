"""Child processes that end with their parent (pose workers, web jobs)."""

from __future__ import annotations

import os


def die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent ends, however the parent ends (PR_SET_PDEATHSIG),
    instead of running on, or waiting forever for work that will not come. Elsewhere: nothing."""
    import ctypes
    import signal

    parent = os.getppid()
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent ended before the signal was armed
        os._exit(1)
