"""The lab path's foot strike against its marker definition and against visual labels.

* Marker definition (Altman & Davis 2012, Gait Posture 35:298): the heel-to-toe
  line against the floor at the force-plate contact, relative to the static
  trial, from the raw markers (no filter) at each plate IC. Where the toe is a
  metatarsal marker (Fukuchi), the toe is the midpoint of the first and fifth
  metatarsal heads, the foot's long axis. Its pattern: the same cut-offs
  (rearfoot > 8 deg, forefoot < -1.6 deg).
* Visual labels: RBDSinfo.txt (Fukuchi et al. 2017) classifies each runner's
  pattern per speed and side by eye; reported, not the definition.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..engine.metrics.per_stride import strike_pattern
from ..sources.lab.analyze import foot_long_axis


def _sagittal_deg(d: np.ndarray) -> np.ndarray:
    return np.degrees(np.arctan2(d[..., 1], d[..., 0]))


def definition_deg(trial, side: str, ic_s: np.ndarray) -> np.ndarray:
    """The marker definition at the given contacts from the raw keypoints (NaN without a static
    trial); the toe point is chosen as the lab path chooses it (``foot_long_axis``)."""
    kp, st = trial.keypoints, trial.static_keypoints or {}
    axis = foot_long_axis(kp, st, side, trial.marker_set.toe_is_metatarsal)
    if axis is None or f"{side}_heel" not in st:
        return np.full(len(ic_s), np.nan)
    angle = _sagittal_deg(axis[0] - kp[f"{side}_heel"]) - _sagittal_deg(axis[1] - st[f"{side}_heel"])
    return np.interp(ic_s, trial.times_s, angle)


def visual_labels(root: Path) -> dict[tuple[str, float, str], str]:
    """(subject, speed, side) -> the RBDSinfo pattern, lower case."""
    path = root / "fukuchi_rbds" / "RBDSinfo.txt"
    if not path.exists():
        return {}
    info = pd.read_csv(path, sep="\t")
    out = {}
    for r in info.itertuples():
        for speed in (25, 35, 45):
            for side, col in (("right", f"RFSI{speed}"), ("left", f"LFSI{speed}")):
                out[(f"RBDS{int(r.Subject):03d}", speed / 10, side)] = str(getattr(r, col)).strip().lower()
    return out


def foot_strike_rows(trials, labs: dict, kb, root: Path) -> list[dict]:
    """Per trial and side with plate contacts and a static trial: runform's angle and pattern
    against the marker definition (per stride) and the visual label where there is one."""
    cut = kb.cutoffs["foot_strike"]
    labels = visual_labels(root)
    rows = []
    for tr in trials:
        strides = labs[tr.name].strides
        for side in ("right", "left"):
            own = strides[strides.foot == side].dropna(subset=["foot_strike_angle_deg"])
            truth = definition_deg(tr.lab, side, own.ic_s.to_numpy())
            if not len(own) or not np.isfinite(truth).any():
                continue
            err = own.foot_strike_angle_deg.to_numpy() - truth
            mine = own.foot_strike_pattern.mode().iloc[0]
            defined = pd.Series([strike_pattern(a, cut) for a in truth]).mode().iloc[0]
            subject = tr.name.split("/")[1] if tr.name.startswith("fukuchi") else ""
            rows.append({"trial": tr.name, "side": side, "strides": int(len(own)),
                         "runform_deg": float(own.foot_strike_angle_deg.median()),
                         "definition_deg": float(np.nanmedian(truth)),
                         "median_abs_err_deg": float(np.nanmedian(np.abs(err))),
                         "max_abs_err_deg": float(np.nanmax(np.abs(err))),
                         "runform": mine, "definition": defined,
                         "visual_label": labels.get((subject, tr.speed_mps, side))})
    return rows
