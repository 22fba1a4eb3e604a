"""annotated.mp4: the runner's video with skeleton, trunk-lean line and live read-outs.

H.264 (libx264, yuv420p, +faststart) so that every browser plays it. Frames
are streamed from the source and encoded one by one; the video is never held
in memory. Output is capped at 720 px on its short side.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from ..process import die_with_parent
from ..sources.video.decode import iter_frames
from .draw import (
    COLOURS,
    draw_skeleton,
    draw_trunk_line,
    frame_keypoints,
    label,
    up_vector,
)

MAX_SHORT_SIDE = 720


def write_annotated(path: Path, video: str, motion_px, series: dict, strides: pd.DataFrame,
                    summary: dict, fps: float, tick=None, workers: int | None = None) -> None:
    """The video at most 720p with the skeleton, the true vertical and the figures drawn on each
    frame; ``tick(n)`` as frames are done. Rendered in one segment per core (``SEGMENT_MIN_FRAMES``
    at least each), the last here and the others in forked workers, then joined without
    re-encoding: every segment starts on a key frame and has no B-frames."""
    times = motion_px["time"].values
    if len(times) == 0:
        return
    job = _Render(video, motion_px, series, strides, summary, fps)
    spans = _spans(len(times), workers or os.cpu_count() or 1)
    if len(spans) == 1 or "fork" not in mp.get_all_start_methods():
        job.render(path, 0, len(times), tick)
        return
    parts = [path.with_name(f".{path.stem}.part{i}{path.suffix}") for i in range(len(spans))]
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    try:
        with ProcessPoolExecutor(len(spans) - 1, mp_context=ctx, initializer=_init_worker,
                                 initargs=(job, queue)) as pool:
            futures = [pool.submit(_render_part, part, a, b) for part, (a, b) in zip(parts, spans[:-1])]
            job.render(parts[-1], *spans[-1], tick)
            while not all(f.done() for f in futures) or not queue.empty():
                _drain(queue, tick)
            for f in futures:
                f.result()
        _join(parts, path)
    finally:
        for part in parts:
            part.unlink(missing_ok=True)


SEGMENT_MIN_FRAMES = 120  # below this a worker's start costs more than it saves


def _spans(n: int, workers: int) -> list[tuple[int, int]]:
    """``[a, b)`` frame ranges, one per worker, equal in length."""
    k = max(1, min(workers, n // SEGMENT_MIN_FRAMES))
    edges = np.linspace(0, n, k + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]


class _Render:
    """Everything a segment needs to draw its frames (held by the forked workers, not sent)."""

    def __init__(self, video: str, motion_px, series: dict, strides: pd.DataFrame, summary: dict, fps: float):
        self.video, self.motion, self.series, self.fps = video, motion_px, series, fps
        self.times = motion_px["time"].values
        self.up = up_vector(summary["scene"].get("camera_tilt_deg", 0.0))  # a front or back view is not levelled
        self.contacts = [(r.foot, r.ic_s, r.to_s) for r in strides.itertuples()]
        self.cadence = (summary["metrics"].get("cadence_spm") or {}).get("median")

    def render(self, path: Path, a: int, b: int, tick=None) -> None:
        """Frames ``a`` to ``b - 1`` of the analysis into ``path``, time-stamped with their numbers."""
        import av

        times = self.times
        out = av.open(str(path), "w", options={"movflags": "+faststart"})
        stream, pts = None, a - 1
        try:
            for t, img in iter_frames(self.video, float(times[a]) - 1e-6, float(times[b - 1]) + 1e-3, threads=True,
                                      turns=int(self.motion.attrs.get("turns", 0))):
                if stream is None:
                    stream = _stream(out, img.shape, self.fps)
                i = int(np.argmin(np.abs(times - t)))
                img = _draw(img.copy(), frame_keypoints(self.motion, i), self.series, i, t, self.contacts,
                            self.cadence, self.up)
                frame = av.VideoFrame.from_ndarray(img, format="rgb24")
                if (stream.width, stream.height) != (img.shape[1], img.shape[0]):
                    frame = frame.reformat(width=stream.width, height=stream.height)
                pts = frame.pts = max(i, pts + 1)  # its frame number in the whole analysis
                for packet in stream.encode(frame):
                    out.mux(packet)
                if tick:
                    tick(1)
            if stream is not None:
                for packet in stream.encode():
                    out.mux(packet)
        finally:
            out.close()


_job: _Render | None = None
_queue = None


def _init_worker(job: _Render, queue) -> None:
    global _job, _queue
    _job, _queue = job, queue
    die_with_parent()


def _render_part(path: Path, a: int, b: int) -> None:
    _job.render(path, a, b, lambda n=1: _queue.put(n))


def _drain(queue, tick) -> None:
    import queue as q

    try:
        n = queue.get(timeout=0.2)
    except q.Empty:
        return
    if tick:
        tick(n)


def _join(parts: list[Path], path: Path) -> None:
    """The segments one after another in one file, packets copied as they are (their time stamps
    are already the frame numbers of the whole analysis)."""
    import av

    with av.open(str(parts[0])) as first:
        out = av.open(str(path), "w", options={"movflags": "+faststart"})
        try:
            stream = out.add_stream_from_template(first.streams.video[0])
            for part in parts:
                with av.open(str(part)) as inp:
                    for packet in inp.demux(inp.streams.video[0]):
                        if packet.dts is None:  # the demuxer's end-of-stream marker
                            continue
                        packet.stream = stream
                        out.mux(packet)
        finally:
            out.close()


def _stream(out, shape: tuple, fps: float):
    """An H.264 stream at the frame's size, scaled so the short side is at most 720 (even sizes)."""
    h, w = shape[:2]
    scale_f = min(1.0, MAX_SHORT_SIDE / min(h, w))
    stream = out.add_stream("libx264", rate=int(round(fps)))
    stream.width = int(w * scale_f) // 2 * 2
    stream.height = int(h * scale_f) // 2 * 2
    stream.pix_fmt = "yuv420p"
    stream.time_base = Fraction(1, int(round(fps)))  # a frame's time stamp is its number
    stream.options = {"crf": "23", "preset": "veryfast", "bf": "0"}  # no B-frames: segments join as they are
    return stream


def _draw(img: np.ndarray, kp: dict, series: dict, i: int, t: float, contacts: list, cadence, up) -> np.ndarray:
    """Skeleton, trunk line against the true vertical, time, trunk lean (or, from the front or
    back, how level the pelvis is), knees, feet on the ground and cadence."""
    s = img.shape[0] / 720
    draw_skeleton(img, kp, s)
    draw_trunk_line(img, kp, up, s)
    y = int(36 * s)
    label(img, f"t {t:5.2f} s", (10, y), s)
    for key, text in (("trunk_lean_deg", "trunk lean"), ("pelvic_obliquity_deg", "pelvis level")):
        v = series[key][i] if key in series else np.nan
        if np.isfinite(v):
            y += int(30 * s)
            label(img, f"{text} {v:4.1f} deg", (10, y), s)
    for side in ("left", "right"):
        k = series[f"{side}_knee_flexion_deg"][i] if f"{side}_knee_flexion_deg" in series else np.nan
        on = any(f == side and a <= t <= b for f, a, b in contacts)
        y += int(30 * s)
        text = f"{side} knee {k:3.0f} deg" if np.isfinite(k) else f"{side} foot"
        label(img, text + ("  ON GROUND" if on else ""), (10, y), s, COLOURS[side])
    if cadence:
        y += int(30 * s)
        label(img, f"cadence {cadence:.0f} spm", (10, y), s)
    return img
