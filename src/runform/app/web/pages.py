"""Home and athlete pages, and creating an athlete."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select

from ...outputs.charts import line_svg
from ..store.models import Athlete, RunSession
from .forms import athlete_or_problem
from .render import get_athlete, page
from .trends import KEY_METRICS, REFERENCES, compare

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    store, cfg = request.app.state.store, request.app.state.cfg
    with store.session() as db:
        athletes = db.execute(select(Athlete, func.count(RunSession.id)).outerjoin(RunSession)
                              .group_by(Athlete.id).order_by(Athlete.name)).all()
        recent = db.scalars(select(RunSession).order_by(RunSession.created_at.desc(), RunSession.id.desc())
                            .limit(30)).all()
        for s in recent:
            _ = s.athlete
    chosen = request.query_params.get("athlete")  # "new session" from an athlete's page
    return page(request, "home.html.j2", athletes=athletes, recent=recent, max_upload_mb=cfg.max_upload_mb,
                today=date.today().isoformat(), chosen=int(chosen) if chosen and chosen.isdigit() else None)


@router.get("/athletes/{athlete_id}", response_class=HTMLResponse)
def athlete_page(request: Request, athlete_id: int, a: int | None = None, b: int | None = None):
    with request.app.state.store.session() as db:
        athlete = get_athlete(db, athlete_id)
        sessions = list(athlete.sessions)
    done = [s for s in sessions if s.status == "done"]
    labels = [s.recorded_at.strftime("%Y-%m-%d") for s in done]
    comparison = None
    by_id = {s.id: s for s in done}
    if a is not None and b is not None:
        if a not in by_id or b not in by_id:
            raise HTTPException(404, "Both sessions must be finished analyses of this athlete.")
        comparison = {"a": by_id[a], "b": by_id[b], "rows": compare(by_id[a].metrics, by_id[b].metrics),
                      "media": [m for m in ("key_frames.jpg", "annotated.mp4")
                                if all((Path(by_id[x].output_dir) / m).is_file() for x in (a, b))],
                      "start_s": {x: first_contact_s(Path(by_id[x].output_dir)) for x in (a, b)}}
    elif len(done) >= 2:
        a, b = done[-2].id, done[-1].id
    return page(request, "athlete.html.j2", athlete=athlete, sessions=sessions, done=done,
                charts=_charts(done, labels), labels=labels, comparison=comparison, sel_a=a, sel_b=b)


def first_contact_s(folder: Path, foot: str = "right") -> float:
    """Where the annotated video shows the first used contact of ``foot`` (s from its start), so
    two sessions' videos play side by side from the same moment of the stride; 0 without one."""
    import json

    try:
        s = json.loads((folder / "summary.json").read_text())
    except (OSError, ValueError):
        return 0.0
    src = s.get("source") or {}
    ics = [r["ic_s"] for r in (s.get("contacts") or {}).get("timeline", [])
           if r.get("status") == "used" and r.get("foot") == foot and r.get("ic_s") is not None]
    if not ics:
        return 0.0
    clip_s = min(ics) * float(src.get("time_scale") or 1.0)  # the video's own clock (a slow-motion clip's)
    return round(max(0.0, clip_s - float(src.get("analysed_from_s") or 0.0)), 3)


def _charts(done: list, labels: list[str]) -> list[dict]:
    """A trend chart for each key metric any finished session has."""
    charts = []
    days = [(s.recorded_at - done[0].recorded_at).total_seconds() / 86400 for s in done] if done else []
    for name, title, unit in KEY_METRICS:
        values = [(s.metrics.get(name) or {}).get("median") for s in done]
        errors = [(s.metrics.get(name) or {}).get("uncertainty") for s in done]
        ref = REFERENCES.get(name) or {}
        if any(v is not None for v in values):
            svg = line_svg(values, days, labels, unit, title, (ref.get("low"), ref.get("high")) if ref else None,
                           errors=errors, groups=[s.source or "" for s in done])
            charts.append({"metric": name, "title": title, "unit": unit, "svg": svg, "values": values})
    return charts


@router.post("/athletes")
async def new_athlete(request: Request):
    athlete_id, refused = await athlete_or_problem(request, "Give the athlete a name.")
    return refused or RedirectResponse(f"/athletes/{athlete_id}", status_code=303)
