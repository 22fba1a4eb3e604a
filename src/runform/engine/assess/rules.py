"""Judging the metrics against the knowledge base: which faults are present, how sure.

A fault's conditions (``all`` / ``any`` in base.yaml) compare a metric's
median over strides, its trend, the foot-strike pattern or another fault.
A flagged fault reports the value and its spread, the reference it was judged
against, the share of strides that individually meet the rule, and a
confidence in [0, 1]:

    confidence = min(1, n_strides / 8) x share_of_strides x keypoint_factor

where ``keypoint_factor`` maps the mean landmark confidence of the stance leg
from 0.3 (-> 0.2) to 0.8 (-> 1.0). The numbers are the knowledge base's
``cutoffs.confidence``.

A finding is then no surer than its measurement. Each evidence value carries
its metric's ``uncertainty`` and ``z``, how many uncertainties it lies beyond
its threshold (a trend's change: the sampling error of the two thirds'
medians). With the smallest ``z`` of a finding's evidence:

* ``borderline`` when z < 1: the threshold is within one uncertainty of the
  value; ``settle`` says what would decide it;
* ``high`` only when z >= 2, the recording's quality is good and the
  confidence above is >= 0.7;
* ``medium`` when the confidence is >= 0.4, else ``low``;
* a poor recording caps every finding at ``low``.

The number ``confidence`` is scaled by min(1, z / 2) and capped at the low
level's 0.35 on a poor recording.
"""

from __future__ import annotations

import operator

import numpy as np
import pandas as pd

from ..uncertainty import dominant_part
from .knowledge import Knowledge

OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


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


STRIKE_CUTS = {"rearfoot": (">", "rearfoot_above_deg"), "forefoot": ("<", "forefoot_below_deg")}


def _pattern_evidence(pattern: str, summary: dict, kb: Knowledge) -> dict | None:
    """A foot-strike pattern's evidence: the foot-strike angle against the cut-off that defines
    it (Altman & Davis), so the pattern is no surer than that angle."""
    m = summary["metrics"].get("foot_strike_angle_deg")
    if pattern not in STRIKE_CUTS or not m or m.get("median") is None:
        return None
    op, key = STRIKE_CUTS[pattern]
    return {"metric": "foot_strike_angle_deg", "value": m["median"], "q1": m.get("q1"), "q3": m.get("q3"),
            "iqr": m.get("iqr"), "n": m.get("n"), "op": op, "threshold": kb.cutoffs["foot_strike"][key],
            "reference": None, "pattern": pattern}


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
        return sp.get("pattern") == cond["pattern"], _pattern_evidence(cond["pattern"], summary, kb), share
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


def assess(summary: dict, strides: pd.DataFrame, kb: Knowledge, source: str = "") -> list[dict]:
    """Flag the knowledge base's faults; returns findings in the order of base.yaml. ``source``
    (video, lab, imu) picks what would settle a borderline finding."""
    found: set[str] = set()
    evidence_of: dict[str, list[dict]] = {}  # a finding on another fault is no surer than that one
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
        evidence = [_with_z(r[1], summary) for r in met if r[1]]
        inherited = [e for c in conds if "fault" in c for e in evidence_of.get(c["fault"], [])]
        conf, label, settle = _calibrated(factors * share, evidence + inherited, summary, rule["labels"], kb, source)
        evidence_of[fault["id"]] = evidence + inherited
        found.add(fault["id"])
        findings.append({
            "id": fault["id"],
            "title": fault["title"],
            "evidence": evidence,
            "confidence": round(conf, 2),
            "confidence_label": label,
            **({"settle": settle} if settle else {}),
            "why": fault["why"],
            "sources": [kb.sources[s] for s in fault["sources"]],
            "drills": [{"id": d, **{k: kb.drills[d][k] for k in ("name", "how")}} for d in fault["drills"]],
        })
    return findings


LOW_CAP = 0.35  # a poor recording's findings: at most this confidence


def cap_to_low(findings: list[dict]) -> list[dict]:
    """The findings no surer than low (a recording whose figures may not all be one runner's);
    a borderline one stays borderline."""
    return [{**f, "confidence": min(f["confidence"], LOW_CAP),
             "confidence_label": f["confidence_label"] if f["confidence_label"] == "borderline" else "low"}
            for f in findings]


def _with_z(ev: dict, summary: dict) -> dict:
    """The evidence with its metric's uncertainty and how many uncertainties the value lies
    beyond the threshold (``z``)."""
    m = summary["metrics"].get(ev["metric"], {})
    if "trend_change" in ev:
        n, sd = m.get("n") or 0, m.get("sd")
        u = 1.2533 * sd * np.sqrt(6.0 / n) if sd and n >= 6 else None  # two thirds' medians
        value = ev["trend_change"]
    else:
        u, value = m.get("uncertainty"), ev.get("value")
    if not u or value is None:
        return ev
    return {**ev, "uncertainty": round(float(u), 2), "z": round(abs(value - ev["threshold"]) / float(u), 2)}


def _calibrated(conf: float, evidence: list[dict], summary: dict, labels: dict, kb: Knowledge, source: str
                ) -> tuple[float, str, str | None]:
    """(confidence, label, what would settle it) from the stride-share confidence, the evidence's
    distance from its thresholds in uncertainties and the recording's quality."""
    zs = [e["z"] for e in evidence if "z" in e]
    z = min(zs) if zs else np.inf
    poor = (summary.get("quality") or {}).get("level") == "poor"
    good = (summary.get("quality") or {}).get("level") == "good"
    conf = conf * min(1.0, z / 2)
    if poor:
        conf = min(conf, LOW_CAP)
    if z < 1:
        return min(conf, LOW_CAP), "borderline", _settle(evidence, summary, kb, source)
    if z >= 2 and good and conf >= labels["high"]:
        return conf, "high", None
    return conf, ("medium" if conf >= labels["medium"] and not poor else "low"), None


def _settle(evidence: list[dict], summary: dict, kb: Knowledge, source: str) -> str | None:
    """What would decide a borderline finding: the advice for the largest part of the
    uncertainty of its closest evidence."""
    close = min((e for e in evidence if "z" in e), key=lambda e: e["z"])
    part = dominant_part(summary["metrics"].get(close["metric"], {}))
    return kb.uncertainty.get("settle", {}).get(part, {}).get(source)
