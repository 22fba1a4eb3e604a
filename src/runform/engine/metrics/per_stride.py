"""One row per stride, one column per metric of docs/domain.md section 2 (units in names).

Angles are sampled from the per-frame series of ``angles.py`` at the stride's
events (interpolated between frames, so event timing keeps its sub-frame
precision); distances come from the sagittal frame in metres.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ..dataset import point
from . import angles


def strike_pattern(angle_deg: float, cutoffs: dict) -> str:
    """rearfoot, midfoot or forefoot from the foot-strike angle (the knowledge base's
    ``cutoffs.foot_strike``: Altman & Davis 2012, Gait Posture 35:298, 8.0 and -1.6 deg)."""
    if not np.isfinite(angle_deg):
        return ""
    if angle_deg > cutoffs["rearfoot_above_deg"]:
        return "rearfoot"
    if angle_deg < cutoffs["forefoot_below_deg"]:
        return "forefoot"
    return "midfoot"


def _at(t: np.ndarray, y: np.ndarray, when: float) -> float:
    ok = np.isfinite(y)
    if ok.sum() < 2 or not (t[ok][0] <= when <= t[ok][-1]):
        return float("nan")
    i = np.searchsorted(t, when)
    lo, hi = max(i - 1, 0), min(i, len(t) - 1)
    if not (np.isfinite(y[lo]) and np.isfinite(y[hi])):
        return float("nan")
    return float(np.interp(when, t[lo : hi + 1], y[lo : hi + 1]))


def _window(t, y, a, b, fn):
    sel = (t >= a) & (t <= b) & np.isfinite(y)
    return float(fn(y[sel])) if sel.sum() >= 2 else float("nan")


def per_frame_series(motion: xr.Dataset) -> dict[str, np.ndarray]:
    """All per-frame angle series (the frames.csv columns besides keypoints). A series whose
    keypoints the source does not have (e.g. no ear markers in a lab trial) is all-missing."""
    n = motion.sizes["time"]

    def get(fn, *args):
        try:
            return fn(motion, *args)
        except KeyError:
            return np.full(n, np.nan)

    s = {"trunk_lean_deg": get(angles.trunk_lean), "head_forward_deg": get(angles.head_forward)}
    for side in ("left", "right"):
        for name, fn in (("knee_flexion", angles.knee_flexion), ("hip_extension", angles.hip_extension),
                         ("ankle_plantarflexion", angles.ankle_plantarflexion),
                         ("shank_angle", angles.shank_angle), ("foot_angle", angles.foot_angle),
                         ("body_line", angles.body_line), ("ankle_hip_line", angles.ankle_hip_line),
                         ("elbow_angle", angles.elbow_angle), ("shoulder_flexion", angles.shoulder_flexion)):
            s[f"{side}_{name}_deg"] = get(fn, side)
    return s


def _foot_arrays(motion: xr.Dataset, foot: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The foot's heel and ankle (time x space) and its leg's keypoint confidence per frame and
    keypoint (a frame without a pose counts as not seen)."""
    legs = [f"{foot}_{p}" for p in ("hip", "knee", "ankle", "heel", "foot_index")
            if f"{foot}_{p}" in motion["keypoint"].values]
    seen = np.nan_to_num(motion["confidence"].sel(keypoint=legs).values, nan=0.0)
    return point(motion, f"{foot}_heel"), point(motion, f"{foot}_ankle"), seen


def temporal_metrics(ic: float, to: float, contra_ic: float, end: float, speed_mps: float | None) -> dict:
    """Times of one stride (any source): stride, step (IC to the other foot's IC), contact (IC to TO),
    flight (TO to the other foot's IC), duty factor; step and stride length from the speed."""
    stride_s, step_s, contact_s = end - ic, contra_ic - ic, to - ic
    return {"stride_time_ms": 1000 * stride_s, "step_time_ms": 1000 * step_s, "cadence_spm": 120.0 / stride_s,
            "ground_contact_ms": 1000 * contact_s, "flight_ms": 1000 * (contra_ic - to),
            "duty_factor_pct": 100 * contact_s / stride_s,
            "step_length_m": speed_mps * step_s if speed_mps else float("nan"),
            "stride_length_m": speed_mps * stride_s if speed_mps else float("nan")}


