"""The front and back views against the lab's truth, on the lab trials with force plates.

``python -m runform.validation.frontal_accuracy [--fps 60]`` prints the tables in
docs/validation.md. Each trial's joint centres are filmed by a virtual camera behind and one
in front of the runner (``virtual_camera.frontal_view``: 4 m away, 1 m high, 1.5 cm keypoint
noise), written as OpenPose BODY_25 files, read back as any OpenPose folder is, and analysed
by the frontal path with the runner's height from the markers' leg length. The pose tool's
labels are written the wrong way round for the back view (what a model that assumes a face
does), so the sides must come from the view. Truth: the force plates' contacts, and the same
per-stride metrics from the markers' own frontal plane (no camera, no noise) at those contacts.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine.frontal_view import frontal_gait
from ..engine.metrics.frontal import frontal_stride_metrics
from ..engine.strides import build_strides
from ..sources.keypoints.openpose import NAMES, read_openpose, write_openpose
from .compare import markdown_table, match_events
from .testbed import ValidationTrial, load_trials
from .virtual_camera import frontal_view

METRICS = ("pelvic_drop_deg", "knee_fppa_deg", "step_width_cm")


def leg_length_m(tr: ValidationTrial) -> float:
    kp = tr.keypoints_mm
    legs = [np.linalg.norm(kp[f"{s}_hip"] - kp[f"{s}_knee"], axis=1) + np.linalg.norm(kp[f"{s}_knee"] - kp[f"{s}_ankle"],
            axis=1) for s in ("left", "right")]
    return float(np.nanmedian(legs)) / 1000.0


def true_frontal(tr: ValidationTrial) -> dict[str, np.ndarray]:
    """The markers' frontal plane (x to the runner's right, y up; metres)."""
    right = np.cross(tr.forward, tr.up)
    return {n: np.stack([p @ right, p @ tr.up], axis=1) / 1000.0 for n, p in tr.keypoints_mm.items()}


def filmed(tr: ValidationTrial, view: str, fps: float, folder: Path, seed: int = 1, distance_m: float = 4.0):
    """The trial filmed, written as OpenPose files (labels mirrored from behind) and read back."""
    t, px, conf, names = frontal_view(tr.keypoints_mm, tr.times_s, tr.forward, tr.up, view=view, fps=fps, seed=seed,
                                      distance_m=distance_m)
    if view == "back":
        names = [n.replace("left_", "@").replace("right_", "left_").replace("@", "right_") for n in names]
    write_openpose(folder, "trial", px, conf, names)
    t_read, pos, c = read_openpose(folder, fps)
    return t_read + t[0], pos, c


def trial_rows(tr: ValidationTrial, view: str, fps: float, distance_m: float = 4.0
               ) -> tuple[dict, pd.DataFrame, np.ndarray]:
    """One trial's row of the table, its per-stride metric errors and its IC errors (s)."""
    with tempfile.TemporaryDirectory() as tmp:
        t, pos, conf = filmed(tr, view, fps, Path(tmp), distance_m=distance_m)
    gait = frontal_gait(t, pos, conf, list(NAMES), leg_length_m(tr))
    e_ic, e_to = match_events(gait.events, tr.events, t[[0, -1]])
    est = measured(t, gait.keypoints, gait.events)
    truth = measured(tr.times_s, true_frontal(tr), tr.events)
    errors = _paired(est, truth)
    inside = tr.events[(tr.events.ic_s > t[0] + 0.05) & (tr.events.to_s < t[-1] - 0.05)]
    row = {"trial": tr.name, "view_found": gait.view, "sides_right": gait.labels_swapped == (view == "back"),
           "truth_contacts": len(inside), "contacts": len(e_ic), "ic_median_abs_ms": 1000 * np.median(np.abs(e_ic)),
           "ic_bias_ms": 1000 * np.median(e_ic), "to_median_abs_ms": 1000 * np.median(np.abs(e_to)),
           **{f"{m}_median_abs": float(np.median(np.abs(errors[m].dropna()))) for m in METRICS}}
    return row, errors.assign(trial=tr.name), e_ic


def measured(t: np.ndarray, kp: dict, events: pd.DataFrame) -> pd.DataFrame:
    """The strides of these contacts with their frontal metrics."""
    st = build_strides(events)
    return st.join(frontal_stride_metrics(t, kp, st))


def _paired(est: pd.DataFrame, truth: pd.DataFrame, max_offset_s: float = 0.1) -> pd.DataFrame:
    """Per-stride errors (estimate - truth) of strides matched by foot and contact time."""
    rows = []
    for r in est.itertuples():
        cand = truth[truth.foot == r.foot]
        if cand.empty:
            continue
        j = int(np.argmin(np.abs(cand.ic_s.to_numpy() - r.ic_s)))
        if abs(cand.ic_s.iloc[j] - r.ic_s) <= max_offset_s:
            rows.append({m: getattr(r, m) - cand[m].iloc[j] for m in METRICS})
    return pd.DataFrame(rows, columns=list(METRICS))


def accuracy_table(trials: list[ValidationTrial], view: str, fps: float, distance_m: float = 4.0
                   ) -> tuple[pd.DataFrame, dict]:
    """Per-trial table and pooled figures: IC median |error| and bias (ms), and per metric the
    per-stride median |error| and bias."""
    rows, errors, ics = zip(*(trial_rows(tr, view, fps, distance_m) for tr in trials))
    err, ic = pd.concat(errors, ignore_index=True), 1000 * np.concatenate(ics)
    pooled = {"ic_median_abs_ms": float(np.median(np.abs(ic))), "ic_bias_ms": float(np.median(ic))}
    for m in METRICS:
        e = err[m].dropna()
        pooled.update({f"{m}_median_abs": float(np.median(np.abs(e))), f"{m}_bias": float(np.median(e)),
                       f"{m}_n": int(len(e))})
    return pd.DataFrame(list(rows)), pooled


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--fps", type=float, default=60.0)
    ap.add_argument("--mocap", default=None)
    ap.add_argument("--distance", type=float, nargs="+", default=[4.0], help="camera distances (m)")
    a = ap.parse_args()
    trials = load_trials(a.mocap)
    for d in a.distance:
        for view in ("back", "front"):
            table, pooled = accuracy_table(trials, view, a.fps, d)
            print(f"\n## {view} camera, {d:g} m, {a.fps:g} fps\n")
            print(markdown_table(table.round(1)))
            print("\npooled:", {k: round(v, 2) for k, v in pooled.items()})


if __name__ == "__main__":
    main()
