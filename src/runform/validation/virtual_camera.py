"""A virtual phone camera beside the treadmill: 3D keypoints -> a side-view pose track.

The lab trial's keypoints are projected orthographically onto the sagittal
plane (forward, up), rolled by ``roll_deg`` like a camera that is not level,
scaled to pixels, sampled at a phone frame rate and degraded like a pose
estimator: white Gaussian noise of ``noise_m`` per coordinate (default 1.5 cm,
the order of the 2D keypoint error of single-camera pose estimators against
markers in running, e.g. Needham et al. 2021, Sci Rep 11:20673) and blocks of
frames where the two legs' labels are swapped (the far-leg errors of side
views). The result is a motion dataset in image pixels, exactly what the
video path produces. ``perspective_view`` is the same runner seen by a pinhole
camera that may be turned round the runner (the treadmill seen at a slant),
raised and rolled: what a phone on a tripod beside a treadmill sees.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..engine.dataset import make_motion

LEG = ("knee", "ankle", "heel", "foot_index")


def side_view(kp_mm: dict[str, np.ndarray], times_s: np.ndarray, forward: np.ndarray, up: np.ndarray,
              *, fps: float = 60.0, noise_m: float = 0.015, roll_deg: float = 3.0, facing: int = -1,
              px_per_m: float = 800.0, swap_rate_hz: float = 0.5, seed: int = 0) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    names = sorted(kp_mm)
    frame_t = np.arange(times_s[0], times_s[-1], 1.0 / fps)
    pos = np.empty((len(frame_t), len(names), 2))
    for j, n in enumerate(names):
        p = kp_mm[n] / 1000.0
        f, u = p @ forward, p @ up
        ok = np.isfinite(f) & np.isfinite(u)
        pos[:, j, 0] = np.interp(frame_t, times_s[ok], f[ok]) * facing
        pos[:, j, 1] = np.interp(frame_t, times_s[ok], u[ok])
    pos += rng.normal(0.0, noise_m, pos.shape)
    th = np.radians(roll_deg)
    rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    pos = pos @ rot.T
    px = np.empty_like(pos)
    px[..., 0] = 960 + (pos[..., 0] - np.nanmedian(pos[..., 0])) * px_per_m
    px[..., 1] = 1000 - pos[..., 1] * px_per_m
    conf = np.full(px.shape[:2], 0.95)
    n_swapped = _swap_legs(px, names, rng, fps, swap_rate_hz)
    return make_motion(frame_t, px, conf, names, source="virtual-camera", space_unit="px",
                       vertical_up=False, injected_swaps=n_swapped, noise_m=noise_m)


def _swap_legs(px: np.ndarray, names: list[str], rng, fps: float, swap_rate_hz: float) -> int:
    """Swap the legs' labels in blocks of 1-3 frames at ``swap_rate_hz``; the frames swapped."""
    n_swapped = 0
    if swap_rate_hz > 0:
        starts = np.flatnonzero(rng.random(len(px)) < swap_rate_hz / fps)
        for s in starts:
            e = min(len(px), s + int(rng.integers(1, 4)))
            for part in LEG:
                if f"left_{part}" in names:
                    li, ri = names.index(f"left_{part}"), names.index(f"right_{part}")
                    px[s:e, [li, ri]] = px[s:e, [ri, li]]
            n_swapped += e - s
    return n_swapped


def perspective_view(kp_mm: dict[str, np.ndarray], times_s: np.ndarray, forward: np.ndarray, up: np.ndarray,
                     *, yaw_deg: float = 0.0, pitch_deg: float = 0.0, roll_deg: float = 0.0,
                     distance_m: float = 4.0, focal_px: float = 1400.0, fps: float = 60.0, noise_m: float = 0.015,
                     swap_rate_hz: float = 0.5, seed: int = 0) -> tuple[xr.Dataset, float]:
    """A pinhole camera ``distance_m`` from the runner on their left (runner facing image-left),
    moved round the runner by ``yaw_deg`` (the treadmill then seen at a slant) and raised by
    ``pitch_deg`` (looking down), both still aimed at the mid-hip, then rolled by ``roll_deg``
    about its axis. Returns the pose track in pixels (1920 x 1080 frame, noise as in
    ``side_view`` at the camera's scale) and true vertical at the hips in the picture (deg, + =
    top towards image-right), what the scene's edges would give."""
    rng = np.random.default_rng(seed)
    names = sorted(kp_mm)
    frame_t = np.arange(times_s[0], times_s[-1], 1.0 / fps)
    world = np.stack([_resampled(kp_mm[n] / 1000.0, times_s, frame_t) for n in names], axis=1)
    hip = np.nanmedian(0.5 * (world[:, names.index("left_hip")] + world[:, names.index("right_hip")]), axis=0)
    right, down, axis, centre = _camera(hip, forward, up, distance_m, yaw_deg, pitch_deg, roll_deg)
    px = _project(world, right, down, axis, centre, focal_px)
    px += rng.normal(0.0, noise_m * focal_px / distance_m, px.shape)
    top = _project((hip + 0.5 * up)[None, None], right, down, axis, centre, focal_px)[0, 0]
    low = _project(hip[None, None], right, down, axis, centre, focal_px)[0, 0]
    vertical_deg = float(np.degrees(np.arctan2(top[0] - low[0], low[1] - top[1])))
    conf = np.full(px.shape[:2], 0.95)
    n_swapped = _swap_legs(px, names, rng, fps, swap_rate_hz)
    motion = make_motion(frame_t, px, conf, names, source="virtual-camera", space_unit="px", vertical_up=False,
                         injected_swaps=n_swapped, noise_m=noise_m)
    return motion, vertical_deg


