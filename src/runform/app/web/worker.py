"""One web job in its own process: ``python -m runform.app.web.worker DB_URL SESSION_ID``.

The server starts it in a new process group, so cancelling a job stops the
analysis and its pose workers together. It reads the session's stored input and
settings, runs ``runform.pipeline.analyze`` into the session's output folder
(written beside it and renamed when complete), writes the progress to the
store as it goes, and ends the session done or failed with the reason.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ...process import die_with_parent


def run(db_url: str, session_id: int) -> int:
    import warnings

    import numpy as np

    from ...errors import RunformError
    from ...pipeline import analyze
    from ...settings import Settings
    from ..store.db import Store
    from ..store.models import RunSession, utcnow
    from ..store.results import fill_from_output

    warnings.filterwarnings("ignore", category=RuntimeWarning)
    np.seterr(all="ignore")
    store = Store(db_url)
    with store.session() as db:
        s = db.get(RunSession, session_id)
        if s is None or s.status != "running":
            return 0  # deleted or cancelled before it started
        src, out, settings = Path(s.input_path), Path(s.output_dir), dict(s.settings)

    state = {"total": None, "done": 0, "last": 0.0}

    def save_progress(force: bool = False) -> None:
        now = time.monotonic()
        if state["total"] and (force or now - state["last"] > 0.5):
            state["last"] = now
            with store.session.begin() as db:
                row = db.get(RunSession, session_id)
                if row is not None and row.status == "running":
                    row.progress = min(0.95, 0.9 * state["done"] / state["total"])

    def on_total(n: int) -> None:
        state["total"] = max(1, n)

    def on_progress(n: int) -> None:
        state["done"] += n
        save_progress()

    error = None
    try:
        analyze(src, out, Settings(**settings), on_progress=on_progress, on_total=on_total)
    except RunformError as e:
        error = str(e)
    except Exception as e:  # a bug: the session says so; the server goes on
        error = f"internal error ({e.__class__.__name__}: {e}); please report it with the file"
    with store.session.begin() as db:
        row = db.get(RunSession, session_id)
        if row is not None and row.status == "running":
            if error is None:
                fill_from_output(row, out)
            else:
                row.status, row.error, row.finished_at = "failed", error, utcnow()
    store.close()
    return 0


if __name__ == "__main__":
    die_with_parent()
    sys.exit(run(sys.argv[1], int(sys.argv[2])))
