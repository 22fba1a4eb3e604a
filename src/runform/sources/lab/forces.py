"""Gait events from force plates (the truth) or from the events stored in a C3D file.

Contact = vertical ground reaction force above ``threshold_n`` (default 50 N,
the upper end of the 20-50 N range used in running studies, robust to the
treadmill's vibration noise); crossings are linearly interpolated, contacts
shorter than 80 ms are dropped. Vertical is the runner's up axis (found from
the markers), and the sign is taken so that loading is positive whichever
way the plate reports. Plates that belong to a foot (split-belt treadmill)
give that foot's contacts; otherwise all plates are summed (a runner has one
foot down at a time) and each contact goes to the foot whose sole is lower
at mid-contact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .recording import Forces

EVENT_COLUMNS = ["foot", "ic_s", "to_s"]


def contacts_from_force(t: np.ndarray, fz: np.ndarray, threshold_n: float = 50.0,
                        min_contact_s: float = 0.08) -> list[tuple[float, float]]:
    on = np.nan_to_num(fz) > threshold_n
    d = np.diff(np.r_[0, on.astype(int), 0])
    starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1
    out = []
    for a, b in zip(starts, ends):
        if a == 0 or b >= len(t) - 1:  # cut by the recording's start or end
            continue
        ic = _interp(t, fz, a - 1, a, threshold_n)
        to = _interp(t, fz, b, b + 1, threshold_n)
        if to - ic >= min_contact_s:
            out.append((ic, to))
    return out


def _interp(t, y, i0, i1, level):
    f = (level - y[i0]) / (y[i1] - y[i0]) if y[i1] != y[i0] else 0.0
    return float(t[i0] + np.clip(f, 0, 1) * (t[i1] - t[i0]))


def vertical_force(forces: Forces, up_lab: np.ndarray) -> np.ndarray:
    """(time, plate) vertical force in N, loading positive."""
    fz = forces.force @ up_lab
    for j in range(fz.shape[1]):
        big = np.abs(fz[:, j]) > 100
        if big.any() and np.nanmedian(fz[big, j]) < 0:
            fz[:, j] = -fz[:, j]
    return fz


def force_events(forces: Forces, up_lab: np.ndarray, sole_height: dict[str, tuple[np.ndarray, np.ndarray]],
                 threshold_n: float = 50.0) -> pd.DataFrame:
    """``sole_height[side] = (times, height)``: the lower of heel and toe, for assigning contacts."""
    fz = vertical_force(forces, up_lab)
    t = forces.times_s
    rows = []
    if all(f in ("left", "right") for f in forces.foot):
        for j, foot in enumerate(forces.foot):
            rows += [{"foot": foot, "ic_s": a, "to_s": b} for a, b in contacts_from_force(t, fz[:, j], threshold_n)]
    else:
        for a, b in contacts_from_force(t, np.nansum(fz, axis=1), threshold_n):
            mid = 0.5 * (a + b)
            h = {s: np.interp(mid, ts, np.nan_to_num(hs, nan=np.inf)) for s, (ts, hs) in sole_height.items()}
            rows.append({"foot": min(h, key=h.get), "ic_s": a, "to_s": b})
    return pd.DataFrame(rows, columns=EVENT_COLUMNS).sort_values("ic_s").reset_index(drop=True)


def file_events(events: pd.DataFrame, max_contact_s: float = 0.6) -> pd.DataFrame:
    """Pair each foot strike stored in the file with the same foot's next foot off."""
    rows = []
    for foot in ("left", "right"):
        own = events[events.foot == foot].sort_values("time_s")
        ics, tos = own[own.kind == "ic"].time_s.to_numpy(), own[own.kind == "to"].time_s.to_numpy()
        for ic in ics:
            later = tos[(tos > ic) & (tos < ic + max_contact_s)]
            if len(later):
                rows.append({"foot": foot, "ic_s": float(ic), "to_s": float(later[0])})
    return pd.DataFrame(rows, columns=EVENT_COLUMNS).sort_values("ic_s").reset_index(drop=True)
