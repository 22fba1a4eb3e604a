"""The engine every source ends in: strides -> metrics -> plausibility -> summaries -> faults.

A source adapter (``runform.sources``) turns its recording into events and a
motion dataset (keypoints on the sagittal plane, and/or pelvis angles);
``gait_metrics`` builds the strides and their sagittal metrics,
``summarise_analysis`` screens, summarises and assesses them, ``finish``
stamps the summary with what made it. Every source returns an
:class:`Analysis`.
"""

from __future__ import annotations

import dataclasses

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from .assess.knowledge import Knowledge
from .assess.plausibility import screen
from .assess.rules import assess, reference_status
from .dataset import point
from .metrics.per_stride import per_frame_series, stride_metrics
from .metrics.summary import strike_pattern_summary, summarise
from .strides import build_strides, midstance_times
from .uncertainty import add_uncertainty


@dataclass
class Analysis:
    """Everything one analysis produced (what the outputs are written from)."""

    motion: xr.Dataset  # the source's cleaned data: image keypoints (px), lab markers (m), sensor signals
    sagittal: xr.Dataset | None  # keypoints on the sagittal plane: metres, x forward, y up (no sensor)
    series: dict[str, np.ndarray]
    strides: pd.DataFrame
    summary: dict
    warnings: list[str] = field(default_factory=list)
    frontal: xr.Dataset | None = None  # a front or back view's keypoints on the frontal plane: metres, x right, y up
    view: str | None = None  # a camera's view of the runner: side, front or back (none for lab and sensor)


def gait_metrics(sag: xr.Dataset, events: pd.DataFrame, leg_m: float, speed_mps: float | None, kb: Knowledge,
                 series: dict[str, np.ndarray] | None = None) -> tuple[pd.DataFrame, dict]:
    """Strides from the contact events, midstance, and every per-stride sagittal metric (foot
    strike classified by the knowledge base's ``cutoffs.foot_strike``)."""
    strides = build_strides(events)
    t = sag["time"].values
    if len(strides):
        ankle_x = {s: point(sag, f"{s}_ankle")[:, 0] for s in ("left", "right")}
        strides["mid_s"] = midstance_times(strides, t, ankle_x, point(sag, "mid_hip")[:, 0])
    series = series if series is not None else per_frame_series(sag)
    if len(strides):
        strides = stride_metrics(sag, strides, leg_m, speed_mps, series, strike=kb.cutoffs["foot_strike"])
    return strides, series


def summarise_analysis(strides: pd.DataFrame, kb: Knowledge, warnings: list[str], advice: str,
                       steps: dict | None = None, uncertainty: dict | None = None) -> tuple[dict, pd.DataFrame]:
    """Metric summaries with references and uncertainties, foot strike, quality and faults, from
    the strides left after the plausibility screen; returns (summary, screened strides).
    ``steps``: the contact timeline's counts (``timeline.timeline_counts``), when the source has
    one; ``uncertainty``: ``source`` (video, lab, imu), ``events`` (``uncertainty.event_parts``)
    and ``extras`` (source terms per metric)."""
    implausible_pct = _implausible_pct(strides, kb.plausible)
    strides, plausibility, notes = screen(strides, kb.plausible, kb.plausibility_hints, kb.metrics)
    warnings += notes
    metrics = summarise(strides, kb.metrics)
    for name, m in metrics.items():
        ref = kb.references.get(name)
        if ref:
            m["reference"] = {k: ref[k] for k in ("low", "high", "ideal", "note") if k in ref}
            m["reference"]["source"] = kb.sources.get(ref.get("source"), ref.get("source"))
            m["status"] = reference_status(m["median"], ref)
        m["unit"] = kb.metrics[name]["unit"]
    unc = uncertainty or {}
    spec = kb.uncertainty.get(unc.get("source", ""), {})
    add_uncertainty(metrics, unc.get("events", {}), spec, unc.get("extras"))
    summary = {"metrics": metrics, "foot_strike": strike_pattern_summary(strides),
               "quality": _quality(strides, warnings, advice, kb.cutoffs["quality"], steps, implausible_pct)}
    summary["faults"] = assess(summary, strides, kb, unc.get("source", ""))
    summary["n_strides"] = int(len(strides))
    summary["plausibility"] = plausibility
    return summary, strides


