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
    (or ``seconds``); ``emit`` gets each update; returns the totals (also emitted last)."""
    ctx = mp.get_context("fork")
    inbox = ctx.Queue()
    worker = ctx.Process(target=run_worker, args=(source, realtime, seconds, inbox), daemon=True)
    worker.start()  # from a light parent; the read-out's modules load while the model does
    from .engine import LiveAnalysis

    engine = LiveAnalysis(settings, load_knowledge(settings.sex, settings.references))
    clock = Clock()  # until the worker says when the run's clock started
    state = {"newest": None, "dropped": 0, "posed": 0, "latencies": [], "last": None, "updates": 0}
    try:
        _follow(inbox, worker, engine, state, clock, emit)
    except KeyboardInterrupt:  # Ctrl+C ends a camera's run: the totals still come
        pass
    finally:
        worker.join(timeout=2)
        if worker.is_alive():
            worker.kill()
    totals = _totals(engine, state, clock)
    emit(totals)
    return totals


def _follow(inbox, worker, engine, state: dict, clock: Clock, emit) -> None:
    """Take the worker's frames as they come; an update every ``UPDATE_EVERY_S`` of the run."""
    for message in _messages(inbox, worker):
        if message[0] == "ready":
            clock.start = message[1]
            continue
        _take(message, engine, state)
        newest = state["newest"]
        if newest is not None and (state["last"] is None or newest - state["last"] >= UPDATE_EVERY_S):
            for more in _waiting(inbox):  # every frame already posed, so that the read-out is current
                _take(more, engine, state)
            _update(engine, state, clock, emit)


def _messages(inbox, worker):
    """The worker's messages up to its end; its errors raised here."""
    while True:
        try:
            message = inbox.get(timeout=SILENT_S)
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


def _waiting(inbox):
    while True:
        try:
            message = inbox.get_nowait()
        except queues.Empty:
            return
        if message[0] in ("end", "error"):
            inbox.put(message)  # seen again by _messages
            return
        yield message


def _take(message, engine, state: dict) -> None:
    if message[0] == "frame":
        _, t, keypoints, luma, size, dropped = message
        engine.add(t, keypoints, luma, size)
        state.update(newest=t, dropped=dropped, posed=state["posed"] + 1)
    elif message[0] == "scene":
        engine.add_scene_frame(message[2], message[3])


def _update(engine, state: dict, clock: Clock, emit) -> None:
    state["last"] = state["newest"]
    out = engine.update()
    if out is None:
        return
    wall = clock.now()
    state["latencies"].append(wall - out["t_s"])
    state["updates"] += 1
    emit({**out, "wall_s": round(wall, 3), **_rate(state), "setup": engine.setup(), "notes": engine.notes})


def _rate(state: dict) -> dict:
    """Frames posed a second of the run so far, and frames dropped to keep up."""
    span = state["newest"] or 0.0
    return {"effective_fps": round(state["posed"] / span, 2) if span > 0 else None,
            "dropped_frames": state["dropped"]}


def _totals(engine, state: dict, clock: Clock) -> dict:
    last = engine.update() if state["newest"] is not None else None
    lat = state["latencies"]
    return {**(last or {"t_s": state["newest"], "steps": 0}), "final": True, "wall_s": round(clock.now(), 3),
            "setup": engine.setup(),
            "frames_posed": state["posed"], **_rate(state), "updates": state["updates"],
            "latency_median_s": round(statistics.median(lat), 3) if lat else None,
            "latency_max_s": round(max(lat), 3) if lat else None, "notes": engine.notes}
