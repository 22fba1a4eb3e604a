"""``runform validate``: runform's figures against force plates and 3D markers, as one table.

For every lab trial with force data (testbed.py):

1. Lab path, kinematic events: runform's event detector on the markers'
   sagittal projection, against force-plate contacts (vertical GRF > 50 N):
   initial contact (IC) and toe-off (TO) timing, contact time, cadence.
2. Video path: the trial filmed by a virtual side-view phone camera (60 fps,
   1.5 cm keypoint noise, far-leg label swaps, 3 deg roll; virtual_camera.py)
   and analysed exactly like a video: IC/TO timing, and trunk lean,
   overstride and knee flexion at contact against the same metrics from the
   3D markers with force-plate events.
3. Foot strike against its marker definition at the plate contacts on every
   trial with a static trial, and the pattern against the visual labels of
   RBDSinfo.txt (Fukuchi et al. 2017) where there are any (foot_strike.py).
4. Time to analyse a 30 s, 150 Hz trial.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine.assess.knowledge import load_knowledge
from ..engine.body import LEG_FRACTION_OF_HEIGHT
from ..engine.contacts import ContactDetector
from ..engine.strides import build_strides
from ..errors import InputFileError, RunformError
from ..settings import Settings
from ..engine.image_analysis import analyze_motion
from .compare import markdown_table, match_events
from .events_accuracy import trial_errors
from .foot_strike import foot_strike_rows
from .testbed import ValidationTrial, default_mocap_dir, load_trials
from .virtual_camera import side_view

COMPARED = ("trunk_lean_deg", "overstride_cm", "knee_flexion_ic_deg")
TARGETS = {"ic_3d_ms": 10, "to_3d_ms": 15, "contact_3d_ms": 15, "cadence_spm": 0.5, "ic_2d_ms": 15,
           "trunk_lean_2d_deg": 2, "foot_strike_deg": 4, "analysis_30s_150hz_s": 3}


def _cadence(events: pd.DataFrame) -> float:
    st = build_strides(events)
    return float(np.median(120.0 / (st.end_s - st.ic_s))) if len(st) else float("nan")


def lab_rows(tr: ValidationTrial) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray]:
    """Kinematic events on the 3D markers against the plates."""
    from ..sources.lab.analyze import lab_motion, leg_length

    sag = lab_motion(tr.lab).sel(space=["x", "y"])
    leg, _ = leg_length(tr.lab, sag, Settings())
    raw = lab_motion(tr.lab, cutoff_hz=None).sel(space=["x", "y"])
    det = ContactDetector().detect(sag, leg, ankle_motion=raw).events_
    span = sag["time"].values[[0, -1]]
    ic, to = match_events(det, tr.events, span)
    ct = to - ic  # contact-time error = TO error - IC error
    cad = _cadence(det) - _cadence(tr.events)
    row = {"trial": tr.name, "contacts": len(tr.events), "matched": len(ic),
           "ic_ms": _med(1000 * ic), "to_ms": _med(1000 * to) if tr.has_toe_marker else np.nan,
           "contact_ms": _med(1000 * ct) if tr.has_toe_marker else np.nan, "cadence_err_spm": cad}
    return row, 1000 * ic, 1000 * to if tr.has_toe_marker else np.array([]), 1000 * ct if tr.has_toe_marker else np.array([])


def _med(x: np.ndarray) -> float:
    return float(np.median(np.abs(x))) if len(x) else float("nan")


def video_rows(tr: ValidationTrial, lab, kb, fps: float = 60.0, seed: int = 1) -> tuple[dict, np.ndarray]:
    """The virtual side camera through the video path: event timing, and metric errors against
    ``lab`` (the trial's lab-path analysis with force-plate events)."""
    leg = lab.summary["scene"]["leg_length_m"]
    ic, _ = trial_errors(tr, fps, seed)
    row = {"trial": tr.name, "ic_ms": _med(ic)}
    if "left_shoulder" not in tr.keypoints_mm:  # no trunk markers: timing only
        return row, ic
    m = side_view(tr.keypoints_mm, tr.times_s, tr.forward, tr.up, fps=fps, seed=seed)
    try:
        vid = analyze_motion(m, Settings(height_m=leg / LEG_FRACTION_OF_HEIGHT,
                                         speed_mps=lab.summary["scene"]["running_speed_mps"]), kb, [])
    except RunformError as e:
        row["error"] = e.message
        return row, ic
    for k in COMPARED:
        a, b = vid.summary["metrics"].get(k, {}).get("median"), lab.summary["metrics"].get(k, {}).get("median")
        row[f"{k}_2d"], row[f"{k}_3d"] = a, b
        row[f"{k}_err"] = (a - b) if a is not None and b is not None else np.nan
    return row, ic


def pelvis_rows(trials: list[ValidationTrial], labs: dict, root: Path) -> list[dict]:
    """Per-stride pelvis ranges from runform's marker frame against the OpenSim inverse
    kinematics shipped with the Hamner & Delp trials (a model fit, not a truth: reported)."""
    from ..engine.metrics.pelvis import detrended_range
    from ..sources.lab.text import read_mot

    rows = []
    for tr in trials:
        if not tr.name.startswith("hamner2013"):
            continue
        ik_path = root / "hamner2013" / tr.name.split("/")[1] / f"ik_Run_{tr.speed_mps:g}.mot"
        if not ik_path.exists():
            continue
        ik = read_mot(ik_path)
        t = ik["time"].to_numpy()
        a = labs[tr.name]
        row = {"trial": tr.name}
        for col, mine in (("pelvis_tilt", "pelvic_tilt_rom_deg"), ("pelvis_list", "pelvic_obliquity_rom_deg"),
                          ("pelvis_rotation", "pelvic_rotation_rom_deg")):
            ref = []
            for r in a.strides.itertuples():
                sel = (t >= r.ic_s) & (t <= r.end_s)
                y = ik[col].to_numpy()[sel]
                ref.append(detrended_range(t[sel], y) if col == "pelvis_rotation" else float(np.ptp(y)) if len(y) else np.nan)
            row[f"{mine}_runform"] = float(a.strides[mine].median())
            row[f"{mine}_opensim_ik"] = float(np.nanmedian(ref))
        rows.append(row)
    return rows


def time_30s_trial(root: Path, kb) -> tuple[str, float]:
    from ..sources.lab.analyze import analyze_lab
    from ..sources.lab.trial import load_lab_trial

    path = root / "fukuchi_rbds" / "RBDS001runT35.c3d"
    if not path.exists():
        return "", float("nan")
    t0 = time.perf_counter()
    analyze_lab(load_lab_trial(path), Settings(), kb, [])
    return path.name, time.perf_counter() - t0


def validate(root: str | Path | None = None) -> dict:
    root = Path(root) if root else default_mocap_dir()
    kb = load_knowledge()
    if not root.is_dir():
        raise InputFileError(f"'{root}' is not a folder.", "Give the folder holding hamner2013/, fukuchi_rbds/ "
                             "or dorn2012/ (shared/data/mocap).")
    trials = load_trials(root, overground=True)
    if not trials:
        raise InputFileError(f"No lab trials with force data under '{root}'.",
                           "Give the folder holding hamner2013/, fukuchi_rbds/ or dorn2012/.")
    from ..sources.lab.analyze import analyze_lab

    labs = {}
    lab, vid, pooled = [], [], {"ic3": [], "to3": [], "ct3": [], "ic2": []}
    for tr in trials:
        r, ic, to, ct = lab_rows(tr)
        lab.append(r)
        pooled["ic3"] += list(ic)
        pooled["to3"] += list(to)
        pooled["ct3"] += list(ct)
        labs[tr.name] = analyze_lab(tr.lab, Settings(), kb, [])
        r2, ic2 = video_rows(tr, labs[tr.name], kb)
        vid.append(r2)
        pooled["ic2"] += list(ic2)
    fs = foot_strike_rows(trials, labs, kb, root)
    pel = pelvis_rows(trials, labs, root)
    name, secs = time_30s_trial(root, kb)
    vdf = pd.DataFrame(vid)
    p = {k: np.abs(np.array(v)) for k, v in pooled.items()}
    summary = {
        "n_trials": len(trials),
        "ic_3d_ms": {"median": _q(p["ic3"], 50), "p95": _q(p["ic3"], 95), "n": len(p["ic3"])},
        "to_3d_ms": {"median": _q(p["to3"], 50), "p95": _q(p["to3"], 95), "n": len(p["to3"])},
        "contact_3d_ms": {"median": _q(p["ct3"], 50), "p95": _q(p["ct3"], 95), "n": len(p["ct3"])},
        "cadence_spm": {"median_abs_error": float(np.nanmedian(np.abs([r["cadence_err_spm"] for r in lab]))),
                        "max_abs_error": float(np.nanmax(np.abs([r["cadence_err_spm"] for r in lab])))},
        "ic_2d_ms": {"median": _q(p["ic2"], 50), "p95": _q(p["ic2"], 95), "n": len(p["ic2"])},
        "foot_strike": _foot_strike_summary(fs),
        "analysis_30s_150hz_s": {"trial": name, "seconds": round(secs, 2)},
        "targets": TARGETS,
    }
    for k in COMPARED:
        if f"{k}_err" in vdf:
            e = vdf[f"{k}_err"].abs()
            summary[f"{k}_2d_vs_3d"] = {"median_abs_error": float(e.median()), "max_abs_error": float(e.max()),
                                        "n_trials": int(e.notna().sum())}
    from .perspective import perspective_rows

    result = {"summary": summary, "lab": lab, "video": vid, "foot_strike": fs, "pelvis_vs_ik": pel,
              "perspective": perspective_rows(trials, labs, kb)}
    return _other_tables(result, trials, labs, kb, root)


def _other_tables(result: dict, trials, labs: dict, kb, root: Path) -> dict:
    """The uncertainty calibration, and the sensor's and the real clips' tables where their data are."""
    from .calibration import coverage_rows, coverage_summary

    coverage = coverage_rows(trials, labs, kb)
    result["calibration"] = {"summary": coverage_summary(coverage), "pairs": coverage}
    imu_root = root.parent / "imu"
    if (imu_root / "alcantara_sacral").is_dir() and (imu_root / "adept_outdoor_run").is_dir():
        from .imu_accuracy import imu_validation

        result["imu"] = imu_validation(imu_root, trials)
    video_root = root.parent / "video"
    if (video_root / "annotations.json").is_file():
        from .real_video import real_video_table

        result["real_video"] = real_video_table(video_root)
    return result


def _foot_strike_summary(rows: list[dict]) -> dict:
    labelled = [r for r in rows if r["visual_label"]]
    return {"trial_sides": len(rows),
            "worst_median_abs_err_deg": max((r["median_abs_err_deg"] for r in rows), default=None),
            "worst_abs_err_deg": max((r["max_abs_err_deg"] for r in rows), default=None),
            "pattern_agrees": sum(r["runform"] == r["definition"] for r in rows),
            "visual_labelled": len(labelled), "visual_agrees": sum(r["runform"] == r["visual_label"] for r in labelled)}


def _q(x: np.ndarray, q: float) -> float | None:
    return round(float(np.percentile(x, q)), 1) if len(x) else None


def markdown(result: dict) -> str:
    s = result["summary"]

    def table(rows: list[dict]) -> str:
        return markdown_table(pd.DataFrame(rows).round(1)) if rows else "(none)"

    def fig(key, unit="ms"):
        v = s[key]
        return f"median {v['median']} {unit}, p95 {v['p95']} {unit} (n = {v['n']})"

    lines = [
        "## Summary", "",
        "| check | result | target |", "|---|---|---|",
        f"| IC, kinematic on 3D markers vs force plates | {fig('ic_3d_ms')} | <= {TARGETS['ic_3d_ms']} ms |",
        f"| TO, kinematic on 3D markers vs force plates | {fig('to_3d_ms')} | <= {TARGETS['to_3d_ms']} ms |",
        f"| Contact time, 3D markers | {fig('contact_3d_ms')} | <= {TARGETS['contact_3d_ms']} ms |",
        f"| Cadence, 3D markers | median {s['cadence_spm']['median_abs_error']:.2f}, max "
        f"{s['cadence_spm']['max_abs_error']:.2f} steps/min | <= {TARGETS['cadence_spm']} |",
        f"| IC, virtual 60 fps side camera (video path) | {fig('ic_2d_ms')} | <= {TARGETS['ic_2d_ms']} ms |",
    ]
    for k in COMPARED:
        if f"{k}_2d_vs_3d" in s:
            v = s[f"{k}_2d_vs_3d"]
            tgt = f"<= {TARGETS['trunk_lean_2d_deg']} deg" if k == "trunk_lean_deg" else "(reported)"
            lines.append(f"| {k}, video path vs 3D markers (per-trial median) | median |error| "
                         f"{v['median_abs_error']:.2f}, max {v['max_abs_error']:.2f} ({v['n_trials']} trials) | {tgt} |")
    f = s["foot_strike"]
    if f["trial_sides"]:
        lines += [f"| Foot-strike angle vs its marker definition at the plate contacts | worst trial-side median "
                  f"|error| {f['worst_median_abs_err_deg']:.1f} deg, worst stride {f['worst_abs_err_deg']:.1f} deg "
                  f"({f['trial_sides']} trial-sides) | <= {TARGETS['foot_strike_deg']} deg |",
                  f"| Foot-strike pattern vs the marker definition's | {f['pattern_agrees']}/{f['trial_sides']} "
                  "trial-sides | all |",
                  f"| Foot-strike pattern vs RBDSinfo visual labels | {f['visual_agrees']}/{f['visual_labelled']} "
                  "trial-sides | (reported) |"]
    t = s["analysis_30s_150hz_s"]
    lines.append(f"| Analysis of a 30 s, 150 Hz trial ({t['trial']}) | {t['seconds']} s | < {TARGETS['analysis_30s_150hz_s']} s |")
    lines += ["", "## Lab path: kinematic events on the markers, per trial (median |error|)", "",
              table(result["lab"]), "", "## Video path: virtual side camera, per trial", "",
              table(result["video"]), "", "## Foot-strike pattern", "", table(result["foot_strike"]), "",
              "## Pelvis range per stride: runform (ASIS/PSIS frame) vs OpenSim inverse kinematics (deg)", "",
              table(result.get("pelvis_vs_ik", []))]
    if "calibration" in result:
        lines += ["", "## Uncertainty calibration: kinematic contacts against the force plates' (events part)", "",
                  table(result["calibration"]["summary"]), "",
                  table(_coverage_by_metric(result["calibration"]["pairs"]))]
    if "imu" in result:
        lines += ["", imu_markdown(result["imu"], table)]
    if "perspective" in result:
        from .perspective import markdown_table as perspective_table

        lines += ["", "## Video path: trunk lean through a turned, raised and rolled perspective camera", "",
                  perspective_table(result["perspective"])]
    if "real_video" in result:
        from .real_video import markdown_table as video_table

        lines += ["", "## Video path on real clips (annotations made without a pose model)", "",
                  video_table(result["real_video"])]
    return "\n".join(lines)


def _coverage_by_metric(pairs: list[dict]) -> list[dict]:
    df = pd.DataFrame(pairs)
    if df.empty:
        return []
    g = df.groupby("metric").z
    return [{"metric": m, "trials": int(len(z)), "median_z": float(z.median()),
             "within_1u_pct": 100 * float((z <= 1).mean()), "within_2u_pct": 100 * float((z <= 2).mean())}
            for m, z in g]


IMU_TARGETS = {"contact_ms": 15, "step_ms": 5, "cadence_spm": 1, "pelvis_rom_deg": 2, "adept_steps_pct": 2,
               "adept_seconds": 10, "adept_memory_mb": 500}


def imu_markdown(imu: dict, table) -> str:
    s = imu["summary"]
    a = s["adept"]
    p = s["pelvis_rom_deg"]
    lines = ["## Pelvis-worn sensor", "",
             "| check | result | target |", "|---|---|---|",
             f"| Contact time, sacral accelerometer vs treadmill GRF (Alcantara, {s['cadence_spm']['n_conditions']} "
             f"conditions; {s['contacts_matched'][0]}/{s['contacts_matched'][1]} contacts matched) | median "
             f"{s['contact_ms']['median']:.1f} ms, p95 {s['contact_ms']['p95']:.1f} ms (n = {s['contact_ms']['n']}) "
             f"| <= {IMU_TARGETS['contact_ms']} ms |",
             f"| Step time, same | median {s['step_ms']['median']:.1f} ms, p95 {s['step_ms']['p95']:.1f} ms "
             f"| <= {IMU_TARGETS['step_ms']} ms |",
             f"| Cadence per condition, same | median {s['cadence_spm']['median_abs_error']:.2f}, max "
             f"{s['cadence_spm']['max_abs_error']:.2f} steps/min | <= {IMU_TARGETS['cadence_spm']} |"]
    for k in ROM_NAMES:
        v = p[k]
        lines.append(f"| Pelvic {k} range per stride, virtual sacral IMU vs markers | median "
                     f"{v['per_stride_median']:.2f} deg, p95 {v['per_stride_p95']:.2f}, worst trial median "
                     f"{v['worst_trial_median']:.2f} ({v['n_strides']} strides) | <= {IMU_TARGETS['pelvis_rom_deg']} deg |")
    for k in ROM_NAMES:
        b = s["test_bed"][k]
        lines.append(f"| Pelvic {k} range, test bed ({b['settings']} settings: tilt 0-30, yaw 0-20 deg, "
                     f"100-1000 Hz, noise, lever 0-10 cm) | worst setting: per-stride median "
                     f"{b['worst_per_stride_median']:.2f} deg, worst trial {b['worst_trial_median']:.2f}, "
                     f"largest bias {b['largest_bias']:+.2f} | <= 1, <= 2, within 1 deg |")
    f = s["feet"]
    lines += [f"| Left/right from the pelvis rotation vs force plates | {f['correct']}/{f['assigned']} steps; left "
              f"unknown on {', '.join(f['trials_unassigned']) or 'none'} | (reported) |",
              f"| Steps, 25 min hip recording vs the ankle's (ADEPT) | {a['hip_steps']} vs {a['ankle_steps']} "
              f"({a['difference_pct']:+.2f} %, {a['running_s']:.0f} s running in {a['bouts']} bouts) | within "
              f"{IMU_TARGETS['adept_steps_pct']} % |",
              f"| `runform analyze` on it: time, peak memory | {a['seconds']} s, {a['peak_memory_mb']:.0f} MB | < "
              f"{IMU_TARGETS['adept_seconds']} s, < {IMU_TARGETS['adept_memory_mb']} MB |",
              "", "### Alcantara conditions (median |error| per condition)", "", table(imu["alcantara"]),
              "", "### Virtual sacral IMU per trial (median |error| of per-stride ranges, deg)", "",
              table(imu["virtual_imu"]),
              "", "### Virtual sacral IMU test bed: every setting on every trial (per-stride ranges, deg)", "",
              table(imu.get("test_bed", []))]
    return "\n".join(lines)


ROM_NAMES = ("tilt", "obliquity", "rotation")


def write(result: dict, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "validation.md").write_text(markdown(result) + "\n")

    from ..outputs.write import clean_json

    (out_dir / "validation.json").write_text(json.dumps(clean_json(result), indent=2))
