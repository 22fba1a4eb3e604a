"""Pages and problems rendered from the app's templates, and the shared look-ups."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse

from ... import __version__
from ...words import say
from ..store.models import Athlete, RunSession


def page(request: Request, name: str, status: int = 200, **ctx) -> HTMLResponse:
    env = request.app.state.templates
    html = env.get_template(name).render(csrf=request.state.csrf, nonce=getattr(request.state, "nonce", ""),
                                         version=__version__, **ctx)
    return HTMLResponse(html, status_code=status)


def problem(request: Request, status: int, message: str, hint: str = "") -> HTMLResponse:
    """A refusal page; ``message`` and ``hint`` may name settings (``words.opt``)."""
    return page(request, "problem.html.j2", status=status, message=in_browser(message), hint=in_browser(hint))


def in_browser(text: str | None) -> str:
    """A message in the web pages' words (``words.say``): the upload form's fields, not options."""
    return say(text or "", "browser")


MAX_ID = 2**63 - 1  # the store's integer keys: a larger number names nothing


def get_session(db, session_id: int) -> RunSession:
    s = db.get(RunSession, session_id) if 0 < session_id <= MAX_ID else None
    if s is None:
        raise HTTPException(404, "No such session.")
    return s


def get_athlete(db, athlete_id: int) -> Athlete:
    a = db.get(Athlete, athlete_id) if 0 < athlete_id <= MAX_ID else None
    if a is None:
        raise HTTPException(404, "No such athlete.")
    return a


def read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
