"""The lab's axes, found from the data: which way is up, which way the runner runs.

Labs differ (Y up or Z up, running along +X, -Y ...), and files rarely say.
* Up: with force plates, the axis along which the ground reaction force is
  largest (gravity); otherwise the lab axis nearest to the direction from the
  feet to the pelvis (labs keep one axis vertical), or, when no axis is within
  30 deg of it, the normal of the plane the feet rest on. Pointing from the
  feet to the pelvis.
* Forward: the horizontal velocity of the pelvis relative to the foot on the
  ground. On a treadmill the pelvis stays and the stance foot moves backward;
  overground the stance foot stays and the pelvis moves forward: the
  difference points forward in both.
* Right = forward x up. Markers are then rotated into runner coordinates
  x forward, y up, z right (right-handed, as the OpenSim models).
"""

from __future__ import annotations

import numpy as np


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def up_axis(pelvis: np.ndarray, feet_by_side: list[np.ndarray], force: np.ndarray | None = None
            ) -> np.ndarray:
    """pelvis and each foot: (time, 3) centroids in lab coordinates; force: (time, plate, 3) or None."""
    rough = _unit(np.nanmean(pelvis - np.nanmean(feet_by_side, axis=0), axis=0))
    if force is not None:
        k = int(np.argmax(np.nanmean(np.abs(np.nansum(force, axis=1)), axis=0)))
        return _axis(k, rough)
    k = int(np.argmax(np.abs(rough)))
    if abs(rough[k]) > np.cos(np.radians(30)):
        return _axis(k, rough)
    low = []
    for foot in feet_by_side:
        h = foot @ rough
        ok = np.isfinite(h)
        if ok.sum() >= 10:
            low.append(foot[ok & (h < np.nanpercentile(h, 25))])
    pts = np.concatenate(low) if low else np.empty((0, 3))
    if len(pts) < 20:
        return rough
    normal = np.linalg.svd(pts - pts.mean(0), full_matrices=False)[2][-1]
    return normal * np.sign(normal @ rough)


def _axis(k: int, towards: np.ndarray) -> np.ndarray:
    v = np.zeros(3)
    v[k] = 1.0 if towards[k] >= 0 else -1.0
    return v


def forward_axis(times_s: np.ndarray, pelvis: np.ndarray, feet_by_side: list[np.ndarray],
                 up: np.ndarray) -> np.ndarray:
    dt = np.gradient(times_s)[:, None]
    vp = np.gradient(pelvis, axis=0) / dt
    rel = []
    for foot in feet_by_side:
        h = foot @ up
        ok = np.isfinite(h)
        if ok.sum() < 10:
            continue
        low = h < np.nanpercentile(h, 20)  # on the ground
        vf = np.gradient(foot, axis=0) / dt
        rel.append(np.nanmedian((vp - vf)[low], axis=0))
    v = np.nanmean(rel, axis=0) if rel else np.nanmedian(vp, axis=0)
    v = v - up * (v @ up)
    return _unit(v)


def runner_basis(forward: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Rows: x forward, y up, z right; ``lab @ basis.T`` gives runner coordinates."""
    return np.stack([forward, up, np.cross(forward, up)])
