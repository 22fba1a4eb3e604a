"""An upload: the file streamed to disk under the size limit, its kind read from its bytes, the
form's athlete and settings checked, then a queued session."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from ...errors import RunformError
from ...settings import parse_date
from ...sources.sniff import sniff
from ..store.models import RunSession, session_time
from .forms import form_athlete, form_settings, known
from .render import problem

router = APIRouter()


class UploadTooLarge(Exception):
    pass


@router.post("/upload")
async def upload(request: Request):
    cfg, store = request.app.state.cfg, request.app.state.store
    limit = int(cfg.max_upload_mb * 1024 * 1024)
    too_large = (f"The file is larger than this server's limit of {cfg.max_upload_mb:g} MB.",
                 "Trim the video, or ask whoever runs this runform server to raise its upload limit.")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 65536:
        return problem(request, 413, *too_large)
    try:
        form = await request.form(max_part_size=limit + 1024)
    except Exception:  # stopped at the limit as it streamed (security.BodyLimit), or not a form
        if request.scope.get("runform_too_large"):
            return problem(request, 413, *too_large)
        return problem(request, 400, "The upload could not be read as a form with a file.",
                       f"Send files up to {cfg.max_upload_mb:g} MB from runform's own page.")
    file = form.get("file")
    if file is None or not getattr(file, "filename", None):
        return problem(request, 400, "No file was chosen.", "Choose a video, a sensor CSV or a C3D trial.")
    incoming = cfg.data_dir / "incoming" / uuid.uuid4().hex
    companions: dict = {}
    try:
        kind = await _receive(file, incoming, limit)
        form_settings(form)  # a bad height, speed or date is refused before an athlete is created
        recorded = session_time(parse_date(form.get("recorded_on")))
        companions = await _companions(form, kind[0], cfg.data_dir, limit)
        companions.update(await _second_view(form, kind[0], cfg.data_dir, limit))
        _fps_belongs(form_settings(form), kind[0], companions)
        athlete_id = form_athlete(store, form)
        settings = form_settings(form, known(store, athlete_id))
    except (UploadTooLarge, RunformError) as e:
        for path in (incoming, *map(Path, companions.values())):  # what this upload stored
            path.unlink(missing_ok=True)
        if isinstance(e, UploadTooLarge):
            return problem(request, 413, *too_large)
        return problem(request, 400, *e.raw)
    stored = cfg.data_dir / "uploads" / f"{uuid.uuid4().hex}{kind[1]}"
    incoming.rename(stored)
    if companions:  # stored under names of runform's own; the report names them as the coach did
        fields = {"static": "static", "forces": "forces", "second_view": "second"}
        named = {Path(path).name: Path(str(form.get(fields[k]).filename)).name[:300] for k, path in companions.items()}
        settings = {**settings, "companions": companions, "companion_names": named}
    sid = _queue(request.app.state, RunSession(
        athlete_id=athlete_id, origin="web", source=kind[0], file_name=str(file.filename)[:300],
        input_path=str(stored), settings=settings, status="queued", owns_files=True, recorded_at=recorded))
    return RedirectResponse(f"/sessions/{sid}", status_code=303)


async def _receive(file, incoming: Path, limit: int) -> tuple[str, str]:
    """Stream the upload to ``incoming`` (refused beyond ``limit`` bytes); its (kind, extension)."""
    size = await _stream_to(file, incoming, limit)
    if size == 0:
        raise RunformError("The file is empty.", "Choose the recording again.")
    kind = sniff(incoming)
    if kind is None:
        raise RunformError(f"'{file.filename}' is not a recording runform reads (judged from its content, "
                           "not its name).", "Upload a video (mp4, mov, mkv, avi), a sensor CSV or a C3D/TRC trial.")
    return kind


async def _stream_to(file, path: Path, limit: int) -> int:
    """Write an uploaded file to ``path`` as it arrives; its size. Beyond ``limit`` bytes the part
    written is removed and UploadTooLarge raised."""
    size = 0
    with open(path, "wb") as f:
        while chunk := await file.read(1 << 20):
            size += len(chunk)
            if size > limit:
                break
            f.write(chunk)
    if size > limit:
        path.unlink(missing_ok=True)
        raise UploadTooLarge
    return size


COMPANIONS = {"static": "static trial", "forces": "force file"}
VIEW_KINDS = ("video", "keypoints")
COMPANION_SUFFIXES = (".c3d", ".trc", ".txt", ".csv", ".tsv", ".mot", ".anc", ".forces")


async def _companions(form, kind: str, data_dir: Path, limit: int) -> dict:
    """A lab trial's static trial and force file, when given, stored beside it: {field: path}."""
    given = {k: form.get(k) for k in COMPANIONS if getattr(form.get(k), "filename", None)}
    if given and kind != "lab":
        raise RunformError("A static trial or a force file goes with a lab trial (C3D, TRC or a marker table).",
                           "Upload the lab trial itself as the recording, or leave those fields empty.")
    out: dict = {}
    try:
        for field, f in given.items():
            suffix = Path(str(f.filename)).suffix.lower()
            if suffix not in COMPANION_SUFFIXES:
                raise RunformError(f"The {COMPANIONS[field]} '{f.filename}' is not a file runform reads "
                                   f"({', '.join(COMPANION_SUFFIXES)}).")
            out[field] = str(data_dir / "uploads" / f"{uuid.uuid4().hex}{suffix}")
            await _stream_to(f, Path(out[field]), limit)
    except (UploadTooLarge, RunformError):
        for path in out.values():  # those this upload already stored
            Path(path).unlink(missing_ok=True)
        raise
    return out


async def _second_view(form, kind: str, data_dir: Path, limit: int) -> dict:
    """A second clip of the same run (a front or back view beside a side view), stored beside the
    first: {"second_view": path}, or {} when none was given."""
    f = form.get("second")
    if not getattr(f, "filename", None):
        return {}
    if kind not in VIEW_KINDS:
        raise RunformError("A second view goes with a video or a keypoints .zip, not a sensor or lab recording.",
                           "Upload the two clips of one run, or leave the second view empty.")
    incoming = data_dir / "incoming" / uuid.uuid4().hex
    try:
        second = await _receive(f, incoming, limit)
        if second[0] not in VIEW_KINDS:
            raise RunformError(f"The second view '{f.filename}' is not a video or a keypoints .zip.")
    except (UploadTooLarge, RunformError):
        incoming.unlink(missing_ok=True)  # this upload's own part file
        raise
    stored = data_dir / "uploads" / f"{uuid.uuid4().hex}{second[1]}"
    incoming.rename(stored)
    return {"second_view": str(stored)}


def _fps_belongs(settings: dict, kind: str, companions: dict) -> None:
    """A keypoints .zip needs its frame rate; videos carry their own."""
    keypoints = kind == "keypoints" or Path(companions.get("second_view", "")).suffix == ".zip"
    if keypoints and not settings.get("fps"):
        raise RunformError("A .zip of pose keypoints has no frame rate: give its video's frame rate.",
                           "Fill in \"Keypoints' frame rate\" (e.g. 60) under the second view and keypoints.")


def _queue(state, session: RunSession) -> int:
    """Store the session with its output folder and wake the job runner; its id."""
    with state.store.session.begin() as db:
        db.add(session)
        db.flush()
        session.output_dir = str(state.cfg.data_dir / "sessions" / str(session.id))
        sid = session.id
    state.jobs.notify()
    return sid
