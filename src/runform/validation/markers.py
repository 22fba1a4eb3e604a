"""Video-like keypoints from motion-capture markers.

So that the very same cleaning, event and metric code runs on lab trials, the
markers are turned into the keypoints a pose estimator gives: hip, knee and
ankle joint centres, heel, toe, shoulder and ear, per side, in millimetres.

* Hip joint centres: Harrington et al. 2007 (J Biomech 40:595) regression on
  pelvis width and depth from the ASIS/PSIS markers, unless the static trial
  carries joint centres, which are then carried by the pelvis markers.
* Knee and ankle centres: midpoint of the epicondyle / malleolus markers when
  the trial has them; otherwise the static trial's joint centres are carried
  by the thigh and shank clusters (least-squares rigid fit, Soderkvist &
  Wedin 1993, J Biomech 26:1473).
"""

from __future__ import annotations

import numpy as np

from ..io.mocap_text import Markers


def rigid_fit(static_pts: np.ndarray, moving: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame rotation R (t,3,3) and translation d (t,3) mapping static -> moving."""
    n = moving.shape[0]
    Rs = np.full((n, 3, 3), np.nan)
    ds = np.full((n, 3), np.nan)
    for i in range(n):
        q = moving[i]
        ok = np.all(np.isfinite(q), axis=1) & np.all(np.isfinite(static_pts), axis=1)
        if ok.sum() < 3:
            continue
        p, qq = static_pts[ok], q[ok]
        pc, qc = p.mean(0), qq.mean(0)
        u, _, vt = np.linalg.svd((p - pc).T @ (qq - qc))
        dmat = np.diag([1, 1, np.sign(np.linalg.det(vt.T @ u.T))])
        R = vt.T @ dmat @ u.T
        Rs[i], ds[i] = R, qc - R @ pc
    return Rs, ds


def carry(static: Markers, dynamic: Markers, cluster: list[str], targets: list[str]) -> np.ndarray:
    """Track a static-trial point (the mean of ``targets``, e.g. two epicondyles) with a cluster."""
    sp = np.stack([np.nanmean(static.get(m), axis=0) for m in cluster])
    tp = np.mean([np.nanmean(static.get(t), axis=0) for t in targets], axis=0)
    mv = np.stack([dynamic.get(m) for m in cluster], axis=1)
    R, d = rigid_fit(sp, mv)
    return np.einsum("tij,j->ti", R, tp) + d


def harrington_hjc(rasi, lasi, rpsi, lpsi) -> tuple[np.ndarray, np.ndarray]:
    """Hip joint centres (mm) from pelvis markers, Harrington et al. 2007."""
    mid_asis = 0.5 * (rasi + lasi)
    mid_psis = 0.5 * (rpsi + lpsi)
    z = rasi - lasi
    pw = np.linalg.norm(z, axis=1, keepdims=True)
    z = z / pw
    x = mid_asis - mid_psis
    pd_ = np.linalg.norm(x, axis=1, keepdims=True)
    y = np.cross(z, x)
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    x = np.cross(y, z)
    ap = -0.24 * pd_ - 9.9
    si = -0.30 * pw - 10.9
    ml = 0.33 * pw + 7.3
    right = mid_asis + ap * x + si * y + ml * z
    left = mid_asis + ap * x + si * y - ml * z
    return right, left


def keypoints_from_markers(dyn: Markers, static: Markers | None = None) -> dict[str, np.ndarray]:
    """Keypoints (mm) named as in the video path, from the marker sets this module knows."""
    dyn = dyn.to_mm()
    kp: dict[str, np.ndarray] = {}
    if dyn.has("RASI", "LASI", "RPSI", "LPSI"):  # Hamner & Delp 2013 / Plug-in-Gait-like
        names = dict(asis=("RASI", "LASI"), psis=("RPSI", "LPSI"), heel=("RCAL", "LCAL"),
                     toe=("RTOE", "LTOE"), shoulder=("RACR", "LACR"))
        thigh = {"R": ["RTH1", "RTH2", "RTH3"], "L": ["LTH1", "LTH2", "LTH3"]}
        shank = {"R": ["RTB1", "RTB2", "RTB3"], "L": ["LTB1", "LTB2", "LTB3"]}
    elif dyn.has("R.ASIS", "L.ASIS", "R.PSIS", "L.PSIS"):  # Fukuchi RBDS
        names = dict(asis=("R.ASIS", "L.ASIS"), psis=("R.PSIS", "L.PSIS"),
                     heel=("R.Heel.Bottom", "L.Heel.Bottom"), toe=("R.MT2", "L.MT2"), shoulder=None)
        if not dyn.has("R.MT2"):
            names["toe"] = ("R.MT1", "L.MT1")
        thigh = {s: [f"{s}.Thigh.{a}.{b}" for a in ("Top", "Bottom") for b in ("Lateral", "Medial")]
                 for s in "RL"}
        shank = {s: [f"{s}.Shank.{a}.{b}" for a in ("Top", "Bottom") for b in ("Lateral", "Medial")]
                 for s in "RL"}
    else:
        raise KeyError("unknown marker set")
    rasi, lasi = (dyn.get(n) for n in names["asis"])
    rpsi, lpsi = (dyn.get(n) for n in names["psis"])
    rh, lh = harrington_hjc(rasi, lasi, rpsi, lpsi)
    kp["right_hip"], kp["left_hip"] = rh, lh
    for side, s in (("right", "R"), ("left", "L")):
        i = 0 if s == "R" else 1
        kp[f"{side}_heel"] = dyn.get(names["heel"][i])
        kp[f"{side}_foot_index"] = dyn.get(names["toe"][i])
        if dyn.has(f"{s}.Knee", f"{s}.Knee.Medial"):
            kp[f"{side}_knee"] = 0.5 * (dyn.get(f"{s}.Knee") + dyn.get(f"{s}.Knee.Medial"))
            kp[f"{side}_ankle"] = 0.5 * (dyn.get(f"{s}.Ankle") + dyn.get(f"{s}.Ankle.Medial"))
        elif static is not None and static.has(f"{s}KJC", f"{s}AJC"):
            st = static.to_mm()
            kp[f"{side}_knee"] = carry(st, dyn, thigh[s], [f"{s}KJC"])
            kp[f"{side}_ankle"] = carry(st, dyn, shank[s], [f"{s}AJC"])
        elif static is not None and static.has(f"{s}.Knee", f"{s}.Knee.Medial", f"{s}.Ankle"):
            st = static.to_mm()
            kp[f"{side}_knee"] = carry(st, dyn, thigh[s], [f"{s}.Knee", f"{s}.Knee.Medial"])
            kp[f"{side}_ankle"] = carry(st, dyn, shank[s], [f"{s}.Ankle", f"{s}.Ankle.Medial"])
        if names["shoulder"]:
            kp[f"{side}_shoulder"] = dyn.get(names["shoulder"][i])
    return kp


def forward_and_up(dyn: Markers) -> tuple[np.ndarray, np.ndarray]:
    """Unit forward (pelvis ASIS ahead of PSIS, horizontal) and up (from the data) vectors."""
    kp_names = ("RASI", "LASI", "RPSI", "LPSI") if dyn.has("RASI") else ("R.ASIS", "L.ASIS", "R.PSIS", "L.PSIS")
    rasi, lasi, rpsi, lpsi = (dyn.get(n) for n in kp_names)
    # up: the axis along which the heels' lowest points sit (the floor normal) is the
    # one where the pelvis is far from the feet
    pelvis = np.nanmean(0.25 * (rasi + lasi + rpsi + lpsi), axis=0)
    heel = np.nanmean(dyn.get("RCAL" if dyn.has("RCAL") else "R.Heel.Bottom"), axis=0)
    axis = int(np.argmax(np.abs(pelvis - heel)))
    up = np.zeros(3)
    up[axis] = np.sign((pelvis - heel)[axis])
    fwd = np.nanmean(0.5 * (rasi + lasi) - 0.5 * (rpsi + lpsi), axis=0)
    fwd -= up * (fwd @ up)
    return fwd / np.linalg.norm(fwd), up
