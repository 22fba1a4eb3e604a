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

from .matching import nearest_pairs

HIPS, SHOULDERS = (23, 24), (11, 12)  # BlazePose landmarks


# Consistent parts of clips that change speed, analysed on their own for contact timing: the
# start frame and the slow-motion factor as annotations.json gives them (slow_motion,
# cadence_segments[].implied_slowdown_factor).
PARTS = {"betterforerunner_track_side_screenrec": {"start_frame": 61, "segment": 1}}


def real_video_table(video_dir: Path) -> list[dict]:
    """One row per annotated clip found in ``video_dir``, then one per consistent part of a clip
    that changes speed (contact timing only)."""
    notes = json.loads((video_dir / "annotations.json").read_text())
    found = {name: ann for name, ann in notes.items() if (video_dir / f"{name}.mp4").is_file()}
    rows = [_clip_row(video_dir / f"{name}.mp4", ann) for name, ann in found.items()]
    for name, part in PARTS.items():
        if name in found:
            ann = found[name]
            slowmo = float(ann["cadence_segments"][part["segment"]]["implied_slowdown_factor"])
            start_s = part["start_frame"] / ann["fps"]
            rows.append({"clip": name, "part": f"from frame {part['start_frame']}, --slowmo {slowmo:g}",
                         "timing_only": True, **_contacts(video_dir / f"{name}.mp4", ann, start_s, slowmo)})
    return rows


def _clip_row(video: Path, ann: dict) -> dict:
    from ..sources.video.background import scan
    from ..sources.video.decode import probe
    from ..sources.video.pose import LANDMARKS
    from ..sources.video.pose_cache import start_tracking
    from ..sources.video.upright import body_axis_deg, turn_points, upright_turns
    from ..sources.video.vertical import scene_vertical

    info = probe(video)
    times, xyzv, _, repeated = start_tracking(info, 0.0, info.duration_s, []).result()
    turns = upright_turns(body_axis_deg(xyzv[..., :2], xyzv[..., 3], LANDMARKS))
    xy, _, _ = turn_points(xyzv[..., :2], turns, info.width, info.height)
    found = scene_vertical(scan(video, times, xy, turns, (info.width, info.height), repeated).frames)
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


def _contacts(video: Path, ann: dict, start_s: float = 0.0, slowmo: float | None = None) -> dict:
    """Contact timing of the whole analysis against the annotated frames, when runform analyses
    the clip. Every detected contact counts (used in a stride or not: the contact timeline).

    An annotated initial contact is the first frame the foot is down, so the true instant lies
    between that frame and the one before: on average half a frame earlier. An annotated toe-off
    is the last frame the toe is down: the true instant is on average half a frame later. Errors
    are taken against those instants; the annotation itself is good to +-1 frame.
    """
    from ..errors import RunformError
    from ..pipeline import run
    from ..settings import Settings

    try:
        result = run(video, Settings(annotated_video=False, start_s=start_s, slowmo=slowmo))
    except RunformError as e:
        return {"analysed": False, "why_not": e.message}
    rows = [r for r in result.summary["contacts"]["timeline"] if r["status"] != "missed"]
    covered = _covered(result.summary["metrics"], ann)
    frame_s = 1.0 / ann["fps"] / (slowmo or 1.0)  # one video frame in real time
    out = {"analysed": True, "frame_ms": round(1000 * frame_s, 1)}
    for kind, col, half in (("ic", "ic_s", -0.5), ("to", "to_s", +0.5)):
        frames = [c["frame"] if isinstance(c, dict) else c for c in ann.get(f"{kind}_frames") or []]
        truth = [(f + half) * frame_s for f in frames if f * frame_s * (slowmo or 1.0) >= start_s]
        ours = np.array([r[col] for r in rows if r.get(col) is not None], float)
        out.update(_matched(kind, ours, np.array(truth), frame_s))
    out.update(_steps(rows, ann, frame_s, start_s * ann["fps"]),
               steps_used=result.summary["contacts"]["used"], steps_seen=result.summary["contacts"]["steps"])
    out.update(_angles_at_contact(result.analysis, ann, frame_s))
    return {**out, "uncertainty_check": covered}


