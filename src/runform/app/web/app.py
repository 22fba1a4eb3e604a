"""``runform serve``: the local web app on the same analysis as the CLI.

Pages: home (upload, athletes, the job queue), a session (progress, the
report, the annotated video, downloads), an athlete (sessions by date, trends,
a comparison of two sessions). Uploaded files are stored under generated names
in ``<data>/uploads``, outputs in ``<data>/sessions/<id>``; the store holds the
athletes and sessions. The routes live in ``pages.py`` (home, athletes),
``sessions.py`` (a session, its files, cancel, delete), ``upload.py`` and ``live.py`` (the
live page: the browser's camera over a WebSocket, stored as a session at Stop).
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from ... import __version__
from ...engine.assess.knowledge import load_knowledge
from ...outputs.charts import KINDS
from ..store.db import Store
from ..store.results import refill_uncertainties
from . import athletes, live, pages, sessions, upload
from .jobs import JobRunner
from .render import in_browser, problem
from .security import BodyLimit, Gate, Guard, server_secret


@dataclass(frozen=True)
class WebConfig:
    data_dir: Path
    db_url: str
    token: str | None = None
    max_upload_mb: float = 2048
    host_names: tuple[str, ...] = ()  # names the server answers to besides loopback (--allow-host)
    beyond_loopback: bool = False  # listening on a network: any IP address of the machine is fine


def create_app(cfg: WebConfig) -> FastAPI:
    """The app on its data folder and store; its job runner starts and stops with it."""
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    for sub in ("uploads", "sessions", "incoming"):
        (cfg.data_dir / sub).mkdir(exist_ok=True)
    store = Store(cfg.db_url)
    jobs = JobRunner(store, store.url.render_as_string(hide_password=False))

    @asynccontextmanager
    async def lifespan(_app):
        refill_uncertainties(store)  # sessions stored before the metrics kept them
        jobs.start()
        yield
        jobs.stop()
        store.close()

    app = FastAPI(title="runform", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    gate = Gate(cfg.token, frozenset(n.lower() for n in cfg.host_names), cfg.beyond_loopback,
                server_secret(cfg.data_dir))
    app.add_middleware(Guard, gate=gate)
    app.add_middleware(BodyLimit, limit=int(cfg.max_upload_mb * 1024 * 1024) + 65536)  # outermost: raw bytes
    app.state.cfg, app.state.store, app.state.jobs, app.state.gate = cfg, store, jobs, gate
    app.state.templates = Environment(loader=PackageLoader("runform.app.web", "templates"),
                                      autoescape=select_autoescape(["j2"]))
    kb_metrics = load_knowledge().metrics  # readable names and units, as the report has them
    app.state.templates.globals.update(
        metric_label=lambda n: kb_metrics.get(n, {}).get("label", n.replace("_", " ")),
        metric_unit=lambda n: kb_metrics.get(n, {}).get("unit", ""),
        metric_explain=lambda n: in_browser(kb_metrics.get(n, {}).get("explain", "")), kinds=KINDS)
    app.state.templates.filters["in_browser"] = in_browser
    app.add_exception_handler(StarletteHTTPException, _http_problem)  # FastAPI's and the router's
    app.add_exception_handler(RequestValidationError, _bad_address)  # /sessions/abc and the like
    for module in (pages, athletes, sessions, upload, live):
        app.include_router(module.router)
    return app


async def _http_problem(request: Request, exc: StarletteHTTPException):
    if not hasattr(request.state, "csrf"):
        request.state.csrf = ""
    return problem(request, exc.status_code, str(exc.detail))


async def _bad_address(request: Request, exc: RequestValidationError):
    if not hasattr(request.state, "csrf"):
        request.state.csrf = ""
    return problem(request, 404, "No such page.", "Sessions and athletes are numbered: /sessions/12.")
