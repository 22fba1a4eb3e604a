"""Writing an analysis into the store: athlete by name, the session with its key metrics."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from .db import Store
from .models import Athlete, RunSession, session_time, utcnow


def metrics_of(summary: dict) -> dict:
    """Per metric the figures the athlete page shows and compares: median, IQR, SD, n, unit, the
    uncertainty (the trends' error bars) and the part of it two sessions do not share (what a
    comparison judges a change against)."""
    out = {}
    for name, m in summary.get("metrics", {}).items():
        if isinstance(m, dict) and m.get("median") is not None:
            out[name] = {k: m.get(k) for k in ("median", "iqr", "sd", "n", "unit", "uncertainty", "uncertainty_unshared")}
    return out


def refill_uncertainties(store: Store) -> int:
    """Finished sessions stored before the metrics kept their uncertainties get them from their
    own summary.json (what the trends' error bars and a comparison's noise limit need); a session
    whose folder is gone keeps what it has. Returns how many were refilled."""
    done = 0
    with store.session.begin() as db:
        for s in db.scalars(select(RunSession).where(RunSession.status == "done")):
            metrics = s.metrics or {}
            if not metrics or any("uncertainty_unshared" in m for m in metrics.values()) or not s.output_dir:
                continue
            try:
                summary = json.loads((Path(s.output_dir) / "summary.json").read_text())
            except (OSError, ValueError):
                continue
            s.metrics = metrics_of(summary)
            done += 1
    return done


def athlete_named(db, name: str, height_m: float | None = None, sex: str | None = None) -> Athlete:
    """The athlete of that name (the first if several share it), created when there is none."""
    found = db.scalars(select(Athlete).where(Athlete.name == name).order_by(Athlete.id)).first()
    if found is None:
        found = Athlete(name=name, height_m=height_m, sex=sex)
        db.add(found)
        db.flush()
    return found


def fill_from_output(session: RunSession, output_dir: Path) -> None:
    """Copy an output folder's summary into a session and mark it done."""
    summary = json.loads((output_dir / "summary.json").read_text())
    session.output_dir = str(output_dir)
    session.source = summary.get("source", {}).get("type", session.source)
    session.n_strides = summary.get("n_strides")
    session.metrics = metrics_of(summary)
    session.status, session.error, session.progress = "done", None, 1.0
    session.finished_at = utcnow()


def record_batch_result(store: Store, *, file: str, key: str, output_dir: Path, athlete: str | None,
                        settings: dict, recorded_on: date | None = None) -> int:
    """A batch recording as a session (once per recording key), dated ``recorded_on``
    when known; returns its id."""
    with store.session.begin() as db:
        s = db.scalars(select(RunSession).where(RunSession.recording_key == key,
                                                RunSession.origin == "batch")).first()
        if s is None:
            s = RunSession(origin="batch", recording_key=key, owns_files=False)
            db.add(s)
        s.file_name = Path(file).name
        s.input_path = file
        s.settings = settings
        if recorded_on:
            s.recorded_at = session_time(recorded_on)
        s.athlete = athlete_named(db, athlete, settings.get("height_m"), settings.get("sex")) if athlete else None
        fill_from_output(s, output_dir)
        db.flush()
        return s.id
