"""An athlete's details: edit (name, height, sex, notes) and delete with every session."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

from ...errors import RunformError
from ...settings import Settings, parse_height
from ..store.models import Athlete
from .render import MAX_ID, problem
from .sessions import remove_session_files

router = APIRouter()
MAX_NOTES = 5000


def get_athlete(db, athlete_id: int) -> Athlete:
    a = db.get(Athlete, athlete_id) if 0 < athlete_id <= MAX_ID else None
    if a is None:
        raise HTTPException(404, "No such athlete.")
    return a


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
        return problem(request, 400, e.message, e.hint)
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
