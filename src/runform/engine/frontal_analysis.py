"""A front or back view's keypoints -> the engine's strides, metrics, summary and findings.

The frontal counterpart of the side view's ``analyze_motion``: ``frontal_view`` finds the
view, the sides, the frontal plane and the contacts; the strides, their times and frontal
metrics (``metrics.frontal``) then go through the same screen, summary, uncertainty and
findings as every source (``analysis.summarise_analysis``), with the ``frontal`` uncertainty
of the knowledge base.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import NotAnalysableError
from ..words import opt
from .analysis import Analysis, summarise_analysis
from .assess.knowledge import Knowledge
from .body import DEFAULT_HEIGHT_M, LEG_FRACTION_OF_HEIGHT
from .dataset import make_motion
from .frontal_view import FrontalGait, frontal_gait
from .metrics.frontal import frontal_stride_metrics, obliquity_deg
from .metrics.per_stride import temporal_metrics
from .strides import STRIDE_COLUMNS, build_strides
from .uncertainty import event_parts

FRONTAL_ADVICE = ("Film from straight behind or in front, at hip height, 3-5 m away, the whole body in view, "
                  "20 s or more of steady treadmill running.")
MOVING_DEPTH_PCT = 15  # the runner's image size changing by more than this: not on a treadmill
STANCE_PARTS = ("hip", "knee", "ankle", "heel")
MIN_STRIDES = 2


def frontal_analysis(t: np.ndarray, pos: np.ndarray, conf: np.ndarray, names: list[str], height_m: float | None,
                     kb: Knowledge, warnings: list[str], view: str | None = None) -> Analysis:
    """Analyse a front or back view (positions px, y down); ``view`` 'front'/'back' or found."""
    height = height_m or DEFAULT_HEIGHT_M
    gait = frontal_gait(t, pos, conf, names, height * LEG_FRACTION_OF_HEIGHT, view)
    _notes(gait, height_m, warnings)
    strides = build_strides(gait.events)
    if len(strides) < MIN_STRIDES:
        raise NotAnalysableError(f"Only {len(strides)} strides were found in this {gait.view} view ({len(gait.events)} "
                                 f"contacts in {float(t[-1] - t[0]):.1f} s).", FRONTAL_ADVICE)
    table = stride_table(t, gait, strides)
    remeasure = lambda st: stride_table(t, gait, st[STRIDE_COLUMNS])  # noqa: E731
    events = kb.uncertainty["frontal"]["events"]
    fps = 1.0 / float(np.median(np.diff(t)))
    unc = {"source": "frontal", "events": event_parts(strides, remeasure, events,
                                                     [c for c in kb.metrics if c in table], 1.0 / fps),
           "extras": _scale_uncertainty(kb, height_m is not None)}
    summary, table = summarise_analysis(table, kb, warnings, FRONTAL_ADVICE, uncertainty=unc)
    summary.update(
        scene={"view": gait.view, "labels_swapped": gait.labels_swapped, "treadmill": _on_treadmill(gait),
               "runner_size_change_pct": round(gait.depth_change_pct, 1), "height_m": height,
               "height_given": height_m is not None},
        fps=round(fps, 3), duration_s=round(float(t[-1] - t[0]), 3),
        parameters={"contacts": {"detector": f"frontal ({gait.view} view)"}})
    motion = make_motion(t, pos, conf, names, source="keypoints", space_unit="px", view=gait.view)
    series = {"pelvic_obliquity_deg": obliquity_deg(gait.keypoints)}
    plane = make_motion(t, np.stack([gait.keypoints[n] for n in names], axis=1), conf, names, source="frontal",
                        space_unit="m", vertical_up=True)
    return Analysis(motion, None, series, table, summary, warnings, frontal=plane, view=gait.view)


def stride_table(t: np.ndarray, gait: FrontalGait, strides: pd.DataFrame) -> pd.DataFrame:
    """The strides with their times, frontal metrics and the stance leg's keypoint confidence."""
    if not len(strides):
        return strides
    times = pd.DataFrame([temporal_metrics(r.ic_s, r.to_s, r.contra_ic_s, r.end_s, None)
                          for r in strides.itertuples()], index=strides.index)
    times = times.drop(columns=["step_length_m", "stride_length_m"])
    conf = [float(np.mean([np.mean(gait.confidence[f"{r.foot}_{p}"][(t >= r.ic_s) & (t <= r.to_s)])
                           for p in STANCE_PARTS])) for r in strides.itertuples()]
    out = strides.join(times).join(frontal_stride_metrics(t, gait.keypoints, strides))
    return out.assign(mid_s=0.5 * (strides.ic_s + strides.to_s), keypoint_confidence=conf)


def _on_treadmill(gait: FrontalGait) -> bool:
    return abs(gait.depth_change_pct) <= MOVING_DEPTH_PCT


def _notes(gait: FrontalGait, height_m: float | None, warnings: list[str]) -> None:
    if gait.labels_swapped:
        warnings.append(f"The pose tool's left and right were the wrong way round for a {gait.view} view; "
                        "runform set them from the hips' order in the picture.")
    if not _on_treadmill(gait):
        way = "towards" if gait.depth_change_pct > 0 else "away from"
        warnings.append(f"The runner came {way} the camera (their size in the picture changed by "
                        f"{gait.depth_change_pct:+.0f} %): contacts from a front or back view are validated on "
                        "treadmill running only, so the times are less certain.")
    if height_m is None:
        warnings.append(f"No {opt('height')} given: widths (cm) assume a runner of {DEFAULT_HEIGHT_M:.2f} m. Give {opt('height')} "
                        "for true widths; angles and times do not depend on it.")


def _scale_uncertainty(kb: Knowledge, height_given: bool) -> dict:
    """Widths scaled from an assumed height carry the spread of statures."""
    if height_given:
        return {}
    rel = kb.uncertainty["video"]["scale_without_height_pct"]["value"] / 100
    return {name: {"scale": {"relative": rel}} for name, spec in kb.metrics.items() if spec["unit"] == "cm"}
