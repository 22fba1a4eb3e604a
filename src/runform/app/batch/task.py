"""The unit of work a Dask worker runs: one recording through ``runform.pipeline.analyze``.

It never raises for a bad recording: the outcome comes back as a plain dict,
so one bad file never stops a batch: "done", "failed" (the recording cannot be
analysed; the message says why and what to do) or "error" (a bug in runform). The output folder appears only when complete (the pipeline
writes it beside and renames it), so a worker killed mid-analysis leaves no
result that looks done, and the task's rerun on another worker writes it once.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path


def analyse_one(path: str, out_dir: str, settings: dict, source: str, sensor: dict) -> dict:
    from ...errors import RunformError
    from ...pipeline import analyze
    from ...sources.registry import options_for
    from ...settings import Settings

    worker = f"{socket.gethostname()}:{os.getpid()}"
    t0 = time.perf_counter()
    out = Path(out_dir)
    if (out / "summary.json").is_file():  # written by an earlier attempt whose report was lost
        return {"status": "done", "error": "", "seconds": 0.0, "worker": worker}
    try:
        analyze(path, out, Settings(**settings), options_for(source, sensor))  # the options of its own kind
    except RunformError as e:
        return {"status": "failed", "error": str(e), "seconds": time.perf_counter() - t0, "worker": worker}
    except Exception as e:  # a bug: reported in the table, the batch goes on, a rerun tries again
        return {"status": "error", "error": f"internal error ({e.__class__.__name__}: {e}); please report it",
                "seconds": time.perf_counter() - t0, "worker": worker}
    return {"status": "done", "error": "", "seconds": time.perf_counter() - t0, "worker": worker}
