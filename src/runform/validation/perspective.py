"""Trunk lean through a perspective camera that is turned, raised and rolled (the virtual
camera of ``virtual_camera.perspective_view`` on the lab trials with trunk markers).

Per camera setting, the video path's median trunk lean minus the markers' (the lab path on
the same trial): with true vertical given as the scene's edges would give it, and with the
floor line taken as vertical (what runform did before it read the scene). Synthetic: it
tests the camera model's geometry, not the pose model or the edge detector.
"""

from __future__ import annotations

import numpy as np

SETTINGS = [  # (yaw, pitch, roll) in degrees
    (0, 0, 0), (10, 0, 0), (20, 0, 0), (30, 0, 0), (0, 10, 0), (0, -10, 0), (0, 0, 5), (0, 0, -5),
    (20, 10, 5), (20, -10, -5), (30, 10, 5),
]
DISTANCES_M = (3.0, 5.0)


def perspective_rows(trials, labs: dict, kb) -> list[dict]:
    """One row per camera setting and distance: median and worst trunk-lean error over the trials.
    The rows are independent: they run in worker processes, one per core (``process.parallel_map``)."""
    from ..process import parallel_map

    global _GRID
    with_trunk = [tr for tr in trials if "left_shoulder" in tr.keypoints_mm and tr.name in labs]
    truths = {tr.name: (labs[tr.name].summary["metrics"].get("trunk_lean_deg", {}).get("median"),
                        labs[tr.name].summary["scene"]["running_speed_mps"]) for tr in with_trunk}
    _GRID = (with_trunk, truths, kb)
    try:
        return parallel_map(_row, [(d, *angles) for d in DISTANCES_M for angles in SETTINGS])
    finally:
        _GRID = None


_GRID = None  # (trials, {trial: (trunk lean truth, speed)}, knowledge) for the rows' workers


def _row(setting: tuple[float, float, float, float]) -> dict:
    from ..errors import RunformError
    from ..settings import Settings
    from ..engine.image_analysis import analyze_motion
    from ..engine.true_vertical import Vertical
    from .virtual_camera import perspective_view

    distance, yaw, pitch, roll = setting
    trials, truths, kb = _GRID
    err = {"scene": [], "floor": []}
    for tr in trials:
        truth, speed = truths[tr.name]
        m, vertical = perspective_view(tr.keypoints_mm, tr.times_s, tr.forward, tr.up, yaw_deg=yaw,
                                       pitch_deg=pitch, roll_deg=roll, distance_m=distance, seed=2)
        for cue, given in (("scene", Vertical(round(vertical, 2), 0.2, "scene")), ("floor", None)):
            try:
                got = analyze_motion(m, Settings(speed_mps=speed), kb, [], given).summary["metrics"]["trunk_lean_deg"]["median"]
            except (RunformError, KeyError):
                continue
            if truth is not None:
                err[cue].append(got - truth)
    return {"distance_m": distance, "yaw_deg": yaw, "pitch_deg": pitch, "roll_deg": roll,
            "n_trials": len(err["scene"]), **_stats(err["scene"], "scene"), **_stats(err["floor"], "floor")}


def _stats(errors: list[float], cue: str) -> dict:
    e = np.abs(errors)
    return {f"{cue}_median_abs_deg": round(float(np.median(e)), 2) if len(e) else None,
            f"{cue}_max_abs_deg": round(float(np.max(e)), 2) if len(e) else None}


def markdown_table(rows: list[dict]) -> str:
    head = ("| distance (m) | yaw | pitch | roll | trials | trunk lean error, scene vertical: median / worst (deg) "
            "| floor line as vertical: median / worst (deg) |\n|---|---|---|---|---|---|---|\n")
    return head + "\n".join(
        f"| {r['distance_m']:g} | {r['yaw_deg']} | {r['pitch_deg']} | {r['roll_deg']} | {r['n_trials']} | "
        f"{r['scene_median_abs_deg']} / {r['scene_max_abs_deg']} | {r['floor_median_abs_deg']} / {r['floor_max_abs_deg']} |"
        for r in rows)
