"""The upload and athlete forms read into analysis settings and athletes."""

from __future__ import annotations

from ...errors import RunformError
from ...settings import Settings, parse_height, parse_speed
from ..store.db import Store
from ..store.models import Athlete


def known(store: Store, athlete_id: int | None) -> dict:
    """The height and sex stored for an athlete (what an upload form may leave out)."""
    if athlete_id is None:
        return {}
    with store.session() as db:
        a = db.get(Athlete, athlete_id)
        return {"height_m": a.height_m, "sex": a.sex} if a else {}


def form_settings(form, athlete: dict | None = None) -> dict:
    """The analysis settings from the upload form; the athlete's height and sex fill what it leaves out."""
    athlete = athlete or {}
    height_m = parse_height(form.get("height")) or athlete.get("height_m")
    sex = form.get("sex") or athlete.get("sex")
    return Settings(height_m=height_m, speed_mps=parse_speed(form.get("speed") or None), sex=sex,
                    annotated_video=True, view=form.get("view") or "auto", fps=_number(form.get("fps"), "frame rate")
                    ).as_dict()


def _number(text, what: str) -> float | None:
    if not text or not str(text).strip():
        return None
    try:
        return float(str(text).strip())
    except ValueError:
        raise RunformError(f"The {what} '{str(text)[:20]}' is not a number.", "Give it in digits, e.g. 60.") from None


def form_athlete(store: Store, form) -> int | None:
    """The chosen athlete, or a new one from the name/height/sex fields."""
    chosen = form.get("athlete_id")
    if chosen:
        with store.session() as db:
            a = db.get(Athlete, int(chosen)) if str(chosen).isdigit() else None
            if a is None:
                raise RunformError("That athlete no longer exists.", "Reload the page and choose again.")
            return a.id
    name = (form.get("name") or "").strip()
    if not name:
        return None
    if len(name) > 200:
        raise RunformError("The athlete's name is longer than 200 characters.")
    settings = form_settings(form)  # validates height and sex
    with store.session.begin() as db:
        a = Athlete(name=name, height_m=settings["height_m"], sex=settings["sex"])
        db.add(a)
        db.flush()
        return a.id


async def athlete_or_problem(request, missing: str):
    """(athlete id, None) for the athlete a small form names (chosen, or new from its name), or
    (None, the problem page saying why not: ``missing`` when it names none)."""
    from .render import problem

    form = await request.form()
    try:
        athlete_id = form_athlete(request.app.state.store, form)
    except RunformError as e:
        return None, problem(request, 400, *e.raw)
    if athlete_id is None:
        return None, problem(request, 400, missing)
    return athlete_id, None
