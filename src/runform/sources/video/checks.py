"""Is this clip analysable as running seen from the side? Clear answers for bad input.

Each check either raises a :class:`~runform.errors.RunformError` with what is
wrong and what to do, or returns warnings for the summary's ``warnings``.
Thresholds are stated where they are used.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...errors import NoRunnerError

MIN_DETECTED_FRACTION = 0.2  # below: nobody (or almost nobody) in view
DARK_LUMA = 40.0  # mean 8-bit brightness below which the video is "too dark"


def check_presence(motion_px: xr.Dataset, luma: np.ndarray) -> list[str]:
    detected = motion_px["confidence"].max("keypoint").values > 0
    frac = float(detected.mean()) if detected.size else 0.0
    dark = float(np.mean(luma)) if len(luma) else 0.0
    if frac < MIN_DETECTED_FRACTION:
        if dark < DARK_LUMA:
            raise NoRunnerError(f"The video is too dark (mean brightness {dark:.0f}/255) to find a runner.",
                                "Film in better light or brighten the video.")
        raise NoRunnerError(
            f"No person was found in the video (a runner was seen in {100 * frac:.0f} % of frames).",
            "Film the runner from the side, whole body in view, from head to feet.")
    warnings = []
    if frac < 0.8:
        warnings.append(f"The runner was found in only {100 * frac:.0f} % of frames "
                        "(out of view or hidden); those frames were skipped.")
    if dark < DARK_LUMA:
        warnings.append(f"The video is dark (mean brightness {dark:.0f}/255): keypoints are less certain.")
    return warnings


