"""Initial contact and toe-off from foot kinematics, to sub-frame precision.

Initial contact (IC) - pelvis-relative foot reach: each stride the foot
reaches its most anterior position relative to the mid-hip shortly before it
lands (late-swing retraction), the running form of Zeni et al. 2008 (Gait
Posture 27:710). The peak of the foot centre's (mean of ankle, heel and toe)
forward position relative to the mid-hip is located to sub-frame precision
by parabolic interpolation, and IC = peak + ``ic_delay_s``. A peak of a large,
smooth excursion is robust to keypoint noise, unlike a height threshold on a
foot that skims the floor before it lands.

With precise 3D markers (the lab path passes them unfiltered as ``ankle_motion``),
IC is instead the ankle's fastest descent plus ``ankle_descent_offset_s``, searched
from 30 ms before to 100 ms after the reach peak (``ankle_descent_window_s``): the foot's fall stops at contact
whatever the runner's swing, while the delay from peak reach to contact varies
between runners (25-34 ms on the treadmill runners, 48 ms on the overground one,
who pulls the foot back hard before landing). Keypoint noise makes the ankle's
speed too rough for this on video, which keeps the reach rule.

Toe-off (TO) - toe clearance: the toe keypoint's last upward crossing of
its stance level plus a clearance before it rises clearly into swing,
linearly interpolated between frames. The stance level is the toe's median
height 70-140 ms after IC (down for every strike pattern). The toe is higher
at toe-off the faster the runner (the foot rolls over the toes faster), so
the clearance is ``to_clearance_s`` x running speed, the speed being the
foot's backward speed relative to the hips in early stance (treadmill and
overground alike), and at least ``min_clearance_leg`` leg lengths.

From the pixels (video with a still camera): ``soles`` gives each foot's sole
depth per frame (``soles["time"]``: the frames' times) (``sources/video/soles.py``: the shoe's lowest edge along the
floor line, leg lengths, down positive). The keypoints still say which foot
and roughly when; the sole says exactly when. Per candidate, the contact's
level is the sole's depth in early stance (two thirds of the way down its
frames in ``sole_level_window_s`` after the keypoint IC: the second of four); the foot is down while its
lowest edge is within ``sole_contact_leg`` of that level. IC = the crossing of
that line into the run of frames down that holds the early-stance frames (searched from
``sole_search_s`` before the keypoint IC on), TO
= the toe half's crossing out of it, both linearly interpolated between the
frames either side; one frame up inside the run (the other leg passing in
front) does not end it. Then once more with the contact's drift taken out:
a stance foot carried back by a belt seen at a slant (or a floor line read a
few degrees off) sinks or rises in the picture at a steady rate, the slope of
the lowest edge over the contact's frames (Theil-Sen), which would otherwise
move the toe-off with the floor line's estimate. A contact whose sole is not seen landing or leaving (out of
the picture, hidden for longer than ``sole_max_gap_s``) keeps the keypoints'
event, and ``timed_by`` says which. ``sole_contact_leg`` (0.03 leg lengths,
about 9 px on the bundled sample) was chosen on the bundled sample's annotated
frames; ANNOTATIONS.md's field clip and docs/validation.md check it elsewhere.

Every candidate is kept in ``contacts_`` with its toe-off (NaN when none was
found, as at the clip's end), how it was found, and the median confidence of
the foot's keypoints around it; ``events_`` holds the ones strides are built
from: a toe-off found and the foot clearly seen (confidence at least
``min_foot_confidence``, over ``confidence_window_s`` around the IC; a pose model's invented foot, as behind an obstacle,
reads 0.3-0.4 while a seen far foot reads 0.65-0.9 on the bundled sample).
Feet alternate: when one foot lands twice with no contact of the other between,
the other foot's reach is searched again there with ``second_look_prominence`` of the
prominence (a second look) before the stride is given up.

``ic_delay_s`` (29 ms), ``ankle_descent_offset_s`` (-10.5 ms) and
``to_clearance_s`` (6 ms) were set on the eight Hamner & Delp 2013 treadmill
trials (2-5 m/s, force-plate truth); the Fukuchi et al. 2017 trials and the
overground Dorn et al. 2012 trial played no part in setting them
(docs/validation.md gives all).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from .algorithm import Algorithm
from .dataset import point
from .dsp import peaks, theil_sen_slope


SOLE_LEVEL_PERCENTILE = 67  # the contact's level: deep, yet not the deepest frame's noise (the second of four)


@dataclass(kw_only=True)
class ContactDetector(Algorithm):
    """Detect each foot's ground contacts; results in ``events_`` (one row per contact) and
    ``reach_`` (each foot's reach ahead of the mid-hip, per frame).

    Parameters (besides those above): ``min_stride_s`` and ``min_reach_leg``, the shortest
    stride and the smallest reach peak (leg lengths) that count; ``max_contact_s``, the longest
    stance searched for toe-off; ``stance_speed_window_s``, after IC, where the foot's backward
    speed gives the running speed; ``toe_floor_window_s``, after IC, where the toe's stance
    level is read; ``toe_rise_leg``, how far above that level (leg lengths) the toe must rise
    to be in swing.
    """

    # initial contact
    ic_delay_s: float = 0.029
    ankle_descent_offset_s: float = -0.0105
    ankle_descent_window_s: tuple[float, float] = (-0.03, 0.10)
    min_stride_s: float = 0.45
    min_reach_leg: float = 0.15
    # toe-off: the clearance scales with the running speed read in early stance
    to_clearance_s: float = 0.006
    stance_speed_window_s: tuple[float, float] = (0.03, 0.12)
    min_clearance_leg: float = 0.01
    max_contact_s: float = 0.6
    toe_floor_window_s: tuple[float, float] = (0.07, 0.14)
    toe_rise_leg: float = 0.05
    # which candidates count, and the second look for a missing alternate contact
    min_foot_confidence: float = 0.5
    confidence_window_s: tuple[float, float] = (-0.15, 0.1)
    second_look_prominence: float = 0.5
    # from the pixels: the sole's depth (soles)
    sole_contact_leg: float = 0.03
    sole_level_window_s: tuple[float, float] = (0.05, 0.15)
    sole_search_s: float = 0.15
    sole_max_gap_s: float = 0.1

    def detect(self, motion: xr.Dataset, leg_length_m: float, ankle_motion: xr.Dataset | None = None,
               soles: dict[str, np.ndarray] | None = None) -> "ContactDetector":
        t = motion["time"].values
        feet = {side: _foot(motion, side) for side in ("left", "right")}
        hip_x = point(motion, "mid_hip")[:, 0]
        self.reach_ = {side: foot["centre"][:, 0] - hip_x for side, foot in feet.items()}
        self.ankle_fall_ = None if ankle_motion is None else {
            side: -np.gradient(_fill(point(ankle_motion, f"{side}_ankle")[:, 1]), t) for side in ("left", "right")}
        rows: list[dict] = []
        for side in ("left", "right"):
            ics = self._reach_ics(t, self.reach_[side], self.min_reach_leg * leg_length_m)
            ics = self._ankle_descent_ics(t, side, ics)
            rows += [self._contact(t, feet[side], side, ic, "first pass", leg_length_m, ics) for ic in ics]
        rows += self._second_look(t, feet, rows, leg_length_m)
        for r in rows:
            r.update(self._from_soles(soles, r) if soles else {"timed_by": "keypoints"})
        cols = ["foot", "ic_s", "to_s", "found", "foot_confidence", "timed_by"]
        found = pd.DataFrame(rows, columns=cols).astype({"ic_s": float, "to_s": float, "foot_confidence": float})
        self.contacts_ = found.sort_values("ic_s").reset_index(drop=True)
        c = self.contacts_
        use = np.isfinite(c.to_s) & ~(c.foot_confidence < self.min_foot_confidence)
        self.events_ = c.loc[use, ["foot", "ic_s", "to_s"]].reset_index(drop=True)
        return self

    def _reach_ics(self, t: np.ndarray, reach: np.ndarray, prominence: float,
                   span: tuple[float, float] | None = None) -> list[float]:
        """Initial contacts from the peaks of one foot's reach (within ``span`` when given)."""
        dt = float(np.median(np.diff(t)))
        filled = _fill(reach)
        found = peaks(filled, distance=max(1, int(self.min_stride_s / dt)), prominence=prominence)
        ics = [_parabolic_peak_time(t, filled, p) + self.ic_delay_s for p in found
               if 0 < p < len(t) - 1 and np.isfinite(reach[p - 1 : p + 2]).all()]
        return [ic for ic in ics if span is None or span[0] < ic < span[1]]

    def _ankle_descent_ics(self, t: np.ndarray, side: str, ics: list[float]) -> list[float]:
        """Each reach-found contact moved to the ankle's fastest descent near it (markers only)."""
        if self.ankle_fall_ is None:
            return ics
        fall, out = self.ankle_fall_[side], []
        for ic in ics:
            peak = ic - self.ic_delay_s
            lo, hi = self.ankle_descent_window_s
            w = np.flatnonzero((t >= peak + lo) & (t <= peak + hi))
            i = w[np.argmax(fall[w])] if len(w) >= 3 else -1
            inside = 0 < i < len(t) - 1 and i not in (w[0], w[-1])
            out.append(_parabolic_peak_time(t, fall, i) + self.ankle_descent_offset_s if inside else ic)
        return out

    def _contact(self, t: np.ndarray, foot: dict, side: str, ic: float, found: str, leg_length_m: float,
                 stride_ics: list[float]) -> dict:
        """One candidate: its toe-off (speed-scaled toe clearance) and the foot's confidence."""
        speed = _stance_speed(t, foot["reach"], stride_ics, self.stance_speed_window_s)
        clear = max(self.to_clearance_s * speed, self.min_clearance_leg * leg_length_m)
        level = _toe_floor(t, foot["toe_y"], ic, self.toe_floor_window_s) + clear
        to = _toe_off(t, foot["toe_y"], ic, level, self.max_contact_s, self.toe_rise_leg * leg_length_m)
        w = (t >= ic + self.confidence_window_s[0]) & (t <= ic + self.confidence_window_s[1])
        conf = float(np.nanmedian(foot["confidence"][w])) if w.any() else float("nan")
        return {"foot": side, "ic_s": ic, "to_s": to, "found": found, "foot_confidence": conf}

    def _from_soles(self, soles: dict[str, np.ndarray], row: dict) -> dict:
        """One candidate's IC and TO from its foot's sole depth (heel half, toe half), where the
        sole is seen landing and leaving; otherwise the keypoints' events."""
        t = soles["time"]  # the frames' own times
        heel, toe = soles[row["foot"]][:, 0], soles[row["foot"]][:, 1]
        low = np.fmax(heel, toe)
        span = (t >= row["ic_s"] - self.sole_search_s) & (t <= row["ic_s"] + self.max_contact_s + 0.1)
        w0, w1 = (row["ic_s"] + x for x in self.sole_level_window_s)
        ic, to = self._sole_events(t, low, toe, span, (w0, w1))
        if np.isfinite(ic) and np.isfinite(to):  # again with the contact's drift along the floor taken out
            down = np.flatnonzero((t >= ic) & (t <= to) & np.isfinite(low))
            if len(down) >= 4:
                drift = theil_sen_slope(t[down], low[down]) * (t - ic)
                ic, to = self._sole_events(t, low - drift, toe - drift, span, (w0, w1))
        out = {"ic_s": ic if np.isfinite(ic) else row["ic_s"], "to_s": to if np.isfinite(to) else row["to_s"]}
        out["timed_by"] = {2: "pixels", 1: "pixels and keypoints", 0: "keypoints"}[np.isfinite([ic, to]).sum()]
        return out

    def _sole_events(self, t: np.ndarray, low: np.ndarray, toe: np.ndarray, span: np.ndarray,
                     early: tuple[float, float]) -> tuple[float, float]:
        """(IC, TO) where the lowest edge reaches, and the toe half leaves, the band
        ``sole_contact_leg`` above the contact's early-stance level; NaN where not seen."""
        level = low[span & (t >= early[0]) & (t <= early[1]) & np.isfinite(low)]
        if len(level) < 2:
            return float("nan"), float("nan")
        line = float(np.percentile(level, SOLE_LEVEL_PERCENTILE)) - self.sole_contact_leg
        return (self._crossing(t, low, line, np.flatnonzero(span & np.isfinite(low)), early, back=True),
                self._crossing(t, toe, line, np.flatnonzero(span & np.isfinite(toe)), early, back=False))

    def _crossing(self, t: np.ndarray, depth: np.ndarray, line: float, frames: np.ndarray,
                  early: tuple[float, float], back: bool) -> float:
        """Where ``depth`` crosses ``line`` at the end of the run of frames below it (down) that
        holds the first early-stance frame down: the run's start (``back``) or its end; NaN when
        the run reaches the searched span's edge or the frames either side are too far apart."""
        down = depth[frames] >= line
        inside = np.flatnonzero(down & (t[frames] >= early[0]) & (t[frames] <= early[1]))
        if not len(inside):
            return float("nan")
        k, step = inside[0], (-1 if back else 1)
        while 0 <= k + step < len(frames):
            if down[k + step]:
                k += step
            elif (0 <= k + 2 * step < len(frames) and down[k + 2 * step]
                  and abs(t[frames[k + 2 * step]] - t[frames[k]]) <= self.sole_max_gap_s):
                k += 2 * step  # one frame up inside the run: the sole partly hidden (the other leg passing)
            else:
                break
        if not 0 <= k + step < len(frames):
            return float("nan")
        a, b = frames[k + step], frames[k]  # a: up, b: down
        if abs(t[b] - t[a]) > self.sole_max_gap_s:
            return float("nan")
        f = (line - depth[a]) / (depth[b] - depth[a]) if depth[b] != depth[a] else 0.5
        return float(t[a] + f * (t[b] - t[a]))

    def _second_look(self, t: np.ndarray, feet: dict, rows: list[dict], leg_length_m: float) -> list[dict]:
        """A contact of the other foot searched with half the prominence wherever one foot lands
        twice with none of the other between (the middle 60 % of that interval)."""
        seq = sorted(rows, key=lambda r: r["ic_s"])
        extra = []
        for a, b in zip(seq, seq[1:]):
            gap = b["ic_s"] - a["ic_s"]
            if a["foot"] != b["foot"] or not self.min_stride_s <= gap <= 2.0:
                continue
            other = "right" if a["foot"] == "left" else "left"
            span = (a["ic_s"] + 0.2 * gap, b["ic_s"] - 0.2 * gap)
            prom = self.second_look_prominence * self.min_reach_leg * leg_length_m
            own = [r["ic_s"] for r in rows if r["foot"] == other]
            for ic in self._ankle_descent_ics(t, other, self._reach_ics(t, self.reach_[other], prom, span)[:1]):
                extra.append(self._contact(t, feet[other], other, ic, "second look", leg_length_m, own))
        return extra


def _foot(motion: xr.Dataset, side: str) -> dict:
    """One foot's centre (mean of ankle, heel and toe: (time, 2)), its reach ahead of the mid-hip,
    the toe's height and the median confidence of the three keypoints per frame."""
    names = [f"{side}_{p}" for p in ("ankle", "heel", "foot_index")]
    parts = [point(motion, n) for n in names]
    centre = np.nanmean(np.stack(parts), axis=0)
    conf = (np.median(motion["confidence"].sel(keypoint=names).values, axis=1)
            if "confidence" in motion else np.ones(len(centre)))
    return {"centre": centre, "reach": centre[:, 0] - point(motion, "mid_hip")[:, 0],
            "toe_y": parts[2][:, 1], "confidence": conf}


def _stance_speed(t: np.ndarray, reach: np.ndarray, ics: list[float], window: tuple[float, float]) -> float:
    """Running speed (m/s) from the foot's backward speed relative to the hips in early-to-mid
    stance (the foot is fixed to the ground, the body moves over it): treadmill and overground."""
    v = -np.gradient(reach, t)
    vals = [np.nanmedian(v[(t >= ic + window[0]) & (t <= ic + window[1])]) for ic in ics]
    vals = [x for x in vals if np.isfinite(x)]
    return float(np.median(vals)) if vals else float("nan")


def _fill(x: np.ndarray) -> np.ndarray:
    ok = np.isfinite(x)
    if ok.sum() < 2:
        return np.zeros_like(x)
    idx = np.arange(len(x))
    return np.interp(idx, idx[ok], x[ok])


def _parabolic_peak_time(t: np.ndarray, y: np.ndarray, i: int) -> float:
    y0, y1, y2 = y[i - 1], y[i], y[i + 1]
    den = y0 - 2 * y1 + y2
    off = 0.5 * (y0 - y2) / den if den != 0 else 0.0
    off = float(np.clip(off, -0.5, 0.5))
    return float(t[i] + off * (t[i + 1] - t[i - 1]) / 2)


def _toe_floor(t, toe, ic, window: tuple[float, float]) -> float:
    """The toe's level in early-to-mid stance (it is down then for every strike pattern at
    running speeds: contact lasts >= 0.18 s up to 5 m/s); a median, so noise does not bias it."""
    sel = (t >= ic + window[0]) & (t <= ic + window[1]) & np.isfinite(toe)
    return float(np.median(toe[sel])) if sel.sum() >= 1 else float("nan")


def _toe_off(t, toe, ic, level, max_contact_s, rise_m) -> float:
    """Toe-off: the last upward crossing of ``level`` before the toe rises ``rise_m`` above it.

    Searching back from the clear rise into swing keeps keypoint noise in
    mid-stance from producing an early toe-off.
    """
    idx = np.flatnonzero((t >= ic) & (t <= ic + max_contact_s + 0.1))
    if len(idx) < 3 or not np.isfinite(level):
        return float("nan")
    seg = toe[idx]
    below = np.flatnonzero(seg < level)
    if not len(below):
        return float("nan")
    high = np.flatnonzero((np.arange(len(seg)) > below[0]) & (seg > level + rise_m))
    if not len(high):
        return float("nan")
    k = high[0]
    while k > 0 and not (seg[k - 1] < level):
        k -= 1
    if k == 0:
        return float("nan")
    a, b = seg[k - 1], seg[k]
    f = (level - a) / (b - a) if b != a else 0.0
    return float(t[idx[k - 1]] + f * (t[idx[k]] - t[idx[k - 1]]))
