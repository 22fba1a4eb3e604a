"""Steps and strides from contact events.

A stride runs from one foot's initial contact to its next one; the step
inside it ends at the other foot's contact. A stride is kept only when its
events form the running pattern IC -> TO -> other IC -> (other TO) -> IC, with
exactly one contact of the other foot in between: missed or doubled contacts
are dropped, not guessed. One builder for every source: video and lab events
carry their foot; a sensor's may be 'unknown' and are then checked against
the step period instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STRIDE_COLUMNS = ["stride_id", "foot", "start_s", "ic_s", "to_s", "mid_s", "contra_ic_s", "end_s"]


def build_strides(events: pd.DataFrame, min_stride_s: float = 0.4, max_stride_s: float = 2.0,
                  step_period_s: float | None = None) -> pd.DataFrame:
    """Strides from contact events (``foot``, ``ic_s``, ``to_s``) of any source.

    Three consecutive contacts make a stride when the first and third are the same foot and the
    second the other (a foot 'unknown', as from a sensor that cannot tell sides, matches either),
    the stride lasts ``min_stride_s``-``max_stride_s`` and the foot leaves the ground before the
    stride ends. With ``step_period_s`` (a sensor's step period), both steps must also last
    0.6-1.5 periods and the toe-off come before the other foot's contact.
    """
    ev = events.sort_values("ic_s", kind="stable")
    foot, ic, to = ev.foot.to_numpy(), ev.ic_s.to_numpy(float), ev.to_s.to_numpy(float)
    rows = []
    for k in range(len(ic) - 2):
        if not (_same(foot[k], foot[k + 2]) and _other(foot[k], foot[k + 1])):
            continue
        if not (min_stride_s <= ic[k + 2] - ic[k] <= max_stride_s and ic[k] < to[k] < ic[k + 2]):
            continue
        if step_period_s is not None and not _regular(ic[k:k + 3], to[k], step_period_s):
            continue
        rows.append({"foot": foot[k], "start_s": ic[k], "ic_s": ic[k], "to_s": to[k], "mid_s": np.nan,
                     "contra_ic_s": ic[k + 1], "end_s": ic[k + 2]})
    df = pd.DataFrame(rows, columns=STRIDE_COLUMNS[1:]).astype({c: float for c in STRIDE_COLUMNS[2:]})
    df.insert(0, "stride_id", np.arange(len(df)))
    return df.set_index("stride_id", drop=False)


def _same(a: str, b: str) -> bool:
    return a == b or "unknown" in (a, b)


def _other(a: str, b: str) -> bool:
    return a != b or a == "unknown"


def _regular(ic: np.ndarray, to: float, period_s: float) -> bool:
    """Both steps of a stride 0.6-1.5 step periods long, the toe-off inside the first."""
    steps = np.diff(ic)
    return bool(np.all((0.6 * period_s <= steps) & (steps <= 1.5 * period_s)) and to < ic[1])


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
