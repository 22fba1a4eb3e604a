"""One web job in its own process: ``python -m runform.app.web.worker DB_URL SESSION_ID``.

The server starts it in a new process group, so cancelling a job stops the
analysis and its pose workers together. It reads the session's stored input and
settings, runs ``runform.pipeline.run`` and writes into the session's output folder
(written beside it and renamed when complete), writes the progress to the
store as it goes, and ends the session done or failed with the reason.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ...process import die_with_parent


def run(db_url: str, session_id: int) -> int:
    from ...errors import RunformError
    from ...pipeline import run as run_analysis
    from ...pipeline import settings_for
    from ...sources.registry import options_for
    from ...sources.sniff import source_kind
    from ...progress import fraction
    from ...settings import Settings
    from ..store.db import Store
    from ..store.models import RunSession, utcnow
    from ..store.results import fill_from_output
    from .jobs import INTERNAL

    store = Store(db_url)
    with store.session() as db:
        s = db.get(RunSession, session_id)
        if s is None or s.status != "running":
            return 0  # deleted or cancelled before it started
        src, out, settings, name = Path(s.input_path), Path(s.output_dir), dict(s.settings), s.file_name

    last = [0.0]

    def progress(name: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - last[0] > 0.5 or done == 0:
            last[0] = now
            with store.session.begin() as db:
                row = db.get(RunSession, session_id)
                if row is not None and row.status == "running":
                    row.progress = min(0.99, fraction(name, done, total))

    error = None
    try:  # the report and every message name the file as the user uploaded it, not as it is stored
        companions = settings.pop("companions", {})  # a lab trial's static trial and force file, a second view
        names = {src.name: name, **settings.pop("companion_names", {})}  # stored name -> the coach's
        result = run_analysis(src, settings_for(src, Settings(**settings)), options_for(source_kind(src), companions),
                              progress=progress)
        result.analysis.summary["source"]["file"] = name
        if companions.get("second_view"):
            result = _with_second_view(result, Path(companions["second_view"]), Settings(**settings), progress)
        result.analysis.summary = as_uploaded(result.analysis.summary, names)
        result.words = "browser"  # its report and summary in the web pages' words
        result.write(out, progress)
    except RunformError as e:
        error = as_uploaded(" ".join(e.said("browser")).strip(), names)
    except Exception as e:  # a bug: the session says so; the server goes on
        error = f"{INTERNAL} ({e.__class__.__name__}: {e}); please report it with the file"
    with store.session.begin() as db:
        row = db.get(RunSession, session_id)
        if row is not None and row.status == "running":
            if error is None:
                fill_from_output(row, out)
            else:
                row.status, row.error, row.finished_at = "failed", error, utcnow()
    store.close()
    return 0


def as_uploaded(x, names: dict[str, str]):
    """``x`` (a text, or a summary's texts throughout) with every stored file name replaced by the
    name the file was uploaded under."""
    from ...words import map_texts

    def rename(text: str) -> str:
        for stored, given in names.items():
            text = text.replace(stored, given)
        return text

    return map_texts(x, rename)


def _with_second_view(first, path: Path, settings, progress):
    """The upload's two clips of one run as one result (``pipeline.TwoViews``)."""
    from ...pipeline import TwoViews, settings_for
    from ...pipeline import run as run_analysis

    second = run_analysis(path, settings_for(path, settings), progress=progress)
    second.analysis.summary["source"]["file"] = "the second view"
    return TwoViews.of(first, second)


if __name__ == "__main__":
    die_with_parent()
    sys.exit(run(sys.argv[1], int(sys.argv[2])))
