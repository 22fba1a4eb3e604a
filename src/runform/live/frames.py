"""Where a live run's frames come from, kept to the clock: a file played at its own speed, a
camera, or the live page's frames. Each yields ``(t_s, rgb frame)``: t_s is the frame's time from the start of the run
(a file's presentation time, a camera's time of capture). A frame that arrives after its
time has passed by more than ``LATE_FRAMES`` frame intervals is dropped before the pose model
sees it: the live read-out never falls behind real time, it thins instead.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

from ..errors import InputFileError

LATE_FRAMES = 1.5  # a frame this many intervals behind the clock is dropped


class Clock:
    """Seconds since the run started, shared by the pose worker and the read-out (``time.monotonic``
    is one clock for every process of the machine)."""

    def __init__(self, start: float | None = None):
        self.start = time.monotonic() if start is None else start

    def now(self) -> float:
        return time.monotonic() - self.start


def is_device(source: str) -> bool:
    """A camera: its number (0) or its device file (/dev/video0)."""
    return source.isdigit() or source.startswith("/dev/video")


def file_frames(path: Path, clock: Clock, realtime: bool, max_side: int | None, drops: list) -> Iterator:
    """A video file's frames; with ``realtime`` at its own speed (waiting for a frame's time,
    dropping a late one, each drop appended to ``drops``), else as fast as they are asked for."""
    from ..sources.video.decode import iter_frames, probe

    interval = 1.0 / probe(path).fps
    for t, picture in iter_frames(path, max_side=max_side, lazy=True):
        if realtime:
            ahead = t - clock.now()
            if ahead > 0:
                time.sleep(ahead)
            elif -ahead > LATE_FRAMES * interval:
                drops.append(t)
                continue
        yield t, picture.rgb()


def device_frames(source: str, clock: Clock, max_side: int | None, seconds: float | None) -> Iterator:
    """A camera's frames, each timed when it was captured; the newest one only (a camera's own
    buffer is not read behind the clock)."""
    import cv2

    cap = cv2.VideoCapture(int(source) if source.isdigit() else source)
    if not cap.isOpened():
        raise InputFileError(f"The camera '{source}' cannot be opened.",
                             "Check that it is connected and not in use by another program (0 is the first camera).")
    try:
        while seconds is None or clock.now() < seconds:
            ok, bgr = cap.read()
            t = clock.now()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            if max_side and max(rgb.shape[:2]) > max_side:
                scale = max_side / max(rgb.shape[:2])
                rgb = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            yield t, rgb
    finally:
        cap.release()


def queue_frames(inbox, drops: list) -> Iterator:
    """The live page's frames: (t_s, JPEG bytes) from ``inbox``, None last. Only the newest frame
    waiting is posed; the older ones are late and dropped (each appended to ``drops``)."""
    import queue as queues

    import cv2
    import numpy as np

    while True:
        item = inbox.get()
        while item is not None:  # a newer frame waiting makes this one late
            try:
                newer = inbox.get_nowait()
            except queues.Empty:
                break
            if newer is None:
                inbox.put(None)  # the end, seen after this frame
                break
            drops.append(item[0])
            item = newer
        if item is None:
            return
        t, jpeg = item
        bgr = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        if bgr is None:  # not a picture: the page sends JPEG frames only
            drops.append(t)
            continue
        yield t, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
