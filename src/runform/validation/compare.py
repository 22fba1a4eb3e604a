"""Matching detected events to the force-plate truth."""

from __future__ import annotations

import numpy as np
import pandas as pd


def markdown_table(df: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join("" if pd.isna(v) else str(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def match_events(detected: pd.DataFrame, truth: pd.DataFrame, span_s, margin_s: float = 0.05,
                 max_offset_s: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Signed IC and TO errors (detected - truth, s) for every truth contact inside the clip
    that a detected contact of the same foot matches within ``max_offset_s``."""
    t0, t1 = span_s
    inside = truth[(truth.ic_s > t0 + margin_s) & (truth.to_s < t1 - margin_s)]
    e_ic, e_to = [], []
    for r in inside.itertuples():
        cand = detected[detected.foot == r.foot]
        if cand.empty:
            continue
        j = int(np.argmin(np.abs(cand.ic_s.to_numpy() - r.ic_s)))
        d = cand.iloc[j]
        if abs(d.ic_s - r.ic_s) <= max_offset_s:
            e_ic.append(d.ic_s - r.ic_s)
            e_to.append(d.to_s - r.to_s)
    return np.array(e_ic), np.array(e_to)
