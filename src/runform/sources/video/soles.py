"""Where each shoe's sole is in every frame, from the pixels: the contact signal.

The keypoints say which foot and roughly when; the pixels say when the shoe
is down. During the background pass (``background.scan``) a crop around both
feet is kept from every frame, scaled so a leg is about ``CROP_LEG_PX``
pixels, with the same band of ``N_BACKGROUND`` frames spread over the clip;
their per-pixel median is the empty scene (belt or ground) behind the feet.
After cleaning (legs labelled) each foot's shoe is the part of the crop that
differs from that background by more than ``FOREGROUND_LEVEL`` grey levels and
touches the foot's keypoints; its lowest pixel, measured along the floor
line's slope (a belt seen at a slant runs downhill in the picture), in the
heel half and in the toe half of the foot, is the sole's depth. A shoe on the
ground stays at the depth of its contact; ``engine.contacts`` finds when it
gets there and when the toe leaves it.

Only with a still camera (a moving one moves the background under the feet);
otherwise, and where a foot is out of the picture, the keypoints alone time
the contacts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CROP_LEG_PX = 160  # a leg's length in the crops' pixels: the shoe's edge to about 2 mm on a phone clip
MAX_DECODE_SIDE = 1920
N_BACKGROUND = 41
FOREGROUND_LEVEL = 25.0  # grey levels (of 255) from the empty scene: a shoe, not noise or the belt's sheen
FEET = ("ankle", "heel", "foot_index")
CROP_MARGIN_LEG = 0.25  # around both feet's keypoints, for keypoints that are off or relabelled later


@dataclass
class FootCrops:
    """Grey crops around the feet, one per frame (None where no foot was seen), in a common
    frame of ``scale`` x full-size pixels: ``origins[i]`` is crop i's top-left corner there."""

    scale: float
    crops: list
    origins: np.ndarray  # (n, 2) int
    background: np.ndarray | None  # the empty scene over the band every crop lies in
    band_origin: tuple[int, int]
    times: np.ndarray | None = None  # (n,) each frame's time (real time, s)
    repeated: np.ndarray | None = None  # (n,) True where a frame repeats the one before


class CropCollector:
    """Takes the feet's crops from the frames of one decoding pass (``background.scan``)."""

    def __init__(self, xy: np.ndarray, names: list[str], size: tuple[int, int], leg_px: float,
                 repeated: np.ndarray):
        idx = [names.index(f"{s}_{p}") for s in ("left", "right") for p in FEET]
        self.n = len(xy)
        full = max(size)
        self.scale = float(min(1.0, CROP_LEG_PX / leg_px if np.isfinite(leg_px) and leg_px > 0 else 1.0,
                               MAX_DECODE_SIDE / full))
        pad = CROP_MARGIN_LEG * leg_px
        feet = xy[:, idx, :2]
        ok = np.isfinite(feet).all(2).sum(1) >= 4  # most of both feet's keypoints seen
        w, h = round(size[0] * self.scale), round(size[1] * self.scale)
        self.boxes = np.full((self.n, 4), -1, int)
        if ok.any():
            lo, hi = np.nanmin(feet[ok], axis=1) - pad, np.nanmax(feet[ok], axis=1) + pad
            b = np.concatenate([lo * self.scale, hi * self.scale], 1)
            b = np.clip(np.round(b), 0, [w, h, w, h]).astype(int)
            self.boxes[ok] = b
        good = (self.boxes[:, 2] > self.boxes[:, 0] + 4) & (self.boxes[:, 3] > self.boxes[:, 1] + 4)
        self.boxes[~good] = -1
        self.band = (tuple(self.boxes[good, :2].min(0)) + tuple(self.boxes[good, 2:].max(0))) if good.any() else None
        fresh = np.flatnonzero(~repeated)  # the empty scene from new pictures only (repeats are not decoded)
        pick = fresh[np.linspace(0, len(fresh) - 1, min(N_BACKGROUND, len(fresh))).round().astype(int)] \
            if len(fresh) else []
        self.samples_at = set(int(i) for i in pick)
        self.samples: list[np.ndarray] = []
        self.crops: list = [None] * self.n
        self.size = (w, h)

    def side(self, full_side: int) -> int:
        """The decoded frames' long side that gives the crops' scale."""
        return max(1, round(self.scale * full_side))

    def add(self, i: int, gray: np.ndarray) -> None:
        """Frame ``i``'s crop (and band, when it is one of the background's frames); ``gray`` at
        any size, resized to the crops' scale when it is not at it."""
        if self.band is None:
            return
        import cv2

        if (gray.shape[1], gray.shape[0]) != self.size:
            gray = cv2.resize(gray, self.size, interpolation=cv2.INTER_AREA)
        x0, y0, x1, y1 = self.boxes[i]
        if x0 >= 0:
            self.crops[i] = gray[y0:y1, x0:x1].copy()
        if i in self.samples_at:
            bx0, by0, bx1, by1 = self.band
            self.samples.append(gray[by0:by1, bx0:bx1].copy())

    def finish(self, times: np.ndarray, repeated: np.ndarray | None = None) -> FootCrops:
        """The crops at the frames' ``times``, with the empty scene from the band's frames (None
        from fewer than five)."""
        bg = np.median(np.stack(self.samples), axis=0).astype(np.float32) if len(self.samples) >= 5 else None
        origin = tuple(self.band[:2]) if self.band is not None else (0, 0)
        return FootCrops(self.scale, self.crops, self.boxes[:, :2].copy(), bg, origin, np.asarray(times, float),
                         repeated)