def stride_metrics(motion: xr.Dataset, strides: pd.DataFrame, leg_length_m: float,
                   speed_mps: float | None, series: dict[str, np.ndarray] | None = None, *,
                   strike: dict) -> pd.DataFrame:
    """Fill the stride table with every side-view metric; ``strike``: the foot-strike cut-offs
    (``cutoffs.foot_strike`` of the knowledge base)."""
    t = motion["time"].values
    s = series or per_frame_series(motion)
    hip = point(motion, "mid_hip")
    feet = {f: _foot_arrays(motion, f) for f in set(strides.foot)}  # fetched once per foot, not per stride
    rows = []
    for st in strides[["foot", "ic_s", "to_s", "mid_s", "contra_ic_s", "end_s"]].itertuples(index=False):
        f, ic, to, ms, cic, end = st.foot, st.ic_s, st.to_s, st.mid_s, st.contra_ic_s, st.end_s
        r: dict[str, float | str] = temporal_metrics(ic, to, cic, end, speed_mps)
        stride_s = end - ic
        osc = _window(t, hip[:, 1], ic, cic, np.ptp)
        r["vertical_oscillation_cm"] = 100 * osc
        r["vertical_ratio_pct"] = 100 * osc / r["step_length_m"] if speed_mps else float("nan")
        # posture
        r["trunk_lean_deg"] = _window(t, s["trunk_lean_deg"], ic, end, np.mean)
        r["trunk_lean_midstance_deg"] = _at(t, s["trunk_lean_deg"], ms)
        r["body_line_deg"] = _at(t, s[f"{f}_body_line_deg"], ms)
        r["waist_bend_deg"] = r["trunk_lean_midstance_deg"] - _at(t, s[f"{f}_ankle_hip_line_deg"], ms)
        r["head_forward_deg"] = _window(t, s["head_forward_deg"], ic, end, np.mean)
        # landing
        heel, ankle, leg_seen = feet[f]
        over = _at(t, heel[:, 0] - hip[:, 0], ic)
        r["overstride_cm"] = 100 * over
        r["overstride_ankle_cm"] = 100 * _at(t, ankle[:, 0] - hip[:, 0], ic)
        r["overstride_pct_leg"] = 100 * over / leg_length_m
        r["shank_angle_ic_deg"] = _at(t, s[f"{f}_shank_angle_deg"], ic)
        r["foot_strike_angle_deg"] = _at(t, s[f"{f}_foot_angle_deg"], ic)
        r["foot_strike_pattern"] = strike_pattern(r["foot_strike_angle_deg"], strike)
        knee = s[f"{f}_knee_flexion_deg"]
        r["knee_flexion_ic_deg"] = _at(t, knee, ic)
        r["knee_flexion_stance_peak_deg"] = _window(t, knee, ic, to, np.max)
        r["knee_flexion_swing_peak_deg"] = _window(t, knee, to, end, np.max)
        # push-off
        hipext = s[f"{f}_hip_extension_deg"]
        r["hip_extension_peak_deg"] = _window(t, hipext, ms if np.isfinite(ms) else ic,
                                              to + 0.1 * stride_s, np.max)
        r["hip_extension_to_deg"] = _at(t, hipext, to)
        if f"{f}_hip_extension_pelvis_deg" in s:  # 3D, relative to the pelvis (lab trials)
            r["hip_extension_pelvis_peak_deg"] = _window(t, s[f"{f}_hip_extension_pelvis_deg"],
                                                         ms if np.isfinite(ms) else ic, to + 0.1 * stride_s, np.max)
        r["knee_flexion_to_deg"] = _at(t, knee, to)
        r["ankle_plantarflexion_to_deg"] = _at(t, s[f"{f}_ankle_plantarflexion_deg"], to)
        # arms (the stride's own side)
        r["elbow_angle_deg"] = _window(t, s[f"{f}_elbow_angle_deg"], ic, end, np.median)
        r["arm_swing_rom_deg"] = _window(t, s[f"{f}_shoulder_flexion_deg"], ic, end, np.ptp)
        # keypoint confidence of the stance leg over the stride (for the findings' confidence)
        sel = (t >= ic) & (t <= end)
        r["keypoint_confidence"] = float(leg_seen[sel].mean()) if sel.any() else 0.0
        rows.append(r)
    out = pd.concat([strides, pd.DataFrame(rows, index=strides.index)], axis=1)
    return out
