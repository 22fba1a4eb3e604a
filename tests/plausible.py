"""Stride tables for the plausibility screen's tests, and the check that no printed figure lies
outside its plausible range."""

from __future__ import annotations

import numpy as np
import pandas as pd

from runform.engine.assess.knowledge import load_knowledge

KB = load_knowledge()


def stride_table(n: int = 12, **cols) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    base = {"foot": ["left", "right"] * (n // 2), "ic_s": np.arange(n) * 0.36,
            "stride_time_ms": rng.normal(720, 10, n), "cadence_spm": rng.normal(168, 2, n),
            "ground_contact_ms": rng.normal(220, 8, n), "duty_factor_pct": rng.normal(31, 1, n),
            "flight_ms": rng.normal(140, 8, n), "trunk_lean_deg": rng.normal(8, 1, n),
            "overstride_pct_leg": rng.normal(12, 2, n)}
    base.update(cols)
    return pd.DataFrame(base)


def outside_plausible(summary: dict) -> list[str]:
    """Every printed figure of every metric that lies outside its plausible range."""
    bad = []
    for name, m in summary["metrics"].items():
        rng = KB.plausible.get(name)
        if not rng:
            continue
        values = [m.get(k) for k in ("median", "q1", "q3")] + [m.get(s, {}).get("median") for s in ("left", "right")]
        bad += [f"{name}={v}" for v in values if v is not None and not rng["low"] <= v <= rng["high"]]
    return bad
