"""The live pose worker: one process that takes frames from a source (``frames.py``) on the
clock, poses each with the offline pass's model and settings (``sources.video.pose``), and
sends the keypoints on at once. The read-out runs in the parent on the other core.

It sends tuples on its queue: ``("ready", the run clock's start)`` when the model is loaded,
``("frame", t_s, keypoints (33, 4), mean grey level, (width, height), frames
dropped so far)`` for each posed frame; ``("scene", t_s, keypoints scaled, grey frame)`` for the first ``SCENE_FRAMES``
frames a quarter of a second apart (true vertical from the scene's edges); ``("end",
posed, dropped)`` or ``("error", RunformError class, its raw words)`` last.

BlazePose is not mirror-symmetric (``pose._infer_segment``): as offline, it sees the runner
facing image-left; when the first ``FACING_FRAMES`` frames show a runner facing image-right,
the frames after them are mirrored for the model and its landmarks mirrored back.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import RunformError
from ..process import die_with_parent
from .frames import Clock, device_frames, file_frames, is_device, queue_frames

SCENE_FRAMES = 12  # as many as the offline background pass uses for true vertical
SCENE_EVERY_S = 0.25
SCENE_MAX_SIDE = 960  # the offline background pass's frame size


def run_worker(source: str | None, realtime: bool, seconds: float | None, queue, frames=None) -> None:
    """The worker process's body (``multiprocessing``): everything goes to ``queue``. ``frames``: a
    queue of (t_s, JPEG bytes) from the live page, in place of ``source``."""
    die_with_parent()
    os.environ.setdefault("GLOG_minloglevel", "2")
    if not os.environ.get("RUNFORM_DEBUG"):  # MediaPipe's native log lines stay off the read-out
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    try:
        posed, dropped = track(source, realtime, seconds, queue, frames)
        queue.put(("end", posed, dropped))
    except RunformError as e:  # rebuilt in the parent: an exception's hint does not survive pickling
        queue.put(("error", type(e), e.raw))


def track(source: str | None, realtime: bool, seconds: float | None, queue, inbox=None) -> tuple[int, int]:
    """Pose every frame the clock lets through; returns (frames posed, frames dropped). The run's
    clock starts when the model is ready (``("ready", its start)`` first on the queue)."""
    from ..sources.video.pose import (FACING_FRAMES, INFERENCE_MAX_SIDE, PoseSettings, _nose_ahead, _tracker, faces_right,
                                      pose_frame)

    settings = PoseSettings()
    tracker = _tracker(settings)
    drops: list = []
    clock = Clock()
    if inbox is not None:
        frames = queue_frames(inbox, drops)
    elif is_device(source):
        frames = device_frames(source, clock, INFERENCE_MAX_SIDE, seconds)
    else:
        frames = file_frames(Path(source), clock, realtime, INFERENCE_MAX_SIDE, drops)
    queue.put(("ready", clock.start))
    facing, flip, posed, next_scene, scenes = [], False, 0, 0.0, 0
    try:
        for t, rgb in frames:
            if seconds is not None and t >= seconds:
                break
            h, w = rgb.shape[:2]
            a = pose_frame(tracker, rgb, w, h, flip)
            posed += 1
            queue.put(("frame", t, a, float(rgb[::8, ::8].mean()), (w, h), len(drops)))
            if scenes < SCENE_FRAMES and t >= next_scene and np.isfinite(a[:, 0]).any():
                queue.put(("scene", t, *_scene_frame(rgb, a)))
                scenes, next_scene = scenes + 1, t + SCENE_EVERY_S
            if posed <= FACING_FRAMES:
                facing.append(_nose_ahead(a))
                if posed == FACING_FRAMES and faces_right(facing):
                    tracker.close()
                    tracker, flip = _tracker(settings), True  # faces image-right: mirrored from here on
    finally:
        tracker.close()
    return posed, len(drops)


def _scene_frame(rgb: np.ndarray, keypoints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A grey frame at the background pass's size and the keypoints in its pixels."""
    import cv2

    scale = min(1.0, SCENE_MAX_SIDE / max(rgb.shape[:2]))
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if scale < 1.0:
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return keypoints[:, :2] * scale, grey
