"""Two views of one run -> one summary: the side clip's metrics and findings, the front or back
clip's frontal ones, and a check that the two show the same run.

Each clip is analysed on its own (the side path and the frontal path). The side summary is
the base; the frontal clip adds the metrics only it measures, its findings and its notes
(each named by its view). Cadence is measured in both: when the two medians differ by more
than ``SAME_RUN_CADENCE_PCT`` the clips may not show the same run, and the report says so.
"""

from __future__ import annotations

import copy

import pandas as pd

SAME_RUN_CADENCE_PCT = 3.0


def combine_summaries(side: dict, frontal: dict) -> dict:
    """The side summary with the frontal clip's metrics, findings and notes added."""
    view = frontal["scene"]["view"]
    out = copy.deepcopy(side)
    for name, m in frontal["metrics"].items():
        if name not in out["metrics"]:
            out["metrics"][name] = {**m, "view": view}
    names = {f["id"] for f in out["faults"]}
    out["faults"] += [{**f, "view": view} for f in frontal["faults"] if f["id"] not in names]
    out["warnings"] = list(out["warnings"]) + [f"{view.capitalize()} view: {w}" for w in frontal["warnings"]]
    out["views"] = _views(side, frontal)
    if not out["views"]["same_run"]:
        out["warnings"].append(f"The two clips' cadences differ by {out['views']['cadence_difference_pct']:.1f} % "
                               f"(more than {SAME_RUN_CADENCE_PCT:g} %): they may not show the same run, so read "
                               "the side and the frontal figures as two runs.")
    return out


def _views(side: dict, frontal: dict) -> dict:
    cad = [s["metrics"].get("cadence_spm", {}).get("median") for s in (side, frontal)]
    diff = 100.0 * abs(cad[0] - cad[1]) / cad[0] if None not in cad else None
    clip = lambda s: {"file": s["source"]["file"], "type": s["source"]["type"],  # noqa: E731
                      "n_strides": s["n_strides"], "cadence_spm": s["metrics"].get("cadence_spm", {}).get("median"),
                      "quality": s["quality"]["level"]}
    return {"side": clip(side), frontal["scene"]["view"]: clip(frontal), "frontal_view": frontal["scene"]["view"],
            "cadence_difference_pct": None if diff is None else round(diff, 2),
            "same_run": diff is not None and diff <= SAME_RUN_CADENCE_PCT}


def combine_strides(side: pd.DataFrame, frontal: pd.DataFrame, view: str) -> pd.DataFrame:
    """Both clips' strides in one table, a ``view`` column telling them apart."""
    return pd.concat([side.assign(view="side"), frontal.assign(view=view)], ignore_index=True)
