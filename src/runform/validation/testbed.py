"""The lab trials with force plates that runform is checked against.

Every trial in ``shared/data/mocap`` (never copied into the project) that has
force data, loaded by runform's own lab loader (``runform.sources.lab``):

* Hamner & Delp 2013, J Biomech 46:780: two runners at 2-5 m/s on a split-belt
  instrumented treadmill (100 Hz markers, 1000 Hz GRF per foot; TRC + .mot).
* Fukuchi et al. 2017, PeerJ 5:e3298 (RBDS, CC BY 4.0): treadmill, 150 Hz
  markers, 300 Hz GRF from one plate under both feet (text tables and C3D).
* Dorn, Schache & Pandy 2012, J Exp Biol 215:1944: overground at 3.5 m/s,
  250 Hz markers, five 1500 Hz force plates (C3D).

Truth: contacts from the vertical GRF (> 50 N, ``runform.sources.lab.forces``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..sources.lab.forces import force_events
from ..sources.lab.trial import LabTrial, load_lab_trial


@dataclass
class ValidationTrial:
    name: str
    source: str
    times_s: np.ndarray
    keypoints_mm: dict[str, np.ndarray]  # runner coordinates (x forward, y up, z right)
    forward: np.ndarray
    up: np.ndarray
    events: pd.DataFrame  # force-plate truth: foot, ic_s, to_s
    has_toe_marker: bool  # False: the "toe" is a metatarsal-head marker, which lifts before the toe
    lab: LabTrial
    speed_mps: float | None  # nominal, from the data set's documentation


SOURCES = {"hamner2013": "Hamner & Delp 2013", "fukuchi_rbds": "Fukuchi et al. 2017",
           "dorn2012": "Dorn et al. 2012"}


def default_mocap_dir() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent.parent / "shared" / "data" / "mocap"
        if cand.is_dir():
            return cand
    return Path.cwd().parent / "shared" / "data" / "mocap"


def trial_files(root: Path) -> list[tuple[str, Path, Path | None, float | None]]:
    """(name, running trial, force file or None when inside the C3D, nominal speed) for every
    trial with force data."""
    out = []
    for subj in sorted((root / "hamner2013").glob("subject*")):
        for trc in sorted(subj.glob("expData_Run_*.trc")):
            grf = trc.with_name(trc.stem + "_grf.mot")
            speed = float(trc.stem.split("_")[-1])
            if grf.exists():
                out.append((f"hamner2013/{subj.name}/{speed:g}ms", trc, grf, speed))
    fk = root / "fukuchi_rbds"
    for markers, forces, speed in (("RBDS001runT25markers.txt", "RBDS001runT25forces.txt", 2.5),
                                   ("RBDS001runT35.c3d", None, 3.5),
                                   ("RBDS0041runT252.txt", "RBDS0041runT252forces.txt", 2.5)):
        if (fk / markers).exists() and (forces is None or (fk / forces).exists()):
            subject = markers.split("run")[0]
            out.append((f"fukuchi_rbds/{subject}/{speed:g}ms{'-c3d' if forces is None else ''}", fk / markers,
                        fk / forces if forces else None, speed))
    dorn = root / "dorn2012" / "JA1Gait21_run3.5ms.c3d"
    if dorn.exists():
        out.append(("dorn2012/JA1/3.5ms-overground", dorn, None, 3.5))
    return out


def load_trial(name: str, path: Path, forces: Path | None, speed: float | None) -> ValidationTrial:
    lab = load_lab_trial(path, forces)
    kp = {k: v * 1000.0 for k, v in lab.keypoints.items() if not k.startswith("_")}
    sole = {s: (lab.times_s, np.fmin(kp[f"{s}_heel"][:, 1], kp[f"{s}_foot_index"][:, 1])) for s in ("left", "right")}
    truth = force_events(lab.forces, lab.up_lab, sole)
    return ValidationTrial(name, SOURCES[name.split("/")[0]], lab.times_s, kp, np.array([1.0, 0, 0]),
                           np.array([0, 1.0, 0]), truth, not lab.marker_set.toe_is_metatarsal, lab, speed)


def load_trials(root: Path | None = None, overground: bool = False) -> list[ValidationTrial]:
    """The treadmill trials (and with ``overground`` the overground one, whose few contacts on
    the plates do not cover the trial)."""
    root = Path(root) if root else default_mocap_dir()
    return [load_trial(*f) for f in trial_files(root) if overground or "overground" not in f[0]]
