"""Judging the metrics against the knowledge base: which faults are present, how sure.

A fault's conditions (``all`` / ``any`` in base.yaml) compare a metric's
median over strides, its trend, the foot-strike pattern or another fault.
A flagged fault reports the value and its spread, the reference it was judged
against, the share of strides that individually meet the rule, and a
confidence in [0, 1]:

    confidence = min(1, n_strides / 8) x share_of_strides x keypoint_factor

where ``keypoint_factor`` maps the mean landmark confidence of the stance leg
from 0.3 (-> 0.2) to 0.8 (-> 1.0). Labels: high >= 0.7, medium >= 0.4, low.
The numbers are the knowledge base's ``cutoffs.confidence``.
"""

from __future__ import annotations

import operator

import numpy as np
import pandas as pd

from .knowledge import Knowledge

OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def confidence_label(c: float, labels: dict) -> str:
    return "high" if c >= labels["high"] else "medium" if c >= labels["medium"] else "low"


def _evidence_factors(strides: pd.DataFrame, rule: dict) -> float:
    """The stride-count factor times the keypoint factor of a finding's confidence."""
    kp_factor = 1.0  # a sensor's certainty is in its stride count
    if "keypoint_confidence" in strides:
        kp = rule["keypoint_confidence"]
        kp_conf = float(strides["keypoint_confidence"].mean()) if len(strides) else 0.0
        low = kp["lowest_factor"]
        kp_factor = float(np.clip(low + (1 - low) * (kp_conf - kp["lowest"]) / (kp["full"] - kp["lowest"]), low, 1.0))
    return min(1.0, len(strides) / rule["full_at_strides"]) * kp_factor


def reference_status(value: float | None, ref: dict | None) -> str:
    if value is None or not ref:
        return ""
    if "low" in ref and value < ref["low"]:
        return "below"
    if "high" in ref and value > ref["high"]:
        return "above"
    return "within" if ("low" in ref or "high" in ref) else ""


def _threshold(cond: dict, kb: Knowledge) -> float | None:
    if "value" in cond:
        return float(cond["value"])
    ref = kb.references.get(cond["metric"], {})
    return ref.get(cond["ref"])


def _evaluate(cond: dict, summary: dict, strides: pd.DataFrame, kb: Knowledge, found: set):
    """-> (met, evidence dict or None, share of strides meeting it)."""
    if "pattern" in cond:
        sp = summary.get("foot_strike", {}) or {}
        share = (sp.get("share_pct", {}) or {}).get(cond["pattern"], 0.0) / 100
        return sp.get("pattern") == cond["pattern"], None, share
    if "fault" in cond:
        return cond["fault"] in found, None, 1.0
    op = OPS[cond["op"]]
    if "trend" in cond:
        m = summary["metrics"].get(cond["trend"], {})
        change = (m.get("trend") or {}).get("change")
        if change is None:
            return False, None, 0.0
        ok = op(change, cond["value"])
        return ok, {"metric": cond["trend"], "trend_change": change, "op": cond["op"],
                    "threshold": cond["value"]}, 1.0 if ok else 0.0
    name = cond["metric"]
    m = summary["metrics"].get(name)
    thr = _threshold(cond, kb)
    if m is None or m.get("median") is None or thr is None:
        return False, None, 0.0
    col = strides[name].astype(float).dropna() if name in strides else pd.Series(dtype=float)
    share = float(np.mean(op(col.to_numpy(), thr))) if len(col) else 0.0
    ok = op(m["median"], thr)
    ev = {"metric": name, "value": m["median"], "q1": m.get("q1"), "q3": m.get("q3"),
          "iqr": m.get("iqr"), "n": m.get("n"), "op": cond["op"], "threshold": thr,
          "reference": kb.references.get(name), "share_of_strides_pct": round(100 * share, 1)}
    return ok, ev, share


def assess(summary: dict, strides: pd.DataFrame, kb: Knowledge) -> list[dict]:
    """Flag the knowledge base's faults; returns findings in the order of base.yaml."""
    found: set[str] = set()
    findings = []
    rule = kb.cutoffs["confidence"]
    factors = _evidence_factors(strides, rule)
    for fault in kb.faults:
        conds, mode = (fault["all"], all) if "all" in fault else (fault["any"], any)
        results = [_evaluate(c, summary, strides, kb, found) for c in conds]
        if not mode(r[0] for r in results):
            continue
        met = [r for r in results if r[0]]
        share = min(r[2] for r in met) if mode is all else max(r[2] for r in met)
        conf = factors * share
        found.add(fault["id"])
        findings.append({
            "id": fault["id"],
            "title": fault["title"],
            "evidence": [r[1] for r in met if r[1]],
            "confidence": round(conf, 2),
            "confidence_label": confidence_label(conf, rule["labels"]),
            "why": fault["why"],
            "sources": [kb.sources[s] for s in fault["sources"]],
            "drills": [{"id": d, **{k: kb.drills[d][k] for k in ("name", "how")}} for d in fault["drills"]],
        })
    return findings
