"""Pose estimation with MediaPipe BlazePose (legacy ``solutions.pose``).

``model_complexity=1`` in tracking mode: its detector and landmark model ship
inside the mediapipe 0.10.21 wheel, so nothing is downloaded. All 33
landmarks with their visibility are kept, in pixels of the upright frame.

MediaPipe's inference runs on one core, so a clip is cut into time segments
that run in parallel worker processes (one per core). Each segment after the
first starts ``WARMUP_S`` early so its tracker has locked on by the segment
boundary; the overlap is dropped. With one worker (as in a batch, where each
Dask worker analyses one recording on one core) it runs in the calling process.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ...process import die_with_parent

LANDMARKS = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
)
MODEL_NAME = "mediapipe-blazepose-full"
MODEL_COMPLEXITY = 1
WARMUP_S = 0.3  # the tracker locks on at its first detection; a few frames suffice
MIN_SEGMENT_S = 4.0
# A clip is cut into the same segments whatever the number of workers, so its pose (and every
# figure) is the same from a one-worker batch task and a two-worker analysis: one worker runs
# the segments one after the other, each with its own tracker and warm-up.
SEGMENTS = 2
DECODE_ONLY_COST = 0.08  # decoding a frame without inference: 1.9 of 24 ms (720p H.264, this machine)
INFERENCE_MAX_SIDE = 1920  # frames up to 1080p go in as they are (scaling costs more than it saves)


class Pose(NamedTuple):
    """The pose pass's output, one row per frame in time order."""

    times: np.ndarray  # (n,) s, the frames' presentation times
    xyzv: np.ndarray  # (n, 33, 4): x, y in upright pixels, z, visibility
    luma: np.ndarray  # (n,) mean grey level (0-255) of each frame
    repeated: np.ndarray  # (n,) bool: the frame repeats the picture before it and kept that pose


@dataclass(frozen=True)
class PoseSettings:
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    inference_max_side: int = INFERENCE_MAX_SIDE

    def key(self) -> str:
        return (
            f"{MODEL_NAME}-c{MODEL_COMPLEXITY}-d{self.min_detection_confidence}"
            f"-t{self.min_tracking_confidence}-s{self.inference_max_side}"
        )


def mediapipe_version() -> str:
    from importlib.metadata import version

    return version("mediapipe")


_progress_queue = None


def _init_worker(queue) -> None:
    """Worker set-up: progress queue, and MediaPipe's C++ log chatter kept off the user's
    terminal (its native code writes to file descriptor 2 directly; Python errors still
    reach the parent through the futures)."""
    global _progress_queue
    _progress_queue = queue
    _limit_malloc_arenas()
    die_with_parent()
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if not os.environ.get("RUNFORM_DEBUG"):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)


def _limit_malloc_arenas(n: int = 2) -> None:
    """MediaPipe runs several threads; glibc gives each its own malloc arena, and a worker's
    memory grew by up to 60 MB with them (measured on a 1080p video). Two arenas suffice."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, n)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune


def _infer_segment(args) -> Pose:
    """Run BlazePose on frames in [seg_start, seg_end).

    x, y are pixels of the upright full-resolution frame, z is MediaPipe's
    relative depth (same scale as x), v is visibility in [0, 1]. BlazePose is
    not mirror-symmetric (a mirrored clip gave contact times 60 ms longer), so
    it always sees the runner facing image-left: when the first frames show a
    runner facing image-right, the segment is tracked again from its start on
    flipped frames and the landmarks are flipped back. A frame that repeats the
    picture before it (``_repeats``) is not converted to colour nor posed: it
    keeps the pose it had.
    """
    return _track(args, flip=False) or _track(args, flip=True)


def _track(args, flip: bool) -> Pose | None:
    """One tracking pass over a segment; None when, unflipped, the runner faces image-right."""
    path, seg_start, seg_end, warm_start, width, height, settings = args
    from .decode import iter_frames

    rows, nose_ahead = [], []
    empty = np.full((len(LANDMARKS), 4), np.nan, dtype=np.float32)
    decided, last, a, lum = flip, None, empty, 0.0
    with _tracker(settings) as pose:
        pending = 0
        for i, (t, pic) in enumerate(iter_frames(path, warm_start, seg_end, settings.inference_max_side, lazy=True)):
            small = pic.thumbnail(THUMBNAIL_DIV)
            new = last is None or not _repeats(small, last)
            if new:
                img = pic.rgb()
                a = pose_frame(pose, img, width, height, flip)
                lum = float(img[::8, ::8].mean())
            last = small
            if not decided:
                nose_ahead.append(_nose_ahead(a))
                if i + 1 >= FACING_FRAMES:
                    if faces_right(nose_ahead):
                        return None  # faces image-right: track again, mirrored
                    decided = True
            if t >= seg_start - 1e-6:
                rows.append((t, a, lum, not new))
                pending += 1
            if decided and _progress_queue is not None and pending >= 10:
                _progress_queue.put(pending)
                pending = 0
        if _progress_queue is not None and pending:
            _progress_queue.put(pending)
    if not rows:
        return Pose(np.zeros(0), np.zeros((0, len(LANDMARKS), 4), np.float32), np.zeros(0), np.zeros(0, bool))
    times, xyzv, luma, repeated = zip(*rows)
    return Pose(np.asarray(times, float), np.stack(xyzv), np.asarray(luma, float), np.asarray(repeated, bool))


THUMBNAIL_DIV = 8  # repeats are told on the frame at an eighth of its size: compression noise averages out


def _repeats(small: np.ndarray, last: np.ndarray) -> bool:
    """Does this frame repeat the one before (no new picture)? background.REPEAT_LEVEL's rule."""
    from .background import REPEAT_LEVEL

    return small.shape == last.shape and float(np.mean(np.abs(small - last))) < REPEAT_LEVEL


