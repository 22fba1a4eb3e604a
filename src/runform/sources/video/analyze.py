"""The video path after pose: keypoints stood upright -> checks -> cleaning -> scene -> contacts
-> the engine, with the video's and the pose model's facts in the summary.

* Cleaning (``engine.clean``): confidence gate, leg-swap repair, gaps filled, low-pass.
* Scene (``scene.py``): running direction, camera tilt from the floor line, scale from the runner's height.
* Contacts: the kinematic detector (``engine.contacts``) on the sagittal keypoints.
* A front or back view goes to ``engine.frontal_analysis`` instead.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import xarray as xr

from ...engine import checks
from ...engine.analysis import Analysis, finish, gait_metrics, summarise_analysis
from ...engine.assess.knowledge import Knowledge
from ...engine.body import LEG_FRACTION_OF_HEIGHT
from ...engine.clean import clean
from ...engine.contacts import ContactDetector
from ...engine.dataset import make_motion
from ...engine.frontal_analysis import frontal_analysis
from ...engine.metrics.per_stride import stride_metrics
from ...engine.strides import STRIDE_COLUMNS
from ...engine.timeline import contact_timeline, timeline_counts
from ...engine.uncertainty import event_parts, random_ms
from ...settings import Settings
from ...words import opt
from . import checks as video_checks
from .background import camera_motion, scan
from .decode import VideoInfo
from .pose import LANDMARKS, MODEL_COMPLEXITY, MODEL_NAME, Pose, PoseSettings, mediapipe_version
from .scene import analyse_scene, leg_length_px, to_sagittal
from .soles import CropCollector, FootCrops, sole_depths
from .timing import check_real_time, check_speed_change, feet_separation, frame_rate_facts, step_period_s, time_scale
from .upright import body_axis_deg, turn_points, upright_turns
from .vertical import Vertical, choose, scene_vertical

VIDEO_ADVICE = "A longer clip from a fixed camera square to the side gives reliable figures."
# metrics measured against true vertical (angles.py's _from_vertical, and the horizontal of overstride)
AGAINST_VERTICAL = ("trunk_lean_deg", "trunk_lean_midstance_deg", "head_forward_deg", "body_line_deg",
                    "shank_angle_ic_deg", "overstride_cm", "overstride_ankle_cm", "overstride_pct_leg")
UNSURE_VERTICAL_DEG = 2.0  # from this uncertainty of true vertical, findings on those metrics are low
LOW_CONFIDENCE = 0.35
PIXEL_SHARE = 0.8  # contacts timed from the shoe's pixels from which their measured errors apply


def analyze_pose(video: Path, info: VideoInfo, pose: Pose, pose_info: dict, pose_settings: PoseSettings,
                 settings: Settings, kb: Knowledge, window: tuple[float, float], tick=lambda n=1: None) -> Analysis:
    """The pose of a video through the analysis, with the video's and the model's facts in the
    summary; ``tick()`` after each of its three long steps."""
    times, xyzv, luma, repeated = pose
    turns = upright_turns(body_axis_deg(xyzv[..., :2], xyzv[..., 3], LANDMARKS))
    xy, upright_w, upright_h = turn_points(xyzv[..., :2], turns, info.width, info.height)
    scale, scale_from = time_scale(info, settings)
    real = times / scale  # real time, for every figure
    motion = make_motion(real, between_pictures(real, xy, repeated), xyzv[..., 3], LANDMARKS, source="video", space_unit="px", vertical_up=False,
                         video=video.name, turns=turns, time_scale=scale, time_scale_from=scale_from or "")
    warnings = video_checks.check_presence(motion, luma)
    if settings.end_s is not None and settings.end_s > window[1] + 0.5 / info.fps:
        warnings.append(f"{opt('end', f'{settings.end_s:g} s')} is past the end of the {info.duration_s:.1f} s clip: analysed "
                        f"up to its end ({window[1]:.1f} s).")
    if scale_from:
        warnings.append(f"The clip plays {scale:g}x slower than real time ({scale_from}): every time and rate "
                        "is given in real time.")
    if info.rotation_deg:
        warnings.append(f"The video is stored rotated by {info.rotation_deg} deg; it was turned upright.")
    if turns:
        warnings.append(f"The runner was {'upside down' if turns == 2 else 'sideways'} in the picture; the video "
                        f"was turned {90 * turns} deg clockwise to stand them upright (its rotation tag, if any, "
                        "is wrong).")
    feet = CropCollector(xy, list(LANDMARKS), (upright_w, upright_h), leg_length_px(motion), repeated)
    bg = scan(video, times, xy, turns, (info.width, info.height), repeated, feet)
    tick()
    rate_facts, notes = frame_rate_facts(real, repeated, info.fps * scale)
    warnings += notes
    motion.attrs["effective_fps"] = rate_facts["effective_fps"]  # new pictures a second: the timing's rate
    moved = camera_motion(bg, leg_length_px(motion))
    if moved["camera"] == "moving":
        motion = _shifted(motion, -bg.shift_px, real)  # keypoints where they are against the background
        warnings.append(f"The camera moved (the background travelled {moved['background_travel_leg_lengths']:g} leg "
                        "lengths): the runner's motion is measured against the background. A zoom is not "
                        "corrected; a camera on a tripod gives the most reliable figures.")
    scene_v = scene_vertical(bg.frames) if settings.vertical in ("auto", "scene") else None
    crops = feet.finish(real, repeated) if moved["camera"] == "static" else None
    analysis = analyze_motion(motion, settings, kb, warnings, scene_v, tick, crops)
    analysis.summary["scene"].update(moved)
    if moved["camera"] == "static" and "faults" in analysis.summary:
        _second_person(analysis, bg.others_moving)
    if moved["camera"] == "moving":  # drawn and written where they are in the picture
        analysis.motion = _shifted(analysis.motion, bg.shift_px, real)
    analysis.summary.update({
        "source": {"type": "video", "file": video.name, "sha256": pose_info["video_sha256"],
                   "width": info.width, "height": info.height, "fps_nominal": round(info.fps, 3),
                   "rotation_deg": info.rotation_deg, "turned_upright_deg": 90 * turns,
                   "duration_s": round(info.duration_s, 3),
                   "analysed_from_s": window[0], "analysed_to_s": round(window[1], 3),
                   "time_scale": round(scale, 4), "time_scale_from": scale_from, **rate_facts},
        "model": {"name": MODEL_NAME, "package": f"mediapipe {mediapipe_version()}",
                  "model_complexity": MODEL_COMPLEXITY, **pose_settings.__dict__,
                  "pose_cache_hit": pose_info["cache_hit"]},
    })
    return finish(analysis, settings.as_dict())


def between_pictures(t: np.ndarray, xy: np.ndarray, repeated: np.ndarray) -> np.ndarray:
    """Keypoints with each repeated frame's taken between the new pictures around it (each at the
    time it is first shown), as a camera at the file's rate would have seen them: a picture's pose
    held over its repeats makes a staircase that the low-pass turns into a lag of half the hold."""
    if not repeated.any() or repeated.all():
        return xy
    new = ~repeated
    out = xy.copy()
    for k in range(xy.shape[1]):
        for d in range(xy.shape[2]):
            out[repeated, k, d] = np.interp(t[repeated], t[new], xy[new, k, d])
    return out


def _second_person(analysis: Analysis, others_moving: float) -> None:
    """Someone else moving in view of a still camera (background.OTHERS_MOVING): the pose model
    follows one person a frame, not always the same one, so the findings are no surer than low."""
    from ...engine.assess.rules import cap_to_low
    from .background import OTHERS_MOVING

    if others_moving < OTHERS_MOVING:
        return
    s = analysis.summary
    s["scene"].update(second_person_suspected=True, others_moving=round(others_moving, 3))
    s["faults"] = cap_to_low(s["faults"])
    s["quality"] = {**s["quality"], "level": "poor", "second_person_suspected": True}
    analysis.warnings.append(
        f"Something else moves in the picture about as much as the runner ({others_moving:.1f}x the motion at "
        "the runner, away from them): likely a second person in view. runform follows one person, but the "
        "figures may mix two, so every finding is rated low. Film the runner alone in the picture.")


def analyze_motion(motion: xr.Dataset, settings: Settings, kb: Knowledge, warnings: list[str],
                   scene_v: Vertical | None = None, tick=lambda n=1: None, crops: FootCrops | None = None) -> Analysis:
    """Clean the keypoints, find the scene (direction, true vertical, scale), then contacts and
    the engine. ``scene_v``: true vertical from the video's edges, when it has been looked for;
    ``crops``: the feet's pixels (a still camera's video), which time the contacts.
    A front or back view (as the user says, or found by ``checks.view_of``) goes to the frontal analysis."""
    view = video_checks.view_of(motion, settings.view)
    if view != "side":
        return _frontal(motion, settings, kb, warnings, view)
    cleaned, clean_report = clean(motion)
    warnings += video_checks.check_view(cleaned)
    scene = analyse_scene(cleaned, settings.height_m)
    vertical, notes = choose(settings.vertical, scene_v, scene.tilt_deg, scene.treadmill)
    warnings += notes
    scene = replace(scene, vertical_deg=vertical.deg)
    warnings += video_checks.check_identity_jumps(cleaned, scene.leg_length_px)
    if not settings.height_m:
        warnings.append(f"No {opt('height')} given: distances (cm, m) assume a runner of "
                        f"{scene.height_m:.2f} m. Give {opt('height')} for true distances; angles and times "
                        "do not depend on it.")
    sag = to_sagittal(cleaned, scene)
    leg_m = scene.height_m * LEG_FRACTION_OF_HEIGHT
    if not motion.attrs.get("time_scale_from"):  # nobody said the clip is not real time: is it?
        _check_real_time(sag, checks.ground_fraction(sag, leg_m))
    detector = ContactDetector()
    events = detector.detect(sag, leg_m, soles=_soles(crops, cleaned, scene)).events_
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
                   parameters={"contacts": {"detector": type(detector).__name__, **detector.get_params()}},
                   duration_s=round(float(t[-1] - t[0]), 3))
    return Analysis(cleaned, sag, series, strides, summary, warnings, view="side")


def _soles(crops: FootCrops | None, cleaned: xr.Dataset, scene) -> dict[str, np.ndarray] | None:
    """Each foot's sole depth at each frame's time (``time``; leg lengths along the floor line,
    down positive; NaN on a frame that repeats the one before), or None without the feet's pixels.
    The cleaned keypoints (legs labelled) are read at the frames' times."""
    if crops is None or crops.background is None or crops.times is None:
        return None
    t, pos = cleaned["time"].values, cleaned["position"].values
    # each new picture with the keypoints at its own time (a repeat has no crop of its own)
    new = ~crops.repeated if crops.repeated is not None else np.ones(len(crops.times), bool)
    at = np.stack([[np.interp(crops.times, t, pos[:, k, d], left=np.nan, right=np.nan) for d in range(2)]
                   for k in range(pos.shape[1])], axis=0).transpose(2, 0, 1)  # (frames, keypoints, 2)
    slope = -np.tan(np.radians(scene.tilt_deg))  # the floor's dy/dx in the picture (y down)
    depths = sole_depths(crops, at, list(cleaned["keypoint"].values), slope, scene.leg_length_px)
    return {"time": crops.times, **{side: np.where(new[:, None], d / scene.leg_length_px, np.nan)
                                    for side, d in depths.items()}}


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


def _shifted(motion: xr.Dataset, shift_px: np.ndarray, times: np.ndarray) -> xr.Dataset:
    """The keypoints moved by ``shift_px`` (per time in ``times``, interpolated to the dataset's)."""
    t = motion["time"].values
    s = np.stack([np.interp(t, times, shift_px[:, k]) for k in range(2)], axis=1)
    out = motion.copy(data={"position": motion["position"].values + s[:, None, :],
                            "confidence": motion["confidence"].values})
    out.attrs = dict(motion.attrs)
    return out
