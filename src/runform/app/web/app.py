"""``runform serve``: the local web app on the same analysis as the CLI.

Pages: home (upload, athletes, the job queue), a session (progress, the
report, the annotated video, downloads), an athlete (sessions by date, trends,
a comparison of two sessions). Uploaded files are stored under generated names
in ``<data>/uploads``, outputs in ``<data>/sessions/<id>``; the store holds the
athletes and sessions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import func, select
from starlette.exceptions import HTTPException as StarletteHTTPException

from ... import __version__
from ...errors import RunformError
from ...outputs.folder import remove_output
from ...settings import Settings, parse_date, parse_height, parse_speed
from ...sources.sniff import sniff
from ..store.db import Store
from ..store.models import Athlete, RunSession, session_time
from .jobs import JobRunner
from .security import Guard
from .trends import KEY_METRICS, compare, trend_svg

DOWNLOADS = {"summary.json": "application/json", "strides.csv": "text/csv", "annotated.mp4": "video/mp4",
             "report.html": "text/html", "frames.csv": "text/csv"}


@dataclass(frozen=True)
class WebConfig:
    data_dir: Path
    db_url: str
    token: str | None = None
    max_upload_mb: float = 2048


class UploadTooLarge(Exception):
    pass


def create_app(cfg: WebConfig) -> FastAPI:
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    for sub in ("uploads", "sessions", "incoming"):
        (cfg.data_dir / sub).mkdir(exist_ok=True)
    store = Store(cfg.db_url)
    jobs = JobRunner(store, store.url.render_as_string(hide_password=False))
    env = Environment(loader=PackageLoader("runform.app.web", "templates"), autoescape=select_autoescape(["j2"]))
    limit = int(cfg.max_upload_mb * 1024 * 1024)

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(_app):
        jobs.start()
        yield
        jobs.stop()
        store.close()

    app = FastAPI(title="runform", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.add_middleware(Guard, token=cfg.token)

    def page(request: Request, name: str, status: int = 200, **ctx) -> HTMLResponse:
        html = env.get_template(name).render(csrf=request.state.csrf, version=__version__, **ctx)
        return HTMLResponse(html, status_code=status)

    def problem(request: Request, status: int, message: str, hint: str = "") -> HTMLResponse:
        return page(request, "problem.html.j2", status=status, message=message, hint=hint)

    def get_session(db, session_id: int) -> RunSession:
        s = db.get(RunSession, session_id)
        if s is None:
            raise HTTPException(404, "No such session.")
        return s

    @app.exception_handler(StarletteHTTPException)  # FastAPI's own and the router's (unknown address)
    async def http_problem(request: Request, exc: StarletteHTTPException):
        if not hasattr(request.state, "csrf"):
            request.state.csrf = ""
        return problem(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)  # /sessions/abc and the like
    async def bad_address(request: Request, exc: RequestValidationError):
        if not hasattr(request.state, "csrf"):
            request.state.csrf = ""
        return problem(request, 404, "No such page.", "Sessions and athletes are numbered: /sessions/12.")

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request):
        with store.session() as db:
            athletes = db.execute(select(Athlete, func.count(RunSession.id)).outerjoin(RunSession)
                                  .group_by(Athlete.id).order_by(Athlete.name)).all()
            recent = db.scalars(select(RunSession).order_by(RunSession.created_at.desc(), RunSession.id.desc())
                                .limit(30)).all()
            for s in recent:
                _ = s.athlete
        return page(request, "home.html.j2", athletes=athletes, recent=recent, max_upload_mb=cfg.max_upload_mb,
                    today=date.today().isoformat())

    @app.post("/upload")
    async def upload(request: Request):
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit + 65536:
            return problem(request, 413, f"The file is larger than this server's limit of {cfg.max_upload_mb:g} MB.",
                           "Trim the video (or start the server with a larger --max-upload-mb).")
        try:
            form = await request.form(max_part_size=limit + 1024)
        except Exception as e:  # a body the multipart parser refuses (too large, malformed)
            return problem(request, 400, f"The upload could not be read ({e.__class__.__name__}).",
                           f"Files up to {cfg.max_upload_mb:g} MB; send the form from runform's page.")
        file = form.get("file")
        if file is None or not getattr(file, "filename", None):
            return problem(request, 400, "No file was chosen.", "Choose a video, a sensor CSV or a C3D trial.")
        incoming = cfg.data_dir / "incoming" / uuid.uuid4().hex
        try:
            size = 0
            with open(incoming, "wb") as f:
                while chunk := await file.read(1 << 20):
                    size += len(chunk)
                    if size > limit:
                        raise UploadTooLarge
                    f.write(chunk)
            if size == 0:
                raise RunformError("The file is empty.", "Choose the recording again.")
            kind = sniff(incoming)
            if kind is None:
                raise RunformError(f"'{file.filename}' is not a recording runform reads (judged from its content, "
                                   "not its name).", "Upload a video (mp4, mov, mkv, avi), a sensor CSV or a C3D/TRC trial.")
            _settings(form)  # a bad height, speed or date is refused before an athlete is created
            recorded = session_time(parse_date(form.get("recorded_on")))
            athlete_id = _athlete(store, form)
            settings = _settings(form, _known(store, athlete_id))
        except UploadTooLarge:
            incoming.unlink(missing_ok=True)
            return problem(request, 413, f"The file is larger than this server's limit of {cfg.max_upload_mb:g} MB.",
                           "Trim the video (or start the server with a larger --max-upload-mb).")
        except RunformError as e:
            incoming.unlink(missing_ok=True)
            return problem(request, 400, e.message, e.hint)
        stored = cfg.data_dir / "uploads" / f"{uuid.uuid4().hex}{kind[1]}"
        incoming.rename(stored)
        with store.session.begin() as db:
            s = RunSession(athlete_id=athlete_id, origin="web", source=kind[0], file_name=str(file.filename)[:300],
                           input_path=str(stored), settings=settings, status="queued", owns_files=True,
                           recorded_at=recorded)
            db.add(s)
            db.flush()
            s.output_dir = str(cfg.data_dir / "sessions" / str(s.id))
            sid = s.id
        jobs.notify()
        return RedirectResponse(f"/sessions/{sid}", status_code=303)

    @app.get("/sessions/{session_id}", response_class=HTMLResponse)
    def session_page(request: Request, session_id: int):
        with store.session() as db:
            s = get_session(db, session_id)
            _ = s.athlete
            ahead = db.scalar(select(func.count(RunSession.id)).where(
                RunSession.status == "queued", RunSession.id < s.id)) if s.status == "queued" else 0
        summary, files = None, []
        if s.status == "done":
            out = Path(s.output_dir)
            summary = _read_json(out / "summary.json")
            files = [n for n in DOWNLOADS if (out / n).is_file()]
        return page(request, "session.html.j2", s=s, summary=summary, files=files, ahead=ahead,
                    key_metrics=KEY_METRICS)

    @app.get("/api/sessions/{session_id}")
    def session_status(session_id: int):
        with store.session() as db:
            s = get_session(db, session_id)
            return JSONResponse({"id": s.id, "status": s.status, "progress": round(s.progress or 0.0, 3),
                                 "error": s.error})

    @app.get("/sessions/{session_id}/files/{name}")
    def session_file(session_id: int, name: str):
        if name not in DOWNLOADS:  # a fixed list: no other file, no path, is ever served
            raise HTTPException(404, "No such file.")
        with store.session() as db:
            s = get_session(db, session_id)
        path = Path(s.output_dir or "") / name
        if s.status != "done" or not path.is_file():
            raise HTTPException(404, "No such file.")
        inline = name in ("report.html", "annotated.mp4")
        return FileResponse(path, media_type=DOWNLOADS[name],
                            filename=None if inline else f"runform-{session_id}-{name}")

    @app.post("/sessions/{session_id}/cancel")
    def cancel(session_id: int):
        jobs.cancel(session_id)
        return RedirectResponse(f"/sessions/{session_id}", status_code=303)

    @app.post("/sessions/{session_id}/delete")
    def delete(session_id: int):
        jobs.cancel(session_id)
        with store.session.begin() as db:
            s = get_session(db, session_id)
            athlete_id = s.athlete_id
            if s.owns_files:
                if s.output_dir:
                    remove_output(Path(s.output_dir))
                upload = Path(s.input_path) if s.input_path else None
                if upload is not None and upload.parent == cfg.data_dir / "uploads":  # stored by this app
                    upload.unlink(missing_ok=True)
            db.delete(s)
        return RedirectResponse(f"/athletes/{athlete_id}" if athlete_id else "/", status_code=303)

    @app.get("/athletes/{athlete_id}", response_class=HTMLResponse)
    def athlete_page(request: Request, athlete_id: int, a: int | None = None, b: int | None = None):
        with store.session() as db:
            athlete = db.get(Athlete, athlete_id)
            if athlete is None:
                raise HTTPException(404, "No such athlete.")
            sessions = list(athlete.sessions)
        done = [s for s in sessions if s.status == "done"]
        labels = [s.recorded_at.strftime("%Y-%m-%d") for s in done]
        charts = []
        for name, title, unit in KEY_METRICS:
            values = [(s.metrics.get(name) or {}).get("median") for s in done]
            if any(v is not None for v in values):
                charts.append({"metric": name, "title": title, "unit": unit,
                               "svg": trend_svg(values, labels, unit), "values": values})
        comparison = None
        by_id = {s.id: s for s in done}
        if a is not None and b is not None:
            if a not in by_id or b not in by_id:
                raise HTTPException(404, "Both sessions must be finished analyses of this athlete.")
            comparison = {"a": by_id[a], "b": by_id[b], "rows": compare(by_id[a].metrics, by_id[b].metrics)}
        elif len(done) >= 2:
            a, b = done[-2].id, done[-1].id
        return page(request, "athlete.html.j2", athlete=athlete, sessions=sessions, done=done, charts=charts,
                    labels=labels, comparison=comparison, sel_a=a, sel_b=b)

    @app.post("/athletes")
    async def new_athlete(request: Request):
        form = await request.form()
        try:
            athlete_id = _athlete(store, form)
        except RunformError as e:
            return problem(request, 400, e.message, e.hint)
        if athlete_id is None:
            return problem(request, 400, "Give the athlete a name.")
        return RedirectResponse(f"/athletes/{athlete_id}", status_code=303)

    app.state.store, app.state.jobs = store, jobs
    return app


def _read_json(path: Path) -> dict | None:
    import json

    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _known(store: Store, athlete_id: int | None) -> dict:
    if athlete_id is None:
        return {}
    with store.session() as db:
        a = db.get(Athlete, athlete_id)
        return {"height_m": a.height_m, "sex": a.sex} if a else {}


def _settings(form, athlete: dict | None = None) -> dict:
    """The analysis settings from the upload form; the athlete's height and sex fill what it leaves out."""
    athlete = athlete or {}
    height_m = parse_height(form.get("height")) or athlete.get("height_m")
    sex = form.get("sex") or athlete.get("sex")
    return Settings(height_m=height_m, speed_mps=parse_speed(form.get("speed") or None), sex=sex,
                    annotated_video=True).as_dict()


def _athlete(store: Store, form) -> int | None:
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
    settings = _settings(form)  # validates height and sex
    with store.session.begin() as db:
        a = Athlete(name=name, height_m=settings["height_m"], sex=settings["sex"])
        db.add(a)
        db.flush()
        return a.id
