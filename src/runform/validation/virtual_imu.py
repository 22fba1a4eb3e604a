"""A virtual sacral IMU made from a motion-capture trial (the test bed for the sensor path).

From the marker-based pelvis (``LabTrial.pelvis_axes``, runner coordinates,
x forward, y up, z right) and a sensor point fixed to it:

* specific force = the sensor point's acceleration minus gravity's
  (a + 9.81 m/s^2 up), differentiated twice after a 15 Hz zero-lag low-pass;
* angular velocity of the pelvis frame, from R^T dR/dt;
* both expressed in a sensor frame that sits tilted and turned on the pelvis
  and with its axes permuted, as a sensor clipped on a belt would be;
* a ``Setting`` says how: the mounting's tilt (about the pelvis's right axis)
  and yaw (about its up axis), a fixed 5 deg roll; the sampling rate (the
  trial's, or resampled: band-limited to 15 Hz, so 100-1000 Hz all carry the
  same motion); 16-bit quantisation over +/-16 g and +/-2000 deg/s; white noise
  and constant biases of a consumer MEMS IMU (``NOISE``); and the sensor on
  the sacrum or on a belt a lever arm above it.

Noise levels (per sample, so conservative at high rates): ``low`` like a
current wearable part (e.g. Bosch BMI270 data sheet: 0.16 mg/sqrt(Hz), 0.007
deg/s/sqrt(Hz)), ``typical`` 0.01 g and 0.2 deg/s with biases of 0.02 g and
0.8 deg/s, ``high`` a phone-grade part before calibration (zero-rate offset up
to +/-3 deg/s, BMI160 data sheet; accelerometer offset up to 0.05 g).
"""

from __future__ import annotations

from dataclasses import dataclass

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


PERMUTE = np.array([[0.0, 0.0, -1.0], [0.0, -1.0, 0.0], [-1.0, 0.0, 0.0]]).T  # sensor x down, y left, z back
NOISE = {  # accelerometer noise, bias (g); gyroscope noise, bias (deg/s)
    "none": (0.0, (0.0, 0.0, 0.0), 0.0, (0.0, 0.0, 0.0)),
    "low": (0.002, (0.005, -0.004, 0.003), 0.05, (0.2, -0.15, 0.1)),
    "typical": (0.01, (0.02, -0.015, 0.01), 0.2, (0.8, -0.5, 0.6)),
    "high": (0.03, (0.05, -0.04, 0.03), 0.5, (3.0, -2.0, 2.5)),
}
ACC_RANGE_G, GYR_RANGE_DPS = 16.0, 2000.0


@dataclass(frozen=True)
class Setting:
    tilt_deg: float = 20.0
    yaw_deg: float = 10.0
    rate_hz: float | None = None  # None: the trial's own rate
    noise: str = "typical"
    lever_m: float = 0.0  # the sensor this far above the sacrum (a belt)
    bits: int | None = 16

    @property
    def label(self) -> str:
        rate = f"{self.rate_hz:g} Hz" if self.rate_hz else "trial rate"
        return (f"tilt {self.tilt_deg:g}, yaw {self.yaw_deg:g}, {rate}, noise {self.noise}, "
                f"lever {100 * self.lever_m:g} cm, {self.bits or 'float'}-bit")


def mounting(tilt_deg: float, yaw_deg: float) -> np.ndarray:
    """Pelvis -> sensor axes: permuted (a belt clip), tilted, turned and rolled 5 deg."""
    return _rot(2, tilt_deg) @ _rot(1, yaw_deg) @ _rot(0, -5.0) @ PERMUTE



def _smooth(x: np.ndarray, rate: float, cutoff: float = 15.0) -> np.ndarray:
    flat = x.reshape(len(x), -1)
    ok = np.isfinite(flat).all(1)
    idx = np.arange(len(x))
    filled = np.stack([np.interp(idx, idx[ok], flat[ok, j]) for j in range(flat.shape[1])], 1)
    return filtfilt(butter_lowpass(4, cutoff, rate), filled).reshape(x.shape)


def _resample(t: np.ndarray, x: np.ndarray, rate_hz: float | None) -> tuple[np.ndarray, np.ndarray]:
    """x (band-limited to 15 Hz) on a new time grid: interpolated, then low-passed again at the new
    rate so the interpolation's corners do not reach the derivatives."""
    if not rate_hz:
        return t, x
    tn = np.arange(t[0], t[-1], 1.0 / rate_hz)
    flat = x.reshape(len(x), -1)
    out = np.stack([np.interp(tn, t, flat[:, j]) for j in range(flat.shape[1])], 1)
    out = filtfilt(butter_lowpass(4, 15.0, rate_hz), out) if rate_hz > 2 * 15.0 * 1.2 else out
    return tn, out.reshape((len(tn),) + x.shape[1:])


def _orthonormal(P: np.ndarray) -> np.ndarray:
    u, _, vt = np.linalg.svd(P)
    return u @ vt


def _quantise(x: np.ndarray, full_range: float, bits: int | None) -> np.ndarray:
    if not bits:
        return x
    lsb = 2 * full_range / 2**bits
    return np.clip(np.round(x / lsb) * lsb, -full_range, full_range - lsb)


def virtual_sacral_imu(trial: LabTrial, seed: int = 0, noise: bool = True,
                       setting: Setting = Setting()) -> dict[str, np.ndarray]:
    """{'t', 'acc_g', 'gyr_dps'} in the sensor frame, plus the truth 'pelvis_axes' (runner
    coordinates) on the sensor's time grid."""
    t0 = trial.times_s
    rate0 = 1.0 / float(np.median(np.diff(t0)))
    P0 = _orthonormal(_smooth(trial.pelvis_axes, rate0))
    hip = 0.5 * (trial.keypoints["left_hip"] + trial.keypoints["right_hip"])
    where = SACRUM_IN_PELVIS_M + np.array([0.0, setting.lever_m, 0.0])
    sac0 = _smooth(hip + np.einsum("tij,j->ti", P0, where), rate0)
    t, P = _resample(t0, P0, setting.rate_hz)
    P = _orthonormal(P)
    _, sac = _resample(t0, sac0, setting.rate_hz)
    acc = np.gradient(np.gradient(sac, t, axis=0), t, axis=0) + np.array([0.0, G, 0.0])
    S = np.einsum("tij,jk->tik", P, mounting(setting.tilt_deg, setting.yaw_deg))  # sensor axes, runner coords
    acc_s = np.einsum("tji,tj->ti", S, acc) / G
    dS = np.gradient(S, t, axis=0)
    W = np.einsum("tji,tjk->tik", S, dS)  # skew(omega) in sensor coordinates
    gyr = np.degrees(np.stack([W[:, 2, 1], W[:, 0, 2], W[:, 1, 0]], 1))
    if noise and setting.noise != "none":
        a_sd, a_bias, g_sd, g_bias = NOISE[setting.noise]
        rng = np.random.default_rng(seed)
        acc_s = acc_s + rng.normal(0, a_sd, acc_s.shape) + np.array(a_bias)
        gyr = gyr + rng.normal(0, g_sd, gyr.shape) + np.array(g_bias)
    acc_s, gyr = _quantise(acc_s, ACC_RANGE_G, setting.bits), _quantise(gyr, GYR_RANGE_DPS, setting.bits)
    return {"t": t, "acc_g": acc_s, "gyr_dps": gyr, "pelvis_axes": P}
