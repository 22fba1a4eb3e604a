"""Loading a lab trial: files -> markers in runner coordinates -> keypoints, pelvis, forces.

``load_lab_trial`` reads the running trial (C3D, TRC or a marker table), an
optional static trial and force file, picks the marker set, finds the lab's
up and running directions from the data, and returns a :class:`LabTrial`
with everything in metres and runner coordinates (x forward, y up, z right).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...engine import pelvis_axes as pelvis
from ...errors import InputFileError
from ...words import opt
from . import frame
from .keypoints import build_keypoints, pelvis_markers, static_mean
from .presets import SIDES, MarkerSet, load_mapping, match_marker_set
from .recording import Forces, LabRecording, Markers

LAB_SUFFIXES = (".c3d", ".trc")


@dataclass
class LabTrial:
    name: str
    marker_set: MarkerSet
    times_s: np.ndarray
    keypoints: dict[str, np.ndarray]  # (time, 3) m, runner coordinates
    pelvis_axes: np.ndarray | None  # (time, 3, 3)
    static_keypoints: dict[str, np.ndarray] | None  # (3,) m, standing
    static_pelvis_axes: np.ndarray | None  # (3, 3)
    up_lab: np.ndarray
    basis: np.ndarray  # rows: forward, up, right in lab coordinates
    forces: Forces | None
    file_events: pd.DataFrame | None
    files: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_lab(path: Path) -> LabRecording:
    from .c3d import is_c3d, read_c3d
    from .text import read_text_trial

    if not path.is_file():
        raise InputFileError(f"'{path}' does not exist.")
    if is_c3d(path):
        return read_c3d(path)
    return read_text_trial(path)


def read_forces(path: Path, duration_s: float) -> Forces:
    from .c3d import read_c3d
    from .text import read_force_table, read_grf_mot

    if path.suffix.lower() == ".c3d":
        f = read_c3d(path).forces
        if f is None:
            raise InputFileError(f"'{path.name}' holds no force-plate data.")
        return f
    if path.suffix.lower() in (".mot", ".sto"):
        return read_grf_mot(path)
    return read_force_table(path, duration_s)


def sibling_forces(path: Path) -> Path | None:
    """Force files named after the trial: <trial>_grf.mot, <trial>forces.txt, markers -> forces."""
    cands = [path.with_name(path.stem + "_grf.mot"), path.with_name(path.stem + "forces.txt"),
             path.with_name(path.name.replace("markers", "forces"))]
    return next((c for c in cands if c != path and c.is_file()), None)


def sibling_static(path: Path) -> Path | None:
    """The one static trial beside the running trial that shares its subject prefix."""
    prefix = re.split(r"(?i)run|gait|jog|expdata", path.stem)[0]
    found = [p for p in path.parent.iterdir() if "static" in p.name.lower() and p != path
             and p.suffix.lower() == path.suffix.lower() and p.name.startswith(prefix)]
    return found[0] if len(found) == 1 else None


def _centroid(m: Markers, names: list[str]) -> np.ndarray | None:
    names = [n for n in names if m.has(n)]
    return np.nanmean(np.stack([m.get(n) for n in names]), axis=0) if names else None


def _pelvis_and_feet(ms: MarkerSet, m: Markers) -> tuple[np.ndarray, list[np.ndarray]]:
    pel = pelvis_markers(ms, m)
    centre = np.mean(pel, axis=0) if pel is not None else _centroid(m, ms.cluster("pelvis", None)
                                                                       if "pelvis" in ms.clusters else [])
    feet = []
    for side in SIDES:
        names = [ms.first(r, side, m) for r in ("heel", "toe")]
        names = [n for n in names if n]
        if not names and ms.foot_from_cluster:
            names = ms.cluster(ms.foot_from_cluster, side)
        if not names and "ankle" in ms.joints:
            names = ms.names(ms.joints["ankle"]["markers"], side)
        c = _centroid(m, names)
        if c is not None:
            feet.append(c)
    if centre is None or not feet:
        raise InputFileError("The trial lacks the pelvis or foot markers runform needs to find up and "
                             "forward.", f"Check the marker names, or give a mapping file with {opt('markers')}.")
    return centre, feet


def _rotate(m: Markers, basis: np.ndarray) -> Markers:
    return Markers(m.times_s, m.names, m.xyz @ basis.T, m.unit, m.rate_hz)


def load_lab_trial(path: str | Path, forces: str | Path | None = None, static: str | Path | None = None,
                   mapping: str | Path | None = None) -> LabTrial:
    path = Path(path)
    rec = read_lab(path)
    notes: list[str] = list(rec.notes) + ([rec.markers.unit_note] if rec.markers.unit_note else [])
    m = rec.markers.to_mm()
    if len(m.times_s) < 10:
        raise InputFileError(f"'{path.name}' holds only {len(m.times_s)} frames.", "Give a running trial.")
    static_path = Path(static) if static else sibling_static(path)
    st = read_lab(static_path).markers.to_mm() if static_path else None
    ms = load_mapping(mapping) if mapping else match_marker_set(m, st)
    force_path = Path(forces) if forces else (sibling_forces(path) if rec.forces is None else None)
    frc = read_forces(force_path, float(m.times_s[-1] - m.times_s[0])) if force_path else rec.forces
    pel_c, feet = _pelvis_and_feet(ms, m)
    up = frame.up_axis(pel_c, feet, frc.force if frc is not None else None)
    fwd = frame.forward_axis(m.times_s, pel_c, feet, up)
    basis = frame.runner_basis(fwd, up)
    m = _rotate(m, basis)
    st = _rotate(st, _static_basis(ms, st, fwd)) if st is not None else None
    m = metatarsals_in_order(ms, m, "running", notes)
    st = metatarsals_in_order(ms, st, "static", notes) if st is not None else None
    kp = build_keypoints(ms, m, st)
    notes += kp.notes
    axes, st_axes, st_kp = _pelvis(ms, m, st, kp.points, notes)
    if st is not None:
        st_kp = {k: np.nanmean(v, axis=0) / 1000.0 for k, v in build_keypoints(ms, st, st, like=m).points.items()}
    _check_sides(kp.points, notes)
    files = {"trial": path.name, "static": static_path.name if static_path else None,
             "forces": force_path.name if force_path else (path.name if frc is not None else None)}
    return LabTrial(path.name, ms, m.times_s, {k: v / 1000.0 for k, v in kp.points.items()}, axes,
                    st_kp, st_axes, up, basis, frc, rec.events, files, notes)


def metatarsals_in_order(ms: MarkerSet, m: Markers, trial: str, notes: list[str]) -> Markers:
    """The set's first and fifth metatarsal markers (``forefoot``) with the first medial, as anatomy
    has it: a pair labelled the other way round (the first farther from the body's midline than
    the fifth over the trial) is swapped back, with a note. A swapped pair turns the foot's
    borders over and moves the forefoot angles by up to 10 deg."""
    xyz, names = m.xyz, list(m.names)
    midline = np.nanmedian(m.xyz[:, :, 2], axis=1)  # the markers' middle, side to side, per frame
    for side in SIDES:
        pair = [n for n in ms.names(ms.markers.get("forefoot", []), side) if m.has(n)]
        if len(pair) != 2:
            continue
        first, fifth = (np.abs(m.get(n)[:, 2] - midline) for n in pair)
        if np.nanmedian(first - fifth) > 0:
            i, j = names.index(pair[0]), names.index(pair[1])
            xyz = xyz.copy() if xyz is m.xyz else xyz
            xyz[:, [i, j]] = xyz[:, [j, i]]
            notes.append(f"the {side} metatarsal markers {pair[0]} and {pair[1]} are labelled the other way "
                         f"round in the {trial} trial (the first lies lateral of the fifth): swapped back")
    return m if xyz is m.xyz else Markers(m.times_s, names, xyz, m.unit, m.rate_hz, m.unit_note)


def _static_basis(ms: MarkerSet, st: Markers, run_forward: np.ndarray) -> np.ndarray:
    """Standing has its own axes (a static trial may face elsewhere): up from the feet to the
    pelvis, forward from the PSIS to the ASIS when the set has them, else the running direction."""
    pel_c, feet = _pelvis_and_feet(ms, st)
    up = frame.up_axis(pel_c, feet)
    pel = pelvis_markers(ms, st)
    fwd = np.nanmean(0.5 * (pel[0] + pel[1]) - pel[2], axis=0) if pel is not None else run_forward
    fwd = fwd - up * (fwd @ up)
    return frame.runner_basis(fwd / np.linalg.norm(fwd), up)


def _pelvis(ms: MarkerSet, m: Markers, st: Markers | None, kp: dict, notes: list[str]):
    """Pelvis axes over the trial and in standing (None where the markers do not allow)."""
    pel = pelvis_markers(ms, m)
    if pel is not None:
        axes = pelvis.axes_from_markers(*pel)
        st_pel = pelvis_markers(ms, st) if st is not None else None
        st_axes = pelvis.axes_from_markers(*(np.nanmean(p, axis=0)[None] for p in st_pel))[0] if st_pel else None
        return axes, st_axes, None
    if "pelvis" in ms.clusters and st is not None and "hip" in ms.joints:
        cl = [c for c in ms.cluster("pelvis", None) if m.has(c) and st.has(c)]
        hips = [static_mean(st, ms.names(ms.joints["hip"]["markers"], s)) for s in SIDES]
        if len(cl) >= 3 and all(h is not None for h in hips):
            from .keypoints import rigid_fit

            s_axes = pelvis.axes_standing(hips[0].mean(0), hips[1].mean(0))
            R, _ = rigid_fit(static_mean(st, cl), np.stack([m.get(c) for c in cl], axis=1))
            return np.einsum("tij,jk->tik", R, s_axes), s_axes, None
    notes.append("no 3D pelvis (needs ASIS and PSIS/sacrum markers, or a pelvis cluster with a static trial)")
    return None, None, None


def _check_sides(kp: dict, notes: list[str]) -> None:
    if "right_hip" in kp and "left_hip" in kp:
        dz = np.nanmedian(kp["right_hip"][:, 2] - kp["left_hip"][:, 2])
        if dz < 0:
            notes.append("the right-side markers lie on the runner's left: the side labels look swapped "
                         "or the lab frame is mirrored; left and right results are exchanged")
