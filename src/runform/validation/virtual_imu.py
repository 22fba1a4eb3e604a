"""A virtual sacral IMU made from a motion-capture trial (the test bed for the sensor path).

From the marker-based pelvis (``LabTrial.pelvis_axes``, runner coordinates,
x forward, y up, z right) and a sacral point fixed to it:

* specific force = the sacral point's acceleration minus gravity's
  (a + 9.81 m/s^2 up), differentiated twice after a 15 Hz zero-lag low-pass;
* angular velocity of the pelvis frame, from R^T dR/dt;
* both expressed in a sensor frame that sits tilted and turned on the pelvis
  (about 25 deg of misalignment and the axes permuted, as a sensor clipped on
  a belt would be), sampled at the trial's rate;
* noise and bias of a consumer MEMS IMU: accelerometer white noise 0.01 g
  and biases of 0.01-0.02 g; gyroscope white noise 0.2 deg/s and biases of
  0.5-0.8 deg/s (typical of phone-grade parts, e.g. Bosch BMI160 data sheet:
  noise 0.007 deg/s/sqrt(Hz), zero-rate offset +/-3 deg/s before calibration).
"""

from __future__ import annotations

import numpy as np

from ..engine.dsp import butter_lowpass, filtfilt
from ..sources.lab.trial import LabTrial
from ..sources.sensor.read import G

SACRUM_IN_PELVIS_M = np.array([-0.12, 0.03, 0.0])  # behind and above the hip-centre midpoint


def _rot(axis: int, deg: float) -> np.ndarray:
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    R = np.eye(3)
    R[i, i], R[i, j], R[j, i], R[j, j] = c, -s, s, c
    return R


# pelvis -> sensor: sensor x points down, y left, z back (a belt clip), then tilted 20 deg,
# turned 10 deg and rolled 5 deg
PERMUTE = np.array([[0.0, 0.0, -1.0], [0.0, -1.0, 0.0], [-1.0, 0.0, 0.0]]).T  # columns: sensor axes in pelvis
MOUNT = _rot(2, 20.0) @ _rot(1, 10.0) @ _rot(0, -5.0) @ PERMUTE


def _smooth(x: np.ndarray, rate: float, cutoff: float = 15.0) -> np.ndarray:
    flat = x.reshape(len(x), -1)
    ok = np.isfinite(flat).all(1)
    idx = np.arange(len(x))
    filled = np.stack([np.interp(idx, idx[ok], flat[ok, j]) for j in range(flat.shape[1])], 1)
    return filtfilt(butter_lowpass(4, cutoff, rate), filled).reshape(x.shape)


def virtual_sacral_imu(trial: LabTrial, seed: int = 0, noise: bool = True) -> dict[str, np.ndarray]:
    """{'t', 'acc_g', 'gyr_dps'} in the sensor frame, plus the truth 'pelvis_axes' (runner coordinates)."""
    t = trial.times_s
    rate = 1.0 / float(np.median(np.diff(t)))
    P = _smooth(trial.pelvis_axes, rate)
    u, _, vt = np.linalg.svd(P)
    P = u @ vt  # re-orthonormalised
    hip = 0.5 * (trial.keypoints["left_hip"] + trial.keypoints["right_hip"])
    sac = _smooth(hip + np.einsum("tij,j->ti", P, SACRUM_IN_PELVIS_M), rate)
    acc = np.gradient(np.gradient(sac, t, axis=0), t, axis=0) + np.array([0.0, G, 0.0])
    S = np.einsum("tij,jk->tik", P, MOUNT)  # sensor axes in runner coordinates
    acc_s = np.einsum("tji,tj->ti", S, acc) / G
    dS = np.gradient(S, t, axis=0)
    W = np.einsum("tji,tjk->tik", S, dS)  # skew(omega) in sensor coordinates
    gyr = np.degrees(np.stack([W[:, 2, 1], W[:, 0, 2], W[:, 1, 0]], 1))
    if noise:
        rng = np.random.default_rng(seed)
        acc_s = acc_s + rng.normal(0, 0.01, acc_s.shape) + np.array([0.02, -0.015, 0.01])
        gyr = gyr + rng.normal(0, 0.2, gyr.shape) + np.array([0.8, -0.5, 0.6])
    return {"t": t, "acc_g": acc_s, "gyr_dps": gyr, "pelvis_axes": P}
