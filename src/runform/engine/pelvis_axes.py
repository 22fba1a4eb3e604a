"""The pelvis in 3D: anatomical frame, tilt / obliquity / rotation, hip flexion relative to it.

Frame (runner coordinates x forward, y up, z right; right-handed):
* from ASIS and PSIS (or sacrum) markers: origin mid-ASIS, z from left to
  right ASIS, x from mid-PSIS to mid-ASIS made orthogonal to z, y = z x x
  (Cappozzo et al. 1995, Clin Biomech 10:171; the ISB pelvis of Wu et al.
  2002, J Biomech 35:543). Such a frame reads ~10 deg anterior in standing;
  with a static trial, angles are also given relative to standing.
* from a pelvis cluster (no anatomical pelvis markers): the standing frame of
  the static trial (z from left to right hip centre, y vertical) carried by the
  cluster, so angles are relative to standing by construction.

Angles: Cardan sequence Z-X-Y of the pelvis relative to the runner frame
(tilt about the medio-lateral axis, then obliquity about the rotated
antero-posterior axis, then rotation about the pelvis's long axis), the
sequence of the OpenSim gait models (pelvis_tilt, pelvis_list,
pelvis_rotation) and of Wu et al. 2002. Signs: tilt anterior positive,
obliquity positive when the right hip is higher, rotation positive when the
right side of the pelvis is forward.
"""

from __future__ import annotations

import numpy as np


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def axes_from_markers(rasi: np.ndarray, lasi: np.ndarray, back: np.ndarray) -> np.ndarray:
    """(time, 3, 3): columns are the pelvis x, y, z axes in runner coordinates."""
    z = _unit(rasi - lasi)
    x0 = 0.5 * (rasi + lasi) - back
    y = _unit(np.cross(z, x0))
    x = np.cross(y, z)
    return np.stack([x, y, z], axis=-1)


def axes_standing(right_hip: np.ndarray, left_hip: np.ndarray) -> np.ndarray:
    """(3, 3) standing pelvis frame from the hip centres and the vertical."""
    z = _unit(right_hip - left_hip)
    y = _unit(np.array([0.0, 1.0, 0.0]) - z * z[1])
    return np.stack([np.cross(y, z), y, z], axis=-1)


def angles_deg(axes: np.ndarray) -> dict[str, np.ndarray]:
    """Tilt, obliquity and rotation (deg) from (time, 3, 3) pelvis axes (Z-X-Y Cardan)."""
    R = axes
    tilt = np.degrees(np.arctan2(-R[..., 0, 1], R[..., 1, 1]))  # posterior positive in the raw sequence
    obl = np.degrees(np.arcsin(np.clip(R[..., 2, 1], -1, 1)))  # right side down positive
    rot = np.degrees(np.arctan2(-R[..., 2, 0], R[..., 2, 2]))
    return {"tilt": -tilt, "obliquity": -obl, "rotation": rot}


def relative_to(axes: np.ndarray, standing: np.ndarray | None) -> np.ndarray:
    """The pelvis turned from its standing orientation, as axes (the runner frame turned by the
    pelvis's rotation since standing), so its angles are relative to standing in every plane.
    An anatomical frame tilted ~10-20 deg anterior, read as it is, moves part of the pelvis's
    turn into its obliquity: on the Hamner runners the obliquity range per stride then reads
    1.5-3.7 deg less (docs/validation.md). ``standing`` None: the axes as they are."""
    return axes if standing is None else np.einsum("...ij,kj->...ik", axes, standing)


def hip_flexion_deg(axes: np.ndarray, hip: np.ndarray, knee: np.ndarray) -> np.ndarray:
    """Thigh (hip centre to knee centre) against the pelvis's downward axis in the pelvis's sagittal
    plane; flexion positive (extension negative)."""
    u = np.einsum("tji,tj->ti", axes, knee - hip)  # thigh in pelvis coordinates
    return np.degrees(np.arctan2(u[:, 0], -u[:, 1]))
