"""One pass over the clip's background, for the camera model: frames for true vertical
(``vertical.py``) and the camera's motion.

The frames are decoded once more after pose, scaled so the long side is at most
``MAX_SIDE`` (the keypoints are scaled with them). Camera motion: the
background's shift from a reference frame (the first, then a new one whenever
less than three quarters of it overlap) by phase correlation on quarter-size
grey frames, the runner's boxes in both frames filled with the frame's mean so
the runner does not pull it; measured against a fixed reference, a still
camera does not drift. This gives where the background is in each frame; a camera that pans or follows the runner moves it, a camera on a
tripod does not. Zoom is not measured. A frame whose eighth-size grey picture
differs from the one before by less than ``REPEAT_LEVEL`` on average repeats it
(a 120 fps file made from a 30 fps recording, a player that duplicates frames): the pose
pass tells them (``pose.Pose.repeated``) and this pass skips them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_SIDE = 960
N_VERTICAL_FRAMES = 12
MOVING_LEG_LENGTHS = 0.25  # background travel beyond which the camera counts as moving
MOTION_LEVEL = 12.0  # grey change (of 255) from one frame to the next that counts as something moving
OTHERS_MOVING = 0.3  # this much motion away from the runner as at the runner, with a still camera: someone else
REPEAT_LEVEL = 1.0  # mean grey difference (of 255) below which a frame repeats the one before (new pictures: 2-3 on the sample, re-encoded repeats: under 0.4)


@dataclass
class Background:
    frames: list  # (keypoints, grey frame, background shift) in the scaled frame's pixels, for true vertical
    shift_px: np.ndarray  # (time, 2): the background's position in each frame, full-size pixels
    scale: float  # scaled frame / full-size frame
    others_moving: float = 0.0  # motion away from the runner over motion at the runner (median over frames)


def scan(video: Path, times: np.ndarray, xy: np.ndarray, turns: int, size: tuple[int, int],
         repeated: np.ndarray, feet=None) -> Background:
    """Decode the analysed clip once: frames for true vertical and the background's shifts, and
    the crops around the feet when ``feet`` (a ``soles.CropCollector``) is given. A frame that
    repeats the picture before it (``repeated``, told by the pose pass) is decoded, as the codec
    needs, but not converted: it keeps the shift of the picture it repeats."""
    import cv2

    from .decode import iter_frames

    scale = min(1.0, MAX_SIDE / max(size))
    ok = (np.isfinite(xy[..., 0]).sum(1) >= 10) & ~repeated
    chosen = set(np.flatnonzero(ok)[np.linspace(0, max(ok.sum() - 1, 0), min(N_VERTICAL_FRAMES, ok.sum()))
                                    .round().astype(int)].tolist()) if ok.any() else set()
    frames, shifts, ref = [], np.zeros((len(times), 2)), None
    last, outside = None, []
    chosen_t = {round(float(times[i]), 4) for i in chosen}
    small_side = max(1, round(scale * max(size) / 4))
    other_side = max(small_side, feet.side(max(size))) if feet is not None else small_side
    side = lambda t: round(scale * max(size)) if round(t, 4) in chosen_t else other_side  # noqa: E731
    small_size = (max(1, round(size[0] * scale / 4)), max(1, round(size[1] * scale / 4)))  # (w, h), upright
    new_t = {round(float(t), 4) for t in times[~repeated]}
    is_new = lambda t: round(t, 4) in new_t  # noqa: E731
    prev = 0
    for t, gray in iter_frames(video, float(times[0]) - 1e-3, float(times[-1]) + 1e-3, max_side=side,
                               select=is_new, threads=True, turns=turns, gray=True):
        i = int(np.argmin(np.abs(times - t)))
        shifts[prev + 1:i] = shifts[prev]  # the repeats in between keep their picture's shift
        prev = i
        kp = xy[i] * scale
        if feet is not None:
            feet.add(i, gray)
        if i in chosen:
            frames.append((kp, gray, None))
        small = gray if (gray.shape[1], gray.shape[0]) == small_size else \
            cv2.resize(gray, small_size, interpolation=cv2.INTER_AREA)
        cur = (small.astype(np.float32), _box(kp * small_size[0] / (scale * size[0])))
        if last is not None:
            outside.append(_motion_outside(cur[0], last, cur[1]))
        last = cur[0]
        if ref is None:
            ref = (*cur, np.zeros(2))
        else:
            (dx, dy), _ = cv2.phaseCorrelate(_masked(ref[0], ref[1], cur[1]), _masked(cur[0], ref[1], cur[1]))
            shifts[i] = ref[2] + np.array([dx, dy]) * size[0] / small_size[0]
            if abs(dx) > small.shape[1] / 4 or abs(dy) > small.shape[0] / 4:  # little overlap left: new reference
                ref = (*cur, shifts[i])
        if i in chosen:
            frames[-1] = (kp, gray, shifts[i] * scale)
    shifts[prev + 1:] = shifts[prev]
    ratios = [r for r in outside if np.isfinite(r)]
    return Background(frames, shifts, scale, float(np.median(ratios)) if ratios else 0.0)


def _motion_outside(cur: np.ndarray, last: np.ndarray, box) -> float:
    """Pixels that changed between two frames away from the runner's box, over those in it. With
    a still camera: 0.005 with one runner on the sample and the garage clip, 1.07 with the sample
    beside itself (two runners). A moving camera moves everything (2.2 on the panning track clip),
    so it means something only when the camera is still."""
    if box is None:
        return float("nan")
    moved = np.abs(cur - last) > MOTION_LEVEL
    inside = np.zeros_like(moved)
    inside[box[1]:box[3], box[0]:box[2]] = True
    n_in = int((moved & inside).sum())
    return float((moved & ~inside).sum()) / n_in if n_in >= 20 else float("nan")


def _box(kp: np.ndarray) -> tuple[int, int, int, int] | None:
    """The runner's box (x0, y0, x1, y1) with a margin, in the keypoints' pixels."""
    k = kp[np.isfinite(kp[:, 0])]
    if not len(k):
        return None
    (x0, y0), (x1, y1) = k.min(0), k.max(0)
    pad = 0.15 * (y1 - y0)
    return max(0, int(x0 - pad)), max(0, int(y0 - pad)), int(x1 + pad) + 1, int(y1 + pad) + 1


def _masked(img: np.ndarray, *boxes) -> np.ndarray:
    """The frame with the runner's boxes (both frames' of a pair) filled with its mean."""
    out = img.copy()
    for b in boxes:
        if b is not None:
            out[b[1]:b[3], b[0]:b[2]] = img.mean()
    return out


@dataclass(frozen=True)
class CameraFacts:
    """Whether the camera moved, in summary.json's ``scene``."""

    camera: str  # static or moving
    background_travel_px: float  # full-size pixels
    background_travel_leg_lengths: float | None


def camera_motion(bg: Background, leg_px: float) -> CameraFacts:
    """How far the background travelled (full-size pixels and leg lengths), and whether the
    camera moved."""
    travel = float(np.ptp(bg.shift_px[:, 0])) if len(bg.shift_px) else 0.0
    moving = bool(np.isfinite(leg_px) and travel > MOVING_LEG_LENGTHS * leg_px)
    return CameraFacts("moving" if moving else "static", round(travel, 1),
                       round(travel / leg_px, 2) if np.isfinite(leg_px) else None)
