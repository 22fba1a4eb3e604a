"""From image pixels to the runner's sagittal plane in metres.

* Running direction: the feet move backwards relative to the hips while they
  are on the ground (on a treadmill and overground alike), so the sign of the
  low-foot velocity relative to the mid-hip over the whole clip gives the
  direction. When the hips themselves travel more than two leg lengths across
  the frame the clip is overground and the hips' travel gives it.
* Floor line ("tilt"): the feet on the ground trace it. The lowest foot
  samples of each ~stride-long window are fitted with one robust line per
  foot (Theil-Sen, common slope).
* Sagittal axes: x along the floor line (the running surface as the camera
  sees it), y along true vertical at the runner (``vertical.py``: the scene's
  vertical edges; without them, perpendicular to the floor line). A camera
  that is only rolled turns both together; a treadmill seen at a slant tilts
  the floor line by perspective while vertical stays, and the two axes then
  meet at an angle other than 90 deg: heights stay relative to the floor
  (contacts) and every angle is against true vertical.
* Scale: from the runner's height (when given): hip-to-ankle length is
  0.491 x stature (thigh 0.245 + leg 0.246; Winter, Biomechanics and Motor
  Control of Human Movement, 4th ed., table 4.1). The 2D leg length is the sum
  of the 75th percentiles of the thigh and shank lengths over the clip (the
  segments are close to the image plane in a side view).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from .body import DEFAULT_HEIGHT_M, LEG_FRACTION_OF_HEIGHT
from .dataset import point
from .dsp import theil_sen_slope


@dataclass(frozen=True)
class SceneGeometry:
    direction: int  # +1: runner moves towards +x of the image, -1: towards -x
    tilt_deg: float  # floor line angle in the image (positive = floor rises to the right, y up)
    leg_length_px: float
    metres_per_px: float
    height_m: float
    height_given: bool
    floor_y_px: float  # image y of the floor line at x = 0 after rotation (y down)
    hip_travel_leg_lengths: float
    treadmill: bool
    vertical_deg: float | None = None  # true vertical, + = top towards image-right; None: normal to the floor


def _foot_low(ds: xr.Dataset, side: str) -> np.ndarray:
    """Per frame, the lower (larger image y) of heel and toe: (time, 2) pixels."""
    heel, toe = point(ds, f"{side}_heel"), point(ds, f"{side}_foot_index")
    use_toe = np.nan_to_num(toe[:, 1], nan=-np.inf) > np.nan_to_num(heel[:, 1], nan=-np.inf)
    return np.where(use_toe[:, None], toe, heel)


def leg_length_px(ds: xr.Dataset) -> float:
    lengths = []
    for side in ("left", "right"):
        hip, knee, ankle = (point(ds, f"{side}_{p}") for p in ("hip", "knee", "ankle"))
        thigh = np.linalg.norm(knee - hip, axis=1)
        shank = np.linalg.norm(ankle - knee, axis=1)
        if np.isfinite(thigh).sum() > 10 and np.isfinite(shank).sum() > 10:
            lengths.append(np.nanpercentile(thigh, 75) + np.nanpercentile(shank, 75))
    return float(np.mean(lengths)) if lengths else float("nan")


def running_direction(ds: xr.Dataset, leg_px: float) -> tuple[int, float]:
    """(+1 / -1, hip travel in leg lengths)."""
    hip = point(ds, "mid_hip")[:, 0]
    ok = np.isfinite(hip)
    travel = (hip[ok][-1] - hip[ok][0]) / leg_px if ok.sum() > 2 else 0.0
    if abs(travel) > 2.0:
        return int(np.sign(travel)), float(travel)
    dt = float(np.median(np.diff(ds["time"].values)))
    votes = 0.0
    for side in ("left", "right"):
        low = _foot_low(ds, side)
        rel = low[:, 0] - hip
        v = np.gradient(rel, dt)
        y = low[:, 1]
        ok = np.isfinite(v) & np.isfinite(y)
        if ok.sum() < 10:
            continue
        on_ground = y[ok] > np.nanpercentile(y[ok], 70)  # lowest 30 % of samples
        votes += -np.nanmean(v[ok][on_ground])
    return (1 if votes >= 0 else -1), float(travel)


def floor_tilt(ds: xr.Dataset, leg_px: float, window_s: float = 0.7, iterations: int = 4
               ) -> tuple[float, float]:
    """Robust floor-line angle from the feet on the ground: (tilt_deg, intercept_y_px).

    Each foot keypoint (heel, toe of each side) is grounded for part of every
    stance while the foot travels along the floor. In every stride-long window
    the samples within 3 % of a leg length of that keypoint's lowest point are
    taken; one Theil-Sen slope is fitted to all of them after removing each
    keypoint's own median (a common slope, one offset per keypoint). Selecting
    by height favours one end of a tilted floor, so selection and fit are
    repeated on heights with the current slope removed.
    """
    t = ds["time"].values
    pts = [point(ds, n) for n in ("left_heel", "left_foot_index", "right_heel", "right_foot_index")]
    slope = 0.0
    for _ in range(iterations):
        xs, ys, gs = [], [], []
        for g, p in enumerate(pts):
            for start in np.arange(t[0], t[-1], window_s):
                sel = (t >= start) & (t < start + window_s) & np.isfinite(p[:, 1]) & np.isfinite(p[:, 0])
                if sel.sum() < 3:
                    continue
                yw = p[sel, 1] - slope * p[sel, 0]
                near = yw >= np.max(yw) - 0.03 * leg_px
                xs.append(p[sel][near, 0])
                ys.append(p[sel][near, 1])
                gs.append(np.full(near.sum(), g))
        if not xs:
            return 0.0, float("nan")
        x, y, grp = np.concatenate(xs), np.concatenate(ys), np.concatenate(gs)
        xc, yc = x.copy(), y.copy()
        for g in np.unique(grp):
            m = grp == g
            xc[m] -= np.median(x[m])
            yc[m] -= np.median(y[m])
        if np.ptp(xc) < 1e-6:
            return 0.0, float(np.max(y))
        slope = theil_sen_slope(xc, yc)
    # the floor passes through the lowest keypoints (largest image y)
    intercept = float(np.percentile(y - slope * x, 90))
    # image y points down: a floor rising to the right has a negative slope
    return float(np.degrees(np.arctan(-slope))), intercept


def analyse_scene(ds: xr.Dataset, height_m: float | None) -> SceneGeometry:
    leg_px = leg_length_px(ds)
    direction, travel = running_direction(ds, leg_px)
    tilt, intercept = floor_tilt(ds, leg_px)
    h = height_m or DEFAULT_HEIGHT_M
    m_per_px = h * LEG_FRACTION_OF_HEIGHT / leg_px
    return SceneGeometry(
        direction=direction,
        tilt_deg=tilt,
        leg_length_px=leg_px,
        metres_per_px=m_per_px,
        height_m=h,
        height_given=height_m is not None,
        floor_y_px=intercept,
        hip_travel_leg_lengths=travel,
        treadmill=abs(travel) <= 2.0,
    )


def to_sagittal(ds: xr.Dataset, geo: SceneGeometry) -> xr.Dataset:
    """Image pixels in the sagittal axes (x along the floor line, y along true vertical), flipped to
    the running direction and scaled to metres.

    Output: x forward (running direction), y up, y = 0 on the floor line.
    """
    pos = ds["position"].values
    x, y = pos[..., 0], pos[..., 1]
    th = np.radians(geo.tilt_deg)
    v = -th if geo.vertical_deg is None else np.radians(geo.vertical_deg)
    # y-up coordinates relative to the floor line at x=0, in the basis (floor, vertical)
    yu = -(y - geo.floor_y_px)
    ex, ey = np.array([np.cos(th), np.sin(th)]), np.array([np.sin(v), np.cos(v)])
    det = ex[0] * ey[1] - ey[0] * ex[1]
    xr_ = (x * ey[1] - yu * ey[0]) / det
    yr_ = (yu * ex[0] - x * ex[1]) / det
    out = np.stack([geo.direction * xr_, yr_], axis=-1) * geo.metres_per_px
    res = ds.copy(data={"position": out, "confidence": ds["confidence"].values})
    res.attrs = dict(ds.attrs, space_unit="m", vertical_axis="y", vertical_up=1,
                     progression_axis="x", frame="sagittal")
    return res
