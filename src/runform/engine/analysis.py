"""The analysis shared by every source: clean -> scene -> events -> strides -> metrics -> assess.

A source (video, lab markers, sensors) ends in a motion dataset;
``analyze_motion`` takes it from there, so all sources share one metric and
assessment engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from ..settings import Settings
from ..sources.video.scene import LEG_FRACTION_OF_HEIGHT, analyse_scene, to_sagittal
from . import checks
from .assess.knowledge import Knowledge
from .assess.plausibility import screen
from .assess.rules import assess, reference_status
from .clean import clean
from .contacts import ContactDetector
from .dataset import point
from .metrics.per_stride import per_frame_series, stride_metrics
from .metrics.summary import strike_pattern_summary, summarise
from .strides import build_strides, midstance_times


@dataclass
class Analysis:
    """Everything one analysis produced (what the outputs are written from)."""

    motion_px: xr.Dataset  # cleaned, image pixels
    sagittal: xr.Dataset  # cleaned, metres, x forward, y up
    series: dict[str, np.ndarray]
    strides: pd.DataFrame
    summary: dict
    warnings: list[str] = field(default_factory=list)


def analyze_motion(motion_px: xr.Dataset, settings: Settings, kb: Knowledge,
                   warnings: list[str]) -> Analysis:
    """The video path after pose: clean, scene geometry, then the shared gait analysis."""
    cleaned, clean_report = clean(motion_px)
    warnings += checks.check_view(cleaned)
    scene = analyse_scene(cleaned, settings.height_m)
    warnings += checks.check_identity_jumps(cleaned, scene.leg_length_px)
    if not settings.height_m:
        warnings.append("No --height given: distances (cm, m) assume a runner of "
                        f"{scene.height_m:.2f} m. Give --height for true distances; angles and times "
                        "do not depend on it.")
    sag = to_sagittal(cleaned, scene)
    leg_m = scene.height_m * LEG_FRACTION_OF_HEIGHT
    events = ContactDetector().detect(sag, leg_m).events_
    strides, series = gait_metrics(sag, events, leg_m, settings.speed_mps)
    t = sag["time"].values
    checks.check_strides(strides, len(events), float(t[-1] - t[0]) if len(t) else 0.0, warnings,
                         checks.ground_fraction(sag, leg_m))
    if not scene.treadmill and settings.speed_mps:
        warnings.append("The runner travels across the frame (overground), yet --speed was given; "
                        "step lengths use the given speed.")
    scene_info = {
        "running_direction": "image-right" if scene.direction > 0 else "image-left",
        "camera_tilt_deg": round(scene.tilt_deg, 2),
        "treadmill": scene.treadmill,
        "leg_length_px": round(scene.leg_length_px, 1),
        "metres_per_px": round(scene.metres_per_px, 6),
        "height_m": scene.height_m,
        "height_given": scene.height_given,
    }
    summary, strides = summarise_analysis(strides, kb, warnings, VIDEO_ADVICE)
    summary.update(scene=scene_info, cleaning=clean_report, fps=round(float(cleaned.attrs["fps"]), 3),
                   duration_s=round(float(t[-1] - t[0]), 3))
    return Analysis(cleaned, sag, series, strides, summary, warnings)


VIDEO_ADVICE = "A longer clip from a fixed camera square to the side gives reliable figures."


def gait_metrics(sag: xr.Dataset, events: pd.DataFrame, leg_m: float, speed_mps: float | None,
                 series: dict[str, np.ndarray] | None = None) -> tuple[pd.DataFrame, dict]:
    """Strides from the contact events, midstance, and every per-stride sagittal metric."""
    strides = build_strides(events)
    t = sag["time"].values
    if len(strides):
        ankle_x = {s: point(sag, f"{s}_ankle")[:, 0] for s in ("left", "right")}
        strides["mid_s"] = midstance_times(strides, t, ankle_x, point(sag, "mid_hip")[:, 0])
    series = series if series is not None else per_frame_series(sag)
    if len(strides):
        strides = stride_metrics(sag, strides, leg_m, speed_mps, series)
    return strides, series


def summarise_analysis(strides: pd.DataFrame, kb: Knowledge, warnings: list[str], advice: str
                       ) -> tuple[dict, pd.DataFrame]:
    """Metric summaries with references, foot strike, quality and faults, from the strides
    left after the plausibility screen; returns (summary, screened strides)."""
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
    summary = {"metrics": metrics, "foot_strike": strike_pattern_summary(strides),
               "quality": _quality(strides, warnings, advice)}
    summary["faults"] = assess(summary, strides, kb)
    summary["n_strides"] = int(len(strides))
    summary["plausibility"] = plausibility
    return summary, strides


def _quality(strides: pd.DataFrame, warnings: list[str], advice: str) -> dict:
    """How far to trust this recording's figures: stride count, regularity, keypoint confidence.

    poor: fewer than 6 strides, stride-time CV above 10 % (steady running is
    2-4 %), or mean stance-leg keypoint confidence below 0.5; fair: fewer than
    10 strides, CV above 5 % or confidence below 0.7; otherwise good.
    """
    st = strides["stride_time_ms"].astype(float)
    cv = float(100 * st.std() / st.mean()) if len(st) > 1 else float("nan")
    has_conf = "keypoint_confidence" in strides  # keypoint sources only; a sensor has none
    conf = float(strides["keypoint_confidence"].mean()) if has_conf else 1.0
    n = int(len(strides))
    if n < 6 or not cv <= 10 or conf < 0.5:
        level = "poor"
    elif n < 10 or cv > 5 or conf < 0.7:
        level = "fair"
    else:
        level = "good"
    if level == "poor":
        conf_text = f", keypoint confidence {conf:.2f}" if has_conf else ""
        warnings.append(f"Low confidence in these results: {n} strides, stride time varies by {cv:.0f} % "
                        f"(steady running: 2-4 %){conf_text}. {advice}")
    out = {"level": level, "n_strides": n, "stride_time_cv_pct": round(cv, 1)}
    if has_conf:
        out["keypoint_confidence"] = round(conf, 3)
    return out