FACING_FRAMES = 15  # frames tracked at a segment's start to see which way the runner faces
_MIRROR = [LANDMARKS.index(n.replace("left", "#").replace("right", "left").replace("#", "right"))
           for n in LANDMARKS]
_NOSE = LANDMARKS.index("nose")
_EARS, _SHOULDERS, _ANKLES = ([LANDMARKS.index(f"{s}_{p}") for s in ("left", "right")]
                              for p in ("ear", "shoulder", "ankle"))


def pose_frame(tracker, img: np.ndarray, width: int, height: int, flip: bool) -> np.ndarray:
    """One frame's landmarks (``_landmarks``; NaN when nobody is found), mirrored for the model
    when ``flip``; x, y in pixels of a ``width`` x ``height`` frame."""
    res = tracker.process(np.ascontiguousarray(img[:, ::-1]) if flip else img)
    if res.pose_landmarks is None:
        return np.full((len(LANDMARKS), 4), np.nan, dtype=np.float32)
    return _landmarks(res, width, height, flip)


def faces_right(nose_ahead: list[float]) -> bool:
    """Whether the first ``FACING_FRAMES`` frames' noses (``_nose_ahead``) show a runner facing
    image-right, whom the model is given mirrored."""
    seen = np.asarray(nose_ahead)[np.isfinite(nose_ahead)]
    return len(seen) >= FACING_FRAMES // 2 and float(np.median(seen)) > 0


def _nose_ahead(a: np.ndarray) -> float:
    """How far the nose lies image-right of the ears, in a frame whose runner stands upright
    (shoulders above ankles within 45 deg); NaN otherwise: a runner sideways or upside down in the
    picture is turned upright after the pose (``pose.orientation``) and not mirrored here."""
    body = (a[_SHOULDERS, :2].mean(0) - a[_ANKLES, :2].mean(0))
    if not np.isfinite(body).all() or body[1] >= 0 or abs(body[0]) > -body[1]:
        return float("nan")
    return float(a[_NOSE, 0] - a[_EARS, 0].mean())


def _tracker(settings: PoseSettings):
    import mediapipe as mp

    return mp.solutions.pose.Pose(
        static_image_mode=False,
        model_complexity=MODEL_COMPLEXITY,
        smooth_landmarks=False,  # runform filters with a documented zero-lag filter instead
        enable_segmentation=False,
        min_detection_confidence=settings.min_detection_confidence,
        min_tracking_confidence=settings.min_tracking_confidence,
    )


def _landmarks(res, width: int, height: int, flipped: bool) -> np.ndarray:
    """One frame's landmarks in pixels of the unflipped frame, sides named as in that frame."""
    lm = res.pose_landmarks.landmark
    a = np.array([[p.x * width, p.y * height, p.z * width, p.visibility] for p in lm], dtype=np.float32)
    if flipped:
        a = a[_MIRROR]
        a[:, 0] = width - a[:, 0]
    return a


