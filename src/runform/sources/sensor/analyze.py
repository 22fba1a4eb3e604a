"""The sensor path after loading: bouts -> orientation -> events -> strides -> metrics -> assess.

Per running bout (``bouts.py``):

1. the vertical in the sensor (mean gravity, or the standing window's) and,
   with a gyroscope, the orientation (``orientation.py``) with the gyroscope
   bias removed (its mean over the bout across the vertical: a running
   pelvis does not keep pitching or rolling) and the accelerometer fed to the
   filter as its one-step moving average (whose direction is gravity's);
2. contacts from the vertical specific force (``events.py``);
3. forward: the principal horizontal axis of the step-averaged specific force
   (side-to-side swings alternate between steps and cancel in that average),
   signed by braking in early stance;
4. the pelvis angles, and which foot each step is on: at a foot's initial
   contact the pelvis is turned back on that side (rotation below its mean
   over +/-0.3 s; 93-100 % of contacts in the four motion-capture runners
   above 2.5 m/s, docs/imu.md); the alternation of steps decides the whole
   sequence by majority, and below 75 % agreement the sides are left unknown.

Per stride: the temporal metrics shared with every source, vertical
oscillation by double integration of the vertical acceleration per step
(velocity and position made drift-free: zero mean velocity, equal start and
end heights), the peak braking deceleration, and the pelvis ranges and drop
(``metrics.pelvis``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ...engine.analysis import Analysis, finish, summarise_analysis
from ...engine.assess.knowledge import Knowledge
from ...engine.metrics.pelvis import pelvis_stride_metrics
from ...engine.metrics.per_stride import temporal_metrics
from ...engine.strides import STRIDE_COLUMNS, build_strides
from ...engine.uncertainty import event_parts
from ...errors import NotAnalysableError
from ...progress import stage
from ...settings import Settings
from ...words import opt
from . import orientation
from .bouts import classify_windows, running_bouts, summary_of_windows
from .events import SacralEventDetector
from .options import SensorOptions
from .read import G, load_imu_csv

IMU_ADVICE = "A longer steady run, with the sensor firmly on the sacrum, gives reliable figures."
FOOT_AGREEMENT = 0.75


def sensor_source(path: Path, settings: Settings, options: SensorOptions, kb: Knowledge, cache_dirs,
                  progress=None):
    """The sensor source's adapter (``sources.registry``)."""
    from ..registry import Made

    stage(progress, "reading")
    analysis = sensor_analysis(path, settings, kb, **asdict(options), on_loaded=lambda: stage(progress, "analysis"))
    return Made(analysis, [path, settings.references])


def sensor_analysis(path: str | Path, settings: Settings, kb: Knowledge, *, columns: str | None = None,
                    units: str | None = None, rate_hz: float | None = None,
                    standing_s: tuple[float, float] | None = None, on_loaded=None) -> Analysis:
    """A pelvis-worn sensor recording (CSV); same outputs as the other sources, no video.

    ``columns``: 'time=ts,acc_x=AX,...' for names runform does not recognise; ``units``:
    'acc=g,gyr=rad/s,time=ms'; ``rate_hz`` for a file without a time column; ``standing_s``:
    (start, end) of a standing-still window, for tilt relative to standing."""
    path = Path(path)
    rec = load_imu_csv(path, columns, units, rate_hz)
    if on_loaded:
        on_loaded()
    warnings: list[str] = []
    analysis = analyze_imu(rec, settings, kb, warnings, standing_s)
    source = SensorFacts(path.name, round(float(rec.attrs["sampling_rate_hz"]), 3),
                         [v for v in ("acc", "gyr", "mag", "quat") if v in rec], rec.attrs.get("units"))
    return finish(analysis, {**settings.as_dict(), "columns": columns, "units": units, "rate_hz": rate_hz,
                             "standing_s": list(standing_s) if standing_s else None}, source)


@dataclass
class SensorFacts:
    """A sensor table's facts in summary.json's ``source``."""

    type: str = field(default="imu", init=False)
    file: str
    rate_hz: float
    channels: list[str]  # of acc, gyr, mag, quat
    units: str | None  # as read or given (read.load_imu_csv)


