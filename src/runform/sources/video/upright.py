"""Is the runner upright in the picture? Quarter turns that make them so.

A phone video can reach runform turned sideways or upside down: the pixels
rotated, or upright pixels with a wrong rotation tag. Every sagittal angle
is then measured against the wrong vertical. The runner's own body says
which way is up: the line from the ankles to the shoulders points up in a
running person through the whole stride (the trunk leans at most ~35 deg,
see docs/plausibility.md). BlazePose finds people at any rotation (its
detector aligns the body before the landmark model), so the keypoints of a
turned video are turned too, and turning them back is exact.
"""

from __future__ import annotations

import numpy as np

from ...errors import NotAnalysableError

CLEAR_SHARE = 0.7  # share of frames whose body axis lies within SECTOR_DEG of the same quarter turn
SECTOR_DEG = 35.0


def body_axis_deg(xy: np.ndarray, conf: np.ndarray, names) -> np.ndarray:
    """Per frame, the ankles-to-shoulders direction in the image: 0 = image-up, +90 = towards
    image-right, 180 = down (image y grows downwards); NaN where a keypoint is not seen."""
    idx = {n: i for i, n in enumerate(names)}

    def mid(a: str, b: str) -> np.ndarray:
        p = (xy[:, idx[a]] + xy[:, idx[b]]) / 2
        seen = np.minimum(conf[:, idx[a]], conf[:, idx[b]]) > 0.3
        p[~seen] = np.nan
        return p

    v = mid("left_shoulder", "right_shoulder") - mid("left_ankle", "right_ankle")
    return np.degrees(np.arctan2(v[:, 0], -v[:, 1]))


def upright_turns(axis_deg: np.ndarray) -> int:
    """Clockwise quarter turns (0-3) that bring the runner upright; refuses when unclear."""
    a = axis_deg[np.isfinite(axis_deg)]
    if len(a) < 10:
        return 0  # too little seen to judge: later checks say what is missing
    # a body pointing towards image-right (+90) is upright after one counter-clockwise turn (3 cw)
    shares = {k: float(np.mean(np.abs((a + 90 * k + 180) % 360 - 180) <= SECTOR_DEG)) for k in range(4)}
    best = max(shares, key=shares.get)
    if shares[best] >= CLEAR_SHARE:
        return best
    if shares[0] >= 0.5:
        return 0
    raise NotAnalysableError(
        f"The runner is not upright in the picture: the body points {np.median(a):+.0f} deg from the image's "
        f"up, and no quarter turn makes {int(100 * CLEAR_SHARE)} % of the frames upright.",
        "Rotate the video so the runner stands upright (most phone galleries can), then analyse it again.")


def turn_points(xy: np.ndarray, turns: int, width: int, height: int) -> tuple[np.ndarray, int, int]:
    """Pixel coordinates after ``turns`` clockwise quarter turns of a width x height picture
    (as ``np.rot90(img, -turns)``); -> (points, new width, new height)."""
    x, y = xy[..., 0], xy[..., 1]
    for _ in range(turns % 4):
        x, y = height - y, x
        width, height = height, width
    return np.stack([x, y], axis=-1), width, height
