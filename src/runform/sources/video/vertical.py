"""True vertical at the runner, from the scene's vertical edges.

Every sagittal angle is measured against vertical. The floor line is level in
the image only when the run is parallel to the image plane: a treadmill seen
at a slant, or a camera above or below belt height, makes it slope by
perspective while the camera is level. Vertical edges (door frames, cabinets,
posts, machines) stay vertical under that turn and show the camera's roll and
pitch directly.

On frames spread over the clip (``background.py``), with the runner's box (the pose's
keypoints plus a margin) masked out, OpenCV's line segment detector finds the
edges; those within ``MAX_TILT_DEG`` of the image vertical and longer than
``MIN_LENGTH`` of the frame height are kept. Their common vanishing point is
found by RANSAC on pairs (inliers: segments whose direction points at it
within ``INLIER_DEG``, weighted by length) and refined by least squares; it is
at infinity when the camera is level. True vertical at the runner is the
direction from the runner's hips towards that point. Its uncertainty is the
inliers' spread over the square root of the distinct edges (inliers per
frame), at least ``MIN_UNCERTAINTY_DEG``.

Angles follow ../shared/data/video/ANNOTATIONS.md: degrees from the image
vertical, + = top towards image-right. Which cue every angle then uses (these edges, the floor
line, the camera held level, a given angle) is ``engine.true_vertical.choose``.
"""

from __future__ import annotations

import numpy as np

from ...engine.true_vertical import Vertical

MAX_TILT_DEG = 25.0
MIN_LENGTH = 0.04  # of the frame height
INLIER_DEG = 1.0
MIN_INLIERS = 12  # distinct edges over all frames, after RANSAC
MIN_UNCERTAINTY_DEG = 0.2
BORDER = 0.02  # segments this close (share of the frame) to its edges are the frame's, not the scene's


def scene_vertical(frames: list) -> Vertical | None:
    """True vertical at the runner from the scene's edges in ``frames`` ((keypoints, grey frame,
    background shift), ``background.scan``), or None when they are too few. A moving camera's
    frames are first placed on the background, so their edges share one vanishing point."""
    return vertical_from_edges([frame_edges(*frame) for frame in frames])


def frame_edges(keypoints: np.ndarray, gray: np.ndarray, shift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One frame's near-vertical scene edges and the runner's hips, placed on the background
    (a live run finds them frame by frame, as the frames come)."""
    return _vertical_segments(gray, keypoints) - np.tile(shift, 2), np.nanmean(keypoints[[23, 24]], axis=0) - shift


def vertical_from_edges(edges: list) -> Vertical | None:
    """True vertical from the frames' ``frame_edges``, or None when they are too few."""
    if not edges:
        return None
    seg = np.concatenate([e[0] for e in edges])
    if len(seg) < MIN_INLIERS:
        return None
    vp, inliers, resid = _vanishing_point(seg)
    distinct = inliers.sum() / len(edges)
    if inliers.sum() < MIN_INLIERS or distinct < 2:
        return None
    hip = np.nanmedian(np.array([e[1] for e in edges]), axis=0)
    spread = 1.4826 * float(np.median(resid[inliers]))
    unc = max(MIN_UNCERTAINTY_DEG, spread / np.sqrt(distinct))
    return Vertical(round(_direction_deg(vp, hip), 2), round(unc, 2), "scene", int(round(distinct)))


def _vertical_segments(gray: np.ndarray, keypoints: np.ndarray) -> np.ndarray:
    """Near-vertical segments (x1, y1, x2, y2) outside the runner's box and the frame's edges."""
    import cv2

    found = cv2.createLineSegmentDetector().detect(gray)[0]
    if found is None:
        return np.empty((0, 4))
    s = found[:, 0].astype(float)
    h, w = gray.shape
    dx, dy = s[:, 2] - s[:, 0], s[:, 3] - s[:, 1]
    tilt = (np.degrees(np.arctan2(dx, -dy)) + 90) % 180 - 90
    mx, my = (s[:, 0] + s[:, 2]) / 2, (s[:, 1] + s[:, 3]) / 2
    k = keypoints[np.isfinite(keypoints[:, 0])]
    x0, y0 = k.min(0)
    x1, y1 = k.max(0)
    pad = 0.15 * (y1 - y0)
    runner = (mx > x0 - pad) & (mx < x1 + pad) & (my > y0 - pad) & (my < y1 + pad)
    edge = np.minimum.reduce([s[:, 0], s[:, 2], w - s[:, 0], w - s[:, 2]]) < BORDER * w
    keep = (np.hypot(dx, dy) > MIN_LENGTH * h) & (np.abs(tilt) < MAX_TILT_DEG) & ~runner & ~edge
    return s[keep]


def _residuals(vp: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Degrees between each segment and the direction from its middle to the vanishing point."""
    d = seg[:, 2:] - seg[:, :2]
    d /= np.linalg.norm(d, axis=1)[:, None]
    mid = (seg[:, :2] + seg[:, 2:]) / 2
    to = np.tile(vp[:2], (len(seg), 1)) if abs(vp[2]) < 1e-12 else vp[:2] / vp[2] - mid
    to /= np.maximum(np.linalg.norm(to, axis=1), 1e-12)[:, None]
    return np.degrees(np.arccos(np.abs(np.sum(to * d, axis=1)).clip(0, 1)))


def _vanishing_point(seg: np.ndarray, trials: int = 500, seed: int = 0):
    """(homogeneous vanishing point, inlier mask, residuals) of the segments."""
    p1 = np.c_[seg[:, :2], np.ones(len(seg))]
    p2 = np.c_[seg[:, 2:], np.ones(len(seg))]
    lines = np.cross(p1, p2)
    lines /= np.linalg.norm(lines[:, :2], axis=1)[:, None]
    weight = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])
    rng = np.random.default_rng(seed)
    best, vp = -1.0, np.array([0.0, 1.0, 0.0])
    for _ in range(trials):
        a, b = rng.choice(len(seg), 2, replace=False)
        v = np.cross(lines[a], lines[b])
        if np.linalg.norm(v) < 1e-12:
            continue
        v /= np.linalg.norm(v)
        score = weight[_residuals(v, seg) < INLIER_DEG].sum()
        if score > best:
            best, vp = score, v
    for _ in range(3):  # least squares on the inliers
        inl = _residuals(vp, seg) < INLIER_DEG
        if inl.sum() < 2:
            break
        vp = np.linalg.svd(lines[inl] * np.sqrt(weight[inl])[:, None])[2][-1]
    resid = _residuals(vp, seg)
    return vp, resid < INLIER_DEG, resid


def _direction_deg(vp: np.ndarray, at: np.ndarray) -> float:
    """Degrees from the image vertical of the line from ``at`` towards the vanishing point."""
    d = vp[:2] if abs(vp[2]) < 1e-12 else vp[:2] / vp[2] - at
    if d[1] > 0:  # image y points down: point the direction up
        d = -d
    return float(np.degrees(np.arctan2(d[0], -d[1])))


