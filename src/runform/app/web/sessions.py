"""A session: its page, its status for the page's progress bar, its files, its athlete, cancel and delete."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from sqlalchemy import func, select

from ...outputs.folder import remove_output
from ..store.models import Athlete, RunSession
from .forms import athlete_or_problem
from .jobs import retry_helps
from .render import get_session, page

DOWNLOADS = {"report.html": "text/html", "annotated.mp4": "video/mp4", "key_frames.jpg": "image/jpeg",
             "summary.json": "application/json", "strides.csv": "text/csv", "frames.csv": "text/csv"}
SHOWN_INLINE = ("report.html", "annotated.mp4", "key_frames.jpg")  # in the page; the others download

router = APIRouter()


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def session_page(request: Request, session_id: int):
    with request.app.state.store.session() as db:
        s = get_session(db, session_id)
        _ = s.athlete
        ahead = _ahead(db, s)
        athletes = db.scalars(select(Athlete).order_by(Athlete.name)).all() if s.athlete is None else []
    files = [n for n in DOWNLOADS if (Path(s.output_dir) / n).is_file()] if s.status == "done" else []
    can_retry = bool(s.input_path) and Path(s.input_path).is_file() and retry_helps(s.status, s.error)
    return page(request, "session.html.j2", s=s, files=files, ahead=ahead, can_retry=can_retry, athletes=athletes)


def _ahead(db, s: RunSession) -> int:
    """The analyses before this one in the queue: the one running and those queued earlier."""
    if s.status != "queued":
        return 0
    return db.scalar(select(func.count(RunSession.id)).where(
        (RunSession.status == "running") | ((RunSession.status == "queued") & (RunSession.id < s.id))))


@router.get("/api/sessions/{session_id}")
def session_status(request: Request, session_id: int):
    from ...progress import stage_at

    with request.app.state.store.session() as db:
        s = get_session(db, session_id)
        share = round(s.progress or 0.0, 3)
        return JSONResponse({"id": s.id, "status": s.status, "progress": share, "error": s.error,
                             "ahead": _ahead(db, s), "stage": stage_at(share) if s.status == "running" else None})


@router.get("/sessions/{session_id}/files/{name}")
def session_file(request: Request, session_id: int, name: str):
    if name not in DOWNLOADS:  # a fixed list: no other file, no path, is ever served
        raise HTTPException(404, "No such file.")
    with request.app.state.store.session() as db:
        s = get_session(db, session_id)
    path = Path(s.output_dir or "") / name
    if s.status != "done" or not path.is_file():
        raise HTTPException(404, "No such file.")
    inline = name in SHOWN_INLINE
    return FileResponse(path, media_type=DOWNLOADS[name],
                        filename=None if inline else f"runform-{session_id}-{name}")


@router.post("/sessions/{session_id}/cancel")
def cancel(request: Request, session_id: int):
    request.app.state.jobs.cancel(session_id)
    return RedirectResponse(f"/sessions/{session_id}", status_code=303)


@router.post("/sessions/{session_id}/delete")
def delete(request: Request, session_id: int):
    """The session, and of its files only what runform wrote (its results, an upload it stored)."""
    state = request.app.state
    state.jobs.cancel(session_id)
    with state.store.session.begin() as db:
        s = get_session(db, session_id)
        athlete_id = s.athlete_id
        remove_session_files(s, state.cfg.data_dir)
        db.delete(s)
    return RedirectResponse(f"/athletes/{athlete_id}" if athlete_id else "/", status_code=303)


def remove_session_files(s: RunSession, data_dir: Path) -> None:
    """What runform wrote for a session: its results, and an upload this app stored."""
    if not s.owns_files:
        return
    if s.output_dir:
        remove_output(Path(s.output_dir))
    stored = [s.input_path, *((s.settings or {}).get("companions") or {}).values()]
    for upload in (Path(p) for p in stored if p):
        if upload.parent == data_dir / "uploads":  # stored by this app
            upload.unlink(missing_ok=True)


@router.post("/sessions/{session_id}/retry")
def retry(request: Request, session_id: int):
    """A failed or cancelled upload analysed again from the stored file."""
    state = request.app.state
    with state.store.session.begin() as db:
        s = get_session(db, session_id)
        upload = Path(s.input_path) if s.input_path else None
        if s.status not in ("failed", "cancelled") or upload is None or not upload.is_file():
            raise HTTPException(409, "Only a failed or cancelled session whose recording is still stored can be "
                                     "analysed again.")
        s.status, s.error, s.progress, s.finished_at = "queued", None, 0.0, None
    state.jobs.notify()
    return RedirectResponse(f"/sessions/{session_id}", status_code=303)


@router.post("/sessions/{session_id}/notes")
async def notes(request: Request, session_id: int):
    form = await request.form()
    with request.app.state.store.session.begin() as db:
        get_session(db, session_id).notes = str(form.get("notes") or "")[:5000] or None
    return RedirectResponse(f"/sessions/{session_id}", status_code=303)


@router.post("/sessions/{session_id}/athlete")
async def assign_athlete(request: Request, session_id: int):
    """A session uploaded without an athlete, given one (chosen, or new from a name), so that
    it joins that athlete's trends, comparisons and export instead of staying on its own."""
    with request.app.state.store.session() as db:
        get_session(db, session_id)  # an unknown session is a 404 before any athlete is made
    athlete_id, refused = await athlete_or_problem(request, "Choose an athlete or give a new athlete's name.")
    if refused:
        return refused
    with request.app.state.store.session.begin() as db:
        get_session(db, session_id).athlete_id = athlete_id
    return RedirectResponse(f"/sessions/{session_id}", status_code=303)
