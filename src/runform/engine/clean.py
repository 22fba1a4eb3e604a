"""Cleaning keypoint trajectories before events and metrics.

Steps, in order (each a pure function on the motion dataset):

1. ``resample_uniform``: phone videos have variable frame rates; positions are
   linearly interpolated onto a uniform grid at the median frame interval so
   that filters and derivatives are well defined. Real timestamps are kept as
   the grid's anchor (the grid starts at the first frame's time).
2. ``gate_confidence``: positions whose landmark confidence is below
   ``min_confidence`` (default 0.3, MediaPipe visibility) become missing.
3. ``fill_gaps``: gaps up to ``max_gap_s`` (default 0.15 s) are filled by
   linear interpolation; longer gaps stay missing and are reported.
4. ``fix_leg_swaps``: the far leg in a side view is often given the near leg's
   label for a few frames. Each frame's left/right lower-limb labels are kept
   or swapped, whichever agrees better with a constant-velocity prediction
   from the previous frames (legs that cross in a side view keep opposite
   velocities, so the prediction tells them apart).
5. ``lowpass``: 4th-order Butterworth run forwards and backwards (zero lag;
   effective order 8) at ``cutoff_hz`` (default 8 Hz, capped at 0.4 x the
   frame rate). 8 Hz keeps > 95 % of the power of running kinematics at
   typical cadences (Winter, Biomechanics and Motor Control of Human
   Movement, 4th ed., ch. 2) while removing frame-to-frame jitter.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .dsp import butter_lowpass, default_padlen, filtfilt

LEG_PARTS = ("knee", "ankle", "heel", "foot_index")


def resample_uniform(ds: xr.Dataset) -> xr.Dataset:
    t = ds["time"].values
    if len(t) < 3:
        return ds
    dt = float(np.median(np.diff(t)))
    grid = t[0] + dt * np.arange(int(np.floor((t[-1] - t[0]) / dt + 1e-6)) + 1)
    if len(grid) == len(t) and np.allclose(grid, t, atol=dt * 1e-3):
        return ds
    out = ds.interp(time=grid, method="linear")
    out.attrs = dict(ds.attrs, fps=1.0 / dt, resampled_from_vfr=1)
    return out


def gate_confidence(ds: xr.Dataset, min_confidence: float = 0.3) -> xr.Dataset:
    ok = ds["confidence"] >= min_confidence
    return ds.assign(position=ds["position"].where(ok))


def fix_leg_swaps(ds: xr.Dataset, parts=LEG_PARTS) -> tuple[xr.Dataset, int]:
    """Undo left/right label swaps of the lower limbs; returns (dataset, frames swapped)."""
    names = [p for p in parts if f"left_{p}" in ds["keypoint"].values]
    if not names:
        return ds, 0
    pos = ds["position"].values.copy()
    conf = ds["confidence"].values.copy()
    kp = list(ds["keypoint"].values)
    li = [kp.index(f"left_{p}") for p in names]
    ri = [kp.index(f"right_{p}") for p in names]
    L = _ffill(pos[:, li, :])
    R = _ffill(pos[:, ri, :])
    swapped = np.zeros(len(pos), bool)
    for t in range(2, len(pos)):
        pl = 2 * L[t - 1] - L[t - 2]
        pr = 2 * R[t - 1] - R[t - 2]
        keep = np.nansum(np.linalg.norm(L[t] - pl, axis=-1) + np.linalg.norm(R[t] - pr, axis=-1))
        swap = np.nansum(np.linalg.norm(R[t] - pl, axis=-1) + np.linalg.norm(L[t] - pr, axis=-1))
        if swap < 0.5 * keep:
            L[t], R[t] = R[t].copy(), L[t].copy()
            swapped[t] = True
    if swapped.any():
        a, b = pos[swapped][:, li, :].copy(), pos[swapped][:, ri, :].copy()
        pos[np.ix_(swapped, li)] = b
        pos[np.ix_(swapped, ri)] = a
        ca, cb = conf[np.ix_(swapped, li)].copy(), conf[np.ix_(swapped, ri)].copy()
        conf[np.ix_(swapped, li)] = cb
        conf[np.ix_(swapped, ri)] = ca
    out = ds.copy(data={"position": pos, "confidence": conf})
    return out, int(swapped.sum())


def _ffill(a: np.ndarray) -> np.ndarray:
    """Forward-fill NaNs along time (first rows back-filled) for prediction only."""
    out = a.copy()
    flat = out.reshape(len(out), -1)
    for j in range(flat.shape[1]):
        col = flat[:, j]
        ok = np.isfinite(col)
        if not ok.any():
            col[:] = 0.0
            continue
        idx = np.where(ok, np.arange(len(col)), 0)
        np.maximum.accumulate(idx, out=idx)
        first = np.argmax(ok)
        idx[: first] = first
        flat[:, j] = col[idx]
    return out


def fill_gaps(ds: xr.Dataset, max_gap_s: float = 0.15) -> xr.Dataset:
    pos = ds["position"].values.copy()
    t = ds["time"].values
    flat = pos.reshape(len(t), -1)
    for j in range(flat.shape[1]):
        col = flat[:, j]
        bad = ~np.isfinite(col)
        if not bad.any() or bad.all():
            continue
        good = ~bad
        filled = np.interp(t, t[good], col[good])
        # only fill interior runs not longer than max_gap_s
        run_start = np.flatnonzero(bad & ~np.r_[False, bad[:-1]])
        run_end = np.flatnonzero(bad & ~np.r_[bad[1:], False])
        for a, b in zip(run_start, run_end):
            if a == 0 or b == len(t) - 1:
                continue
            if t[b + 1] - t[a - 1] <= max_gap_s + 1e-9:
                col[a : b + 1] = filled[a : b + 1]
    return ds.copy(data={"position": pos, "confidence": ds["confidence"].values})


def lowpass(ds: xr.Dataset, cutoff_hz: float = 8.0) -> tuple[xr.Dataset, float]:
    """Zero-lag Butterworth low-pass of every finite run of samples; returns (dataset, cutoff used)."""
    fs = float(ds.attrs["fps"])
    cutoff = min(cutoff_hz, 0.4 * fs)
    sos = butter_lowpass(4, cutoff, fs)
    pad = default_padlen(sos)
    pos = ds["position"].values.copy()
    flat = pos.reshape(len(pos), -1)
    for j in range(flat.shape[1]):
        col = flat[:, j]
        ok = np.isfinite(col)
        edges = np.flatnonzero(np.diff(np.r_[0, ok.astype(int), 0]))
        for s, e in zip(edges[::2], edges[1::2]):
            if e - s > pad:
                col[s:e] = filtfilt(sos, col[s:e])
    out = ds.copy(data={"position": pos, "confidence": ds["confidence"].values})
    out.attrs = dict(ds.attrs, cutoff_hz=cutoff)
    return out, cutoff


def clean(ds: xr.Dataset, *, min_confidence: float = 0.3, max_gap_s: float = 0.15,
          cutoff_hz: float = 8.0) -> tuple[xr.Dataset, dict]:
    """The whole cleaning chain; returns the cleaned dataset and a report of what it did."""
    ds = resample_uniform(ds)
    ds = gate_confidence(ds, min_confidence)
    raw_missing = float(np.isnan(ds["position"].values[..., 0]).mean())
    ds = fill_gaps(ds, max_gap_s)
    ds, n_swapped = fix_leg_swaps(ds)
    ds, cutoff = lowpass(ds, cutoff_hz)
    still_missing = float(np.isnan(ds["position"].values[..., 0]).mean())
    return ds, {
        "min_confidence": min_confidence,
        "max_gap_s": max_gap_s,
        "cutoff_hz": cutoff,
        "frames_leg_swap_fixed": n_swapped,
        "missing_fraction_raw": round(raw_missing, 4),
        "missing_fraction_after_fill": round(still_missing, 4),
    }
