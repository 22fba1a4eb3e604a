"""A virtual phone camera beside the treadmill: 3D keypoints -> a side-view pose track.

The lab trial's keypoints are projected orthographically onto the sagittal
plane (forward, up), rolled by ``roll_deg`` like a camera that is not level,
scaled to pixels, sampled at a phone frame rate and degraded like a pose
estimator: white Gaussian noise of ``noise_m`` per coordinate (default 1.5 cm,
the order of the 2D keypoint error of single-camera pose estimators against
markers in running, e.g. Needham et al. 2021, Sci Rep 11:20673) and blocks of
frames where the two legs' labels are swapped (the far-leg errors of side
views). The result is a motion dataset in image pixels, exactly what the
video path produces.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..engine.dataset import make_motion

LEG = ("knee", "ankle", "heel", "foot_index")


def side_view(kp_mm: dict[str, np.ndarray], times_s: np.ndarray, forward: np.ndarray, up: np.ndarray,
              *, fps: float = 60.0, noise_m: float = 0.015, roll_deg: float = 3.0, facing: int = -1,
              px_per_m: float = 800.0, swap_rate_hz: float = 0.5, seed: int = 0) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    names = sorted(kp_mm)
    frame_t = np.arange(times_s[0], times_s[-1], 1.0 / fps)
    pos = np.empty((len(frame_t), len(names), 2))
    for j, n in enumerate(names):
        p = kp_mm[n] / 1000.0
        f, u = p @ forward, p @ up
        ok = np.isfinite(f) & np.isfinite(u)
        pos[:, j, 0] = np.interp(frame_t, times_s[ok], f[ok]) * facing
        pos[:, j, 1] = np.interp(frame_t, times_s[ok], u[ok])
    pos += rng.normal(0.0, noise_m, pos.shape)
    th = np.radians(roll_deg)
    rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    pos = pos @ rot.T
    px = np.empty_like(pos)
    px[..., 0] = 960 + (pos[..., 0] - np.nanmedian(pos[..., 0])) * px_per_m
    px[..., 1] = 1000 - pos[..., 1] * px_per_m
    conf = np.full(px.shape[:2], 0.95)
    n_swapped = 0
    if swap_rate_hz > 0:
        starts = np.flatnonzero(rng.random(len(frame_t)) < swap_rate_hz / fps)
        for s in starts:
            e = min(len(frame_t), s + int(rng.integers(1, 4)))
            for part in LEG:
                if f"left_{part}" in names:
                    li, ri = names.index(f"left_{part}"), names.index(f"right_{part}")
                    px[s:e, [li, ri]] = px[s:e, [ri, li]]
            n_swapped += e - s
    return make_motion(frame_t, px, conf, names, source="virtual-camera", space_unit="px",
                       vertical_up=False, injected_swaps=n_swapped, noise_m=noise_m)
