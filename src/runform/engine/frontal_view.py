"""A front or back view in the picture -> the runner's frontal plane and foot contacts.

* **Which view, and which side is which.** The face's points (nose, eyes) are found from the
  front and not from behind. From behind the runner's left is image-left; from the front it is
  image-right. The pose tool's own left/right labels are not trusted: they are set once per clip
  from the hips' order in the picture.
* **Frontal plane.** x towards the runner's right (a back view as seen, a front view
  mirrored), y up, in metres at the runner's depth: the scale is the leg's image length
  (thigh + shank, the longest each is seen over about a stride, when it is square to the
  camera) against the leg length from the height (``body.py``). It follows the runner's
  distance frame by frame, so a runner coming towards the camera keeps true widths.
* **Contacts (treadmill).** A foot on the belt travels in depth, so its height in the picture
  mixes how high it is with how far away. One event of each contact is a sharp corner: from the
  front the heel is lowest in the picture at initial contact (it landed and now goes away); from
  behind the toe is lowest at toe-off (it came nearer all stance, now it lifts). The other event
  has no corner of its own, so it is timed from a landmark of the swing with a lead or lag fitted
  on the 8 Hamner treadmill trials and checked on the 3 Fukuchi ones (docs/validation.md). From
  behind, initial contact is ``BACK_IC_LEAD_S`` after the toe is highest in the picture (the
  foot farthest away, toes up, just before it lands); from the front, toe-off is
  ``FRONT_TO_LAG_S`` before the toe is highest in the picture (lifted and still far away). Overground (the runner coming towards or going away
  from the camera) the rules are not validated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import NotAnalysableError
from .dsp import lowpass, peaks

SIDES = ("left", "right")
FACE = ("nose", "left_eye", "right_eye")
FACE_FOUND = 0.3  # mean face-point confidence above which the face is seen (a front view)
SMOOTH_HZ = 8.0  # low-pass of the feet's image tracks before their events are timed
KEYPOINT_HZ = 4.0  # low-pass of the keypoints before the per-stride metrics (keeps the stride's first two harmonics)
MIN_CONTACT_S, MAX_CONTACT_S = 0.08, 0.45
MIN_STRIDE_S = 0.45  # two contacts of one foot are at least this far apart
CORNER_PROMINENCE_LEGS = 0.03  # the sharp event's corner stands out of the track by this much
BACK_IC_LEAD_S = 0.037  # from behind: the toe is highest this long before the foot lands (fitted)
FRONT_TO_LAG_S = 0.152  # from the front: the toe is highest this long after it leaves (fitted)


def which_view(pos: np.ndarray, conf: np.ndarray, names: list[str]) -> str:
    """'front' when the face's points are found, else 'back'."""
    idx = [names.index(n) for n in FACE if n in names]
    seen = float(np.mean(conf[:, idx])) if idx else 0.0
    return "front" if seen > FACE_FOUND else "back"


