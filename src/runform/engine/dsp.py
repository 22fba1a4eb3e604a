"""The few signal-processing routines runform needs, in numpy.

Why not scipy.signal: importing it costs ~0.75 s of CPU on every run (measured
with ``python -X importtime``), more than all of runform's analysis after pose
estimation, and ``runform analyze`` must share two cores with MediaPipe. These
are the textbook algorithms, vectorised over columns:

* ``butter_lowpass``: digital Butterworth low-pass by the bilinear transform
  with pre-warping (Oppenheim & Schafer, Discrete-Time Signal Processing,
  7.1), as second-order sections.
* ``filtfilt``: forward-backward filtering (zero phase, squared magnitude
  response) with odd reflection padding and steady-state initial conditions,
  as in Gustafsson 1996 (IEEE Trans Signal Process 44:988) without the
  optimised edge fit.
* ``peaks``: local maxima at least ``distance`` samples apart whose height
  above the lowest point within ``distance`` on each side is at least
  ``prominence`` (a windowed form of topographic prominence).
* ``theil_sen_slope``: median of pairwise slopes (Sen 1968, JASA 63:1379).
"""

from __future__ import annotations

import numpy as np


def butter_lowpass(order: int, cutoff_hz: float, fs_hz: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """Second-order sections (b, a) of an even-order Butterworth low-pass filter."""
    if order % 2:
        raise ValueError("order must be even")
    wc = 2 * fs_hz * np.tan(np.pi * cutoff_hz / fs_hz)  # pre-warped analog cutoff (rad/s)
    k = 2 * fs_hz
    sections = []
    for i in range(order // 2):
        theta = np.pi * (2 * i + 1) / (2 * order)
        q = 1.0 / (2 * np.sin(theta))  # pole pair quality factor
        # analog section wc^2 / (s^2 + (wc/q) s + wc^2), bilinear s = k (z-1)/(z+1)
        a0 = k * k + k * wc / q + wc * wc
        b = np.array([wc * wc, 2 * wc * wc, wc * wc]) / a0
        a = np.array([1.0, (2 * wc * wc - 2 * k * k) / a0, (k * k - k * wc / q + wc * wc) / a0])
        sections.append((b, a))
    return sections


def _sos_zi(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Steady-state state of a direct-form-II-transposed biquad for a unit step input."""
    # z1 = b1 - a1 + z2 ... solve (I - A) zi = B for the 2-state companion form
    A = np.array([[-a[1], 1.0], [-a[2], 0.0]])
    B = b[1:] - a[1:] * b[0]
    return np.linalg.solve(np.eye(2) - A, B)


def _lfilter_sos(sections, x: np.ndarray, zi_scale: np.ndarray) -> np.ndarray:
    """Filter along axis 0 (time), every column at once, starting in steady state at x[0]."""
    y = x.copy()
    for b, a in sections:
        zi = _sos_zi(b, a)
        z1 = zi[0] * zi_scale
        z2 = zi[1] * zi_scale
        out = np.empty_like(y)
        for n in range(len(y)):
            xn = y[n]
            yn = b[0] * xn + z1
            z1 = b[1] * xn - a[1] * yn + z2
            z2 = b[2] * xn - a[2] * yn
            out[n] = yn
        zi_scale = out[0]
        y = out
    return y


def default_padlen(sections) -> int:
    """Samples of odd reflection padding ``filtfilt`` adds at each end (and so the shortest
    signal it filters without shortening its padding)."""
    return 3 * 2 * len(sections) + 3


def filtfilt(sections, x: np.ndarray, padlen: int | None = None) -> np.ndarray:
    """Zero-phase filtering of ``x`` (time along axis 0; any further axes are columns)."""
    x = np.asarray(x, float)
    n = len(x)
    padlen = min(n - 1, default_padlen(sections) if padlen is None else padlen)
    if padlen < 1:
        return x.copy()
    # odd reflection about the end points
    front = 2 * x[0] - x[padlen:0:-1]
    back = 2 * x[-1] - x[-2 : -padlen - 2 : -1]
    ext = np.concatenate([front, x, back])
    y = _lfilter_sos(sections, ext, ext[0])
    y = _lfilter_sos(sections, y[::-1], y[-1])[::-1]
    return y[padlen : padlen + n]


def peaks(y: np.ndarray, distance: int, prominence: float) -> np.ndarray:
    """Indices of local maxima of ``y`` (no NaNs) as described in the module docstring."""
    y = np.asarray(y, float)
    n = len(y)
    if n < 3:
        return np.zeros(0, int)
    cand = np.flatnonzero((y[1:-1] > y[:-2]) & (y[1:-1] >= y[2:])) + 1
    keep = []
    for i in cand[np.argsort(-y[cand], kind="stable")]:  # highest first
        if any(abs(i - j) < distance for j in keep):
            continue
        lo, hi = max(0, i - distance), min(n, i + distance + 1)
        base = max(np.min(y[lo : i + 1]), np.min(y[i:hi]))
        if y[i] - base >= prominence:
            keep.append(i)
    return np.array(sorted(keep), int)


def theil_sen_slope(x: np.ndarray, y: np.ndarray, max_points: int = 1500, seed: int = 0) -> float:
    """Median of pairwise slopes (a random subset of points when there are many)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) > max_points:
        idx = np.random.default_rng(seed).choice(len(x), max_points, replace=False)
        x, y = x[idx], y[idx]
    i, j = np.triu_indices(len(x), k=1)
    dx = x[j] - x[i]
    ok = dx != 0
    return float(np.median((y[j] - y[i])[ok] / dx[ok])) if ok.any() else 0.0


def lowpass(x: np.ndarray, cutoff_hz: float, rate_hz: float, order: int = 2) -> np.ndarray:
    """Zero-lag Butterworth low-pass of a signal (missing samples read as its mean); unchanged
    when the cut-off is at or above 0.45 of the rate."""
    if cutoff_hz >= 0.45 * rate_hz:
        return x.copy()
    return filtfilt(butter_lowpass(order, cutoff_hz, rate_hz), np.nan_to_num(x, nan=float(np.nanmean(x))))
