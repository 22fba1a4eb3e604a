"""runform's video path on real clips against annotations made without any pose model.

``shared/data/video/annotations.json`` (ANNOTATIONS.md) gives, per clip, true
vertical at the runner read from the scene's vertical structures, the trunk
lean at three midstance frames and every initial contact. Per clip this
table gives the true vertical runform finds (``sources/video/vertical.py``)
and its error, the trunk lean at the annotated frames against true vertical,
and, when the clip can be analysed as a whole, the initial-contact error
(median and bias of runform minus annotation, matched within 100 ms).

This is the only check of the camera model and the pose model on real
images: the virtual-camera test bed projects markers through a perfect camera.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np

HIPS, SHOULDERS = (23, 24), (11, 12)  # BlazePose landmarks


def real_video_table(video_dir: Path) -> list[dict]:
    """One row per annotated clip found in ``video_dir``."""
    notes = json.loads((video_dir / "annotations.json").read_text())
    return [_clip_row(video_dir / f"{name}.mp4", ann) for name, ann in notes.items()
            if (video_dir / f"{name}.mp4").is_file()]


def _clip_row(video: Path, ann: dict) -> dict:
    from ..sources.video.background import scan
    from ..sources.video.decode import probe
    from ..sources.video.pose import LANDMARKS
    from ..sources.video.pose_cache import start_tracking
    from ..sources.video.upright import body_axis_deg, turn_points, upright_turns
    from ..sources.video.vertical import scene_vertical

    info = probe(video)
    times, xyzv, _ = start_tracking(info, 0.0, info.duration_s, []).result()
    turns = upright_turns(body_axis_deg(xyzv[..., :2], xyzv[..., 3], LANDMARKS))
    xy, _, _ = turn_points(xyzv[..., :2], turns, info.width, info.height)
    found = scene_vertical(scan(video, times, xy, turns, (info.width, info.height)).frames)
    truth = ann["vertical_reference_deg"]
    row = {"clip": video.stem, "true_vertical_truth_deg": truth,
           "true_vertical_deg": found.deg if found else None,
           "true_vertical_error_deg": round(found.deg - truth, 2) if found else None,
           "vertical_uncertainty_deg": found.uncertainty_deg if found else None}
    row.update(_trunk_lean(times, xy, ann, found.deg if found else 0.0))
    row.update(_contacts(video, ann))
    return row


def _trunk_lean(times: np.ndarray, xy: np.ndarray, ann: dict, vertical_deg: float) -> dict:
    """Hip-centre -> shoulder-centre against true vertical at the annotated frames (mean of them)."""
    marks = ann["trunk_lean_midstance"]
    marks = marks if isinstance(marks, list) else ast.literal_eval(marks)
    forward = -1.0 if "faces image-left" in ann["direction"] else 1.0
    ours = []
    for m in marks:
        i = int(np.argmin(np.abs(times - m["frame"] / ann["fps"])))
        d = xy[i, list(SHOULDERS)].mean(0) - xy[i, list(HIPS)].mean(0)
        ours.append(forward * (np.degrees(np.arctan2(d[0], -d[1])) - vertical_deg))
    truth = float(np.mean([m["deg"] for m in marks]))
    return {"trunk_lean_truth_deg": round(truth, 2), "trunk_lean_deg": round(float(np.nanmean(ours)), 2),
            "trunk_lean_error_deg": round(float(np.nanmean(ours)) - truth, 2)}


def _contacts(video: Path, ann: dict) -> dict:
    """Initial-contact error of the whole analysis, when runform analyses the clip."""
    from ..errors import RunformError
    from ..pipeline import run
    from ..settings import Settings

    try:
        result = run(video, Settings(annotated_video=False))
    except RunformError as e:
        return {"analysed": False, "why_not": e.message}
    ics = np.sort(result.strides["ic_s"].to_numpy())
    truth = np.array([c["frame"] if isinstance(c, dict) else c for c in ann["ic_frames"]], float) / ann["fps"]
    err = [float(ics[np.argmin(np.abs(ics - t))] - t) for t in truth if np.min(np.abs(ics - t)) <= 0.1]
    return {"analysed": True, "ic_matched": f"{len(err)}/{len(truth)}",
            "ic_median_abs_ms": round(1000 * float(np.median(np.abs(err))), 1) if err else None,
            "ic_bias_ms": round(1000 * float(np.median(err)), 1) if err else None}


def markdown_table(rows: list[dict]) -> str:
    head = ("| clip | true vertical: annotated / runform (deg) | trunk lean at annotated midstance: annotated / "
            "runform (deg) | initial contact: matched, median abs error, bias (ms) |\n|---|---|---|---|\n")
    lines = []
    for r in rows:
        tv = "none found" if r["true_vertical_deg"] is None else \
            f"{r['true_vertical_deg']:+.2f} ± {r['vertical_uncertainty_deg']} (error {r['true_vertical_error_deg']:+.2f})"
        bias = "-" if r.get("ic_bias_ms") is None else f"{r['ic_bias_ms']:+}"
        ic = (f"{r['ic_matched']}, {r.get('ic_median_abs_ms') or '-'}, {bias}" if r.get("analysed")
              else f"not analysed: {r.get('why_not', '')}")
        lines.append(f"| {r['clip']} | {r['true_vertical_truth_deg']:+.1f} / {tv} | {r['trunk_lean_truth_deg']:.1f} / "
                     f"{r['trunk_lean_deg']:.1f} ({r['trunk_lean_error_deg']:+.1f}) | {ic} |")
    return head + "\n".join(lines)
