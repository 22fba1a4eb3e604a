"""An athlete's details: edit (name, height, sex, notes), delete with every session, and export
everything as one zip (sessions.csv and sessions.json, and each finished session's summary.json,
strides.csv and self-contained report.html)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ...errors import RunformError
from ...settings import Settings, parse_height
from .render import get_athlete, problem
from .sessions import remove_session_files

router = APIRouter()
MAX_NOTES = 5000


@router.post("/athletes/{athlete_id}/edit")
async def edit(request: Request, athlete_id: int):
    form = await request.form()
    name = (form.get("name") or "").strip()
    try:
        if not name or len(name) > 200:
            raise RunformError("Give the athlete a name of 1-200 characters.")
        checked = Settings(height_m=parse_height(form.get("height") or None), sex=form.get("sex") or None)
        height, sex = checked.height_m, checked.sex
        notes = str(form.get("notes") or "")[:MAX_NOTES]
    except RunformError as e:
        return problem(request, 400, *e.raw)
    with request.app.state.store.session.begin() as db:
        a = get_athlete(db, athlete_id)
        a.name, a.height_m, a.sex, a.notes = name, height, sex, notes or None
    return RedirectResponse(f"/athletes/{athlete_id}", status_code=303)


@router.post("/athletes/{athlete_id}/delete")
def delete(request: Request, athlete_id: int):
    """The athlete and every session, with only the files runform wrote for them."""
    state = request.app.state
    with state.store.session() as db:
        ids = [s.id for s in get_athlete(db, athlete_id).sessions]
    for sid in ids:
        state.jobs.cancel(sid)
    with state.store.session.begin() as db:
        a = get_athlete(db, athlete_id)
        for s in a.sessions:
            remove_session_files(s, state.cfg.data_dir)
        db.delete(a)
    return RedirectResponse("/", status_code=303)


EXPORTED = ("summary.json", "strides.csv", "report.html")


@router.get("/athletes/{athlete_id}/export.zip")
def export(request: Request, athlete_id: int):
    """Everything of one athlete as a zip built in memory (results are small; videos stay out)."""
    with request.app.state.store.session() as db:
        a = get_athlete(db, athlete_id)
        rows = [_session_row(s) for s in a.sessions]
        folders = {s.id: Path(s.output_dir) for s in a.sessions if s.status == "done" and s.output_dir}
        name, about = a.name, {"name": a.name, "height_m": a.height_m, "sex": a.sex, "notes": a.notes}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("sessions.json", json.dumps({"athlete": about, "sessions": rows}, indent=2, default=str))
        z.writestr("sessions.csv", _csv(rows))
        for sid, folder in folders.items():
            for f in EXPORTED:
                if (folder / f).is_file():
                    z.write(folder / f, f"session-{sid}/{f}")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")[:40] or "athlete"
    return Response(buf.getvalue(), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="runform-{slug}.zip"'})


def _session_row(s) -> dict:
    row = {"session": s.id, "recorded_on": s.recorded_at.date().isoformat(), "file": s.file_name,
           "source": s.source, "status": s.status, "strides": s.n_strides, "notes": s.notes}
    row.update({f"{k}": (m or {}).get("median") for k, m in sorted((s.metrics or {}).items())})
    return row


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads a cell starting so as a formula


def _csv(rows: list[dict]) -> str:
    """The rows as CSV; a text that a spreadsheet would run as a formula (a note such as
    "=HYPERLINK(...)" or "-2 km") is written after an apostrophe, which it shows as text."""
    cols = list(dict.fromkeys(k for r in rows for k in r))
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=cols)
    w.writeheader()
    w.writerows({k: f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_START) else v for k, v in r.items()}
                for r in rows)
    return out.getvalue()
