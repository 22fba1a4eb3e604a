"""One way to pair runform's events with the truth, for every validation table: each true event
takes the estimate nearest to it in time (the first of equals), when that lies within a tolerance.
An estimate may serve two true events only if they lie closer together than any gait allows."""

from __future__ import annotations

import numpy as np
import pandas as pd


def nearest_pairs(est_s, truth_s, tolerance_s: float) -> list[tuple[int, int]]:
    """(truth index, estimate index) for each true time whose nearest estimate is within
    ``tolerance_s``, in the truth's order."""
    est = np.asarray(est_s, float)
    if not len(est):
        return []
    out = []
    for j, t in enumerate(np.asarray(truth_s, float)):
        i = int(np.argmin(np.abs(est - t)))
        if abs(est[i] - t) <= tolerance_s:
            out.append((j, i))
    return out


def match_events(est: pd.DataFrame, truth: pd.DataFrame, tolerance_s: float, same_foot: bool = True) -> pd.DataFrame:
    """The truth's contacts (``ic_s``, ``to_s``, ``foot``) with the matched estimate's as
    ``est_ic_s`` and ``est_to_s`` (NaN where none is within ``tolerance_s`` of the IC), matched by
    initial contact, among the same foot's contacts when ``same_foot``."""
    e_ic, e_to = np.full(len(truth), np.nan), np.full(len(truth), np.nan)
    groups = truth.groupby("foot").groups.items() if same_foot else [(None, truth.index)]
    for foot, index in groups:
        mine = est[est.foot == foot] if same_foot else est
        rows = truth.index.get_indexer(index)
        for j, i in nearest_pairs(mine.ic_s, truth.ic_s.iloc[rows], tolerance_s):
            e_ic[rows[j]], e_to[rows[j]] = mine.ic_s.iloc[i], mine.to_s.iloc[i]
    return truth.assign(est_ic_s=e_ic, est_to_s=e_to)


def errors(matched: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Signed IC and TO errors (estimate - truth, s) of the matched contacts, in the truth's order."""
    ok = matched.est_ic_s.notna().to_numpy()
    return ((matched.est_ic_s - matched.ic_s).to_numpy()[ok], (matched.est_to_s - matched.to_s).to_numpy()[ok])