def _implausible_pct(strides: pd.DataFrame, plausible: dict) -> float:
    """Share of all per-stride values outside what a body can do (the plausibility ranges)."""
    bad = total = 0
    for name, rng in plausible.items():
        if name in strides:
            v = pd.to_numeric(strides[name], errors="coerce").dropna()
            bad += int(((v < rng["low"]) | (v > rng["high"])).sum())
            total += len(v)
    return 100.0 * bad / total if total else 0.0


def _quality(strides: pd.DataFrame, warnings: list[str], advice: str, levels: dict, steps: dict | None,
             implausible_pct: float = 0.0) -> dict:
    """How far to trust this recording's figures: stride count, regularity, keypoint confidence,
    and the share of the steps seen that could not be used.

    ``levels`` (the knowledge base's ``cutoffs.quality``): poor below 6 strides, a stride-time
    CV above 10 % (steady running is 2-4 %) or a mean stance-leg keypoint confidence below 0.5;
    fair below 10 strides, above 5 % or below 0.7; otherwise good; poor also when more than
    ``poor.above_implausible_pct`` of the per-stride values are outside what a body can do. More than
    ``max_steps_not_used_pct`` of the steps not used lowers the level by one, and says why.
    """
    st = strides["stride_time_ms"].astype(float)
    cv = float(100 * st.std() / st.mean()) if len(st) > 1 else float("nan")
    has_conf = "keypoint_confidence" in strides  # keypoint sources only; a sensor has none
    conf = float(strides["keypoint_confidence"].mean()) if has_conf else 1.0
    n = int(len(strides))
    poor, fair = levels["poor"], levels["fair"]
    if (n < poor["below_strides"] or not cv <= poor["above_stride_time_cv_pct"]
            or not conf >= poor["below_keypoint_confidence"] or implausible_pct > poor["above_implausible_pct"]):
        level = "poor"
    elif n < fair["below_strides"] or cv > fair["above_stride_time_cv_pct"] or conf < fair["below_keypoint_confidence"]:
        level = "fair"
    else:
        level = "good"
    out_steps, level = _steps_quality(steps, level, levels.get("max_steps_not_used_pct", 100))
    if any(not r.startswith("clip edge") for r in (steps or {}).get("reasons", {})):
        lowered = " The quality is lowered for it." if out_steps.get("lowered_by_steps") else ""
        warnings.append(out_steps["steps_note"] + lowered + " The report's contact timeline shows each.")
    if level == "poor":
        conf_text = f", keypoint confidence {conf:.2f}" if has_conf else ""
        odd = (f", {implausible_pct:.0f} % of the per-stride values outside what a body can do"
               if implausible_pct > poor["above_implausible_pct"] else "")
        warnings.append(f"Low confidence in these results: {n} strides, stride time varies by {cv:.0f} % "
                        f"(steady running: 2-4 %){conf_text}{odd}. {advice}")
    out = {"level": level, "n_strides": n, "stride_time_cv_pct": round(cv, 1),
           "implausible_values_pct": round(implausible_pct, 1)}
    if has_conf:
        out["keypoint_confidence"] = round(conf, 3)
    return {**out, **out_steps}


def _steps_quality(steps: dict | None, level: str, max_pct: float) -> tuple[dict, str]:
    """The steps part of the quality: the share not used, why, and the level one lower when that
    share is above ``max_pct``."""
    if not steps or not steps["steps"]:
        return {}, level
    out = {"steps_not_used_pct": steps["not_used_pct"]}
    if steps["used"] < steps["steps"]:
        why = "; ".join(f"{reason}: {n}" for reason, n in steps["reasons"].items())
        out["steps_note"] = f"{steps['steps'] - steps['used']} of the {steps['steps']} steps were not used ({why})."
    if steps["not_used_pct"] > max_pct:
        level = {"good": "fair", "fair": "poor"}.get(level, level)
        out["lowered_by_steps"] = True
    return out, level


def finish(analysis: Analysis, settings: dict, source=None, model=None, scene=None) -> Analysis:
    """The summary stamped with the source's facts (``source``, and a pose model's: ``model``;
    dataclasses, each field a key of summary.json's ``source`` and ``model``; ``scene``: what
    the source adds to the engine's scene), runform's version, the settings and every warning."""
    from .. import __version__

    if source is not None:
        analysis.summary["source"] = dataclasses.asdict(source)
    if model is not None:
        analysis.summary["model"] = dataclasses.asdict(model)
    if scene is not None:
        analysis.summary["scene"].update(dataclasses.asdict(scene))
    analysis.summary.update({"runform_version": __version__, "settings": settings, "warnings": analysis.warnings})
    return analysis
