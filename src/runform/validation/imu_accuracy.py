"""Accuracy of the sensor path, on real recordings with their truth.

* ``alcantara_rows``: Alcantara et al. 2022 (PeerJ 10:e12752, Apache-2.0):
  one runner on an instrumented treadmill, 31 speed/slope conditions of
  ~5 s, sacral vertical and fore-aft acceleration at 500 Hz. Truth: contacts
  from the vertical GRF (> 50 N, as ``runform.sources.lab.forces``).
* ``virtual_imu_rows``: a virtual sacral IMU made from each motion-capture
  trial's marker pelvis (``virtual_imu.py``), the treadmill trials and the
  overground one; truth: the markers' per-stride pelvis ranges over
  force-plate strides, and the plates' feet. ``bed_rows`` repeats it over
  every setting of the test bed (mounting tilt and yaw, rate, noise, lever arm). The marker
  pelvis is taken relative to its mean running orientation, the frame a
  sensor without a standing calibration measures in (an anatomical frame
  tilted ~20 deg would move sin 20 deg of the rotation into obliquity).
* ``adept_steps``: Karas et al. (adeptdata, GPL-3): 25 min outdoor run, 100 Hz
  accelerometers at the left hip and the left ankle. Truth: twice the
  ankle's strides (one impact per left-foot landing) in the hip's running
  bouts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..engine.assess.knowledge import load_knowledge
from ..engine.metrics.pelvis import pelvis_stride_metrics
from ..engine.pelvis_axes import angles_deg
from ..engine.strides import build_strides
from ..settings import Settings
from ..sources.lab.forces import contacts_from_force
from ..sources.sensor.analyze import analyze_imu, process_bout
from ..sources.sensor.read import load_imu_csv, make_imu
from .matching import match_events
from .virtual_imu import Setting, virtual_sacral_imu

BW_THRESHOLD_N = 50.0
ROM_COLUMNS = {"tilt": "pelvic_tilt_rom_deg", "obliquity": "pelvic_obliquity_rom_deg",
               "rotation": "pelvic_rotation_rom_deg"}


def grf_contacts(grf_bw: np.ndarray, rate: float, mass_kg: float) -> pd.DataFrame:
    """Contacts (IC, TO) from a vertical GRF in body weights, by the force-plate rule of the lab path."""
    t = np.arange(len(grf_bw)) / rate
    return pd.DataFrame(contacts_from_force(t, grf_bw * mass_kg * 9.81, BW_THRESHOLD_N), columns=["ic_s", "to_s"])


def _match(est: pd.DataFrame, truth: pd.DataFrame, tol_s: float = 0.08) -> pd.DataFrame:
    """Truth rows with the nearest estimate's ic/to (NaN when none within tol; a pelvis sensor
    does not tell the feet apart, so any contact may match)."""
    return match_events(est, truth, tol_s, same_foot=False)


def alcantara_rows(root: Path) -> list[dict]:
    """One row per condition: contact time, step time and cadence against the treadmill GRF."""
    acc = np.loadtxt(root / "Accelerometer_one_sub.csv", delimiter=",")
    grf = np.loadtxt(root / "GRF_one_sub.csv", delimiter=",")
    info = pd.read_csv(root / "Sub_Info_one_sub.csv")
    rate, n = 500.0, grf.shape[1]
    rows = []
    for i in range(len(info)):
        t = np.arange(n) / rate
        data = {"acc": np.stack([acc[i, n:], acc[i, :n], np.full(n, np.nan)], 1)}  # x fore-aft, y vertical
        rec = make_imu(t, data, file=f"condition {i + 1}", frame="body", units={"acc": "g"})
        est = process_bout(t, rec["acc"].values, None, rate, "body", None)["events"]
        truth = grf_contacts(grf[i], rate, float(info.Mass.iloc[i]))
        truth = truth[(truth.ic_s > 0.01) & (truth.to_s < t[-1] - 0.01)].reset_index(drop=True)
        m = _match(est, truth)
        ct = 1000 * ((m.est_to_s - m.est_ic_s) - (m.to_s - m.ic_s))
        step = 1000 * (np.diff(m.est_ic_s) - np.diff(m.ic_s))
        ok = m.est_ic_s.notna().to_numpy()
        cad_true = 60 * (ok.sum() - 1) / (m.ic_s[ok].iloc[-1] - m.ic_s[ok].iloc[0]) if ok.sum() > 2 else np.nan
        cad_est = 60 * (ok.sum() - 1) / (m.est_ic_s[ok].iloc[-1] - m.est_ic_s[ok].iloc[0]) if ok.sum() > 2 else np.nan
        rows.append({"condition": i + 1, "speed_mps": float(info.Speed.iloc[i]), "slope_deg": float(info.Slope.iloc[i]),
                     "contacts": int(len(truth)), "matched": int(ok.sum()),
                     "contact_err_ms": list(ct[np.isfinite(ct)]), "step_err_ms": list(step[np.isfinite(step)]),
                     "cadence_err_spm": float(abs(cad_est - cad_true)),
                     "contact_true_ms": float(1000 * np.median(truth.to_s - truth.ic_s))})
    return rows


def virtual_imu_rows(trials, seed: int = 0, setting: Setting = Setting()) -> list[dict]:
    """Per motion-capture trial: per-stride pelvis ranges from the virtual sensor vs the markers."""
    kb = load_knowledge(None, None)
    rows = []
    for tr in trials:
        if tr.lab.pelvis_axes is None:
            continue
        v = virtual_sacral_imu(tr.lab, seed=seed, setting=setting)
        rec = make_imu(v["t"], {"acc": v["acc_g"], "gyr": v["gyr_dps"]}, file=tr.name, frame="sensor",
                       units={"acc": "g", "gyr": "deg/s"})
        a = analyze_imu(rec, Settings(), kb, [])
        P = v["pelvis_axes"]
        u, _, vt = np.linalg.svd(np.nanmean(P, 0))
        truth_angles = angles_deg(np.einsum("tij,kj->tik", P, u @ vt))
        strides = build_strides(tr.events)
        truth = pelvis_stride_metrics(v["t"], truth_angles, strides, None)
        truth = pd.concat([strides, truth], axis=1)
        est = a.strides.sort_values("ic_s").reset_index(drop=True)
        row = {"trial": tr.name, "strides_truth": int(len(truth)), "strides_sensor": int(len(est))}
        errs = {k: [] for k in ROM_COLUMNS}
        feet_ok = []
        for s in truth.itertuples():
            j = (est.ic_s - s.ic_s).abs().idxmin() if len(est) else None
            if j is None or abs(est.ic_s[j] - s.ic_s) > 0.06:
                continue
            for k, col in ROM_COLUMNS.items():
                if col in est:
                    errs[k].append(float(est.loc[j, col] - getattr(s, col)))
            if est.foot[j] != "unknown":
                feet_ok.append(est.foot[j] == s.foot)
        row.update({f"{k}_err_deg": v for k, v in errs.items()})
        row["feet_correct"] = (int(np.sum(feet_ok)), len(feet_ok))
        row["foot_agreement"] = a.summary["scene"]["foot_assignment_agreement"]
        rows.append(row)
    return rows


def bed_settings() -> list[Setting]:
    """Every mounting tilt (0, 15, 30 deg) with every yaw (0, 10, 20 deg) at the trial's rate; at the
    worst mounting (30, 20) every rate (100-1000 Hz), noise level and belt lever arm (5, 10 cm);
    and all of the worst at once. All 16-bit."""
    grid = [Setting(tilt, yaw) for tilt in (0.0, 15.0, 30.0) for yaw in (0.0, 10.0, 20.0)]
    worst = {"tilt_deg": 30.0, "yaw_deg": 20.0}
    grid += [Setting(**worst, rate_hz=r) for r in (100.0, 200.0, 500.0, 1000.0)]
    grid += [Setting(**worst, noise=n) for n in ("none", "low", "high")]
    grid += [Setting(**worst, lever_m=d) for d in (0.05, 0.10)]
    grid += [Setting(**worst, rate_hz=100.0, noise="high", lever_m=0.10)]
    return grid


def bed_rows(trials) -> list[dict]:
    """Per setting of the test bed: the pooled per-stride median |error| and bias of each pelvis
    range, and the worst trial's median |error|, over every motion-capture trial. The settings are
    independent: they run in worker processes, one per core (``process.parallel_map``)."""
    from ..process import parallel_map

    global _TRIALS
    _TRIALS = trials
    try:
        return parallel_map(_bed_row, list(enumerate(bed_settings())))
    finally:
        _TRIALS = None


_TRIALS = None  # the motion-capture trials, for the test bed's workers


def _bed_row(numbered: tuple[int, Setting]) -> dict:
    i, setting = numbered
    per_trial = virtual_imu_rows(_TRIALS, seed=i, setting=setting)
    row = {"setting": setting.label, "trials": len(per_trial),
           "strides": int(sum(len(r["tilt_err_deg"]) for r in per_trial))}
    for k in ROM_COLUMNS:
        e = np.concatenate([np.asarray(r[f"{k}_err_deg"], float) for r in per_trial] or [np.array([])])
        row[f"{k}_median_abs"] = float(np.median(np.abs(e))) if len(e) else None
        row[f"{k}_bias"] = float(np.median(e)) if len(e) else None
        row[f"{k}_worst_trial"] = max((float(np.median(np.abs(r[f"{k}_err_deg"]))) for r in per_trial
                                       if r[f"{k}_err_deg"]), default=None)
    return row


def adept_steps(root: Path) -> dict:
    """Hip step count vs twice the ankle's stride count, over the hip's running bouts."""
    from ..engine.dsp import peaks
    from ..sources.sensor.events import step_period_s

    kb = load_knowledge(None, None)
    hip = load_imu_csv(root / "acc_running_left_hip.csv.gz")
    a = analyze_imu(hip, Settings(), kb, [])
    bouts = [(b["start_s"], b["end_s"]) for b in a.summary["bouts"]]
    hip_steps = sum(b["n_steps"] for b in a.summary["bouts"])
    ankle = load_imu_csv(root / "acc_running_left_ankle.csv.gz")
    t = ankle["time"].values
    mag = np.linalg.norm(np.nan_to_num(ankle["acc"].values), axis=1)
    rate = float(ankle.attrs["sampling_rate_hz"])
    strides = 0
    for s, e in bouts:
        sel = (t >= s) & (t <= e)
        step, _ = step_period_s(mag[sel], rate)
        pk = peaks(mag[sel], max(1, int(0.7 * 2 * step * rate)), 0.5)  # one impact per left landing
        strides += len(pk)
    return {"hip_steps": int(hip_steps), "ankle_steps": int(2 * strides),
            "difference_pct": round(100 * (hip_steps - 2 * strides) / (2 * strides), 2),
            "running_s": round(sum(e - s for s, e in bouts), 1), "bouts": len(bouts)}


def adept_run_cost(root: Path) -> dict:
    """Wall time and peak memory of `runform analyze` on the 25-minute hip recording, measured
    on the real command in a child process."""
    import resource
    import subprocess
    import sys
    import tempfile
    import time

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = subprocess.run([sys.executable, "-m", "runform.cli", "analyze", str(root / "acc_running_left_hip.csv.gz"),
                              "--out", str(Path(tmp) / "out")], capture_output=True, text=True)
        secs = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest child so far
    return {"seconds": round(secs, 2), "peak_memory_mb": round(peak_mb, 1), "exit_code": res.returncode}


def _pooled(rows: list[dict], key: str) -> np.ndarray:
    return np.abs(np.concatenate([np.asarray(r[key], float) for r in rows if len(r[key])] or [np.array([])]))


def imu_validation(imu_root: Path, trials) -> dict:
    """Every sensor check: the Alcantara contacts, the virtual IMU pelvis, the ADEPT step count."""
    alc = alcantara_rows(imu_root / "alcantara_sacral")
    vir = virtual_imu_rows(trials)
    adept = adept_steps(imu_root / "adept_outdoor_run")
    adept.update(adept_run_cost(imu_root / "adept_outdoor_run"))
    ct, st = _pooled(alc, "contact_err_ms"), _pooled(alc, "step_err_ms")
    cad = np.array([r["cadence_err_spm"] for r in alc])
    bed = bed_rows(trials)
    per_trial = {k: [float(np.median(np.abs(r[f"{k}_err_deg"]))) for r in vir if r[f"{k}_err_deg"]]
                 for k in ROM_COLUMNS}
    per_stride = {k: _pooled(vir, f"{k}_err_deg") for k in ROM_COLUMNS}
    feet = [r["feet_correct"] for r in vir]
    summary = {
        "contact_ms": {"median": float(np.median(ct)), "p95": float(np.percentile(ct, 95)), "n": int(len(ct))},
        "step_ms": {"median": float(np.median(st)), "p95": float(np.percentile(st, 95)), "n": int(len(st))},
        "cadence_spm": {"median_abs_error": float(np.median(cad)), "max_abs_error": float(cad.max()),
                        "n_conditions": len(alc)},
        "contacts_matched": [int(sum(r["matched"] for r in alc)), int(sum(r["contacts"] for r in alc))],
        "pelvis_rom_deg": {k: {"per_stride_median": float(np.median(per_stride[k])),
                               "per_stride_p95": float(np.percentile(per_stride[k], 95)),
                               "worst_trial_median": float(max(per_trial[k])), "n_strides": int(len(per_stride[k]))}
                           for k in ROM_COLUMNS},
        "feet": {"correct": int(sum(f[0] for f in feet)), "assigned": int(sum(f[1] for f in feet)),
                 "trials_unassigned": [r["trial"] for r in vir if r["feet_correct"][1] == 0]},
        "adept": adept,
        "test_bed": {k: {"settings": len(bed), "worst_per_stride_median": max(r[f"{k}_median_abs"] for r in bed),
                         "worst_trial_median": max(r[f"{k}_worst_trial"] for r in bed),
                         "largest_bias": max((r[f"{k}_bias"] for r in bed), key=abs)} for k in ROM_COLUMNS},
    }
    table_alc = [{"condition": r["condition"], "speed_mps": r["speed_mps"], "slope_deg": r["slope_deg"],
                  "contacts": r["contacts"], "matched": r["matched"], "contact_true_ms": r["contact_true_ms"],
                  "contact_err_ms": float(np.median(np.abs(r["contact_err_ms"]))),
                  "step_err_ms": float(np.median(np.abs(r["step_err_ms"]))),
                  "cadence_err_spm": r["cadence_err_spm"]} for r in alc]
    table_vir = [{"trial": r["trial"], "strides": r["strides_truth"], "sensor_strides": r["strides_sensor"],
                  **{f"{k}_rom_err_deg": (float(np.median(np.abs(r[f"{k}_err_deg"]))) if r[f"{k}_err_deg"] else None)
                     for k in ROM_COLUMNS},
                  "feet_correct": f"{r['feet_correct'][0]}/{r['feet_correct'][1]}",
                  "foot_agreement": r["foot_agreement"]} for r in vir]
    return {"summary": summary, "alcantara": table_alc, "virtual_imu": table_vir, "test_bed": bed}
