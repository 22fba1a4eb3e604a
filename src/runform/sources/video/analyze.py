"""The video path after pose: keypoints stood upright, timed in real time, placed against the
background when the camera moved, and the feet's pixels kept, then the image-keypoint analysis
(``engine.image_analysis``: checks, cleaning, scene, contacts, metrics) with the video's and
the pose model's facts in the summary. True vertical comes from the scene's edges in the
background pass's frames (``vertical.scene_vertical``); each contact's time from the shoe's
pixels against the empty scene (``soles.py``) when the camera stood still.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from ...engine.analysis import Analysis, finish
from ...engine.assess.knowledge import Knowledge
from ...engine.dataset import make_motion
from ...engine.image_analysis import analyze_motion
from ...engine.scene import leg_length_px
from ...settings import Settings
from ...words import opt
from . import checks as video_checks
from .background import camera_motion, scan
from .decode import VideoInfo
from .pose import LANDMARKS, MODEL_COMPLEXITY, MODEL_NAME, Pose, PoseSettings, mediapipe_version
from .soles import CropCollector, FootCrops, sole_depths
from .timing import frame_rate_facts, time_scale
from .upright import body_axis_deg, turn_points, upright_turns
from .vertical import scene_vertical


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
    if moved.camera == "moving":
        motion = _shifted(motion, -bg.shift_px, real)  # keypoints where they are against the background
        warnings.append(f"The camera moved (the background travelled {moved.background_travel_leg_lengths:g} leg "
                        "lengths): the runner's motion is measured against the background. A zoom is not "
                        "corrected; a camera on a tripod gives the most reliable figures.")
    scene_v = scene_vertical(bg.frames) if settings.vertical in ("auto", "scene") else None
    crops = feet.finish(real, repeated) if moved.camera == "static" else None
    soles = (lambda cleaned, scene: _soles(crops, cleaned, scene)) if crops is not None else None
    analysis = analyze_motion(motion, settings, kb, warnings, scene_v, tick, soles)
    if moved.camera == "static" and "faults" in analysis.summary:
        _second_person(analysis, bg.others_moving)
    if moved.camera == "moving":  # drawn and written where they are in the picture
        analysis.motion = _shifted(analysis.motion, bg.shift_px, real)
    source = VideoFacts(video.name, pose_info["video_sha256"], info.width, info.height, round(info.fps, 3),
                        info.rotation_deg, 90 * turns, round(info.duration_s, 3), window[0], round(window[1], 3),
                        round(scale, 4), scale_from, **rate_facts)
    model = ModelFacts(MODEL_NAME, f"mediapipe {mediapipe_version()}", MODEL_COMPLEXITY, **pose_settings.__dict__,
                       pose_cache_hit=pose_info["cache_hit"])
    return finish(analysis, settings.as_dict(), source, model, scene=moved)


@dataclass
class VideoFacts:
    """A video's facts in summary.json's ``source``."""

    type: str = field(default="video", init=False)
    file: str
    sha256: str
    width: int
    height: int
    fps_nominal: float
    rotation_deg: int
    turned_upright_deg: int  # further turns that stood the runner upright
    duration_s: float
    analysed_from_s: float
    analysed_to_s: float
    time_scale: float  # video seconds a real second (4: slow motion played 4x slower)
    time_scale_from: str | None  # what said so (None: real time)
    effective_fps: float  # new pictures a second (timing.frame_rate_facts)
    repeated_frames_pct: float
    timestamp_gaps: int
    longest_gap_s: float


@dataclass
class ModelFacts:
    """The pose model's facts in summary.json's ``model``."""

    name: str
    package: str
    model_complexity: int
    min_detection_confidence: float
    min_tracking_confidence: float
    inference_max_side: int
    pose_cache_hit: bool


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


def _shifted(motion: xr.Dataset, shift_px: np.ndarray, times: np.ndarray) -> xr.Dataset:
    """The keypoints moved by ``shift_px`` (per time in ``times``, interpolated to the dataset's)."""
    t = motion["time"].values
    s = np.stack([np.interp(t, times, shift_px[:, k]) for k in range(2)], axis=1)
    out = motion.copy(data={"position": motion["position"].values + s[:, None, :],
                            "confidence": motion["confidence"].values})
    out.attrs = dict(motion.attrs)
    return out
