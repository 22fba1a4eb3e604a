"""Summaries over strides: median and IQR, per side, asymmetry, variability, trend.

For each metric column of the stride table:

* ``median``, ``q1``, ``q3``, ``iqr``, ``n`` (strides with a value), ``sd``,
  ``cv_pct`` (SD / |mean|, for positive-valued metrics only);
* ``left`` / ``right``: median and n per side, ``asymmetry_diff`` = left - right
  (metric units) and, for positive-valued metrics, ``asymmetry_pct`` =
  100 |L - R| / mean(L, R) (the symmetry index of Robinson et al. 1987);
* ``trend``: median of the last third of strides minus the first third, and
  the least-squares slope per minute over the clip (form drift, e.g. fatigue).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _r(x: float, nd: int = 2):
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


def summarise_metric(df: pd.DataFrame, col: str, positive: bool) -> dict | None:
    v = df[col].astype(float)
    ok = v.notna() & np.isfinite(v)
    if ok.sum() == 0:
        return None
    x = v[ok].to_numpy()
    q1, med, q3 = np.percentile(x, [25, 50, 75])
    out = {"median": _r(med), "q1": _r(q1), "q3": _r(q3), "iqr": _r(q3 - q1), "n": int(ok.sum()),
           "sd": _r(np.std(x, ddof=1) if len(x) > 1 else float("nan"))}
    if positive and abs(np.mean(x)) > 0:
        out["cv_pct"] = _r(100 * np.std(x, ddof=1) / abs(np.mean(x)) if len(x) > 1 else float("nan"))
    sides = {}
    for side in ("left", "right"):
        xs = v[ok & (df["foot"] == side)].to_numpy()
        if len(xs):
            sides[side] = {"median": _r(np.median(xs)), "n": int(len(xs))}
    out.update(sides)
    if len(sides) == 2:
        l, r = sides["left"]["median"], sides["right"]["median"]
        out["asymmetry_diff"] = _r(l - r)
        if positive and (l + r) != 0:
            out["asymmetry_pct"] = _r(100 * abs(l - r) / (0.5 * (l + r)))
    out["trend"] = _trend(df.loc[ok, "ic_s"].to_numpy(), x)
    return out


def _trend(t: np.ndarray, x: np.ndarray) -> dict | None:
    if len(x) < 6:
        return None
    order = np.argsort(t)
    t, x = t[order], x[order]
    k = len(x) // 3
    slope = np.polyfit(t / 60.0, x, 1)[0] if np.ptp(t) > 0 else float("nan")
    return {"first_third": _r(np.median(x[:k])), "last_third": _r(np.median(x[-k:])),
            "change": _r(np.median(x[-k:]) - np.median(x[:k])), "slope_per_min": _r(slope)}


def strike_pattern_summary(df: pd.DataFrame) -> dict | None:
    if "foot_strike_pattern" not in df:
        return None
    pats = df["foot_strike_pattern"].replace("", np.nan).dropna()
    if pats.empty:
        return None
    share = (pats.value_counts(normalize=True) * 100).round(1).to_dict()
    out = {"pattern": pats.mode().iloc[0], "share_pct": share, "n": int(len(pats))}
    for side in ("left", "right"):
        p = pats[df.loc[pats.index, "foot"] == side]
        if len(p):
            out[side] = p.mode().iloc[0]
    return out


def summarise(df: pd.DataFrame, metric_specs: dict[str, dict]) -> dict[str, dict]:
    out = {}
    for name, spec in metric_specs.items():
        if name in df.columns:
            s = summarise_metric(df, name, bool(spec.get("positive")))
            if s is not None:
                out[name] = s
    return out
