"""Video-like keypoints from markers, so the same metric functions run on lab trials.

From a marker set (presets.py): hip, knee and ankle joint centres, heel, toe,
shoulder per side, and C7, in runner coordinates (x forward, y up, z right).

* Hip joint centres: the set's hip landmarks (carried by the pelvis cluster)
  or the Harrington et al. 2007 regression (J Biomech 40:595) on pelvis
  width and depth from the ASIS and PSIS (or sacrum) markers.
* Knee and ankle centres: midpoint of the epicondyle / malleolus markers when
  the running trial has them; otherwise the static trial's midpoint carried by
  the thigh or shank cluster (least-squares rigid fit, Soderkvist & Wedin
  1993, J Biomech 26:1473); with neither, the lateral marker alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .presets import SIDES, MarkerSet
from .recording import Markers


@dataclass
class Keypoints:
    points: dict[str, np.ndarray]  # (time, 3)
    notes: list[str] = field(default_factory=list)  # what is approximated or missing


def rigid_fit(static_pts: np.ndarray, moving: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame rotation R (t,3,3) and translation d (t,3) mapping static -> moving points
    (least squares, all frames at once; frames with fewer than 3 visible markers are NaN)."""
    n, k = moving.shape[:2]
    ok = np.all(np.isfinite(moving), axis=2) & np.all(np.isfinite(static_pts), axis=1)[None]  # (t, k)
    w = ok.astype(float)[..., None]
    cnt = np.maximum(w.sum(axis=1), 1.0)  # (t, 1)
    p = np.where(ok[..., None], static_pts[None], 0.0)
    q = np.where(ok[..., None], moving, 0.0)
    pc, qc = (p * w).sum(1) / cnt, (q * w).sum(1) / cnt
    H = np.einsum("tki,tkj->tij", (p - pc[:, None]) * w, (q - qc[:, None]) * w)
    u, _, vt = np.linalg.svd(H)
    d = np.sign(np.linalg.det(np.einsum("tji,tkj->tik", vt, u)))
    D = np.zeros((n, 3, 3))
    D[:, 0, 0] = D[:, 1, 1] = 1.0
    D[:, 2, 2] = d
    R = np.einsum("tji,tjk,tlk->til", vt, D, u)
    trans = qc - np.einsum("tij,tj->ti", R, pc)
    bad = ok.sum(axis=1) < 3
    R[bad], trans[bad] = np.nan, np.nan
    return R, trans


def carry(static_cluster: np.ndarray, moving_cluster: np.ndarray, target: np.ndarray) -> np.ndarray:
    """A static-trial point moved with a cluster: (time, 3)."""
    R, d = rigid_fit(static_cluster, moving_cluster)
    return np.einsum("tij,j->ti", R, target) + d


def harrington_hjc(rasi, lasi, mid_psis) -> tuple[np.ndarray, np.ndarray]:
    """Right and left hip joint centres (mm), Harrington et al. 2007."""
    mid_asis = 0.5 * (rasi + lasi)
    z = rasi - lasi
    pw = np.linalg.norm(z, axis=1, keepdims=True)
    z = z / pw
    x = mid_asis - mid_psis
    pd_ = np.linalg.norm(x, axis=1, keepdims=True)
    y = np.cross(z, x)
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    x = np.cross(y, z)
    ap, si, ml = -0.24 * pd_ - 9.9, -0.30 * pw - 10.9, 0.33 * pw + 7.3
    return mid_asis + ap * x + si * y + ml * z, mid_asis + ap * x + si * y - ml * z


def static_mean(m: Markers | None, names: list[str]) -> np.ndarray | None:
    if m is None or not m.has(*names):
        return None
    return np.stack([np.nanmean(m.get(n), axis=0) for n in names])


def pelvis_markers(ms: MarkerSet, m: Markers) -> tuple | None:
    """(RASIS, LASIS, mid-PSIS) trajectories, the PSIS midpoint standing in for the sacrum or back."""
    ra, la = ms.first("asis", "right", m), ms.first("asis", "left", m)
    rp, lp = ms.first("psis", "right", m), ms.first("psis", "left", m)
    sacrum = ms.first("sacrum", None, m)
    if not (ra and la and ((rp and lp) or sacrum)):
        return None
    back = 0.5 * (m.get(rp) + m.get(lp)) if rp and lp else m.get(sacrum)
    return m.get(ra), m.get(la), back


