"""The lab path after loading: keypoints -> motion dataset -> events -> the shared gait analysis.

* Cleaning: gaps up to 0.1 s filled, then a zero-lag 4th-order Butterworth
  low-pass at 12 Hz (marker data of running is commonly filtered at 10-15 Hz;
  Winter, Biomechanics and Motor Control of Human Movement, 4th ed.).
* Events: force plates when they give at least three strides (threshold in
  forces.py), else the events stored in the file, else runform's kinematic
  detector (the video one) on the markers' sagittal projection.
* Metrics: the video's sagittal metric functions on the markers projected on
  the runner's sagittal plane; plus 3D pelvis angles (of the pelvis turned
  from standing when a static trial is given, so the marker frame's own
  10-20 deg anterior tilt does not move rotation into obliquity; else of the
  ASIS/PSIS frame) and hip extension relative to the pelvis; foot-strike angle relative to standing when a
  static trial is given (Altman & Davis 2012 read the angle that way).
* Leg length: the runner's height x 0.491 when given, else the hip centre's height in the
  static trial, else its 95th percentile above the floor while running.
* Running speed: as given, else measured: overground, the pelvis's mean
  forward speed; on a treadmill, the belt speed read from the toe marker
  relative to the pelvis over 50-85 % of stance, when the forefoot rests on
  the belt (within 3 % of the belt speed on the Hamner, Fukuchi trials).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ...engine import checks
from ...engine import pelvis_axes as pelvis
from ...engine.analysis import Analysis, finish, gait_metrics, summarise_analysis
from ...engine.assess.knowledge import Knowledge
from ...engine.body import LEG_FRACTION_OF_HEIGHT
from ...engine.clean import fill_gaps, lowpass
from ...engine.contacts import ContactDetector
from ...engine.dataset import make_motion, point
from ...engine.metrics.frontal import frontal_stride_metrics
from ...engine.metrics.pelvis import pelvis_stride_metrics
from ...engine.metrics.per_stride import stride_metrics
from ...engine.strides import STRIDE_COLUMNS, build_strides
from ...engine.uncertainty import event_parts
from ...errors import NotAnalysableError
from ...progress import stage
from ...settings import Settings
from ...words import opt
from .forces import file_events, force_events
from .options import LabOptions
from .trial import LabTrial, load_lab_trial

CUTOFF_HZ = 12.0
LAB_ADVICE = "A trial with more strides (a longer treadmill recording) gives reliable figures."


STANDARD = [f"{s}_{p}" for s in ("left", "right")
            for p in ("hip", "knee", "ankle", "heel", "foot_index", "shoulder")]
NEEDS = {  # keypoint part -> the metrics lost without it
    "shoulder": "trunk lean, body line, waist bend, hip extension behind the trunk",
    "knee": "knee flexion, shank angle, hip extension",
    "heel": "overstride, foot-strike angle and pattern",
    "foot_index": "foot-strike angle and pattern, kinematic toe-off",
}


def lab_source(path: Path, settings: Settings, options: LabOptions, kb: Knowledge, cache_dirs, progress=None):
    """The lab source's adapter (``sources.registry``); companions found beside the trial are
    covered by the trial's own place among the inputs."""
    from ..registry import Made, files

    stage(progress, "reading")
    analysis = lab_analysis(path, settings, kb, forces=options.forces, static=options.static,
                            markers=options.markers, on_loaded=lambda: stage(progress, "analysis"))
    return Made(analysis, [path, settings.references, *files(options)])


def lab_analysis(path: str | Path, settings: Settings, kb: Knowledge, *, forces=None, static=None,
                 markers=None, on_loaded=None) -> Analysis:
    """A lab motion-capture trial (C3D, TRC + .mot, marker and force tables) loaded and analysed."""
    path = Path(path)
    trial = load_lab_trial(path, forces, static, markers)
    if on_loaded:
        on_loaded()
    warnings: list[str] = []
    analysis = analyze_lab(trial, settings, kb, warnings)
    source = LabFacts(path.name, trial.marker_set.title, trial.files.get("static"), trial.files.get("forces"),
                      round(float(1 / np.median(np.diff(trial.times_s))), 3))
    return finish(analysis, settings.as_dict(), source)


@dataclass
class LabFacts:
    """A lab trial's facts in summary.json's ``source``."""

    type: str = field(default="mocap", init=False)
    file: str
    marker_set: str
    static: str | None  # the standing trial used, by name
    forces: str | None  # the force file used, by name
    rate_hz: float


