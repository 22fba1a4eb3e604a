"""Every step a person sees: each contact over the recording, used or not, and why.

A detected contact is *used* when it begins, splits or ends an analysed
stride. Otherwise it is *excluded* with the first reason that applies: the
foot was not clearly seen (the pose model's confidence in its keypoints), no
toe-off was found (at the clip's end: the clip edge), the same foot landed
twice in a row (a suspected leg swap), or a neighbouring contact is missing so
no stride could be closed. A step nobody detected is *missed*: wherever the
time between two detected contacts holds one step or more beyond the usual
step time, the steps in it are placed at even times, with the reason read from
how well the feet were seen there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TIMELINE_COLUMNS = ["foot", "ic_s", "to_s", "status", "reason"]
GAP_STEPS = 1.5  # a gap of 1.5 usual steps or more holds a step nobody detected


def contact_timeline(contacts: pd.DataFrame, strides: pd.DataFrame, feet_confidence: tuple[np.ndarray, np.ndarray],
                     end_s: float, min_confidence: float, max_contact_s: float) -> pd.DataFrame:
    """One row per contact, detected or missed, in time order (``TIMELINE_COLUMNS``).

    ``contacts``: the detector's candidates (``foot``, ``ic_s``, ``to_s``, ``foot_confidence``);
    ``feet_confidence``: (times, the median confidence of both feet's keypoints per frame).
    """
    c = contacts.sort_values("ic_s").reset_index(drop=True)
    bounds = np.concatenate([strides[k].to_numpy(float) for k in ("ic_s", "contra_ic_s", "end_s")]) \
        if len(strides) else np.array([])
    rows = []
    for k, r in c.iterrows():
        used = bool(len(bounds)) and bool(np.min(np.abs(bounds - r.ic_s)) < 1e-6)
        reason = "" if used else _excluded_reason(c, k, end_s, min_confidence, max_contact_s)
        rows.append({"foot": r.foot, "ic_s": r.ic_s, "to_s": r.to_s,
                     "status": "used" if used else "excluded", "reason": reason})
    rows += _missed(c, feet_confidence, min_confidence)
    return pd.DataFrame(rows, columns=TIMELINE_COLUMNS).sort_values("ic_s", kind="stable").reset_index(drop=True)


def _excluded_reason(c: pd.DataFrame, k: int, end_s: float, min_confidence: float, max_contact_s: float) -> str:
    r = c.loc[k]
    if r.foot_confidence < min_confidence:
        return f"foot not clearly seen (keypoint confidence {r.foot_confidence:.2f})"
    if not np.isfinite(r.to_s):
        return "clip edge: toe-off after the end" if r.ic_s > end_s - max_contact_s else "toe-off not found"
    ok = c[np.isfinite(c.to_s) & ~(c.foot_confidence < min_confidence)].reset_index(drop=True)
    j = int(np.argmin(np.abs(ok.ic_s.to_numpy() - r.ic_s)))
    near = [ok.foot[i] for i in (j - 1, j + 1) if 0 <= i < len(ok)]
    if r.foot in near:
        return "same foot as the contact next to it (suspected leg swap)"
    if j == 0 or j == len(ok) - 1:
        return "clip edge: no stride to close"
    return "a neighbouring contact is missing"


def _missed(c: pd.DataFrame, feet_confidence: tuple[np.ndarray, np.ndarray], min_confidence: float) -> list[dict]:
    """Steps nobody detected, placed evenly in gaps of ``GAP_STEPS`` usual step times or more."""
    ic = c.ic_s.to_numpy(float)
    if len(ic) < 3:
        return []
    gaps = np.diff(ic)
    alternate = c.foot.to_numpy()[1:] != c.foot.to_numpy()[:-1]
    step = float(np.median(gaps[alternate])) if alternate.any() else float(np.median(gaps))
    t, conf = feet_confidence
    rows = []
    for k in np.flatnonzero(gaps >= GAP_STEPS * step):
        n = int(round(gaps[k] / step)) - 1
        w = (t > ic[k]) & (t < ic[k + 1])
        seen = float(np.nanmedian(conf[w])) if w.any() else float("nan")
        reason = (f"feet hidden or unclear (keypoint confidence {seen:.2f})"
                  if not seen >= min_confidence else "no clear reach of the foot")
        foot = c.foot[k]
        for i in range(1, n + 1):
            foot = "right" if foot == "left" else "left"
            rows.append({"foot": foot, "ic_s": ic[k] + i * gaps[k] / (n + 1), "to_s": np.nan,
                         "status": "missed", "reason": reason})
    return rows


def timeline_counts(timeline: pd.DataFrame) -> dict:
    """Counts for summary.json: steps seen (detected + missed), used, excluded, missed, the share
    not used and how many of each reason."""
    n = len(timeline)
    used = int((timeline.status == "used").sum())
    off = timeline[timeline.status != "used"]
    reasons = off.reason.str.replace(r" \(keypoint confidence [0-9.]+\)", "", regex=True)
    reasons = reasons.where(off.status != "missed", "not detected, " + reasons)
    return {"steps": n, "used": used, "excluded": int((timeline.status == "excluded").sum()),
            "missed": int((timeline.status == "missed").sum()),
            "not_used_pct": round(100.0 * (n - used) / n, 1) if n else 0.0,
            "reasons": {k: int(v) for k, v in reasons.value_counts().items()}}
