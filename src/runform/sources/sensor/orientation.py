"""Sensor orientation, sensor-to-pelvis alignment and the pelvis angles.

* Orientation: the Fusion AHRS (imufusion; Madgwick's revised filter) with
  gyroscope bias estimation on. While running the accelerometer reads up to
  3-4 g, so the filter's acceleration rejection is off and its gain low
  (0.05): it then follows the gyroscope within a stride and pulls the tilt
  towards the mean specific force, which over whole strides is gravity.
* Alignment, with no perfect mounting asked for: the pelvis's up axis is the
  mean vertical in the sensor frame (over a standing window when given, so
  tilt is then relative to standing; else over the running); forward is the
  principal axis of the horizontal specific force (fore-aft acceleration
  swings more than side-to-side in running), signed so that the pelvis
  decelerates in early stance (braking); right = forward x up.
* Angles: the pelvis axes in a runner frame that follows the pelvis's heading
  smoothed over ~1.5 s (so turns and gyroscope heading drift do not enter),
  then the Cardan sequence and signs of ``runform.engine.pelvis_axes`` (tilt
  anterior positive, obliquity positive with the right hip higher, rotation
  positive with the right side forward).
"""

from __future__ import annotations

import numpy as np

from ...engine.dsp import lowpass
from ...engine.pelvis_axes import angles_deg

FUSION_GAIN = 0.05
HEADING_SMOOTH_HZ = 0.7


def orientations(gyr_dps: np.ndarray, acc_g: np.ndarray, rate_hz: float) -> np.ndarray:
    """(time, 3, 3) sensor-to-earth rotation matrices (earth: x north, y west, z up)."""
    import imufusion

    ahrs = imufusion.Ahrs()
    ahrs.set_settings(imufusion.AhrsSettings(sample_rate=float(rate_hz), convention=imufusion.CONVENTION_NWU,
                                             gain=FUSION_GAIN, gyroscope_range=2000.0,
                                             acceleration_rejection=0.0, magnetic_rejection=0.0,
                                             rejection_timeout=0))
    ahrs.set_sample_period(1.0 / float(rate_hz))
    bias = imufusion.Bias()
    bias.set_settings(imufusion.BiasSettings(sample_rate=float(rate_hz), stationary_period=3.0,
                                             stationary_threshold=3.0))
    # start from the first second's mean gravity, so the filter needs no settling time
    g0 = np.nanmean(acc_g[: max(2, int(rate_hz))], axis=0)
    ahrs.set_quaternion(_quat_from_up(g0))
    ahrs.skip_startup()
    gyr = np.ascontiguousarray(np.nan_to_num(gyr_dps), dtype=float)
    acc = np.ascontiguousarray(np.nan_to_num(acc_g), dtype=float)
    q = np.empty((len(gyr), 4))
    for i in range(len(gyr)):
        g = bias.update(gyr[i])
        ahrs.update_no_magnetometer(g, acc[i])
        q[i] = ahrs.get_quaternion()
    return quat_to_matrix(q)


def quat_to_matrix(q: np.ndarray) -> np.ndarray:
    """(time, 4) w, x, y, z -> (time, 3, 3); vectorised (imufusion's converts one quaternion a call)."""
    w, x, y, z = (q[:, i] for i in range(4))
    return np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], -1),
        np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], -1),
        np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], -1)], 1)


def _quat_from_up(up_sensor: np.ndarray) -> np.ndarray:
    """A quaternion turning the sensor's measured up direction onto the earth's z."""
    u = up_sensor / np.linalg.norm(up_sensor)
    z = np.array([0.0, 0.0, 1.0])
    axis = np.cross(u, z)
    s, c = np.linalg.norm(axis), float(u @ z)
    if s < 1e-9:
        return np.array([1.0, 0, 0, 0]) if c > 0 else np.array([0.0, 1, 0, 0])
    half = 0.5 * np.arctan2(s, c)
    return np.r_[np.cos(half), np.sin(half) * axis / s]


def up_in_sensor(acc_g: np.ndarray, R: np.ndarray | None, sel: np.ndarray | None = None) -> np.ndarray:
    """Mean vertical in sensor coordinates: from the orientations when there are any, else
    from the mean specific force (gravity)."""
    sel = np.ones(len(acc_g), bool) if sel is None else sel
    v = np.nanmean(R[sel, 2, :], axis=0) if R is not None else np.nanmean(acc_g[sel], axis=0)
    return v / np.linalg.norm(v)


def pelvis_axes(R: np.ndarray, align: np.ndarray, rate_hz: float) -> np.ndarray:
    """(time, 3, 3) pelvis axes in the heading-following runner frame. ``align`` holds the pelvis's
    forward, up and right axes in sensor coordinates as columns."""
    P = np.einsum("tij,jk->tik", R, align)  # pelvis axes in earth coordinates
    fwd = P[:, :, 0].copy()
    fwd[:, 2] = 0.0
    c = lowpass(fwd[:, 0], HEADING_SMOOTH_HZ, rate_hz)
    s = lowpass(fwd[:, 1], HEADING_SMOOTH_HZ, rate_hz)
    n = np.hypot(c, s)
    x = np.stack([c / n, s / n, np.zeros_like(c)], 1)
    y = np.broadcast_to(np.array([0.0, 0.0, 1.0]), x.shape)
    z = np.cross(x, y)
    B = np.stack([x, y, z], 1)  # rows: runner forward, up, right in earth coordinates
    return np.einsum("tij,tjk->tik", B, P)


def pelvis_angles(R: np.ndarray, align: np.ndarray, rate_hz: float) -> dict[str, np.ndarray]:
    return angles_deg(pelvis_axes(R, align, rate_hz))
