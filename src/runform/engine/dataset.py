"""The motion dataset: every keypoint source ends in this one structure.

``position(time, keypoint, space)`` and ``confidence(time, keypoint)`` on one
real time axis in seconds, with attrs ``fps``, ``source``, ``space_unit``,
``vertical_axis``, ``progression_axis``.

Video poses arrive in image pixels (``space = x, y``; y points down). After
:func:`runform.engine.scene.to_sagittal` the same structure holds the
sagittal plane in metres: ``x`` forward along the running direction, ``y`` up,
camera tilt removed.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

SIDES = ("left", "right")


def make_motion(
    times_s: np.ndarray,
    position: np.ndarray,
    confidence: np.ndarray,
    keypoints: list[str] | tuple[str, ...],
    *,
    source: str,
    space_unit: str,
    space: tuple[str, ...] = ("x", "y"),
    vertical_axis: str = "y",
    vertical_up: bool = False,
    progression_axis: str = "x",
    **attrs,
) -> xr.Dataset:
    """Build and validate a motion dataset (the loaders' single exit point)."""
    times_s = np.asarray(times_s, float)
    position = np.asarray(position, float)
    confidence = np.asarray(confidence, float)
    n, k = len(times_s), len(keypoints)
    if position.shape != (n, k, len(space)) or confidence.shape != (n, k):
        raise ValueError(f"shape mismatch: position {position.shape}, confidence {confidence.shape}")
    if n > 1 and np.any(np.diff(times_s) <= 0):
        raise ValueError("time axis must be strictly increasing")
    fps = float(1.0 / np.median(np.diff(times_s))) if n > 1 else float("nan")
    return xr.Dataset(
        {
            "position": (("time", "keypoint", "space"), position),
            "confidence": (("time", "keypoint"), confidence),
        },
        coords={"time": times_s, "keypoint": list(keypoints), "space": list(space)},
        attrs=dict(
            fps=fps,
            source=source,
            space_unit=space_unit,
            vertical_axis=vertical_axis,
            vertical_up=int(vertical_up),
            progression_axis=progression_axis,
            **attrs,
        ),
    )


def point(ds: xr.Dataset, name: str) -> np.ndarray:
    """(time, space) array of one keypoint, or the midpoint for ``mid_<part>``."""
    if name.startswith("mid_"):
        part = name[4:]
        pair = np.stack([point(ds, f"left_{part}"), point(ds, f"right_{part}")])
        mid = 0.5 * (pair[0] + pair[1])
        one = np.where(np.isfinite(pair[0]), pair[0], pair[1])  # one side hidden: use the other
        return np.where(np.isfinite(mid), mid, one)
    pos = ds["position"]
    k = pos.get_index("keypoint").get_loc(name)  # a KeyError names a keypoint the dataset lacks
    return np.take(pos.values, k, axis=pos.dims.index("keypoint"))


def require(ds: xr.Dataset, names: list[str]) -> None:
    """Assert that the keypoints an algorithm needs are present."""
    missing = [n for n in names if n not in ds["keypoint"].values]
    if missing:
        raise KeyError(f"motion dataset lacks keypoints {missing}")