def lab_motion(trial: LabTrial, cutoff_hz: float | None = CUTOFF_HZ) -> xr.Dataset:
    """Keypoints as a 3D motion dataset (gaps filled, low-passed unless ``cutoff_hz`` is None); a
    keypoint the markers cannot give is all-missing, so every metric that does not need it is
    still computed."""
    have = [k for k in trial.keypoints if not k.startswith("_")]
    names = sorted(set(have) | set(STANDARD))
    n = len(trial.times_s)
    pos = np.stack([trial.keypoints.get(k, np.full((n, 3), np.nan)) for k in names], axis=1)
    conf = np.all(np.isfinite(pos), axis=2).astype(float)
    m = make_motion(trial.times_s, pos, conf, names, source="mocap", space_unit="m", space=("x", "y", "z"),
                    vertical_up=True, trial=trial.name)
    m = fill_gaps(m, 0.1)
    if cutoff_hz:
        m, _ = lowpass(m, cutoff_hz)
    return m


def leg_length(trial: LabTrial, sag: xr.Dataset, settings: Settings) -> tuple[float, str]:
    if settings.height_m:
        return settings.height_m * LEG_FRACTION_OF_HEIGHT, f"from {opt('height')}"
    st = trial.static_keypoints
    if st and "right_hip" in st and "left_hip" in st:
        feet = [st[k][1] for k in st if k.endswith(("heel", "foot_index"))]
        if feet:
            return float(0.5 * (st["right_hip"][1] + st["left_hip"][1]) - min(feet)), "hip height in the static trial"
    hip_y = point(sag, "mid_hip")[:, 1]
    floor = np.nanpercentile(np.fmin(point(sag, "left_heel")[:, 1], point(sag, "right_heel")[:, 1]), 2)
    return float(np.nanpercentile(hip_y, 95) - floor), "hip height while running"


def running_speed(sag: xr.Dataset, events: pd.DataFrame) -> tuple[float, bool]:
    """(speed in m/s, treadmill?): see the module notes."""
    t = sag["time"].values
    hip = point(sag, "mid_hip")[:, 0]
    ok = np.isfinite(hip)
    travel = float(np.polyfit(t[ok], hip[ok], 1)[0]) if ok.sum() > 2 else 0.0
    if abs(travel) > 0.5:
        return abs(travel), False
    v = []
    for r in events.itertuples():
        a, b = r.ic_s + 0.5 * (r.to_s - r.ic_s), r.ic_s + 0.85 * (r.to_s - r.ic_s)
        sel = (t >= a) & (t <= b)
        if sel.sum() >= 3:
            rel = point(sag, f"{r.foot}_foot_index")[sel, 0] - hip[sel]
            if np.isfinite(rel).all():
                v.append(-np.polyfit(t[sel], rel, 1)[0])
    return (float(np.median(v)) if v else float("nan")), True


def choose_events(trial: LabTrial, sag: xr.Dataset, raw: xr.Dataset, leg_m: float,
                  detector: ContactDetector | None = None) -> tuple[pd.DataFrame, str]:
    """``raw``: the sagittal markers unfiltered, for the kinematic ``detector``'s ankle descent."""
    t = sag["time"].values
    sole = {s: (t, np.fmin(point(sag, f"{s}_heel")[:, 1], point(sag, f"{s}_foot_index")[:, 1]))
            for s in ("left", "right")}
    options = []
    if trial.forces is not None:
        options.append((force_events(trial.forces, trial.up_lab, sole), "force plates (vertical GRF > 50 N)"))
    if trial.file_events is not None:
        options.append((file_events(trial.file_events), "events stored in the file"))
    for ev, name in options:
        if len(build_strides(ev)) >= 3:
            return ev, name
    kin = (detector or ContactDetector()).detect(sag, leg_m, ankle_motion=raw).events_
    options.append((kin, "kinematic (runform's detector on the markers)"))
    return max(options, key=lambda o: len(build_strides(o[0])))


def missing_keypoints(trial: LabTrial) -> list[str]:
    """Warnings naming the keypoints the markers do not give and the metrics lost with them;
    raises when the hips or ankles are missing (nothing can be measured)."""
    from ...errors import NotAnalysableError

    missing = [k for k in STANDARD if k not in trial.keypoints]
    core = [k for k in missing if k.endswith(("_hip", "_ankle"))]
    if core:
        raise NotAnalysableError(
            f"The trial's markers give no {', '.join(c.replace('_', ' ') for c in core)} centre "
            f"({'; '.join(trial.notes) or 'markers missing'}).",
            f"Check the marker names, give the static trial with {opt('static')}, or a mapping file with "
            f"{opt('markers')}.")
    out = []
    for part, lost in NEEDS.items():
        gone = [k for k in missing if k.endswith("_" + part)]
        if gone:
            out.append(f"No {' or '.join(g.replace('_', ' ') for g in gone)} from the markers: not computed: {lost}.")
    return out


