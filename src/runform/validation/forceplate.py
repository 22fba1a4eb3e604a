"""Gait events from force plates: the truth runform's kinematic events are judged against.

Contact = vertical ground reaction force above ``threshold_n`` (default 50 N,
the upper end of the 20-50 N range used in running studies, robust to the
treadmill's vibration noise). Crossings are linearly interpolated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def contacts_from_force(t: np.ndarray, fz: np.ndarray, threshold_n: float = 50.0,
                        min_contact_s: float = 0.08) -> list[tuple[float, float]]:
    on = np.nan_to_num(fz) > threshold_n
    d = np.diff(np.r_[0, on.astype(int), 0])
    starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1
    out = []
    for a, b in zip(starts, ends):
        if a == 0 or b >= len(t) - 1:
            continue
        ic = _interp(t, fz, a - 1, a, threshold_n)
        to = _interp(t, fz, b, b + 1, threshold_n)
        if to - ic >= min_contact_s:
            out.append((ic, to))
    return out


def _interp(t, y, i0, i1, level):
    f = (level - y[i0]) / (y[i1] - y[i0]) if y[i1] != y[i0] else 0.0
    return float(t[i0] + np.clip(f, 0, 1) * (t[i1] - t[i0]))


def split_belt_events(t, fz_right, fz_left, threshold_n: float = 50.0) -> pd.DataFrame:
    rows = [{"foot": side, "ic_s": a, "to_s": b}
            for side, fz in (("right", fz_right), ("left", fz_left))
            for a, b in contacts_from_force(t, fz, threshold_n)]
    return pd.DataFrame(rows).sort_values("ic_s").reset_index(drop=True)


def single_plate_events(t, fz, sole_height: dict[str, tuple[np.ndarray, np.ndarray]],
                        threshold_n: float = 50.0) -> pd.DataFrame:
    """One plate under both feet (running has no double support): each contact is given to
    the foot whose sole keypoint is lower at mid-contact. ``sole_height[side] = (times, height)``."""
    rows = []
    for a, b in contacts_from_force(t, fz, threshold_n):
        mid = 0.5 * (a + b)
        h = {s: np.interp(mid, ts, hs) for s, (ts, hs) in sole_height.items()}
        rows.append({"foot": min(h, key=h.get), "ic_s": a, "to_s": b})
    return pd.DataFrame(rows).sort_values("ic_s").reset_index(drop=True)
