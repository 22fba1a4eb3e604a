"""Is this recording analysable as running? Walking and too few strides, for every source.

Each check either raises a :class:`~runform.errors.RunformError` with what is
wrong and what to do, or returns warnings for the summary's ``warnings``.
Thresholds are stated where they are used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import NotAnalysableError
from ..words import opt
from .dataset import point

MIN_STRIDES = 3
STANDING_GROUND_SHARE = 0.9  # both feet within reach of the floor in this share of frames and no step: standing


def ground_fraction(sagittal: xr.Dataset, leg_m: float, clearance_leg: float = 0.05) -> float:
    """Share of frames each foot's lower keypoint is within ``clearance_leg`` of its floor
    (mean of both feet): about 0.3-0.4 in running, 0.6 or more in walking."""
    shares = []
    for side in ("left", "right"):
        sole = np.fmin(point(sagittal, f"{side}_heel")[:, 1], point(sagittal, f"{side}_foot_index")[:, 1])
        ok = np.isfinite(sole)
        if ok.sum() > 10:
            floor = np.percentile(sole[ok], 5)
            shares.append(float(np.mean(sole[ok] < floor + clearance_leg * leg_m)))
    return float(np.mean(shares)) if shares else float("nan")


def _walking_error(duty: float) -> NotAnalysableError:
    return NotAnalysableError(
        f"This looks like walking: each foot is on the ground about {duty:.0f} % of the time and "
        "there is no flight phase.", "runform analyses running. Give a clip of running.")


def check_strides(strides: pd.DataFrame, n_contacts: int, duration_s: float, warnings: list[str],
                  ground_share: float, walking: dict, min_strides: int = MIN_STRIDES) -> None:
    """Refuse walking and too few strides (video: 3; a lab trial with force plates may hold one).
    ``walking``: the knowledge base's ``cutoffs.walking`` (a duty factor of 50 % or more, or with
    too few strides, feet on the ground in more than 55 % of the frames)."""
    if n_contacts == 0 and ground_share > STANDING_GROUND_SHARE:
        raise NotAnalysableError(
            f"This recording shows no running: no foot leaves the ground in {duration_s:.1f} s (a standing "
            "or static trial?).", f"Give a recording of running (a lab trial's standing trial goes with {opt('static')}).")
    if len(strides) < min_strides and ground_share > walking["min_ground_share"]:
        raise _walking_error(100 * ground_share)
    if len(strides) >= min_strides:
        df = strides
        if float(df["duty_factor_pct"].median()) >= walking["min_duty_factor_pct"] or float(df["flight_ms"].median()) <= 0:
            raise _walking_error(float(df["duty_factor_pct"].median()))
        return
    left_frame = any("out of view" in w for w in warnings)
    why = " The runner was out of view for part of it." if left_frame else ""
    raise NotAnalysableError(
        f"Only {len(strides)} complete stride(s) were found in {duration_s:.1f} s "
        f"({n_contacts} foot contacts); runform needs at least {min_strides}.{why}",
        "Film at least 10 s of steady running with the whole body in view.")