def _resampled(p: np.ndarray, times_s: np.ndarray, frame_t: np.ndarray) -> np.ndarray:
    ok = np.isfinite(p).all(axis=1)
    return np.stack([np.interp(frame_t, times_s[ok], p[ok, k]) for k in range(3)], axis=1)


def _camera(target: np.ndarray, forward: np.ndarray, up: np.ndarray, distance_m: float, yaw_deg: float,
            pitch_deg: float, roll_deg: float):
    """(right, down, optical axis, centre) of a camera aimed at ``target`` from the runner's left."""
    left = -np.cross(forward, up)
    yaw, pitch, roll = np.radians([yaw_deg, pitch_deg, roll_deg])
    away = np.cos(yaw) * left + np.sin(yaw) * forward  # orbit round the vertical through the target
    centre = target + distance_m * (np.cos(pitch) * away + np.sin(pitch) * up)
    axis = (target - centre) / np.linalg.norm(target - centre)
    right = np.cross(axis, up)
    right /= np.linalg.norm(right)
    down = np.cross(axis, right)
    c, s = np.cos(roll), np.sin(roll)
    return c * right + s * down, -s * right + c * down, axis, centre


def _project(world: np.ndarray, right, down, axis, centre, focal_px: float) -> np.ndarray:
    rel = world - centre
    z = rel @ axis
    return np.stack([960 + focal_px * (rel @ right) / z, 540 + focal_px * (rel @ down) / z], axis=-1)


HEAD_UP_M, NOSE_FORWARD_M = 0.62, 0.10  # head centre above the mid-hip; nose ahead of it (pose-model face points)


def frontal_view(kp_mm: dict[str, np.ndarray], times_s: np.ndarray, forward: np.ndarray, up: np.ndarray,
                 *, view: str = "back", distance_m: float = 4.0, camera_height_m: float = 1.0,
                 focal_px: float = 1400.0, fps: float = 60.0, noise_m: float = 0.015,
                 seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """A level pinhole camera ``distance_m`` behind (``view="back"``) or in front of the runner at
    ``camera_height_m``, aimed along the running direction. Returns (frame times, positions px
    (frames, keypoints, 2), confidences, names), with the face points a pose model gives: nose,
    eyes and ears from the front; from behind only the ears (the nose and eyes are not found).
    The labels are the runner's true sides; noise as in ``side_view`` at the camera's scale."""
    rng = np.random.default_rng(seed)
    names = sorted(kp_mm)
    frame_t = np.arange(times_s[0], times_s[-1], 1.0 / fps)
    world = np.stack([_resampled(kp_mm[n] / 1000.0, times_s, frame_t) for n in names], axis=1)
    world, names = _with_face(world, names, forward, up)
    hip = 0.5 * (world[:, names.index("left_hip")] + world[:, names.index("right_hip")])
    target = np.nanmedian(hip, axis=0)
    target = target + (camera_height_m - target @ up) * up
    yaw = 90.0 if view == "front" else -90.0
    right, down, axis, centre = _camera(target, forward, up, distance_m, yaw, 0.0, 0.0)
    px = _project(world, right, down, axis, centre, focal_px)
    px += rng.normal(0.0, noise_m * focal_px / distance_m, px.shape)
    conf = np.full(px.shape[:2], 0.9)
    if view == "back":
        for n in ("nose", "left_eye", "right_eye"):
            px[:, names.index(n)], conf[:, names.index(n)] = np.nan, 0.0
    return frame_t, px, conf, names


def _with_face(world: np.ndarray, names: list[str], forward: np.ndarray, up: np.ndarray):
    """The keypoints plus nose, eyes and ears placed on a head above the mid-hip."""
    hip = 0.5 * (world[:, names.index("left_hip")] + world[:, names.index("right_hip")])
    lateral = np.cross(forward, up)  # towards the runner's right
    head = hip + HEAD_UP_M * up
    face = {"nose": head + NOSE_FORWARD_M * forward, "left_eye": head + 0.08 * forward - 0.03 * lateral,
            "right_eye": head + 0.08 * forward + 0.03 * lateral, "left_ear": head - 0.07 * lateral,
            "right_ear": head + 0.07 * lateral}
    return np.concatenate([world, np.stack(list(face.values()), axis=1)], axis=1), names + list(face)
