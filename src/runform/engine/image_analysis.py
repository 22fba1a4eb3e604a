"""Image keypoints (pixels of a picture: a video's pose, a folder of pose keypoints, the live
camera) -> the gait analysis: checks -> cleaning -> scene -> contacts -> metrics, with the
scene's facts in the summary.

* Which view (``image_view.view_of``): a front or back view goes to ``frontal_analysis``.
* Cleaning (``clean``): confidence gate, leg-swap repair, gaps filled, low-pass.
* Scene (``scene``): running direction, floor line, scale from the runner's height; true
  vertical (``true_vertical.choose``) from the scene's edges when the source looked for them.
* Real time (``real_time``): a slow-motion or sped-up clip the source did not scale is refused.
* Contacts: the kinematic detector (``contacts``), timed from the shoes' pixels when the source
  gives them (``soles``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import xarray as xr

from ..settings import Settings
from ..words import opt
from . import checks, image_view
from .analysis import Analysis, gait_metrics, summarise_analysis
from .assess.knowledge import Knowledge
from .body import LEG_FRACTION_OF_HEIGHT
from .clean import clean
from .contacts import ContactDetector
from .frontal_analysis import frontal_analysis
from .metrics.per_stride import stride_metrics
from .real_time import check_real_time, check_speed_change, feet_separation, step_period_s
from .scene import analyse_scene, to_sagittal
from .strides import STRIDE_COLUMNS
from .timeline import contact_timeline, timeline_counts
from .true_vertical import Vertical, choose
from .uncertainty import event_parts, random_ms

VIDEO_ADVICE = "A longer clip from a fixed camera square to the side gives reliable figures."
# metrics measured against true vertical (angles.py's _from_vertical, and the horizontal of overstride)
AGAINST_VERTICAL = ("trunk_lean_deg", "trunk_lean_midstance_deg", "head_forward_deg", "body_line_deg",
                    "shank_angle_ic_deg", "overstride_cm", "overstride_ankle_cm", "overstride_pct_leg")
UNSURE_VERTICAL_DEG = 2.0  # from this uncertainty of true vertical, findings on those metrics are low
LOW_CONFIDENCE = 0.35
PIXEL_SHARE = 0.8  # contacts timed from the shoe's pixels from which their measured errors apply


def analyze_motion(motion: xr.Dataset, settings: Settings, kb: Knowledge, warnings: list[str],
                   scene_v: Vertical | None = None, tick=lambda n=1: None, soles=None,
                   detector: ContactDetector | None = None) -> Analysis:
    """Clean the keypoints, find the scene (direction, true vertical, scale), then contacts and
    the engine. ``scene_v``: true vertical from the video's edges, when it has been looked for;
    ``soles(cleaned, scene)``: each foot's sole depth from the pixels (a still camera's video:
    ``sources.video.soles``), which times the contacts, or None; ``detector``: the contact
    detector to run (a default ``ContactDetector``), recorded with its parameters in the summary.
    A front or back view (as the user says, or found by ``image_view.view_of``) goes to the frontal analysis."""
    view = image_view.view_of(motion, settings.view)
    if view != "side":
        return _frontal(motion, settings, kb, warnings, view)
    cleaned, clean_report = clean(motion)
    warnings += image_view.check_view(cleaned)
    scene = analyse_scene(cleaned, settings.height_m)
    vertical, notes = choose(settings.vertical, scene_v, scene.tilt_deg, scene.treadmill)
    warnings += notes
    scene = replace(scene, vertical_deg=vertical.deg)
    warnings += image_view.check_identity_jumps(cleaned, scene.leg_length_px)
    if not settings.height_m:
        warnings.append(f"No {opt('height')} given: distances (cm, m) assume a runner of "
                        f"{scene.height_m:.2f} m. Give {opt('height')} for true distances; angles and times "
                        "do not depend on it.")
    sag = to_sagittal(cleaned, scene)
    leg_m = scene.height_m * LEG_FRACTION_OF_HEIGHT
    if not motion.attrs.get("time_scale_from"):  # nobody said the clip is not real time: is it?
        _check_real_time(sag, checks.ground_fraction(sag, leg_m))
    detector = detector if detector is not None else ContactDetector()
    events = detector.detect(sag, leg_m, soles=soles(cleaned, scene) if soles else None).events_
    strides, series = gait_metrics(sag, events, leg_m, settings.speed_mps, kb)
    t = sag["time"].values
    checks.check_strides(strides, len(events), float(t[-1] - t[0]) if len(t) else 0.0, warnings,
                         checks.ground_fraction(sag, leg_m), kb.cutoffs["walking"])
    if not scene.treadmill and settings.speed_mps:
        warnings.append(f"The runner travels across the frame (overground), yet {opt('speed')} was given; "
                        "step lengths use the given speed.")
    timeline = contact_timeline(detector.contacts_, strides, _feet_confidence(sag), float(t[-1]) if len(t) else 0.0,
                                detector.min_foot_confidence, detector.max_contact_s)
    steps = timeline_counts(timeline)
    tick()
    remeasure = lambda st: stride_metrics(sag, st[STRIDE_COLUMNS], leg_m, settings.speed_mps, series,  # noqa: E731
                                          strike=kb.cutoffs["foot_strike"])
    fps = float(motion.attrs.get("effective_fps") or cleaned.attrs["fps"])
    by_pixels = int((detector.contacts_["timed_by"] == "pixels").sum())
    spec = kb.uncertainty["video"]["events_pixels" if by_pixels >= PIXEL_SHARE * max(1, len(detector.contacts_))
                                   else "events"]
    parts = event_parts(strides, remeasure, spec, list(kb.metrics), 1.0 / fps)
    unc = {"source": "video", "events": parts, "extras": extra_uncertainty(vertical, scene, leg_m, kb)}
    summary, strides = summarise_analysis(strides, kb, warnings, VIDEO_ADVICE, steps, unc)
    tick()
    summary["contacts"] = {**steps, "timed_from_pixels": by_pixels, "expected_error_ms": _expected_error(spec, fps),
                           "timeline": timeline.round(4).to_dict("records")}
    _vertical_confidence(summary["faults"], vertical)
    summary.update(scene=_scene_info(scene, vertical), cleaning=clean_report, fps=round(float(cleaned.attrs["fps"]), 3),
                   parameters={"contacts": detector.recorded()},
                   duration_s=round(float(t[-1] - t[0]), 3))
    return Analysis(cleaned, sag, series, strides, summary, warnings, view="side")


def _scene_info(scene, vertical: Vertical) -> dict:
    """The scene's facts for the summary: direction, true vertical, floor line, scale."""
    return {
        "running_direction": "image-right" if scene.direction > 0 else "image-left",
        "camera_tilt_deg": round(-vertical.deg, 2),
        "true_vertical_deg": vertical.deg,
        "vertical_cue": vertical.cue,
        "vertical_uncertainty_deg": vertical.uncertainty_deg,
        "vertical_edges": vertical.n_lines,
        "floor_line_deg": round(scene.tilt_deg, 2),
        "treadmill": scene.treadmill,
        "leg_length_px": round(scene.leg_length_px, 1),
        "metres_per_px": round(scene.metres_per_px, 6),
        "height_m": scene.height_m,
        "height_given": scene.height_given,
    }


