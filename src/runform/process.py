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


def parallel_map(fn, items: list, workers: int | None = None) -> list:
    """``[fn(x) for x in items]`` in forked worker processes, one per core, in order. The workers
    inherit what the parent holds (module globals set before the call), so large inputs are not
    sent to them. One core, one item, or no fork (not Linux): in this process."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    workers = min(len(items), workers or os.cpu_count() or 1)
    if workers <= 1 or "fork" not in mp.get_all_start_methods():
        return [fn(x) for x in items]
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"), initializer=die_with_parent) as pool:
        return list(pool.map(fn, items))
