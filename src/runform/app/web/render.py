"""Pages and problems rendered from the app's templates, and the shared look-ups."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse

from ... import __version__
from ..store.models import Athlete, RunSession


def page(request: Request, name: str, status: int = 200, **ctx) -> HTMLResponse:
    env = request.app.state.templates
    html = env.get_template(name).render(csrf=request.state.csrf, nonce=getattr(request.state, "nonce", ""),
                                         version=__version__, **ctx)
    return HTMLResponse(html, status_code=status)


def problem(request: Request, status: int, message: str, hint: str = "") -> HTMLResponse:
    return page(request, "problem.html.j2", status=status, message=message, hint=hint)


# the command line's wording, as the browser says it (the upload form's fields)
FOR_BROWSER = (("No --speed given", "No treadmill speed given"), ("--speed", "the treadmill speed"),
               ("No --height given", "No height given for the runner"),
               ("Give --height", "Give the runner's height"), ("--height", "the runner's height"),
               ("or give --view for keypoints", "or choose the view under the second view"),
               ("give --view", "choose the view"), ("--view", "the view"), ("give --fps", "give the keypoints' frame rate"),
               ("--fps", "the keypoints' frame rate"),
               ("Give --static", "Upload a static (standing) trial with it"), ("--static", "a static trial"),
               ("--vertical", "a vertical reference"), ("--start/--end", "a trimmed clip"),
               ("--slowmo", "the slow-motion factor"), ("--capture-fps", "the capture frame rate"),
               ("see docs/mocap.md", "see runform's lab documentation"))


def for_browser(text: str | None) -> str:
    """A message written for the command line, in the words of the web pages."""
    out = text or ""
    for cli, web in FOR_BROWSER:
        out = out.replace(cli, web)
    return out


def in_browser_words(summary: dict) -> dict:
    """A web session's summary with its messages in the web pages' words (its report is read in
    the browser, where there are no command-line options)."""
    summary["warnings"] = [for_browser(w) for w in summary.get("warnings", [])]
    for f in summary.get("faults", []):
        for k in ("settle", "confidence_note"):
            if f.get(k):
                f[k] = for_browser(f[k])
    quality = summary.get("quality") or {}
    if quality.get("steps_note"):
        quality["steps_note"] = for_browser(quality["steps_note"])
    return summary


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
