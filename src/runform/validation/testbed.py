"""The lab trials with force plates that runform's kinematic path is checked against.

Sources (read from ``shared/data/mocap``, never copied into the project):

* Hamner & Delp 2013, J Biomech 46:780: two runners at 2, 3, 4 and 5 m/s on a
  split-belt instrumented treadmill (100 Hz markers, 1000 Hz GRF per foot).
* Fukuchi et al. 2017, PeerJ 5:e3298 (Running Biomechanics Data Set, CC BY
  4.0): treadmill at 2.5 m/s, 150 Hz markers, 300 Hz GRF from one plate
  under both feet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..io.mocap_text import read_fukuchi_forces, read_fukuchi_markers, read_mot, read_trc
from .forceplate import single_plate_events, split_belt_events
from .markers import forward_and_up, keypoints_from_markers


@dataclass
class LabTrial:
    name: str
    source: str
    times_s: np.ndarray
    keypoints_mm: dict[str, np.ndarray]
    forward: np.ndarray
    up: np.ndarray
    events: pd.DataFrame  # force-plate truth: foot, ic_s, to_s
    has_toe_marker: bool  # False: the "toe" is a metatarsal-head marker, which lifts before the toe


def default_mocap_dir() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent.parent / "shared" / "data" / "mocap"
        if cand.is_dir():
            return cand
    return Path.cwd().parent / "shared" / "data" / "mocap"


def hamner_trials(root: Path) -> list[tuple[str, callable]]:
    out = []
    for subj in sorted((root / "hamner2013").glob("subject*")):
        for trc in sorted(subj.glob("expData_Run_*.trc")):
            speed = trc.stem.split("_")[-1]
            grf = trc.with_name(trc.stem + "_grf.mot")
            static = subj / "model_static.trc"
            if grf.exists():
                out.append((f"hamner2013/{subj.name}/{speed}ms", lambda trc=trc, grf=grf, static=static:
                            _load_hamner(trc, grf, static)))
    return out


def _load_hamner(trc: Path, grf: Path, static: Path) -> tuple:
    dyn = read_trc(trc)
    st = read_trc(static) if static.exists() else None
    kp = keypoints_from_markers(dyn, st)
    fwd, up = forward_and_up(dyn)
    g = read_mot(grf)
    ev = split_belt_events(g["time"].to_numpy(), g["R_ground_force_vy"].to_numpy(),
                           g["L_ground_force_vy"].to_numpy())
    return dyn.times_s, kp, fwd, up, ev, "Hamner & Delp 2013", True


def fukuchi_trials(root: Path) -> list[tuple[str, callable]]:
    base = root / "fukuchi_rbds"
    pairs = [("RBDS001runT25markers.txt", "RBDS001runT25forces.txt", "RBDS001static.txt"),
             ("RBDS0041runT252.txt", "RBDS0041runT252forces.txt", "RBDS0041static.txt")]
    return [(f"fukuchi_rbds/{m.split('run')[0]}/2.5ms",
             lambda m=base / m, f=base / f, s=base / s: _load_fukuchi(m, f, s))
            for m, f, s in pairs if (base / m).exists() and (base / f).exists()]


def _load_fukuchi(markers: Path, forces: Path, static: Path) -> tuple:
    dyn = read_fukuchi_markers(markers, 150.0)
    st = read_fukuchi_markers(static, 150.0) if static.exists() else None
    kp = keypoints_from_markers(dyn, st)
    fwd, up = forward_and_up(dyn)
    fr = read_fukuchi_forces(forces, 300.0)
    sole = {s: (dyn.times_s, np.fmin(kp[f"{s}_heel"] @ up, kp[f"{s}_foot_index"] @ up))
            for s in ("left", "right")}
    ev = single_plate_events(fr["time"].to_numpy(), fr["Fy"].to_numpy(), sole)
    return dyn.times_s, kp, fwd, up, ev, "Fukuchi et al. 2017", False


def load_trials(root: Path | None = None) -> list[LabTrial]:
    root = Path(root) if root else default_mocap_dir()
    trials = []
    for name, loader in hamner_trials(root) + fukuchi_trials(root):
        t, kp, fwd, up, ev, src, toe = loader()
        trials.append(LabTrial(name, src, t, kp, fwd, up, ev, toe))
    return trials