def _steps(rows: list[dict], ann: dict, frame_s: float, first_frame: float, within_s: float = 0.1) -> dict:
    """Per annotated step (its IC and TO frames), runform's contact time against the annotated one
    ((TO - IC + 1) frames: from half a frame before the IC frame to half a frame after the TO
    frame); the step matched to the contact whose IC is nearest, within ``within_s``."""
    tos = {t["ic_frame"]: t["frame"] for t in ann.get("to_frames") or [] if isinstance(t, dict) and "ic_frame" in t}
    ours = [(r["ic_s"], r["to_s"]) for r in rows if r.get("ic_s") is not None and r.get("to_s") is not None]
    steps = [(ic, to) for ic, to in tos.items() if ic >= first_frame]
    pairs = nearest_pairs([c[0] for c in ours], [(ic - 0.5) * frame_s for ic, _ in steps], within_s)
    err = [1000 * ((ours[i][1] - ours[i][0]) - (steps[j][1] - steps[j][0] + 1) * frame_s) for j, i in pairs]
    if not err:
        return {}
    return {"gct_steps_matched": f"{len(err)}/{len(tos)}", "gct_median_abs_ms": round(float(np.median(np.abs(err))), 1),
            "gct_bias_ms": round(float(np.median(err)), 1)}


def _angles_at_contact(analysis, ann: dict, frame_s: float) -> dict:
    """Knee flexion and shank angle of the strides landing on the frames whose joint centres were
    read by eye (``ic_joint_points``), medians against the eye's medians, twice: runform's metric
    (at its contact instant, between the frame before and the annotated one) and runform's pose on
    the annotated frame itself (the eye's instant: the check of the pose model)."""
    points = ann.get("ic_joint_points") or []
    strides = analysis.strides
    if not points or not len(strides):
        return {}
    pairs = nearest_pairs(strides["ic_s"].to_numpy(float), [(p["frame"] - 0.5) * frame_s for p in points], 0.1)
    picked = [(i, points[j]) for j, i in pairs]
    if not picked:
        return {}
    t = analysis.sagittal["time"].values
    out = {"angle_strides": len(picked)}
    for name, col, series in (("knee_flexion_deg", "knee_flexion_ic_deg", "knee_flexion_deg"),
                              ("shank_deg", "shank_angle_ic_deg", "shank_angle_deg")):
        ours = float(np.nanmedian(strides[col].to_numpy(float)[[i for i, _ in picked]]))
        on_frame = float(np.nanmedian([np.interp(p["frame"] * frame_s, t, analysis.series[f"{strides['foot'].iat[i]}_{series}"])
                                       for i, p in picked]))
        eye = float(ann["ic_angle_summary"][name]["median"])
        out.update({f"{col}_runform": round(ours, 1), f"{col}_eye": eye, f"{col}_error": round(ours - eye, 1),
                    f"{col}_on_frame": round(on_frame, 1), f"{col}_on_frame_error": round(on_frame - eye, 1)})
    return out


def _covered(metrics: dict, ann: dict) -> list[dict]:
    """runform's value +- uncertainty against the annotated value +- its own uncertainty: cadence
    (annotations' cadence_uncertainty_spm), contact time (mean of the annotated contacts, +-1
    frame each) and trunk lean at midstance (mean of the annotated frames, +-4-5 deg each)."""
    frame_ms = 1000.0 / ann["fps"]
    marks = ann.get("trunk_lean_midstance")
    marks = marks if isinstance(marks, list) else []
    gct = ann.get("gct_ms") or []
    truth = {"cadence_spm": (ann.get("cadence_spm"), ann.get("cadence_uncertainty_spm")),
             "ground_contact_ms": (float(np.mean(gct)) if gct else None,
                                   frame_ms * np.sqrt(2) / np.sqrt(len(gct)) if gct else None),
             "trunk_lean_midstance_deg": (float(np.mean([m["deg"] for m in marks])) if marks else None,
                                          float(np.mean([m.get("uncertainty_deg", 5) for m in marks])) / np.sqrt(len(marks))
                                          if marks else None)}
    out = []
    for name, (value, u_truth) in truth.items():
        m = metrics.get(name) or {}
        if value is None or u_truth is None or m.get("median") is None or m.get("uncertainty") is None:
            continue
        u = float(np.hypot(m["uncertainty"], u_truth))
        out.append({"metric": name, "runform": m["median"], "uncertainty": m["uncertainty"], "annotated": round(value, 2),
                    "annotated_uncertainty": round(float(u_truth), 2), "z": round(abs(m["median"] - value) / u, 2)})
    return out