def plan_segments(start_s: float, end_s: float, workers: int,
                  keyframes: list[float] | None = None) -> list[tuple[float, float, float]]:
    """Split [start_s, end_s) into ``(seg_start, seg_end, warm_start)`` for parallel workers.

    The cuts balance the work, not the seconds: a segment pays for every frame from its warm
    start on, plus a decode-only pass from the keyframe before its warm start (phones put
    keyframes 1-10 s apart), weighed ``DECODE_ONLY_COST`` of a full frame.
    """
    span = end_s - start_s
    n = max(1, min(workers, SEGMENTS, int(span // MIN_SEGMENT_S)))
    kf = np.sort(np.asarray(keyframes if keyframes else [], float))

    def warm(a: float, first: bool) -> float:
        return a if first else max(start_s, a - WARMUP_S)

    def seek_cost(w: float) -> float:
        if w <= 0.5 or kf.size == 0:  # iter_frames decodes from the start below 0.5 s
            return DECODE_ONLY_COST * w if w <= 0.5 else 0.0
        before = kf[kf <= w + 1e-6]
        return DECODE_ONLY_COST * (w - (before[-1] if before.size else 0.0))

    def cuts(budget: float) -> list[float]:
        edges, a = [start_s], start_s
        while a < end_s - 1e-9 and len(edges) <= n:
            w = warm(a, a == start_s)
            a = max(a + 1e-3, w + budget - seek_cost(w))
            edges.append(min(a, end_s))
        return edges

    lo, hi = span / n, span * (1 + DECODE_ONLY_COST) + 1.0
    for _ in range(50):  # smallest per-segment budget that covers the range in n segments
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if len(cuts(mid)) - 1 <= n and cuts(mid)[-1] >= end_s - 1e-9 else (mid, hi)
    edges = cuts(hi)
    edges[-1] = end_s
    return [(float(a), float(b), float(warm(a, i == 0))) for i, (a, b) in enumerate(zip(edges[:-1], edges[1:]))]


class PoseJob:
    """BlazePose over [start_s, end_s) in parallel worker processes, started at once."""

    def __init__(self, path: str, width: int, height: int, start_s: float, end_s: float,
                 settings: PoseSettings = PoseSettings(), workers: int | None = None):
        import multiprocessing as mp

        from .decode import keyframe_times

        workers = min(SEGMENTS, workers or max(1, min(2, os.cpu_count() or 1)))
        plan = plan_segments(start_s, end_s, SEGMENTS, keyframe_times(path))
        jobs = [(path, a, b, w, width, height, settings) for a, b, w in plan]
        self._pool = None
        if workers == 1:  # the segments in turn, here: a batch task runs in a worker that may not fork
            self._inline = jobs
            return
        # fork is quick and safe here: the parent never imports mediapipe (workers do, after
        # the fork), so no model threads are copied; spawn where fork does not exist.
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        self._queue = ctx.Queue()
        self._pool = ProcessPoolExecutor(len(jobs), mp_context=ctx, initializer=_init_worker,
                                         initargs=(self._queue,))
        self._futures = [self._pool.submit(_infer_segment, job) for job in jobs]

    def result(self, on_progress=None) -> Pose:
        """Every frame's pose, in time order."""
        if self._pool is None:
            parts = []
            for job in self._inline:
                parts.append(_infer_segment(job))
                if on_progress:
                    on_progress(len(parts[-1][0]))
            return _join(parts)
        try:
            while not all(f.done() for f in self._futures):
                _drain(self._queue, on_progress, timeout=0.2)
            _drain(self._queue, on_progress, timeout=0.0)
            parts = [f.result() for f in self._futures]
        except BaseException:  # Ctrl-C (to this process alone) or a failed segment: stop the others now
            self._stop_workers()
            raise
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
        return _join(parts)

    def _stop_workers(self) -> None:
        """End the workers at once rather than wait for their segments (seconds each)."""
        for proc in list((self._pool._processes or {}).values()):
            if proc.is_alive():
                proc.terminate()


def _join(parts: list[Pose]) -> Pose:
    """The segments' frames in time order, each frame once."""
    joined = Pose(*(np.concatenate([getattr(p, f) for p in parts]) for f in Pose._fields))
    order = np.argsort(joined.times, kind="stable")
    keep = np.concatenate([[True], np.diff(joined.times[order]) > 1e-9])  # drop duplicate frames at seams
    return Pose(*(a[order][keep] for a in joined))


def _drain(queue, on_progress, timeout: float) -> None:
    import queue as q

    try:
        n = queue.get(timeout=timeout) if timeout else queue.get_nowait()
        if on_progress:
            on_progress(n)
        while True:
            n = queue.get_nowait()
            if on_progress:
                on_progress(n)
    except q.Empty:
        pass