def relabel(pos: np.ndarray, conf: np.ndarray, names: list[str], view: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """Left and right labels set from the hips' order in the picture (runner's left image-left
    from behind, image-right from the front); True when the tool's labels were swapped."""
    li, ri = names.index("left_hip"), names.index("right_hip")
    left_is_image_left = float(np.nanmedian(pos[:, li, 0] - pos[:, ri, 0])) < 0
    if left_is_image_left == (view == "back"):
        return pos, conf, False
    order = [names.index(_mirror(n)) if _mirror(n) in names else j for j, n in enumerate(names)]
    return pos[:, order], conf[:, order], True


def _mirror(name: str) -> str:
    if name.startswith("left_"):
        return "right_" + name[5:]
    return "left_" + name[6:] if name.startswith("right_") else name


def leg_scale_px(t: np.ndarray, pos: np.ndarray, names: list[str], window_s: float = 0.8) -> np.ndarray:
    """Per frame, the leg's image length in px (thigh + shank, each the 90th percentile of its
    length over ``window_s`` around the frame, the two legs averaged)."""
    fps = 1.0 / float(np.median(np.diff(t)))
    half = max(2, int(round(window_s * fps / 2)))
    legs = []
    for s in SIDES:
        seg = [np.linalg.norm(pos[:, names.index(f"{s}_{a}")] - pos[:, names.index(f"{s}_{b}")], axis=1)
               for a, b in (("hip", "knee"), ("knee", "ankle"))]
        legs.append(sum(_rolling_p90(x, half) for x in seg))
    return np.nanmean(legs, axis=0)


def _rolling_p90(x: np.ndarray, half: int) -> np.ndarray:
    out = np.full(len(x), np.nan)
    for i in range(len(x)):
        w = x[max(0, i - half):i + half + 1]
        if np.isfinite(w).sum() >= 3:
            out[i] = np.nanpercentile(w, 90)
    return out


def to_frontal(pos: np.ndarray, names: list[str], view: str, px_per_m: np.ndarray) -> dict[str, np.ndarray]:
    """Keypoints in the frontal plane (metres at the runner's depth; x to the runner's right,
    y up), centred on the clip's median mid-hip."""
    mirror = 1.0 if view == "back" else -1.0
    hip = 0.5 * (pos[:, names.index("left_hip")] + pos[:, names.index("right_hip")])
    centre = np.nanmedian(hip, axis=0)
    s = px_per_m[:, None]
    return {n: np.stack([mirror * (pos[:, j, 0] - centre[0]), -(pos[:, j, 1] - centre[1])], axis=1) / s
            for j, n in enumerate(names)}


def frontal_contacts(t: np.ndarray, pos: np.ndarray, names: list[str], px_per_leg: np.ndarray,
                     view: str) -> pd.DataFrame:
    """Initial contacts and toe-offs of both feet (foot, ic_s, to_s), by the rules above."""
    fps = 1.0 / float(np.median(np.diff(t)))
    tracks = {s: {p: _track(t, pos[:, names.index(f"{s}_{p}"), 1] / px_per_leg, fps) for p in ("heel", "foot_index")}
              for s in SIDES}
    sharp = "heel" if view == "front" else "foot_index"
    corners = {s: [_peak_time(t, tracks[s][sharp], i) for i in
                   peaks(tracks[s][sharp], int(MIN_STRIDE_S * fps), CORNER_PROMINENCE_LEGS)] for s in SIDES}
    rows = []
    for s, other in (("left", "right"), ("right", "left")):
        toe = tracks[s]["foot_index"]
        for c in corners[s]:
            if view == "front":
                nxt = [x for x in corners[s] if x > c + MIN_CONTACT_S]
                hi = min(nxt[0] - MIN_CONTACT_S if nxt else np.inf, c + MAX_CONTACT_S + FRONT_TO_LAG_S)
                rows.append((s, c, _highest(t, toe, c + MIN_CONTACT_S + FRONT_TO_LAG_S, hi) - FRONT_TO_LAG_S))
            else:
                prev = [x for x in corners[other] if x < c - MIN_CONTACT_S]
                ic = _highest(t, toe, max(prev[-1] if prev else -np.inf, c - MAX_CONTACT_S - BACK_IC_LEAD_S),
                              c - MIN_CONTACT_S - BACK_IC_LEAD_S) + BACK_IC_LEAD_S
                rows.append((s, ic, c))
    ev = pd.DataFrame(rows, columns=["foot", "ic_s", "to_s"]).dropna()
    return ev.sort_values("ic_s", ignore_index=True)


def _track(t: np.ndarray, y: np.ndarray, fps: float) -> np.ndarray:
    """A keypoint's image height (leg lengths, down +), gaps filled, low-passed."""
    return _filled_lowpass(t, y, SMOOTH_HZ, fps)


def _filled_lowpass(t: np.ndarray, x: np.ndarray, hz: float, fps: float) -> np.ndarray:
    """``x`` with its gaps filled linearly, low-passed at ``hz`` (NaN when never seen)."""
    ok = np.isfinite(x)
    if ok.sum() < 2:
        return np.full(len(x), np.nan)
    return lowpass(np.interp(t, t[ok], x[ok]), hz, fps)


def _peak_time(t: np.ndarray, y: np.ndarray, i: int) -> float:
    """The time of the extremum at frame ``i``, between frames by a parabola through three."""
    if not 0 < i < len(y) - 1:
        return float(t[i])
    a, b, c = y[i - 1], y[i], y[i + 1]
    d = a - 2 * b + c
    return float(t[i] + (0.5 * (a - c) / d if d else 0.0) * (t[1] - t[0]))


def _highest(t: np.ndarray, y: np.ndarray, lo: float, hi: float) -> float:
    """When ``y`` (down +) is least in [lo, hi] (NaN when the window holds under 3 frames)."""
    w = np.flatnonzero((t >= lo) & (t <= hi))
    return _peak_time(t, -y, w[np.argmin(y[w])]) if len(w) >= 3 else np.nan


@dataclass
class FrontalGait:
    """One front or back clip's geometry and events (what the frontal analysis is built on)."""

    view: str  # 'front' or 'back'
    labels_swapped: bool  # the pose tool's left/right were the wrong way round
    keypoints: dict[str, np.ndarray]  # frontal plane, metres (``to_frontal``), low-passed
    confidence: dict[str, np.ndarray]
    px_per_m: np.ndarray  # per frame
    events: pd.DataFrame  # foot, ic_s, to_s
    depth_change_pct: float  # the runner's image size, last second against the first (+ coming nearer)


def frontal_gait(t: np.ndarray, pos: np.ndarray, conf: np.ndarray, names: list[str], leg_m: float,
                 view: str | None = None) -> FrontalGait:
    """The view (found when not given), sides set from it, the frontal plane and the contacts."""
    view = view or which_view(pos, conf, names)
    pos, conf, swapped = relabel(pos, conf, names, view)
    legpx = leg_scale_px(t, pos, names)
    seen = np.isfinite(legpx)
    if seen.sum() < max(10, 0.5 * len(t)):
        raise NotAnalysableError(f"The legs (hips, knees and ankles) were found in only {int(seen.sum())} of the "
                                 f"{len(t)} frames of this {view} view.",
                                 "Film the whole body, feet included, from 3-5 m, in good light.")
    legpx = np.interp(t, t[seen], legpx[seen])
    events = frontal_contacts(t, pos, names, legpx, view)
    change = 100.0 * (np.median(legpx[t >= t[-1] - 1.0]) / np.median(legpx[t <= t[0] + 1.0]) - 1.0)
    fps = 1.0 / float(np.median(np.diff(t)))
    smooth = np.stack([np.stack([_filled_lowpass(t, pos[:, j, k], KEYPOINT_HZ, fps) for k in range(2)], axis=1)
                       for j in range(len(names))], axis=1)
    return FrontalGait(view, swapped, to_frontal(smooth, names, view, legpx / leg_m),
                       {n: conf[:, j] for j, n in enumerate(names)}, legpx / leg_m, events, float(change))


def foot_travel_legs(pos: np.ndarray, names: list[str]) -> float:
    """How far the ankles travel across the picture relative to the mid-hip (5th-95th
    percentile, in leg lengths, the two feet averaged): about 1 or more from the side, where the
    feet swing fore and aft, and a few tenths from the front or back."""
    hip = 0.5 * (pos[:, names.index("left_hip"), 0] + pos[:, names.index("right_hip"), 0])
    leg = np.nanmedian([np.linalg.norm(pos[:, names.index(f"{s}_hip")] - pos[:, names.index(f"{s}_ankle")], axis=1)
                        for s in SIDES])
    travel = [np.subtract(*np.nanpercentile(pos[:, names.index(f"{s}_ankle"), 0] - hip, [95, 5])) for s in SIDES]
    return float(np.mean(travel) / leg)
