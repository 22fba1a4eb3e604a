"""The live read-out: the offline video analysis on the newest seconds of keypoints, as they come.

Each update takes the last ``WINDOW_S`` seconds of pose, cleans them as offline
(``engine.clean``), puts them on the sagittal plane with the scene fixed once from the first
``WARMUP_S`` seconds with a runner in view (direction, floor line, scale, and true vertical from
the scene's edges else the floor line, ``engine.scene`` and ``engine.true_vertical``), finds the
contacts with the offline detector on the keypoints (``engine.contacts``) and measures the strides
(``engine.analysis.gait_metrics``). A stride counts once it has ended ``SETTLE_S`` before the
newest frame: the low-pass and the detector have then seen past it, and later windows do not
change it (each stride is counted once, when it settles). The figures are the medians of the
newest ``RECENT`` strides through the offline screen, summary, uncertainty and fault rules
(``engine.analysis.summarise_analysis``), so a live figure carries its uncertainty and a figure
outside what a body can do is screened out as offline.

The delay is bounded: a stride is on the read-out at most its own length plus ``SETTLE_S`` plus
one update after its end. Contacts are timed from the keypoints (the offline analysis times them
from the shoe's pixels against the empty scene, which needs the whole clip): their known errors
are the knowledge base's ``uncertainty.video.events`` and are in every figure's uncertainty.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..engine.analysis import gait_metrics, summarise_analysis
from ..engine.assess.knowledge import Knowledge
from ..engine.body import LEG_FRACTION_OF_HEIGHT
from ..engine.clean import clean
from ..engine.contacts import ContactDetector
from ..engine.dataset import make_motion
from ..engine.image_analysis import extra_uncertainty
from ..engine.image_view import view_of
from ..engine.metrics.per_stride import stride_metrics
from ..engine.scene import analyse_scene, to_sagittal
from ..engine.strides import STRIDE_COLUMNS
from ..engine.true_vertical import choose
from ..engine.uncertainty import event_parts
from ..settings import Settings
from ..sources.video.checks import DARK_LUMA
from ..sources.video.pose import LANDMARKS
from ..sources.video.vertical import frame_edges, vertical_from_edges

WINDOW_S = 8.0  # the newest seconds each update analyses (about 11 strides at 170 steps/min)
WARMUP_S = 3.0  # seconds of a runner in view before the scene is fixed and the first figures shown
SETTLE_S = 0.4  # a stride counts when it ended this long before the newest frame
EDGE_S = 0.5  # a stride that begins this close to the window's start is an earlier window's
SAME_STRIDE_S = 0.1  # a stride's contact found again this close is the same stride
KEEP_S = WINDOW_S + 2.0  # frames older than this behind the newest are let go: an hour's run holds no more
RECENT = 12  # the figures are medians of the newest strides (about 4 s at 170 steps/min)
LIVE_METRICS = ("cadence_spm", "ground_contact_ms", "trunk_lean_deg", "overstride_pct_leg", "knee_flexion_ic_deg")
ADVICE = "Keep the whole body in view, side-on, with the camera still."
CUE_AFTER = 3  # updates in a row (1.5 s, each over the newest strides) a sure finding holds before its cue
CUE_AGAIN_S = 20.0  # a cue is given again at most this often
SETUP_S = 2.0  # the set-up is judged on the newest seconds
MIN_FPS = 25.0  # contacts last about 0.2-0.3 s: below this rate a contact spans too few frames to time
IN_VIEW = 0.9  # share of frames with head and feet seen inside the picture for "whole body in view"
BODY_ENDS = (0, 27, 28, 29, 30, 31, 32)  # nose, ankles, heels, toes (sources.video.pose.LANDMARKS)


class LiveAnalysis:
    """Keypoints in, live figures out: ``add`` each posed frame, ``update`` when a read-out is due."""

    def __init__(self, settings: Settings, kb: Knowledge):
        self.settings, self.kb = settings, kb
        self.times: list[float] = []
        self.keypoints: list[np.ndarray] = []
        self.scene_edges: list = []
        self.scene, self.vertical, self.leg_m = None, None, None
        self.notes: list[str] = []
        self.strides = pd.DataFrame()
        self.luma: list[float] = []
        self.dropped: list[int] = []  # frames dropped so far, at each frame posed
        self.size: tuple[int, int] | None = None
        self.first_seen: float | None = None  # when a runner (both hips) was first in view
        self.streaks: dict[str, int] = {}
        self.cued_at: dict[str, float] = {}

    def add(self, t: float, keypoints: np.ndarray, luma: float = 128.0, size: tuple[int, int] | None = None,
            dropped: int = 0) -> None:
        """One posed frame: (33, 4) x, y pixels, z, visibility; its mean grey level; (width, height);
        the frames dropped before it so far (to keep up: the camera gave them)."""
        self.times.append(t)
        self.keypoints.append(keypoints)
        self.luma.append(luma)
        self.dropped.append(dropped)
        self.size = size or self.size
        if self.first_seen is None and np.isfinite(keypoints[23:25, 0]).all():
            self.first_seen = t
        if t - self.times[0] > 2 * KEEP_S:  # now and then, not at every frame
            old = int(np.searchsorted(self.times, t - KEEP_S))
            for series in (self.times, self.keypoints, self.luma, self.dropped):
                del series[:old]

    def setup(self) -> list[dict]:
        """What to change before the run, judged on the newest ``SETUP_S`` seconds: each check's
        ``ok`` and what to say."""
        t = np.asarray(self.times)
        if len(t) < 2 or t[-1] - t[0] < 1.0:
            return []
        w = np.flatnonzero(t >= t[-1] - SETUP_S)
        kp = np.stack([self.keypoints[i] for i in w])
        given = len(w) - 1 + self.dropped[w[-1]] - self.dropped[w[0]]  # the camera's frames, posed or dropped
        fps = given / max(1e-9, float(t[w[-1]] - t[w[0]]))
        dark = float(np.mean([self.luma[i] for i in w]))
        width, height = self.size or (np.inf, np.inf)
        ends = kp[:, BODY_ENDS]  # inside the picture, the head seen and a foot seen (the far one is often hidden)
        inside = ((ends[..., 0] >= 0) & (ends[..., 0] <= width) & (ends[..., 1] >= 0) & (ends[..., 1] <= height)).all(1)
        whole = float((inside & (ends[:, 0, 3] >= 0.5) & (ends[:, 1:, 3].max(axis=1) >= 0.5)).mean())
        checks = [_check("body", whole >= IN_VIEW, "The whole body is in view." if whole >= IN_VIEW else
                         f"Head and feet are in view in {100 * whole:.0f} % of frames: move the camera back "
                         "until the runner is seen from head to feet."),
                  _check("light", dark >= DARK_LUMA, "The light is enough." if dark >= DARK_LUMA else
                         f"The picture is dark (brightness {dark:.0f}/255): add light or face the camera away from windows."),
                  _check("rate", fps >= MIN_FPS, f"The camera gives {fps:.0f} frames a second." if fps >= MIN_FPS else
                         f"The camera gives {fps:.0f} frames a second: contacts need at least {MIN_FPS:g} "
                         "(choose 30 or 60 fps, or more light so the camera does not slow down).")]
        if whole > 0.5:
            motion = make_motion(t[w], kp[..., :2], kp[..., 3], LANDMARKS, source="video", space_unit="px",
                                 vertical_up=False)
            side = view_of(motion, self.settings.view) == "side"
            checks.append(_check("view", side, "The camera sees the runner side-on." if side else
                                 "The camera sees the runner from the front or back: put it to the side of the "
                                 "treadmill, square to the belt, at hip height."))
        if self.vertical is not None:
            scene = self.vertical.cue == "scene"
            checks.append(_check("vertical", scene, "True vertical is taken from the scene's vertical edges."
                                 if scene else "No vertical edge (a door frame, a post) is in view: angles lean "
                                 "with the camera. Turn the camera to take one in, or level it."))
        return checks

    def add_scene_frame(self, keypoints_px: np.ndarray, grey: np.ndarray) -> None:
        """A grey frame (with its keypoints in its pixels) for true vertical from the scene's edges."""
        self.scene_edges.append(frame_edges(keypoints_px, grey, np.zeros(2)))  # now, not in the first update

    def update(self) -> dict | None:
        """The figures from everything added so far, or None before ``WARMUP_S`` of a runner."""
        t = np.asarray(self.times)
        if self.first_seen is None or t[-1] - self.first_seen < WARMUP_S:
            return None
        w = np.flatnonzero(t >= max(t[-1] - WINDOW_S, self.first_seen))
        kp = np.stack([self.keypoints[i] for i in w])
        motion = make_motion(t[w], kp[..., :2], kp[..., 3], LANDMARKS, source="video", space_unit="px",
                             vertical_up=False)
        cleaned, _ = clean(motion)
        if self.scene is None:
            self._fix_scene(cleaned)
        sag = to_sagittal(cleaned, self.scene)
        events = ContactDetector().detect(sag, self.leg_m).events_
        strides, series = gait_metrics(sag, events, self.leg_m, self.settings.speed_mps, self.kb)
        self._settle(strides, float(t[w[0]]), float(t[-1]))
        return self._figures(sag, series, float(t[-1]))

    def _fix_scene(self, cleaned) -> None:
        """Direction, floor line, scale and true vertical, once (the camera does not move)."""
        scene = analyse_scene(cleaned, self.settings.height_m)
        vertical, notes = choose(self.settings.vertical, vertical_from_edges(self.scene_edges), scene.tilt_deg,
                                 scene.treadmill)
        self.scene, self.vertical = replace(scene, vertical_deg=vertical.deg), vertical
        self.leg_m = scene.height_m * LEG_FRACTION_OF_HEIGHT
        self.notes += notes

    def _settle(self, strides: pd.DataFrame, start: float, newest: float) -> None:
        """Add the strides that have settled and were not counted before."""
        if not len(strides):
            return
        done = strides[(strides.end_s <= newest - SETTLE_S) & (strides.ic_s >= start + EDGE_S)]
        if len(self.strides):
            counted = self.strides.groupby("foot").ic_s.apply(np.asarray).to_dict()
            done = done[[not np.any(np.abs(counted.get(r.foot, np.empty(0)) - r.ic_s) < SAME_STRIDE_S)
                         for r in done.itertuples()]]
        if len(done):
            self.strides = pd.concat([self.strides, done]).sort_values("ic_s").reset_index(drop=True)

    def _figures(self, sag, series: dict, newest: float) -> dict:
        """The newest strides' medians, uncertainties and sure findings."""
        recent = self.strides.tail(RECENT).reset_index(drop=True)
        out = {"t_s": round(newest, 3), "steps": int(len(self.strides)), "strides_used": int(len(recent))}
        if len(recent) < 3:
            return {**out, **dict.fromkeys(LIVE_METRICS), "findings": [], "cues": []}
        remeasure = lambda st: stride_metrics(sag, st[STRIDE_COLUMNS], self.leg_m, self.settings.speed_mps,  # noqa: E731
                                              series, strike=self.kb.cutoffs["foot_strike"])
        spec = self.kb.uncertainty["video"]["events"]
        frame_s = float(np.median(np.diff(sag["time"].values)))
        fresh = recent[recent.ic_s >= float(sag["time"].values[0]) + EDGE_S]  # still inside this window
        unc = {"source": "video", "events": event_parts(fresh, remeasure, spec, list(LIVE_METRICS), frame_s),
               "extras": extra_uncertainty(self.vertical, self.scene, self.leg_m, self.kb)}
        summary, _ = summarise_analysis(recent.drop(columns=["stride_id"], errors="ignore"), self.kb, [], ADVICE,
                                        uncertainty=unc)
        out.update(figures_of(summary, LIVE_METRICS))
        out["cues"] = self._cues(out["findings"], newest)
        return out

    def _cues(self, findings: list[dict], newest: float) -> list[dict]:
        """The cues due now: a sure finding (never a borderline one) held ``CUE_AFTER`` updates in
        a row, each cue at most once every ``CUE_AGAIN_S`` seconds."""
        held = {f["id"] for f in findings}
        self.streaks = {i: self.streaks.get(i, 0) + 1 for i in held}
        due = []
        for fault in self.kb.faults:
            i = fault["id"]
            if self.streaks.get(i, 0) >= CUE_AFTER and newest - self.cued_at.get(i, -np.inf) >= CUE_AGAIN_S:
                self.cued_at[i] = newest
                due.append({"id": i, "say": fault["cue"]})
        return due


def figures_of(summary: dict, names) -> dict:
    """A summary's medians of ``names`` with their uncertainties (None where it has none), and its
    sure findings (high or medium confidence: a borderline one is never shown live)."""
    out = {}
    for name in names:
        m = summary["metrics"].get(name)
        out[name] = None if m is None else m["median"]
        out[f"{name}_uncertainty"] = None if m is None else m.get("uncertainty")
    out["findings"] = [{"id": f["id"], "title": f["title"], "confidence": f["confidence_label"]}
                       for f in summary["faults"] if f["confidence_label"] in ("high", "medium")]
    return out


def _check(name: str, ok: bool, say: str) -> dict:
    return {"check": name, "ok": bool(ok), "say": say}

