"""A folder of pose keypoints (OpenPose BODY_25) -> the side-view or the frontal analysis.

The view is the one the user gave or found by the one rule for image keypoints
(``engine.image_view.view_of``: a body wide in the picture and feet that do not travel across
it, ``frontal_view.foot_travel_legs``: 0.6-1.2 leg lengths from the side, 0.1-0.2 from the
front or back on the virtual cameras): a side view goes through the image-keypoint analysis
(``engine.image_analysis.analyze_motion``, as a video's pose does), a front or back view
through ``engine.frontal_analysis``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...engine.analysis import Analysis, finish
from ...engine.assess.knowledge import Knowledge
from ...engine.dataset import make_motion
from ...engine.frontal_analysis import frontal_analysis
from ...engine.frontal_view import foot_travel_legs
from ...engine.image_analysis import analyze_motion
from ...engine.image_view import body_width_ratio, view_of
from ...errors import NotAnalysableError
from ...progress import stage
from ...settings import Settings
from ...words import opt
from .openpose import NAMES, read_openpose

MIN_SECONDS = 3.0


def keypoint_source(folder: Path, settings: Settings, options, kb: Knowledge, cache_dirs, progress=None):
    """The keypoint source's adapter (``sources.registry``)."""
    from ..registry import Made

    stage(progress, "reading")
    analysis = keypoint_analysis(folder, settings, kb, on_loaded=lambda: stage(progress, "analysis"))
    return Made(analysis, [folder, settings.references])


def keypoint_analysis(folder: str | Path, settings: Settings, kb: Knowledge, on_loaded=None) -> Analysis:
    folder = Path(folder)
    t, pos, conf = read_openpose(folder, settings.fps)
    n_frames = len(t)
    if on_loaded:
        on_loaded()
    t, pos, conf = _window(t, pos, conf, settings)
    motion = make_motion(t, pos, conf, list(NAMES), source="keypoints", space_unit="px", vertical_up=False)
    travel = foot_travel_legs(pos, list(NAMES))
    view = view_of(motion, settings.view)  # the video's rule: a wide body and feet that do not swing across
    warnings: list[str] = []
    if view == "side":
        analysis = analyze_motion(motion, settings, kb, warnings)
    else:
        analysis = frontal_analysis(t, pos, conf, list(NAMES), settings.height_m, kb, warnings,
                                    None if view == "frontal" else view)
    source = KeypointFacts(folder.name, n_frames, settings.fps, round(float(t[0]), 3), round(float(t[-1]), 3))
    view_facts = ViewFacts(round(travel, 3), round(body_width_ratio(motion), 3))
    return finish(analysis, settings.as_dict(), source, scene=view_facts)


@dataclass(frozen=True)
class ViewFacts:
    """What told the view, in summary.json's ``scene`` (``engine.image_view.view_of``)."""

    foot_travel_legs: float  # the ankles' travel across the picture, leg lengths
    body_width_ratio: float  # shoulders' and hips' width over the torso's length


@dataclass
class KeypointFacts:
    """A folder of pose keypoints' facts in summary.json's ``source``."""

    type: str = field(default="keypoints", init=False)
    format: str = field(default="OpenPose BODY_25", init=False)
    file: str
    frames: int
    fps: float  # as given: the folder has none
    analysed_from_s: float
    analysed_to_s: float


def _window(t: np.ndarray, pos: np.ndarray, conf: np.ndarray, settings: Settings):
    """The frames inside the start and end times asked for, refusing a clip too short to hold strides."""
    w = (t >= settings.start_s) & (t <= (settings.end_s if settings.end_s is not None else np.inf))
    if t[w][-1] - t[w][0] < MIN_SECONDS if w.sum() > 1 else True:
        raise NotAnalysableError(f"The keypoints cover {float(np.ptp(t[w])) if w.any() else 0:.1f} s at "
                                 f"{settings.fps:g} fps: runform needs at least {MIN_SECONDS:g} s of running.",
                                 f"Give a longer clip, or check {opt('fps')} and {opt('start/end')}.")
    return t[w], pos[w], conf[w]
