"""Steps and strides from contact events.

A stride runs from one foot's initial contact to its next one; the step
inside it ends at the other foot's contact. A stride is kept only when its
events form the running pattern IC -> TO -> other IC -> (other TO) -> IC, with
exactly one contact of the other foot in between: missed or doubled contacts
are dropped, not guessed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STRIDE_COLUMNS = ["stride_id", "foot", "start_s", "ic_s", "to_s", "mid_s", "contra_ic_s", "end_s"]


def build_strides(events: pd.DataFrame, min_stride_s: float = 0.4, max_stride_s: float = 2.0
                  ) -> pd.DataFrame:
    rows = []
    for foot in ("left", "right"):
        own = events[events.foot == foot].sort_values("ic_s")
        other = events[events.foot != foot].sort_values("ic_s")
        for (_, a), (_, b) in zip(own.iterrows(), own.iloc[1:].iterrows()):
            dur = b.ic_s - a.ic_s
            if not (min_stride_s <= dur <= max_stride_s) or not (a.ic_s < a.to_s < b.ic_s):
                continue
            between = other[(other.ic_s > a.ic_s) & (other.ic_s < b.ic_s)]
            if len(between) != 1:
                continue
            rows.append({"foot": foot, "start_s": a.ic_s, "ic_s": a.ic_s, "to_s": a.to_s,
                         "mid_s": np.nan, "contra_ic_s": between.ic_s.iloc[0], "end_s": b.ic_s})
    df = pd.DataFrame(rows, columns=STRIDE_COLUMNS[1:]).sort_values("ic_s").reset_index(drop=True)
    df.insert(0, "stride_id", np.arange(len(df)))
    return df.set_index("stride_id", drop=False)


def midstance_times(strides: pd.DataFrame, t: np.ndarray, ankle_x: dict, hip_x: np.ndarray
                    ) -> np.ndarray:
    """Stance instant when the stance ankle passes under the mid-hip; 50 % of stance
    when that crossing is not seen."""
    out = []
    for _, s in strides.iterrows():
        sel = (t >= s.ic_s) & (t <= s.to_s)
        rel = ankle_x[s.foot][sel] - hip_x[sel]
        ts = t[sel]
        cross = np.flatnonzero((rel[:-1] > 0) & (rel[1:] <= 0)) if len(rel) > 1 else []
        if len(cross):
            k = cross[0]
            f = rel[k] / (rel[k] - rel[k + 1]) if rel[k] != rel[k + 1] else 0.0
            out.append(ts[k] + f * (ts[k + 1] - ts[k]))
        else:
            out.append(0.5 * (s.ic_s + s.to_s))
    return np.asarray(out, float)