def sole_depths(crops: FootCrops, xy: np.ndarray, names: list[str], floor_slope: float,
                leg_px: float) -> dict[str, np.ndarray]:
    """Per foot, (n, 2): the lowest shoe pixel's depth in the heel half and in the toe half, in
    full-size pixels along the floor line (y - slope x, y down; NaN where not seen). ``xy`` are
    the cleaned keypoints (full-size pixels, legs labelled), ``floor_slope`` dy/dx of the floor."""
    out = {}
    for side in ("left", "right"):
        idx = [names.index(f"{side}_{p}") for p in FEET]
        out[side] = np.array([_depths(crops, i, xy[i, idx], floor_slope, leg_px) for i in range(len(xy))])
    return out


def _depths(crops: FootCrops, i: int, foot: np.ndarray, slope: float, leg_px: float) -> tuple[float, float]:
    """One foot in one frame: (heel half, toe half) depths."""
    import cv2

    crop = crops.crops[i] if i < len(crops.crops) else None
    if crop is None or crops.background is None or not np.isfinite(foot).all():
        return (np.nan, np.nan)
    s, (ox, oy) = crops.scale, crops.origins[i]
    bx, by = ox - crops.band_origin[0], oy - crops.band_origin[1]
    bg = crops.background[by:by + crop.shape[0], bx:bx + crop.shape[1]]
    if bg.shape != crop.shape:
        return (np.nan, np.nan)
    p = foot * s - [ox, oy]  # the foot's keypoints in the crop
    near = 0.05 * leg_px * s
    x0, x1 = int(max(0, p[:, 0].min() - 2.4 * near)), int(min(crop.shape[1], p[:, 0].max() + 2.4 * near + 1))
    y0, y1 = int(max(0, p[0, 1] - near)), int(min(crop.shape[0], p[:, 1].max() + 4 * near + 1))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return (np.nan, np.nan)
    mask = (np.abs(crop[y0:y1, x0:x1].astype(np.float32) - bg[y0:y1, x0:x1]) > FOREGROUND_LEVEL).astype(np.uint8)
    n, lab = cv2.connectedComponents(mask, connectivity=8)
    kx0, kx1 = int(max(0, p[:, 0].min() - near - x0)), int(p[:, 0].max() + near - x0 + 1)
    ky0, ky1 = int(max(0, p[:, 1].min() - near - y0)), int(p[:, 1].max() + near - y0 + 1)
    keep = np.unique(lab[ky0:ky1, kx0:kx1])
    keep = keep[keep > 0]
    if not len(keep):
        return (np.nan, np.nan)
    yy, xx = np.nonzero(np.isin(lab, keep))
    fx, fy = (xx + x0 + ox) / s, (yy + y0 + oy) / s  # full-size pixels
    depth = fy - slope * fx
    mid = 0.5 * (foot[1, 0] + foot[2, 0])  # between heel and toe
    heel_side = (fx - mid) * np.sign(foot[1, 0] - foot[2, 0]) >= 0
    part = lambda m: float(depth[m].max()) if m.any() else np.nan  # noqa: E731
    return (part(heel_side), part(~heel_side))
