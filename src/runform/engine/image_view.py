"""Keypoints in a picture: which view of the runner it is (side, or front or back) and the checks
of a side view (square to the run, one person tracked). One rule for every source of image
keypoints (a video, a folder of pose keypoints, the live camera).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..errors import NotAnalysableError
from .dataset import point

FRONT_VIEW_WIDTH_RATIO = 0.45  # (shoulder + hip width) / torso length: side ~0.1-0.25, front ~0.6+
OBLIQUE_WIDTH_RATIO = 0.3
FRONTAL_TRAVEL_LEGS = 0.4  # ankles' travel across the picture (leg lengths): 0.6-1.2 side, 0.1-0.2 front/back


def body_width_ratio(motion_px: xr.Dataset) -> float:
    """The shoulders' and hips' mean width in the picture over the torso's length (median):
    about 0.1-0.25 from the side, 0.6 or more from the front or back."""
    torso = np.linalg.norm(point(motion_px, "mid_shoulder") - point(motion_px, "mid_hip"), axis=1)
    sw = np.abs(point(motion_px, "left_shoulder")[:, 0] - point(motion_px, "right_shoulder")[:, 0])
    hw = np.abs(point(motion_px, "left_hip")[:, 0] - point(motion_px, "right_hip")[:, 0])
    return float(np.nanmedian((sw + hw) / 2 / torso))


def view_of(motion_px: xr.Dataset, given: str = "auto") -> str:
    """'side', 'front', 'back' (as given) or 'frontal' (found: front or back is told later, from
    the face). Frontal when the body is wide in the picture (``FRONT_VIEW_WIDTH_RATIO``) and the
    feet do not swing across it (``FRONTAL_TRAVEL_LEGS``); both must agree, so that a side clip
    with a wide-looking torso is not read from the front."""
    if given != "auto":
        return given
    from .frontal_view import foot_travel_legs

    names = list(motion_px["keypoint"].values)
    wide = body_width_ratio(motion_px) > FRONT_VIEW_WIDTH_RATIO
    still_feet = foot_travel_legs(motion_px["position"].values, names) < FRONTAL_TRAVEL_LEGS
    return "frontal" if wide and still_feet else "side"


def check_view(motion_px: xr.Dataset) -> list[str]:
    """Side view vs front/back view, from body widths relative to torso length."""
    ratio = body_width_ratio(motion_px)
    if ratio > FRONT_VIEW_WIDTH_RATIO:
        raise NotAnalysableError(
            f"This looks like a front or back view (shoulders and hips appear {ratio:.2f} torso lengths "
            "wide; from the side they overlap).",
            "runform's video analysis needs a side view: film from the side, at hip height, "
            "perpendicular to the running direction.")
    if ratio > OBLIQUE_WIDTH_RATIO:
        return [f"The camera is not square to the side (body width {ratio:.2f} torso lengths): "
                "sagittal angles are less accurate. Film perpendicular to the running direction."]
    return []


def check_identity_jumps(motion_px: xr.Dataset, leg_px: float) -> list[str]:
    hip = point(motion_px, "mid_hip")
    step = np.linalg.norm(np.diff(hip, axis=0), axis=1)
    jumps = int(np.nansum(step > 0.5 * leg_px))
    if jumps:
        return [f"The tracked body jumped {jumps} time(s) between frames: another person may be in view. "
                "runform analyses the person tracked for most of the clip; check the annotated video."]
    return []
