"""Detected events against the force-plate truth (paired by ``matching``), and the tables' markdown."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .matching import errors
from .matching import match_events as matched_events


def markdown_table(df: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join("" if pd.isna(v) else str(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def match_events(detected: pd.DataFrame, truth: pd.DataFrame, span_s, margin_s: float = 0.05,
                 max_offset_s: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Signed IC and TO errors (detected - truth, s) for every truth contact inside the clip
    that a detected contact of the same foot matches within ``max_offset_s`` (``matching``)."""
    t0, t1 = span_s
    inside = truth[(truth.ic_s > t0 + margin_s) & (truth.to_s < t1 - margin_s)]
    return errors(matched_events(detected, inside, max_offset_s))