def analyze_lab(trial: LabTrial, settings: Settings, kb: Knowledge, warnings: list[str]) -> Analysis:
    warnings += missing_keypoints(trial)
    motion = lab_motion(trial)
    sag = motion.sel(space=["x", "y"])
    leg_m, leg_from = leg_length(trial, sag, settings)
    body = kb.body["leg_length_m"]
    if not body["low"] <= leg_m <= body["high"]:
        raise NotAnalysableError(
            f"The markers give a leg length of {leg_m:.2f} m ({leg_from}), outside what a body has "
            f"({body['low']:g}-{body['high']:g} m): the units or the marker names are likely wrong.",
            f"Check the file's unit (mm or m) and the marker set, or give a mapping file with {opt('markers')}.")
    raw = lab_motion(trial, cutoff_hz=None).sel(space=["x", "y"])  # for instants: landing, foot strike
    detector = ContactDetector()  # the one that runs is the one the summary records
    events, events_source = choose_events(trial, sag, raw, leg_m, detector)
    if not events_source.startswith("force"):
        warnings.append(f"No usable force-plate data: gait events are {events_source}.")
    measured, treadmill = running_speed(sag, events)
    speed = settings.speed_mps or measured
    series = _series(trial, motion, sag, raw)
    strides, series = gait_metrics(sag, events, leg_m, speed if np.isfinite(speed) else None, kb, series)
    t = sag["time"].values
    checks.check_strides(strides, len(events), float(t[-1] - t[0]), warnings, checks.ground_fraction(sag, leg_m),
                         kb.cutoffs["walking"], min_strides=1)
    if len(strides) and trial.pelvis_axes is not None:
        # with a static trial the angles are of the pelvis turned from standing (_series): zero there
        standing = {"tilt": 0.0, "obliquity": 0.0} if trial.static_pelvis_axes is not None else None
        pel = {k.split("_")[1]: series[k] for k in ("pelvis_tilt_deg", "pelvis_obliquity_deg", "pelvis_rotation_deg")}
        strides = pd.concat([strides, pelvis_stride_metrics(t, pel, strides, standing)], axis=1)
        if standing is None:
            warnings.append("No static trial: pelvic tilt is given in the ASIS-PSIS frame, which reads about "
                            f"10 deg anterior in standing, and is not judged. Give {opt('static')} for tilt relative "
                            "to standing.")
    if len(strides):
        strides = pd.concat([strides, _frontal_metrics(trial, strides)], axis=1)
    warnings += [f"Markers: {n}." for n in trial.notes]
    summary, strides = summarise_analysis(strides, kb, warnings, LAB_ADVICE,
                                          uncertainty=_uncertainty(strides, sag, leg_m, speed, series, kb,
                                                                   events_source, treadmill,
                                                                   treadmill and not settings.speed_mps))
    summary.update(
        scene={"treadmill": treadmill, "events_source": events_source, "leg_length_m": round(leg_m, 3),
               "leg_length_from": leg_from, "running_speed_mps": round(float(speed), 2) if np.isfinite(speed) else None,
               "speed_from": opt("speed") if settings.speed_mps else ("measured: toe on the belt" if treadmill else "measured: pelvis travel"),
               "up_axis_lab": trial.up_lab.round(3).tolist(), "forward_lab": trial.basis[0].round(3).tolist()},
        cleaning={"max_gap_s": 0.1, "cutoff_hz": CUTOFF_HZ},
        parameters={"contacts": detector.recorded()
                    if events_source.startswith("kinematic") else {"detector": events_source}},
        fps=round(float(motion.attrs["fps"]), 3), duration_s=round(float(t[-1] - t[0]), 3))
    return Analysis(motion, sag, series, strides, summary, warnings)


def _frontal_metrics(trial: LabTrial, strides: pd.DataFrame) -> pd.DataFrame:
    """The front/back view's per-stride metrics from the markers' own frontal plane (runner z
    right, y up), so a lab trial is compared with a filmed one; pelvic drop only where the 3D
    pelvis did not give it."""
    plane = {n: np.stack([p[:, 2], p[:, 1]], axis=1) for n, p in trial.keypoints.items() if not n.startswith("_")}
    out = frontal_stride_metrics(trial.times_s, plane, strides)
    return out.drop(columns=[c for c in out if c in strides])


def _uncertainty(strides: pd.DataFrame, sag: xr.Dataset, leg_m: float, speed: float, series: dict, kb: Knowledge,
                 events_source: str, treadmill: bool, measured_speed: bool) -> dict:
    """The event part of every metric's uncertainty, with the event errors of how the contacts were
    found: force plates, or runform's kinematic detector on a treadmill or overground."""
    spec = kb.uncertainty["lab"]
    events = (spec["events_forceplates"] if events_source.startswith("force") else
              spec["events"] if treadmill else spec["events_overground"])
    def remeasure(st: pd.DataFrame) -> pd.DataFrame:  # a speed measured on the belt moves with the contacts
        v = running_speed(sag, st[["foot", "ic_s", "to_s"]])[0] if measured_speed else speed
        return stride_metrics(sag, st[STRIDE_COLUMNS], leg_m, v if np.isfinite(v) else None, series,
                              strike=kb.cutoffs["foot_strike"])

    return {"source": "lab", "events": event_parts(strides, remeasure, events, list(kb.metrics))}


