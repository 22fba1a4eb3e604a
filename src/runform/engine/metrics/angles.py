"""Sagittal angles per frame: small pure functions on the sagittal motion dataset.

Input: a motion dataset in the sagittal frame (``x`` forward along the running
direction, ``y`` up, metres; see ``runform.engine.scene.to_sagittal``).
Output: a ``(time,)`` array in degrees. Every function states its definition
and sign; the metric names they feed are those of docs/domain.md.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..dataset import point


def _from_vertical(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Angle of the lower->upper vector from vertical; positive = upper end forward."""
    d = upper - lower
    return np.degrees(np.arctan2(d[:, 0], d[:, 1]))


def _inner(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Inner angle at b of the a-b-c chain (180 = straight)."""
    u, v = a - b, c - b
    cos = np.sum(u * v, axis=1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def trunk_lean(motion: xr.Dataset) -> np.ndarray:
    """Mid-hip -> mid-shoulder from vertical; positive = leaning towards the running
    direction. Keypoints: hips, shoulders. Unit: deg. Source: domain.md section 2."""
    return _from_vertical(point(motion, "mid_hip"), point(motion, "mid_shoulder"))


def head_forward(motion: xr.Dataset) -> np.ndarray:
    """Mid-shoulder -> mid-ear from vertical; positive = head ahead of the shoulders."""
    return _from_vertical(point(motion, "mid_shoulder"), point(motion, "mid_ear"))


def body_line(motion: xr.Dataset, side: str) -> np.ndarray:
    """``side`` ankle -> mid-ear from vertical; positive = leaning forward from the ankle
    (the "lean from the ankles" line; read at that foot's midstance)."""
    return _from_vertical(point(motion, f"{side}_ankle"), point(motion, "mid_ear"))


def ankle_hip_line(motion: xr.Dataset, side: str) -> np.ndarray:
    """``side`` ankle -> mid-hip from vertical; positive = hips ahead of the ankle."""
    return _from_vertical(point(motion, f"{side}_ankle"), point(motion, "mid_hip"))


def shank_angle(motion: xr.Dataset, side: str) -> np.ndarray:
    """Knee -> ankle against vertical; positive = ankle ahead of the knee (read at IC)."""
    knee, ankle = point(motion, f"{side}_knee"), point(motion, f"{side}_ankle")
    d = ankle - knee
    return np.degrees(np.arctan2(d[:, 0], -d[:, 1]))


def foot_angle(motion: xr.Dataset, side: str) -> np.ndarray:
    """Heel -> toe against the floor; positive = toes up (read at IC: foot-strike angle)."""
    heel, toe = point(motion, f"{side}_heel"), point(motion, f"{side}_foot_index")
    d = toe - heel
    return np.degrees(np.arctan2(d[:, 1], d[:, 0]))


def knee_flexion(motion: xr.Dataset, side: str) -> np.ndarray:
    """180 minus the hip-knee-ankle inner angle; 0 = straight knee, positive = flexed."""
    return 180.0 - _inner(point(motion, f"{side}_hip"), point(motion, f"{side}_knee"),
                          point(motion, f"{side}_ankle"))


def hip_extension(motion: xr.Dataset, side: str) -> np.ndarray:
    """Thigh (hip -> knee) behind the trunk line (mid-shoulder -> mid-hip, extended down);
    positive = extension (knee behind the trunk line), negative = flexion."""
    trunk_down = point(motion, "mid_hip") - point(motion, "mid_shoulder")
    thigh = point(motion, f"{side}_knee") - point(motion, f"{side}_hip")
    a_trunk = np.arctan2(trunk_down[:, 0], -trunk_down[:, 1])
    a_thigh = np.arctan2(thigh[:, 0], -thigh[:, 1])
    return -np.degrees(_wrap(a_thigh - a_trunk))


def ankle_plantarflexion(motion: xr.Dataset, side: str) -> np.ndarray:
    """Shank-foot angle minus 90 deg: knee -> ankle against heel -> toe; positive = toes
    pointed down (plantarflexion), negative = dorsiflexion."""
    shank = point(motion, f"{side}_ankle") - point(motion, f"{side}_knee")
    foot = point(motion, f"{side}_foot_index") - point(motion, f"{side}_heel")
    a_shank = np.arctan2(shank[:, 0], -shank[:, 1])  # forward tilt of the shank's lower end
    a_foot = np.arctan2(-foot[:, 1], foot[:, 0])  # foot pointing down = positive
    return np.degrees(_wrap(a_foot + a_shank))


def elbow_angle(motion: xr.Dataset, side: str) -> np.ndarray:
    """Shoulder-elbow-wrist inner angle; 180 = straight arm, ~90 = the classic running arm."""
    return _inner(point(motion, f"{side}_shoulder"), point(motion, f"{side}_elbow"),
                  point(motion, f"{side}_wrist"))


def shoulder_flexion(motion: xr.Dataset, side: str) -> np.ndarray:
    """Upper arm (shoulder -> elbow) ahead of vertical; positive = elbow forward."""
    d = point(motion, f"{side}_elbow") - point(motion, f"{side}_shoulder")
    return np.degrees(np.arctan2(d[:, 0], -d[:, 1]))


def _wrap(a: np.ndarray) -> np.ndarray:
    return (a + np.pi) % (2 * np.pi) - np.pi
