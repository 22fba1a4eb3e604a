"""The live page: the browser's camera -> frames over a WebSocket -> one pose worker -> the live
read-out (``runform.live``) -> figures, set-up, cues and the skeleton back to the page. At Stop
the frames received are stored as a recording (Motion JPEG in Matroska, each frame at the time
the page captured it) and analysed offline as a session of the athlete, like an upload.

The socket speaks JSON text and binary frames. The page sends ``{"type": "start", athlete_id,
name, height, speed, sex}``, then each frame as 8 bytes of its capture time (seconds,
little-endian double) and the JPEG, then ``{"type": "stop"}``. The server sends ``pose`` (each
posed frame's keypoints in the frame's pixels), ``setup`` (the set-up checks before the first
figures), ``update`` (``LiveAnalysis``'s figures, findings, cues), ``totals``, ``stored`` (the
session) and ``error`` messages.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import struct
import threading
import uuid
from collections import deque
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path

from fastapi import APIRouter, Request, WebSocket
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from ...errors import RunformError
from ...live.sensor import MIN_S, LiveSensor
from ...settings import Settings
from ..store.models import Athlete, RunSession
from .forms import form_athlete, form_settings, known
from .render import in_browser, page

router = APIRouter()
MIN_STORED_S = 3.0  # a recording shorter than this holds no strides worth a session
MAX_FRAME_BYTES = 4 << 20  # a JPEG frame larger than this is not one the page sends


@router.get("/live", response_class=HTMLResponse)
def live_page(request: Request):
    from ...engine.assess.knowledge import load_knowledge

    with request.app.state.store.session() as db:
        athletes = db.scalars(select(Athlete).order_by(Athlete.name)).all()
    cues = [(f["id"], f["title"], f["cue"]) for f in load_knowledge().faults]
    return page(request, "live.html.j2", athletes=athletes, cues=cues)


@router.websocket("/live/socket")
async def live_socket(ws: WebSocket):
    why = ws.app.state.gate.socket_refusal(ws.headers, ws.cookies)
    if why:
        await ws.close(code=1008, reason=why)
        return
    await ws.accept()
    run: CameraRun | SensorRun | None = None
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("bytes") is not None:
                if isinstance(run, CameraRun):
                    run.frame(message["bytes"])
                continue
            command = _command(message.get("text"))
            if command.get("type") == "motion" and isinstance(run, SensorRun):
                run.motion(command.get("samples"))
            elif command.get("type") == "start" and run is None:
                run = await _start(ws, command)
            elif command.get("type") == "stop" and run is not None:
                await _send(ws, await run.stop())
                run = None
    finally:
        if run is not None:  # the page closed while running: what was recorded is kept as a session
            await run.stop()


def _command(text: str | None) -> dict:
    try:
        command = json.loads(text or "")
    except ValueError:
        return {}
    return command if isinstance(command, dict) else {}


async def _start(ws: WebSocket, command: dict) -> "CameraRun | SensorRun | None":
    """The run the start message asks for (the camera's, or with ``mode: sensor`` the phone's
    motion sensors'), or None (the page told why)."""
    state = ws.app.state
    form = {k: str(v) for k, v in command.items() if v is not None and k not in ("type", "mode")}
    try:
        athlete_id = form_athlete(state.store, form)
        settings = form_settings(form, known(state.store, athlete_id))  # checked as an upload's are
    except RunformError as e:
        await _send(ws, {"type": "error", "message": " ".join(e.said("browser")).strip()})
        return None
    kind = SensorRun if command.get("mode") == "sensor" else CameraRun
    return kind(state, ws, asyncio.get_running_loop(), athlete_id, settings)


async def _send(ws: WebSocket, message: dict) -> None:
    try:
        await ws.send_text(json.dumps(message, separators=(",", ":")))
    except (RuntimeError, OSError):  # the page has gone
        pass


class CameraRun:
    """One live run of the page's camera: its pose worker, its read-out in a thread, its recording. The
    set-up is checked before anything is recorded: the recording begins with the first figures
    (the runner running), from the ``KEEP_BEFORE_S`` seconds they were measured on."""

    KEEP_BEFORE_S = 8.0  # the live read-out's window (live.engine.WINDOW_S)

    def __init__(self, state, ws: WebSocket, loop, athlete_id: int | None, settings: dict):
        from ...live.run import start_worker

        self.state, self.ws, self.loop = state, ws, loop
        self.athlete_id, self.settings = athlete_id, settings
        self.started = datetime.now(timezone.utc)
        self.recording = Recording(state.cfg.data_dir / "incoming" / f"{uuid.uuid4().hex}.mkv")
        self.frames = mp.get_context("spawn").Queue()
        self.worker, self.outbox = start_worker("spawn", None, frames=self.frames)  # a fresh process, not a fork of the server's threads
        self.totals: dict = {}
        self.running, self.before, self.last_t = threading.Event(), deque(), -float("inf")
        self.thread = threading.Thread(target=self._follow, daemon=True)
        self.thread.start()

    def frame(self, data: bytes) -> None:
        """A frame from the page: recorded, and passed to the pose worker."""
        if len(data) < 12 or len(data) > MAX_FRAME_BYTES:
            return
        (t,) = struct.unpack("<d", data[:8])
        jpeg = data[8:]
        if not t > self.last_t or jpeg[:2] != b"\xff\xd8":  # out of order, or not a JPEG
            return
        self.last_t = t
        self.before.append((t, jpeg))
        if self.running.is_set():  # the runner runs: recorded, from the frames the first figures came from
            while self.before:
                self.recording.add(*self.before.popleft())
        while self.before and t - self.before[0][0] > self.KEEP_BEFORE_S:
            self.before.popleft()
        self.frames.put((t, jpeg))

    def _update(self, update: dict) -> None:
        if update.get("cadence_spm") is not None:
            self.running.set()
        self._emit({"type": "update", **update})

    def _emit(self, message: dict) -> None:
        asyncio.run_coroutine_threadsafe(_send(self.ws, message), self.loop)

    def _follow(self) -> None:
        from ...live.run import LiveRun

        settings = Settings(**self.settings)
        run = LiveRun(settings, self._update, on_frame=self._pose,
                      on_setup=lambda checks: self._emit({"type": "setup", "setup": checks}))
        try:
            run.follow(self.outbox, self.worker)
            self.totals = run.totals()
            self._emit({"type": "totals", **self.totals})
        except RunformError as e:
            self._emit({"type": "error", "message": " ".join(e.said("browser")).strip()})

    def _pose(self, t: float, keypoints, size) -> None:
        points = [[round(float(x), 1), round(float(y), 1), round(float(v), 2)] if x == x else None
                  for x, y, _, v in keypoints]
        self._emit({"type": "pose", "t": round(t, 3), "size": list(size), "points": points})

    async def stop(self) -> dict:
        """End the run; store the recording as a session of the athlete. Returns the message for the page."""
        from ...live.run import stop_worker

        self.frames.put(None)
        await asyncio.get_running_loop().run_in_executor(None, self.thread.join, 30)
        await asyncio.get_running_loop().run_in_executor(None, stop_worker, self.worker)
        path = self.recording.close()
        if path is None:
            return {"type": "stored", "session": None, "message": "No running was recorded (the recording begins "
                    f"with the first figures and keeps {MIN_STORED_S:g} s at least): nothing was stored."}
        sid = self._store(path)
        return {"type": "stored", "session": sid, "url": f"/sessions/{sid}"}

    def _store(self, recorded: Path) -> int:
        return _store(self.state, recorded, "video", self.athlete_id, self.settings, self.started)


def _store(state, recorded: Path, source: str, athlete_id: int | None, settings: dict, started: datetime) -> int:
    """A live run's recording moved under the app's uploads as a queued session (``upload._queue``)."""
    from .upload import _queue

    stored = state.cfg.data_dir / "uploads" / recorded.name
    recorded.rename(stored)
    name = f"live {started.astimezone().strftime('%Y-%m-%d %H-%M')}{recorded.suffix}"
    return _queue(state, RunSession(athlete_id=athlete_id, origin="live", source=source, file_name=name,
                                    input_path=str(stored), settings=settings, status="queued", owns_files=True,
                                    recorded_at=started))


class SensorRun:
    """One live run of a phone worn at the pelvis: its samples, the read-out of the newest
    ``live.sensor.WINDOW_S`` seconds at most every ``UPDATE_EVERY_S`` (in a thread, so that the
    socket keeps taking samples), and its table stored as a sensor session at Stop."""

    UPDATE_EVERY_S = 0.5

    def __init__(self, state, ws: WebSocket, loop, athlete_id: int | None, settings: dict):
        from ...engine.assess.knowledge import load_knowledge

        self.state, self.ws, self.loop = state, ws, loop
        self.athlete_id, self.settings = athlete_id, settings
        self.started = datetime.now(timezone.utc)
        self.sensor = LiveSensor(Settings(**settings), load_knowledge(settings.get("sex")))
        self.busy, self.last, self.fresh, self.waiting = False, 0.0, False, None

    def motion(self, samples) -> None:
        """Samples from the page: rows of (t s, acceleration with gravity m/s^2 xyz, rotation rate deg/s xyz)."""
        try:
            self.fresh |= self.sensor.add(samples or []) > 0
        except (TypeError, ValueError):
            return  # not rows of numbers: nothing the page sends
        self._kick()

    def _kick(self) -> None:
        """An update now if samples came since the last and none is running; else one when due."""
        if not self.fresh or self.busy or self.waiting is not None:
            return
        due = self.last + self.UPDATE_EVERY_S - self.loop.time()
        if due > 0:
            self.waiting = self.loop.call_later(due, self._due)
            return
        self.busy, self.fresh, self.last = True, False, self.loop.time()
        self.loop.run_in_executor(None, self._update)

    def _due(self) -> None:
        self.waiting = None
        self._kick()

    def _update(self) -> None:
        try:
            out = self.sensor.update()
            if out is not None:
                if out.get("waiting"):
                    out["waiting"] = in_browser(out["waiting"])
                asyncio.run_coroutine_threadsafe(_send(self.ws, {"type": "update", "mode": "sensor", **out}), self.loop)
        finally:
            self.busy = False
            self.loop.call_soon_threadsafe(self._kick)  # the samples that came meanwhile

    async def stop(self) -> dict:
        if self.waiting is not None:
            self.waiting.cancel()
        path = self.state.cfg.data_dir / "incoming" / f"{uuid.uuid4().hex}.csv"
        table = await asyncio.get_running_loop().run_in_executor(None, self.sensor.write_table, path)
        if table is None:
            return {"type": "stored", "session": None, "message": f"Under {MIN_S:g} s of motion was recorded: "
                    "nothing was stored."}
        sid = _store(self.state, table, "imu", self.athlete_id, self.settings, self.started)
        return {"type": "stored", "session": sid, "url": f"/sessions/{sid}"}


class Recording:
    """The page's frames as they came, muxed without re-encoding: Motion JPEG in Matroska, each
    frame at its capture time (ms). Written under the app's incoming/ folder, runform's own;
    ``close`` returns it, or removes it and returns None when too short to analyse."""

    def __init__(self, path: Path):
        self.path, self.out, self.stream = path, None, None
        self.first, self.last_ms, self.frames = None, -1, 0

    def add(self, t: float, jpeg: bytes) -> bool:
        """Record one frame; False for one out of order or not a JPEG (it is not posed either)."""
        import av

        if self.first is None:
            size = _jpeg_size(jpeg)
            if size is None:
                return False
            self.first = t
            self.out = av.open(str(self.path), "w", format="matroska")
            self.stream = self.out.add_stream("mjpeg", rate=30)
            self.stream.width, self.stream.height = size
            self.stream.pix_fmt = "yuvj420p"
            self.stream.time_base = Fraction(1, 1000)
        ms = int(round((t - self.first) * 1000))
        if ms <= self.last_ms or jpeg[:2] != b"\xff\xd8":
            return False
        packet = av.Packet(jpeg)
        packet.stream, packet.pts, packet.dts = self.stream, ms, ms
        packet.time_base = self.stream.time_base
        self.out.mux(packet)
        self.last_ms, self.frames = ms, self.frames + 1
        return True

    def close(self) -> Path | None:
        if self.out is None:
            return None
        self.out.close()
        if self.last_ms / 1000 < MIN_STORED_S:
            self.path.unlink(missing_ok=True)
            return None
        return self.path


def _jpeg_size(jpeg: bytes) -> tuple[int, int] | None:
    """(width, height) of a JPEG, or None for anything else."""
    import cv2
    import numpy as np

    img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    return None if img is None else (img.shape[1], img.shape[0])
