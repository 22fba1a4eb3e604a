"""A live run: the pose worker (``pose_worker.py``) in its own process on one core, the
read-out here on the other. Every ``UPDATE_EVERY_S`` seconds of the run, after taking every
frame already posed, the read-out is brought up to date and handed to ``emit`` with the
run's clock (``wall_s``) beside the newest frame's time (``t_s``): their difference is the
read-out's latency. The last call has the totals.
"""

from __future__ import annotations

import multiprocessing as mp
import queue as queues
import statistics
from typing import Callable

from ..engine.assess.knowledge import load_knowledge
from ..errors import InputFileError
from ..settings import Settings
from .frames import Clock
from .pose_worker import run_worker

UPDATE_EVERY_S = 0.5
SILENT_S = 10.0  # a worker that sends nothing for this long has failed


def live(source: str, settings: Settings = Settings(), emit: Callable[[dict], None] = print, *,
         realtime: bool = True, seconds: float | None = None) -> dict:
    """Run live on ``source`` (a video file, or a camera's number or device file) until it ends
    (or ``seconds``, or Ctrl+C); ``emit`` gets each update; returns the totals (also emitted last)."""
    worker, outbox = start_worker("fork", source, realtime, seconds)  # from a light parent
    run = LiveRun(settings, emit)  # the read-out's modules load while the model does
    try:
        run.follow(outbox, worker)
    except KeyboardInterrupt:  # Ctrl+C ends a camera's run: the totals still come
        pass
    finally:
        stop_worker(worker)
    totals = run.totals()
    emit(totals)
    return totals


def start_worker(method: str, source: str | None, realtime: bool = True, seconds: float | None = None,
                 frames=None):
    """The pose worker on ``source``, or on the frames put on ``frames`` (a queue of (t_s, JPEG
    bytes), None last); ``method``: how the process starts ('spawn' from a server's threads).
    Returns (process, the queue it sends on)."""
    ctx = mp.get_context(method)
    outbox = ctx.Queue()
    worker = ctx.Process(target=run_worker, args=(source, realtime, seconds, outbox, frames), daemon=True)
    worker.start()
    return worker, outbox


def stop_worker(worker) -> None:
    worker.join(timeout=2)
    if worker.is_alive():
        worker.kill()
        worker.join(timeout=2)


class LiveRun:
    """One run's read-out: the worker's messages in, ``emit(update)`` out; ``on_frame(t, keypoints,
    size)`` hears of every posed frame and ``on_setup(checks)`` of the set-up before the first figures."""

    def __init__(self, settings: Settings, emit: Callable[[dict], None], on_frame=None, on_setup=None):
        from .engine import LiveAnalysis

        self.engine = LiveAnalysis(settings, load_knowledge(settings.sex, settings.references))
        self.emit, self.on_frame, self.on_setup = emit, on_frame, on_setup
        self.clock = Clock()  # until the worker says when the run's clock started
        self.newest, self.last, self.dropped, self.posed = None, None, 0, 0
        self.latencies: list[float] = []

    def follow(self, outbox, worker) -> None:
        """Take the worker's frames as they come, an update every ``UPDATE_EVERY_S`` of the run,
        until the worker ends."""
        for message in _messages(outbox, worker):
            self._take(message)
            if self.newest is not None and (self.last is None or self.newest - self.last >= UPDATE_EVERY_S):
                for more in _waiting(outbox):  # every frame already posed, so that the read-out is current
                    self._take(more)
                self._update()

    def _take(self, message) -> None:
        if message[0] == "ready":
            self.clock.start = message[1]
        elif message[0] == "frame":
            _, t, keypoints, luma, size, dropped = message
            self.engine.add(t, keypoints, luma, size, dropped)
            self.newest, self.dropped, self.posed = t, dropped, self.posed + 1
            if self.on_frame:
                self.on_frame(t, keypoints, size)
        elif message[0] == "scene":
            self.engine.add_scene_frame(message[2], message[3])

    def _update(self) -> None:
        self.last = self.newest
        out = self.engine.update()
        if out is None:
            if self.on_setup:
                self.on_setup(self.engine.setup())
            return
        wall = self.clock.now()
        self.latencies.append(wall - out["t_s"])
        self.emit({**out, "wall_s": round(wall, 3), **self._rate(), "setup": self.engine.setup(),
                   "notes": self.engine.notes})

    def _rate(self) -> dict:
        """Frames posed a second of the run so far, and frames dropped to keep up."""
        span = self.newest or 0.0
        return {"effective_fps": round(self.posed / span, 2) if span > 0 else None, "dropped_frames": self.dropped}

    def totals(self) -> dict:
        """The last update with the run's totals."""
        last = self.engine.update() if self.newest is not None else None
        lat = self.latencies
        return {**(last or {"t_s": self.newest, "steps": 0}), "final": True, "wall_s": round(self.clock.now(), 3),
                "setup": self.engine.setup(), "frames_posed": self.posed, **self._rate(),
                "updates": len(lat), "latency_median_s": round(statistics.median(lat), 3) if lat else None,
                "latency_max_s": round(max(lat), 3) if lat else None, "notes": self.engine.notes}


def _messages(outbox, worker):
    """The worker's messages up to its end; its errors raised here."""
    while True:
        try:
            message = outbox.get(timeout=SILENT_S)
        except queues.Empty:
            if not worker.is_alive():
                raise InputFileError("The live pose worker stopped without a word.", "Run again; if it recurs, "
                                     "set RUNFORM_DEBUG=1 to see why.") from None
            continue
        if message[0] == "end":
            return
        if message[0] == "error":
            raise message[1](*message[2])
        yield message


def _waiting(outbox):
    while True:
        try:
            message = outbox.get_nowait()
        except queues.Empty:
            return
        if message[0] in ("end", "error"):
            outbox.put(message)  # seen again by _messages
            return
        yield message
