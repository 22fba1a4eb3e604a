"""Event timing of the video path against force plates, on the lab trials.

``python -m runform.validation.events_accuracy [--fps 60]`` prints the table
shown in docs/validation.md. Each trial's markers become video keypoints, a
virtual phone camera films them from the side (see virtual_camera.py), and
the video path's cleaning, geometry and ContactDetector time the contacts.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from ..engine.body import LEG_FRACTION_OF_HEIGHT
from ..engine.clean import clean
from ..engine.contacts import ContactDetector
from ..engine.scene import analyse_scene, to_sagittal
from .compare import markdown_table, match_events
from .testbed import LabTrial, load_trials
from .virtual_camera import side_view


def trial_errors(tr: LabTrial, fps: float, seed: int = 1, noise_m: float = 0.015
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Signed IC and TO errors in ms for one trial."""
    m = side_view(tr.keypoints_mm, tr.times_s, tr.forward, tr.up, fps=fps, seed=seed, noise_m=noise_m)
    c, _ = clean(m)
    geo = analyse_scene(c, 1.75)
    sag = to_sagittal(c, geo)
    ev = ContactDetector().detect(sag, 1.75 * LEG_FRACTION_OF_HEIGHT).events_
    e_ic, e_to = match_events(ev, tr.events, m["time"].values[[0, -1]])
    return 1000 * e_ic, 1000 * e_to


def accuracy_table(trials: list[LabTrial], fps: float, seed: int = 1
                   ) -> tuple[pd.DataFrame, dict, np.ndarray, np.ndarray]:
    """Per-trial table, pooled figures, and the pooled signed IC and TO errors (ms). Toe-off is
    pooled only over trials with a toe marker."""
    rows, all_ic, all_to = [], [], []
    for tr in trials:
        ic, to = trial_errors(tr, fps, seed)
        all_ic += list(ic)
        if tr.has_toe_marker:
            all_to += list(to)
        rows.append({"trial": tr.name, "truth_contacts": len(tr.events), "matched": len(ic),
                     "ic_median_abs_ms": np.median(np.abs(ic)), "ic_bias_ms": np.median(ic),
                     "to_median_abs_ms": np.median(np.abs(to)) if tr.has_toe_marker else np.nan,
                     "to_bias_ms": np.median(to) if tr.has_toe_marker else np.nan})
    ic, to = np.abs(all_ic), np.abs(all_to)
    pooled = {"n_ic": len(ic), "ic_median_abs_ms": float(np.median(ic)), "ic_p95_ms": float(np.percentile(ic, 95)),
              "n_to": len(to), "to_median_abs_ms": float(np.median(to)), "to_p95_ms": float(np.percentile(to, 95))}
    return pd.DataFrame(rows), pooled, np.array(all_ic), np.array(all_to)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--fps", type=float, nargs="+", default=[60.0, 30.0, 120.0])
    ap.add_argument("--mocap", default=None)
    a = ap.parse_args()
    trials = load_trials(a.mocap)
    for fps in a.fps:
        table, pooled, _, _ = accuracy_table(trials, fps)
        print(f"\n## {fps:g} fps\n")
        print(markdown_table(table.round(1)))
        print("\npooled:", {k: round(v, 1) if isinstance(v, float) else v for k, v in pooled.items()})


if __name__ == "__main__":
    main()
