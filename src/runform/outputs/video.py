"""annotated.mp4: the runner's video with skeleton, trunk-lean line and live read-outs.

H.264 (libx264, yuv420p, +faststart) so that every browser plays it. Frames
are streamed from the source and encoded one by one; the video is never held
in memory. Output is capped at 720 px on its short side.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

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
                    summary: dict, fps: float, tick=None) -> None:
    """The video at most 720p with the skeleton, the true vertical and the figures drawn on each
    frame; ``tick(1)`` after each frame."""
    import av

    times = motion_px["time"].values
    if len(times) == 0:
        return
    up = up_vector(summary["scene"].get("camera_tilt_deg", 0.0))  # a front or back view is not levelled
    contacts = [(r.foot, r.ic_s, r.to_s) for r in strides.itertuples()]
    cadence = (summary["metrics"].get("cadence_spm") or {}).get("median")
    out = av.open(str(path), "w", options={"movflags": "+faststart"})
    stream = None
    try:
        for t, img in iter_frames(video, float(times[0]), float(times[-1]) + 1e-3, threads=True,
                                  turns=int(motion_px.attrs.get("turns", 0))):
            if stream is None:
                stream = _stream(out, img.shape, fps)
            i = int(np.argmin(np.abs(times - t)))
            img = _draw(img.copy(), frame_keypoints(motion_px, i), series, i, t, contacts, cadence, up)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            if (stream.width, stream.height) != (img.shape[1], img.shape[0]):
                frame = frame.reformat(width=stream.width, height=stream.height)
            for packet in stream.encode(frame):
                out.mux(packet)
            if tick:
                tick(1)
        if stream is not None:
            for packet in stream.encode():
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
    stream.options = {"crf": "23", "preset": "veryfast"}
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