def _frontal(motion: xr.Dataset, settings: Settings, kb: Knowledge, warnings: list[str], view: str) -> Analysis:
    """A front or back view's keypoints (px) through the frontal analysis; ``view`` 'frontal'
    lets it tell front from back."""
    return frontal_analysis(motion["time"].values, motion["position"].values, motion["confidence"].values,
                            list(motion["keypoint"].values), settings.height_m, kb, warnings,
                            None if view == "frontal" else view)


def _expected_error(events: dict, fps: float) -> dict:
    """Each contact's expected error at this clip's effective frame rate: the bias shared by the
    clip, and the random part (the pose model's and one frame / sqrt(12))."""
    return {"effective_fps": round(fps, 2), **{kind: {"bias": events[kind]["bias"], "random": round(
        random_ms(events, kind, 1.0 / fps), 1)} for kind in ("ic", "to")}, "source": events.get("source")}


def extra_uncertainty(vertical: Vertical, scene, leg_m: float, kb: Knowledge) -> dict:
    """The video's own parts of the uncertainty: true vertical's for what is measured against it
    (angles in deg; distances ahead of the hips by the hip height times the angle), and the scale
    for distances when the runner's height was assumed."""
    out: dict = {}
    rad = np.radians(vertical.uncertainty_deg)
    for name in AGAINST_VERTICAL:
        unit = kb.metrics[name]["unit"]
        out[name] = {"vertical": vertical.uncertainty_deg if unit == "deg" else
                     100 * rad * (leg_m if unit == "cm" else 1.0)}
    if not scene.height_given:
        rel = kb.uncertainty["video"]["scale_without_height_pct"]["value"] / 100
        for name, spec in kb.metrics.items():
            if spec["unit"] in ("cm", "m") and not name.startswith(("step_length", "stride_length")):
                out.setdefault(name, {})["scale"] = {"relative": rel}
    return out


def _check_real_time(sag: xr.Dataset, ground_share: float) -> None:
    """Refuse a running clip that is not real time, or whose speed changes (``timing.py``)."""
    t, separation = sag["time"].values, feet_separation(sag)
    check_speed_change(t, separation, ground_share)
    check_real_time(2 * step_period_s(t, separation), ground_share)


def _vertical_confidence(faults: list[dict], vertical: Vertical) -> None:
    """Findings on metrics measured against vertical are at most low confidence when true vertical
    is uncertain (no vertical edge in view), and say why."""
    if vertical.uncertainty_deg < UNSURE_VERTICAL_DEG:
        return
    for f in faults:
        if any(e.get("metric") in AGAINST_VERTICAL for e in f["evidence"]) and f["confidence"] > LOW_CONFIDENCE:
            f["confidence"], f["confidence_label"] = LOW_CONFIDENCE, "low"
            f["confidence_note"] = (f"Measured against a vertical known only to about {vertical.uncertainty_deg:g} deg "
                                    f"(taken from the {vertical.cue}): no vertical edge was in view.")


def _feet_confidence(sag: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """(times, the median confidence of both feet's ankle, heel and toe keypoints per frame)."""
    names = [f"{side}_{p}" for side in ("left", "right") for p in ("ankle", "heel", "foot_index")]
    return sag["time"].values, np.median(sag["confidence"].sel(keypoint=names).values, axis=1)