def _moving_average(x: np.ndarray, n: int) -> np.ndarray:
    n = max(1, int(n))
    k = np.ones(n) / n
    pad = np.pad(np.nan_to_num(x), ((n // 2, n - 1 - n // 2), (0, 0)), mode="edge")
    return np.stack([np.convolve(pad[:, j], k, "valid") for j in range(x.shape[1])], 1)


def _forward_axis(acc: np.ndarray, up: np.ndarray, t: np.ndarray, ic: np.ndarray) -> np.ndarray | None:
    grid = np.linspace(0, 1, 51)
    waves = [np.stack([np.interp(a + grid * (b - a), t, acc[:, j]) for j in range(3)], 1)
             for a, b in zip(ic[:-1], ic[1:]) if b - a < 0.7]
    if len(waves) < 4:
        return None
    w = np.mean(waves, 0)
    w = w - w.mean(0)
    h = w - np.outer(w @ up, up)
    f = np.linalg.eigh(h.T @ h)[1][:, -1]
    f = f - up * (f @ up)
    f /= np.linalg.norm(f)
    return -f if (w[:8] @ f).mean() > 0 else f  # the first ~15 % of a step brakes


def assign_feet(t: np.ndarray, ic: np.ndarray, rotation: np.ndarray | None) -> tuple[list[str], float | None]:
    """'left'/'right' per contact from the pelvis rotation (see the module notes), or 'unknown'."""
    if rotation is None or len(ic) < 4:
        return ["unknown"] * len(ic), None
    sign = []
    for tc in ic:
        w = (t >= tc - 0.3) & (t <= tc + 0.3)
        sign.append(np.interp(tc, t, rotation) - np.nanmean(rotation[w]) < 0 if w.sum() > 3 else None)
    even = np.arange(len(ic)) % 2 == 0
    votes = [(s == e) for s, e in zip(sign, even) if s is not None]  # True: even contacts are right
    share = float(np.mean(votes)) if votes else 0.5
    agreement = max(share, 1 - share)
    if agreement < FOOT_AGREEMENT:
        return ["unknown"] * len(ic), agreement
    right_even = share >= 0.5
    return [("right" if e == right_even else "left") for e in even], agreement


def _vertical_oscillation(t: np.ndarray, vertical_g: np.ndarray, a: float, b: float) -> float:
    """Peak-to-peak height of the sensor over one step (IC to next IC), in m."""
    sel = (t >= a) & (t <= b)
    if sel.sum() < 5:
        return float("nan")
    ts, acc = t[sel], (vertical_g[sel] - 1.0) * G
    acc = acc - acc.mean()  # the step starts and ends at the same vertical speed
    dt = np.diff(ts)
    vel = np.r_[0.0, np.cumsum(0.5 * (acc[1:] + acc[:-1]) * dt)]
    vel -= vel.mean()
    pos = np.r_[0.0, np.cumsum(0.5 * (vel[1:] + vel[:-1]) * dt)]
    pos -= (pos[-1] - pos[0]) * (ts - ts[0]) / (ts[-1] - ts[0])
    return float(np.ptp(pos))


def process_bout(t: np.ndarray, acc: np.ndarray, gyr: np.ndarray | None, rate: float, frame: str,
                 standing_up: np.ndarray | None, detector: SacralEventDetector | None = None) -> dict:
    """Events (with feet) and per-sample signals of one running bout, found by ``detector``
    (its parameters; each detection runs on a copy of it)."""
    detector = detector or SacralEventDetector()
    detect = lambda *signals: replace(detector).detect(t, *signals)  # noqa: E731
    have = np.isfinite(acc).any(0)
    acc0 = np.where(have, acc, 0.0)
    if frame == "body":
        up, fwd = np.array([0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0]) if have[0] else None
        R = None
    else:
        up = standing_up if standing_up is not None else orientation.up_in_sensor(acc0, None)
        R = None
        if gyr is not None:
            g = np.nan_to_num(gyr)
            bias = g.mean(0) - up * (g.mean(0) @ up)
            period = detect(acc0 @ up).step_period_s_
            smooth = _moving_average(acc0, round((period if np.isfinite(period) else 0.35) * rate))
            R = orientation.orientations(g - bias, smooth, rate)
            if standing_up is None:
                up = orientation.up_in_sensor(acc0, R)
        fwd = None
    vertical = np.einsum("tij,tj->ti", R, acc0)[:, 2] if R is not None else acc0 @ up
    det = detect(vertical)
    if fwd is None and len(det.events_) >= 5:
        fwd = _forward_axis(acc0, up, t, det.events_.ic_s.to_numpy())
    forward = acc0 @ fwd if fwd is not None else None
    if forward is not None:
        det = detect(vertical, forward)
    ev = det.events_
    angles = None
    if R is not None and fwd is not None:
        right = np.cross(fwd, up)
        angles = orientation.pelvis_angles(R, np.stack([fwd, up, right], 1), rate)
    feet, agreement = assign_feet(t, ev.ic_s.to_numpy(), angles["rotation"] if angles else None)
    ev = ev.assign(foot=feet)
    return {"events": ev, "vertical_g": vertical, "forward_g": forward, "angles": angles,
            "foot_agreement": agreement, "step_period_s": det.step_period_s_, "n_steps": len(det.step_times_s_),
            "alignment": {"up_in_sensor": up.round(3).tolist(),
                          "forward_in_sensor": None if fwd is None else fwd.round(3).tolist()}}


def stride_rows(t: np.ndarray, strides: pd.DataFrame, sig: dict, speed_mps: float | None) -> pd.DataFrame:
    rows = []
    for s in strides.itertuples():
        r = temporal_metrics(s.ic_s, s.to_s, s.contra_ic_s, s.end_s, speed_mps)
        osc = _vertical_oscillation(t, sig["vertical_g"], s.ic_s, s.contra_ic_s)
        r["vertical_oscillation_cm"] = 100 * osc
        r["vertical_ratio_pct"] = 100 * osc / r["step_length_m"] if speed_mps else float("nan")
        if sig["forward_g"] is not None:
            st = (t >= s.ic_s) & (t <= s.ic_s + 0.5 * (s.to_s - s.ic_s))
            r["braking_peak_g"] = float(-np.min(sig["forward_g"][st])) if st.sum() > 1 else float("nan")
        rows.append(r)
    out = pd.concat([strides, pd.DataFrame(rows, index=strides.index)], axis=1)
    if sig["angles"] is not None and len(strides):
        pel = pelvis_stride_metrics(t, sig["angles"], strides, sig["standing"])
        out = pd.concat([out, pel.drop(columns=["pelvic_tilt_lab_deg"], errors="ignore")], axis=1)
    return out


def per_minute(strides: pd.DataFrame, t0: float) -> list[dict]:
    """Medians per minute of recording (form drift over a long run)."""
    if strides.empty:
        return []
    cols = [c for c in ("cadence_spm", "ground_contact_ms", "vertical_oscillation_cm", "braking_peak_g",
                        "pelvic_rotation_rom_deg", "pelvic_drop_deg") if c in strides]
    minute = ((strides.ic_s - t0) // 60).astype(int)
    out = []
    for m, g in strides.groupby(minute):
        row = {"minute": int(m), "n_strides": int(len(g))}
        row.update({c: round(float(g[c].median()), 2) for c in cols})
        out.append(row)
    return out


def analyze_imu(rec: xr.Dataset, settings: Settings, kb: Knowledge, warnings: list[str],
                standing_s: tuple[float, float] | None = None) -> Analysis:
    """Running bouts -> each bout's events and signals -> strides and their metrics -> the engine."""
    t, rate = rec["time"].values, float(rec.attrs["sampling_rate_hz"])
    acc = rec["acc"].values
    gyr = rec["gyr"].values if "gyr" in rec and np.isfinite(rec["gyr"].values).any() else None
    frame = rec.attrs.get("frame", "sensor")
    warnings += list(rec.attrs.get("notes", []))
    bouts, activity = _running_bouts(t, acc, rate)
    standing_up = _standing_up(t, acc, standing_s, warnings)
    detector = SacralEventDetector()  # every bout's detections use its parameters, recorded below
    run = _process_bouts(t, acc, gyr, rate, frame, bouts, standing_up, detector)
    strides = _all_strides(run["strides"], bouts, activity)
    sig = {"vertical_g": run["vertical_g"], "forward_g": run["forward_g"], "angles": run["angles"],
           "standing": {"tilt": 0.0, "obliquity": 0.0} if standing_up is not None else None}
    table = stride_rows(t, strides, sig, settings.speed_mps)
    for info in run["bouts"]:
        own = table[(table.ic_s >= info["start_s"]) & (table.ic_s <= info["end_s"])]
        for c in ("cadence_spm", "ground_contact_ms", "vertical_oscillation_cm"):
            info[c] = round(float(own[c].median()), 1) if len(own) else None
    _side_warnings(table, run["agreements"], gyr is not None, warnings)
    _channel_warnings(frame, gyr is not None, run["angles"] is not None, standing_up is not None, settings, warnings)
    table = _timing_for_rate(table, rate, warnings)
    remeasure = lambda st: stride_rows(t, st[STRIDE_COLUMNS], sig, settings.speed_mps)  # noqa: E731
    unc = {"source": "imu", "events": event_parts(strides, remeasure, kb.uncertainty["imu"]["events"],
                                                  [c for c in kb.metrics if c in table], 1.0 / rate)}
    summary, table = summarise_analysis(table, kb, warnings, IMU_ADVICE, uncertainty=unc)
    agreements = run["agreements"]
    summary.update(
        scene={"sensor_frame": frame, "gyroscope": gyr is not None, "foot_assignment_agreement":
               round(float(np.mean(agreements)), 3) if agreements else None,
               "standing_window_s": list(standing_s) if standing_s else None, "units": rec.attrs.get("units")},
        bouts=run["bouts"], activity_s=activity, per_minute=per_minute(table, float(t[0])), per_minute_from_s=round(float(t[0]), 3),
        cleaning={"events_lowpass_hz": detector.lowpass_hz, "rise_g": detector.rise_g},
        parameters={"contacts": detector.recorded()},
        fps=round(rate, 3), duration_s=round(float(t[-1] - t[0]), 3))
    series = {"vertical_g": run["vertical_g"]}
    if run["forward_g"] is not None:
        series["forward_g"] = run["forward_g"]
    if run["angles"] is not None:
        series.update({f"pelvis_{k}_deg": v for k, v in run["angles"].items()})
    return Analysis(rec, None, series, table, summary, warnings)


def _running_bouts(t: np.ndarray, acc: np.ndarray, rate: float) -> tuple[list, dict]:
    """The running bouts (at least 10 s, or 80 % of a shorter recording) and the seconds of each
    activity; refuses a recording without running."""
    mag = np.sqrt(np.nansum(acc**2, axis=1))
    mag[~np.isfinite(acc).any(1)] = np.nan
    windows = classify_windows(t, mag, rate)
    bouts = running_bouts(windows, min(10.0, 0.8 * float(t[-1] - t[0])))
    activity = summary_of_windows(windows)
    if not bouts:
        _no_running(windows, activity)
    return bouts, activity


def _process_bouts(t, acc, gyr, rate: float, frame: str, bouts: list, standing_up,
                   detector: SacralEventDetector) -> dict:
    """Each bout's events, strides and signals, put back on the recording's time axis."""
    vertical, forward = np.full(len(t), np.nan), np.full(len(t), np.nan)
    angles = {k: np.full(len(t), np.nan) for k in ("tilt", "obliquity", "rotation")}
    has_forward = has_angles = False
    strides, agreements, info = [], [], []
    for a, b in bouts:
        sel = (t >= a) & (t <= b)
        res = process_bout(t[sel], acc[sel], gyr[sel] if gyr is not None else None, rate, frame, standing_up, detector)
        vertical[sel] = res["vertical_g"]
        if res["forward_g"] is not None:
            forward[sel], has_forward = res["forward_g"], True
        if res["angles"] is not None:
            for k in angles:
                angles[k][sel] = res["angles"][k]
            has_angles = True
        if res["foot_agreement"] is not None:
            agreements.append(res["foot_agreement"])
        st = build_strides(res["events"], step_period_s=res["step_period_s"])
        strides.append(st)
        info.append({"start_s": round(a, 2), "end_s": round(b, 2), "n_steps": int(res["n_steps"]),
                     "n_contacts": int(len(res["events"])), "n_strides": int(len(st)),
                     "alignment": res["alignment"]})
    return {"strides": strides, "vertical_g": vertical, "forward_g": forward if has_forward else None,
            "angles": angles if has_angles else None, "agreements": agreements, "bouts": info}


def _all_strides(per_bout: list[pd.DataFrame], bouts: list, activity: dict) -> pd.DataFrame:
    """The bouts' strides in one table, numbered, each with its bout; refuses fewer than 3."""
    strides = pd.concat(per_bout, ignore_index=True) if per_bout else pd.DataFrame()
    if len(strides) < 3:
        raise NotAnalysableError(
            f"Only {len(strides)} regular strides were found in {activity['running']:.0f} s of running.",
            "Check that the sensor sits on the pelvis (sacrum or belt) and the file holds a run of at least "
            "10 s; a loose sensor blurs the landings.")
    strides["stride_id"] = np.arange(len(strides))
    strides = strides.set_index("stride_id", drop=False)
    strides["bout"] = np.searchsorted([b[0] for b in bouts], strides.ic_s.to_numpy(), side="right") - 1
    return strides


def _channel_warnings(frame: str, has_gyr: bool, has_angles: bool, has_standing: bool, settings: Settings,
                      warnings: list[str]) -> None:
    if frame != "body" and not has_gyr:
        warnings.append("No gyroscope in the recording: pelvic tilt, obliquity, rotation and drop need one, "
                        "and are not computed; left and right cannot be told apart.")
    if has_angles and not has_standing:
        warnings.append(f"No standing window given ({opt('standing', 'START:END')}): pelvic tilt, obliquity and rotation "
                        "are given as ranges about the running posture; the mean tilt needs standing.")
    if not settings.speed_mps:
        warnings.append(f"No {opt('speed')} given: step length and vertical ratio need the running speed.")


# Below this rate a sample every 10+ ms cannot time a 200-300 ms foot contact closely enough for
# contact time, flight and duty factor (a 10 % error at 50 Hz); steps and cadence still can be.
CONTACT_MIN_RATE_HZ = 100.0
CONTACT_METRICS = ("ground_contact_ms", "flight_ms", "duty_factor_pct", "braking_peak_g")


def _timing_for_rate(table: pd.DataFrame, rate: float, warnings: list[str]) -> pd.DataFrame:
    """The stride table without the contact-timing metrics when the rate is too low to time contacts."""
    if rate >= CONTACT_MIN_RATE_HZ - 0.5:
        return table
    drop = [c for c in CONTACT_METRICS if c in table]
    if drop:
        warnings.append(f"The sensor recorded at {rate:.0f} Hz: too slow to time each foot contact (runform needs "
                        f"{CONTACT_MIN_RATE_HZ:.0f} Hz), so contact time, flight time, duty factor and braking are "
                        "not reported. Record at 100 Hz or more.")
    return table.drop(columns=drop)


def _standing_up(t, acc, standing_s, warnings) -> np.ndarray | None:
    if not standing_s:
        return None
    a, b = standing_s
    sel = (t >= a) & (t <= b)
    from ...errors import UsageError

    if sel.sum() < 10:
        raise UsageError(f"{opt('standing', f'{a:g}:{b:g}')} holds {int(sel.sum())} samples of the recording "
                         f"({t[0]:.1f}-{t[-1]:.1f} s).", "Give a window of at least 1 s while the runner stands still.")
    w = acc[sel]
    sd = float(np.nanmean(np.nanstd(w, axis=0)))
    if sd > 0.05:
        warnings.append(f"The standing window moves (acceleration SD {sd:.2f} g; standing still: < 0.02): "
                        "tilt relative to standing is less certain.")
    v = np.nanmean(np.where(np.isfinite(w), w, 0.0), axis=0)
    return v / np.linalg.norm(v)


def _no_running(windows, activity) -> None:
    walk = [p for *_, k, p in windows if k == "walking" and np.isfinite(p)]
    if activity["walking"] > activity["running"] and walk:
        cad = 60.0 / float(np.median(walk))
        raise NotAnalysableError(
            f"This looks like walking, not running: {activity['walking']:.0f} s of steps at about {cad:.0f} "
            "steps/min with no flight phase (a running pelvis sensor reads near 0 g in flight).",
            "runform analyses running; record a run.")
    raise NotAnalysableError(
        f"No steady running was found ({activity['running']:.0f} s running, {activity['walking']:.0f} s walking, "
        f"{activity['other']:.0f} s still or irregular; running bouts need 10 s).",
        "Check that this is a running recording from a sensor worn on the pelvis.")


def _side_warnings(table, agreements, has_gyr, warnings) -> None:
    if has_gyr and (table.foot == "unknown").any():
        share = f" ({100 * min(agreements):.0f} % agreement)" if agreements else ""
        warnings.append("Left and right steps could not be told apart reliably from the pelvis rotation"
                        f"{share}: per-side figures and asymmetry are not given.")
