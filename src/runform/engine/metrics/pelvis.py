"""Per-stride pelvis metrics from 3D pelvis angles (lab markers or a pelvis-worn sensor).

Input: per-frame tilt, obliquity and rotation in degrees (signs of
``runform.engine.pelvis_axes``: tilt anterior positive, obliquity positive when the
right hip is higher, rotation positive when the right side is forward) and
the stride table. Names and definitions: docs/domain.md section 2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _sel(t: np.ndarray, a: float, b: float) -> np.ndarray:
    return (t >= a) & (t <= b)


def detrended_range(t: np.ndarray, y: np.ndarray) -> float:
    """Range of ``y`` after removing the straight line from its first to last sample (heading drift)."""
    ok = np.isfinite(y)
    if ok.sum() < 3:
        return float("nan")
    t, y = t[ok], y[ok]
    line = y[0] + (y[-1] - y[0]) * (t - t[0]) / (t[-1] - t[0])
    return float(np.ptp(y - line))


def pelvis_stride_metrics(t: np.ndarray, angles: dict[str, np.ndarray], strides: pd.DataFrame,
                          standing: dict[str, float] | None) -> pd.DataFrame:
    """One row per stride:

    * ``pelvic_tilt_deg``: mean tilt over the stride minus standing tilt (only with a
      standing reference); ``pelvic_tilt_lab_deg``: the raw mean when there is none.
    * ``pelvic_tilt_rom_deg``, ``pelvic_obliquity_rom_deg``: range over the stride.
    * ``pelvic_rotation_rom_deg``: range over the stride, linear heading drift removed.
    * ``pelvic_drop_deg``: during this foot's stance, the largest drop of the other
      (swing-side) hip below level (standing obliquity when known, else horizontal).
    """
    level = standing["obliquity"] if standing else 0.0
    rows = []
    for _, s in strides.iterrows():
        w = _sel(t, s.ic_s, s.end_s)
        st = _sel(t, s.ic_s, s.to_s)
        r = {}
        tilt = angles["tilt"][w]
        if standing:
            r["pelvic_tilt_deg"] = float(np.nanmean(tilt)) - standing["tilt"]
        else:
            r["pelvic_tilt_lab_deg"] = float(np.nanmean(tilt))
        r["pelvic_tilt_rom_deg"] = float(np.nanmax(tilt) - np.nanmin(tilt)) if w.sum() > 2 else np.nan
        obl = angles["obliquity"][w]
        r["pelvic_obliquity_rom_deg"] = float(np.nanmax(obl) - np.nanmin(obl)) if w.sum() > 2 else np.nan
        r["pelvic_rotation_rom_deg"] = detrended_range(t[w], angles["rotation"][w])
        o = angles["obliquity"][st] - level
        # right foot down: the left (swing) hip drops when the right side is higher, and vice versa
        drop = o if s.foot == "right" else -o
        r["pelvic_drop_deg"] = float(max(0.0, np.nanmax(drop))) if st.sum() > 1 else np.nan
        rows.append(r)
    return pd.DataFrame(rows, index=strides.index)