def _series(trial: LabTrial, motion: xr.Dataset, sag: xr.Dataset, raw: xr.Dataset) -> dict[str, np.ndarray]:
    """The video's per-frame angles on the sagittal projection, the foot angle relative to standing,
    and the 3D pelvis angles and hip flexion relative to the pelvis."""
    from ...engine.metrics.per_stride import per_frame_series

    s = per_frame_series(sag)
    st = trial.static_keypoints
    if st:
        for side in ("left", "right"):
            s[f"{side}_foot_angle_deg"] = _strike_angle(raw, st, side, s[f"{side}_foot_angle_deg"],
                                                        trial.marker_set.toe_is_metatarsal)
    if trial.pelvis_axes is not None:
        axes = _smooth_axes(trial.pelvis_axes, motion)
        a = pelvis.angles_deg(pelvis.relative_to(axes, trial.static_pelvis_axes))
        s.update(pelvis_tilt_deg=a["tilt"], pelvis_obliquity_deg=a["obliquity"], pelvis_rotation_deg=a["rotation"])
        for side in ("left", "right"):
            hip, knee = point(motion, f"{side}_hip"), point(motion, f"{side}_knee")
            flex = pelvis.hip_flexion_deg(axes, hip, knee)
            if st and trial.static_pelvis_axes is not None and f"{side}_hip" in st and f"{side}_knee" in st:
                flex = flex - pelvis.hip_flexion_deg(trial.static_pelvis_axes[None], st[f"{side}_hip"][None],
                                                     st[f"{side}_knee"][None])[0]
            s[f"{side}_hip_extension_pelvis_deg"] = -flex
    return s


def foot_long_axis(points: dict, st: dict, side: str, toe_is_metatarsal: bool):
    """(toe, standing toe) of the foot-strike angle's marker definition: the toe marker, or with a
    metatarsal toe the midpoint of the first and fifth metatarsal heads; None without them.
    ``points``: keypoint name -> trajectory."""
    heads = [n for n in (f"{side}_forefoot1", f"{side}_forefoot2") if n in points and n in st]
    if toe_is_metatarsal and len(heads) == 2:
        return 0.5 * (points[heads[0]] + points[heads[1]]), 0.5 * (st[heads[0]] + st[heads[1]])
    toe = f"{side}_foot_index"
    return (points[toe], st[toe]) if toe in points and toe in st else None


def _strike_angle(sag: xr.Dataset, st: dict, side: str, raw: np.ndarray, toe_is_metatarsal: bool) -> np.ndarray:
    """The foot-strike angle's marker definition (Altman & Davis 2012): the heel-to-toe line
    against the floor, relative to standing (``foot_long_axis``), which holds with the foot
    turned over on either border at landing. Read from the unfiltered markers: the foot turns
    fast at landing and a 12 Hz low-pass flattens the angle at contact by about 1 deg, while two
    markers 15-20 cm apart with 1 mm of noise give 0.3 deg."""
    h0 = st.get(f"{side}_heel")
    names = set(sag["keypoint"].values) & {f"{side}_{p}" for p in ("forefoot1", "forefoot2", "foot_index")}
    axis = foot_long_axis({n: point(sag, n) for n in names}, st, side, toe_is_metatarsal)
    if h0 is None or axis is None:
        return raw
    heel = point(sag, f"{side}_heel")
    d, d0 = axis[0] - heel, axis[1] - h0
    return np.degrees(np.arctan2(d[:, 1], d[:, 0]) - np.arctan2(d0[1], d0[0]))


def _smooth_axes(axes: np.ndarray, motion: xr.Dataset) -> np.ndarray:
    """The pelvis axes low-passed like the keypoints (then re-orthonormalised)."""
    m = make_motion(motion["time"].values, axes.reshape(len(axes), 3, 3), np.ones((len(axes), 3)),
                    ["a0", "a1", "a2"], source="pelvis", space_unit="1", space=("x", "y", "z"))
    m = fill_gaps(m, 0.1)
    m, _ = lowpass(m, CUTOFF_HZ)
    a = m["position"].values
    u, _, vt = np.linalg.svd(np.nan_to_num(a))
    out = u @ vt
    out[~np.isfinite(a).all(axis=(1, 2))] = np.nan
    return out
