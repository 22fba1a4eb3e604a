"""Per-stride metrics of a front or back view (../docs/domain.md, frontal).

Input: keypoints in the runner's frontal plane, ``kp[name]`` of shape (frames, 2) in metres,
x towards the runner's right and y up (a back view as seen; a front view mirrored), and the
stride table (foot, ic_s, to_s, end_s). Signs:

* ``pelvic_drop_deg``: during this foot's stance, the largest drop of the other (swing-side)
  hip below the stance side's, from the hip-to-hip line against horizontal (>= 0).
* ``knee_fppa_deg``: the knee's frontal-plane projection angle at midstance, 180 deg minus the
  hip-knee-ankle angle, + when the knee lies medial of the hip-ankle line (valgus), - varus.
* ``step_width_cm``: at this foot's contact, how far its heel lands from the other foot's last
  landing, across the run; + on its own side, - when it crosses the midline (crossover).
* ``lateral_trunk_lean_deg``: at midstance, the trunk line (mid-hip to mid-shoulder) from
  vertical, + towards the stance side.
* ``arm_crossover_cm``: during the stride, the farthest either wrist reaches past the body's
  midline (0 when neither crosses it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["pelvic_drop_deg", "knee_fppa_deg", "step_width_cm", "lateral_trunk_lean_deg", "arm_crossover_cm"]


def _at(t: np.ndarray, p: np.ndarray, when: float) -> np.ndarray:
    ok = np.isfinite(p).all(axis=1)
    if ok.sum() < 2:
        return np.array([np.nan, np.nan])
    return np.array([np.interp(when, t[ok], p[ok, 0]), np.interp(when, t[ok], p[ok, 1])])


def obliquity_deg(kp: dict) -> np.ndarray:
    """The hip-to-hip line against horizontal per frame, + when the right hip is higher."""
    d = kp["right_hip"] - kp["left_hip"]
    return np.degrees(np.arctan2(d[:, 1], d[:, 0]))


def fppa_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, side: str) -> float:
    """180 minus the hip-knee-ankle angle in the frontal plane, + valgus (knee medial of the
    hip-ankle line: towards +x for the left leg, -x for the right)."""
    a, b = hip - knee, ankle - knee
    angle = np.degrees(np.arccos(np.clip(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12), -1, 1)))
    frac = (knee[1] - hip[1]) / (ankle[1] - hip[1]) if ankle[1] != hip[1] else 0.5
    offset = knee[0] - (hip[0] + frac * (ankle[0] - hip[0]))
    return float(np.sign(offset) * (1 if side == "left" else -1) * (180.0 - angle))


def frontal_stride_metrics(t: np.ndarray, kp: dict, strides: pd.DataFrame) -> pd.DataFrame:
    """One row per stride with the metrics above (NaN where a keypoint is missing)."""
    obl = obliquity_deg(kp)
    rows, landings = {}, {"left": [], "right": []}
    for r in strides.sort_values("ic_s").itertuples():
        side, other = r.foot, "left" if r.foot == "right" else "right"
        sign = 1 if side == "right" else -1
        st = (t >= r.ic_s) & (t <= r.to_s)
        drop = sign * obl[st]  # right foot down: the left hip drops when the right is higher
        mid = 0.5 * (r.ic_s + r.to_s)
        hip, knee, ankle = (_at(t, kp[f"{side}_{n}"], mid) for n in ("hip", "knee", "ankle"))
        heel = _at(t, kp[f"{side}_heel"], r.ic_s)
        prev = [x for tt, x in landings[other] if tt < r.ic_s]
        width = 100.0 * sign * (heel[0] - prev[-1]) if prev and np.isfinite(heel[0]) else np.nan
        landings[side].append((r.ic_s, heel[0]))
        trunk = _between(t, kp, "shoulder", mid) - _between(t, kp, "hip", mid)
        rows[r.Index] = {
            "pelvic_drop_deg": float(max(0.0, np.nanmax(drop))) if st.sum() > 1 else np.nan,
            "knee_fppa_deg": fppa_deg(hip, knee, ankle, side) if np.isfinite([*hip, *knee, *ankle]).all() else np.nan,
            "step_width_cm": width, "lateral_trunk_lean_deg": float(sign * np.degrees(np.arctan2(*trunk))),
            **arm_crossing(t, kp, r.ic_s, r.end_s)}
    return pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS).reindex(strides.index)


def _between(t: np.ndarray, kp: dict, part: str, when: float) -> np.ndarray:
    """The mid-point of the left and right ``part`` at ``when`` (NaN when not tracked)."""
    if f"left_{part}" not in kp or f"right_{part}" not in kp:
        return np.array([np.nan, np.nan])
    return 0.5 * (_at(t, kp[f"left_{part}"], when) + _at(t, kp[f"right_{part}"], when))


def arm_crossing(t: np.ndarray, kp: dict, a: float, b: float) -> dict:
    """How far past the body's midline (mid-hip to mid-shoulder) either wrist reaches during the
    stride, in cm (0 when neither crosses); NaN without wrists."""
    w = (t >= a) & (t <= b)
    if "left_wrist" not in kp or "right_wrist" not in kp or "left_shoulder" not in kp or not w.any():
        return {"arm_crossover_cm": np.nan}
    mid_x = 0.25 * (kp["left_hip"][w, 0] + kp["right_hip"][w, 0] + kp["left_shoulder"][w, 0]
                    + kp["right_shoulder"][w, 0])
    left_past = kp["left_wrist"][w, 0] - mid_x  # the left wrist past the midline: to the right (+x)
    right_past = mid_x - kp["right_wrist"][w, 0]
    past = np.concatenate([left_past, right_past])
    reach = np.nanmax(past) if np.isfinite(past).any() else np.nan
    return {"arm_crossover_cm": float(max(0.0, 100.0 * reach)) if np.isfinite(reach) else np.nan}