def _matched(kind: str, ours: np.ndarray, truth: np.ndarray, frame_s: float, within_s: float = 0.1) -> dict:
    """Share of ``truth`` with a detection within ``within_s``, and the median |error| and bias."""
    if not len(truth):
        return {}
    err = [float(ours[i] - truth[j]) for j, i in nearest_pairs(ours, truth, within_s)]
    med = lambda x: round(1000 * float(np.median(x)), 1) if len(x) else None  # noqa: E731
    return {f"{kind}_matched": f"{len(err)}/{len(truth)}", f"{kind}_n_matched": len(err), f"{kind}_n": len(truth),
            f"{kind}_median_abs_ms": med(np.abs(err)), f"{kind}_bias_ms": med(err),
            f"{kind}_bias_frames": round(float(np.median(err)) / frame_s, 2) if err else None}


def markdown_table(rows: list[dict]) -> str:
    """Two tables: the camera model (true vertical, trunk lean), then contact timing."""
    head = ("| clip | true vertical: annotated / runform (deg) | trunk lean at annotated midstance: annotated / "
            "runform (deg) |\n|---|---|---|\n")
    lines = []
    for r in (r for r in rows if not r.get("timing_only")):
        tv = "none found" if r["true_vertical_deg"] is None else \
            f"{r['true_vertical_deg']:+.2f} ± {r['vertical_uncertainty_deg']} (error {r['true_vertical_error_deg']:+.2f})"
        lines.append(f"| {r['clip']} | {r['true_vertical_truth_deg']:+.1f} / {tv} | {r['trunk_lean_truth_deg']:.1f} / "
                     f"{r['trunk_lean_deg']:.1f} ({r['trunk_lean_error_deg']:+.1f}) |")
    timing = ("| clip | part | initial contact: matched, median abs error (ms), bias (ms; frames) | "
              "toe-off: matched, median abs error (ms), bias (ms; frames) | contact time per step: matched, "
              "median abs error (ms), bias (ms) | steps used |\n|---|---|---|---|---|---|\n")
    tlines = [f"| {r['clip']} | {r.get('part', 'whole clip')} | {_events_cell(r, 'ic')} | {_events_cell(r, 'to')} | "
              f"{_gct_cell(r)} | {r.get('steps_used', '')}/{r.get('steps_seen', '')} |" for r in rows]
    angles = ("| clip | strides at the eye-read contacts | knee flexion at IC: eye / runform's pose on that frame / "
              "runform at its contact instant (deg) | shank angle at IC: eye / pose on that frame / runform at its "
              "contact instant (deg) |\n|---|---|---|---|\n")
    alines = [f"| {r['clip']} | {r['angle_strides']} | {r['knee_flexion_ic_deg_eye']} / {r['knee_flexion_ic_deg_on_frame']}"
              f" / {r['knee_flexion_ic_deg_runform']} | {r['shank_angle_ic_deg_eye']} / {r['shank_angle_ic_deg_on_frame']}"
              f" / {r['shank_angle_ic_deg_runform']} |" for r in rows if r.get("angle_strides")]
    check = ("| clip | metric | runform ± uncertainty | annotated ± its uncertainty | z |\n|---|---|---|---|---|\n")
    clines = [f"| {r['clip']} | {c['metric']} | {c['runform']} ± {c['uncertainty']} | {c['annotated']} ± "
              f"{c['annotated_uncertainty']} | {c['z']} |" for r in rows if not r.get("timing_only")
              for c in r.get("uncertainty_check", [])]
    return (head + "\n".join(lines) + "\n\n" + timing + "\n".join(tlines) + "\n\n" + angles + "\n".join(alines)
            + "\n\n" + check + "\n".join(clines))


def _gct_cell(r: dict) -> str:
    if "gct_steps_matched" not in r:
        return "not annotated" if r.get("analysed") else ""
    return f"{r['gct_steps_matched']}, {r['gct_median_abs_ms']}, {r['gct_bias_ms']:+}"


def _events_cell(r: dict, kind: str) -> str:
    if not r.get("analysed"):
        return f"not analysed: {r.get('why_not', '')}"
    if f"{kind}_matched" not in r:
        return "not annotated"
    if not r[f"{kind}_n_matched"]:
        return f"{r[f'{kind}_matched']}"
    return (f"{r[f'{kind}_matched']}, {r[f'{kind}_median_abs_ms']}, {r[f'{kind}_bias_ms']:+} "
            f"({r[f'{kind}_bias_frames']:+.2f})")