def joint_centre(ms: MarkerSet, joint: str, side: str, m: Markers, static: Markers | None
                 ) -> tuple[np.ndarray | None, str]:
    spec = ms.joints.get(joint)
    if not spec:
        return None, f"no {side} {joint} centre (the marker set names no {joint} markers)"
    names = ms.names(spec["markers"], side)
    if m.has(*names):
        return np.mean([m.get(n) for n in names], axis=0), ""
    cl = ms.cluster(spec["cluster"], side) if spec.get("cluster") in ms.clusters else []
    cl = [c for c in cl if m.has(c) and static is not None and static.has(c)]
    target = static_mean(static, names)
    if target is not None and len(cl) >= 3:
        return carry(static_mean(static, cl), np.stack([m.get(c) for c in cl], axis=1), target.mean(0)), ""
    present = [n for n in names if m.has(n)]
    if present:
        return m.get(present[0]), (f"{side} {joint} centre from the {present[0]} marker alone "
                                   "(no static trial with both markers)")
    return None, f"no {side} {joint} centre ({', '.join(names)} missing)"


def build_keypoints(ms: MarkerSet, m: Markers, static: Markers | None, like: Markers | None = None) -> Keypoints:
    """Keypoints (mm); ``m`` and ``static`` in mm and runner coordinates (x forward, y up).
    Where a role has alternatives, the marker also in ``like`` (default: the static trial) wins."""
    like = like if like is not None else static
    kp: dict[str, np.ndarray] = {}
    notes: list[str] = []
    pel = pelvis_markers(ms, m)
    if "hip" in ms.joints:
        for side in SIDES:
            c, note = joint_centre(ms, "hip", side, m, static)
            if c is not None:
                kp[f"{side}_hip"] = c
            notes += [note] if note else []
    elif pel is not None:
        kp["right_hip"], kp["left_hip"] = harrington_hjc(*pel)
    else:
        notes.append("no hip joint centres (pelvis markers missing)")
    for side in SIDES:
        for joint in ("knee", "ankle"):
            c, note = joint_centre(ms, joint, side, m, static)
            if c is not None:
                kp[f"{side}_{joint}"] = c
            notes += [note] if note else []
        for role, key in (("heel", "heel"), ("toe", "foot_index"), ("shoulder", "shoulder")):
            name = ms.first(role, side, m, like)
            if name:
                kp[f"{side}_{key}"] = m.get(name)
        for i, name in enumerate(n for n in ms.names(ms.markers.get("forefoot", []), side) if m.has(n)):
            kp[f"{side}_forefoot{i + 1}"] = m.get(name)
    if ms.foot_from_cluster:
        kp.update(_foot_from_cluster(ms, m, static, notes))
    c7 = ms.first("c7", None, m)
    if c7:
        kp["c7"] = m.get(c7)
    return Keypoints(kp, notes)


def _foot_from_cluster(ms: MarkerSet, m: Markers, static: Markers | None, notes: list[str]) -> dict:
    """Heel and toe stand-ins: the foot cluster's rearmost and foremost markers along the
    running direction (x), in the static trial when there is one."""
    out = {}
    for side in SIDES:
        names = [n for n in ms.cluster(ms.foot_from_cluster, side) if m.has(n)]
        if len(names) < 2:
            notes.append(f"no {side} foot markers")
            continue
        ref = static if static is not None and static.has(*names) else m
        x = np.array([np.nanmean(ref.get(n)[:, 0]) for n in names])
        out[f"{side}_heel"], out[f"{side}_foot_index"] = m.get(names[int(np.argmin(x))]), m.get(names[int(np.argmax(x))])
    notes.append("no heel or toe markers: the foot cluster's rear and front markers stand in for them, "
                 "so foot angles are read relative to standing")
    return out
