"""Is the clip real time? Slow motion and sped-up clips, from the phone's tag, the user, or the
running itself.

A phone's slow-motion clip is filmed at 120-960 fps and played at 30: every
step then lasts 4-32 times too long. Android stores the capture rate
(``com.android.capture.fps``); the slow-motion factor or capture rate a user gives stands for it
for a clip without one. Without either, the running says it: the feet are on
the ground for about a third of each stride in running at any pace (duty
factor and the share of frames with a foot down do not depend on the clip's
speed), while a stride lasts 0.45-0.9 s from a sprint to a slow jog. A clip
whose strides last far longer, or shorter, while the feet show running is not
real time; the factor is the stride period over that of a typical 170
steps/min.

The step period comes from the distance between the two feet along the run:
it peaks at every contact, whichever foot it is, so a pose model that swaps the
legs (common in blurred slow motion) does not hide it. A clip whose playback
speed changes (a slow-motion ramp) shows steps of one length in one part and of
another, 1.8 times or more apart, in another: it is refused with where the
change lies and how to analyse each part.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import NotAnalysableError
from ..words import opt

TYPICAL_STRIDE_S = 60.0 / 170 * 2  # 170 steps/min
LONGEST_STRIDE_S = 1.3  # a jog at 92 steps/min: slower strides with running feet are slow motion
SHORTEST_STRIDE_S = 0.42  # 285 steps/min, beyond a sprint: faster ones are a sped-up clip
RUNNING_GROUND_SHARE = 0.5  # below: the feet show running, not walking (checks.ground_fraction)
MIN_STEP_LAG_S = 0.12  # a step of a clip sped up 2x at a sprint (0.21 s real) still lasts longer
WINDOW_S = 3.0  # windows for a change of speed: at least 2 slow-motion steps (a 4x step: 1.4 s)
SPEED_CHANGE = 1.8  # steps this much longer in one part than another: not one playback speed

# a phone films slow motion at 120, 240, 480 or 960 fps and plays it at 30 or 60 fps; an app speeds a
# clip up 2x or 4x. The factor measured from the running rests on a typical cadence (runners step
# 150-190 times a minute: +-12 %), so a factor that near one of these is most likely that one.
STANDARD_FACTORS = (0.25, 0.5, 2.0, 4.0, 8.0, 16.0, 32.0)
FACTOR_SPREAD = 190 / 170  # how far the measured factor can lie from the true one (cadence 150-190)
SNAP_WITHIN = 1.3  # a standard factor within this ratio of the measured one is suggested


def likely_factor(measured: float) -> float | None:
    """The standard factor nearest ``measured`` when it lies within SNAP_WITHIN of it, else None."""
    best = min(STANDARD_FACTORS, key=lambda f: abs(np.log(measured / f)))
    return best if abs(np.log(measured / best)) <= np.log(SNAP_WITHIN) else None


def _factor_advice(measured: float) -> str:
    """How to give the clip's factor: the likely standard one, with what the measurement allows."""
    lo, hi = measured / FACTOR_SPREAD, measured * FACTOR_SPREAD
    best = likely_factor(measured)
    if best is None:
        return (f"Give the factor the phone or app used with {opt('slowmo')} (the running says {lo:.1f}-{hi:.1f}; "
                f"it cannot tell it closer without your cadence), or the rate it was filmed at with {opt('capture-fps')}")
    if best > 1:
        return (f"Phones film slow motion at 120, 240 or 480 fps and play it at 30, so it is most likely "
                f"{best:g}x (the running alone says {lo:.1f}-{hi:.1f}x): give {opt('slowmo', f'{best:g}')}, or the rate it "
                f"was filmed at, e.g. {opt('capture-fps', f'{30 * best:.0f}')} for a clip played at 30 fps")
    return (f"Apps speed clips up 2x or 4x, so it is most likely {1 / best:g}x faster (the running alone says "
            f"{1 / hi:.1f}-{1 / lo:.1f}x): give {opt('slowmo', f'{best:g}')}")


def feet_separation(sag) -> np.ndarray:
    """Per frame, how far apart the two feet are along the run (foot centres: ankle, heel, toe)."""
    from .dataset import point

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        x = [np.nanmean(np.stack([point(sag, f"{side}_{p}")[:, 0] for p in ("ankle", "heel", "foot_index")]), axis=0)
             for side in ("left", "right")]
    return np.abs(x[0] - x[1])


def step_period_s(t: np.ndarray, separation: np.ndarray) -> float:
    """The step period: the first strong peak of the feet separation's autocorrelation."""
    return _first_period(t, separation, MIN_STEP_LAG_S)


def _first_period(t: np.ndarray, x: np.ndarray, min_lag_s: float) -> float:
    ok = np.isfinite(x)
    if ok.sum() < 20:
        return float("nan")
    dt = float(np.median(np.diff(t)))
    x = np.interp(np.arange(len(x)), np.flatnonzero(ok), x[ok])
    x = x - x.mean()
    ac = np.fft.irfft(np.abs(np.fft.rfft(x, 2 * len(x))) ** 2)[:len(x)]
    if ac[0] <= 0:
        return float("nan")
    ac /= ac[0]
    lo, hi = max(1, int(min_lag_s / dt)), len(ac) // 2
    if hi <= lo + 2:
        return float("nan")
    peaks = [k for k in range(lo + 1, hi - 1) if ac[k] >= ac[k - 1] and ac[k] >= ac[k + 1] and ac[k] > 0.3]
    return float(peaks[0] * dt) if peaks else float("nan")


def check_speed_change(t: np.ndarray, separation: np.ndarray, ground_share: float) -> None:
    """Refuse a running clip whose step period changes by ``SPEED_CHANGE`` or more between
    ``WINDOW_S`` windows (a slow-motion ramp), saying where and how to analyse each part. Each
    part needs two windows or more, so one odd window does not count as a change."""
    if len(t) < 2 or not ground_share < RUNNING_GROUND_SHARE or t[-1] - t[0] < 2 * WINDOW_S:
        return
    starts = np.arange(t[0], t[-1] - WINDOW_S + 1e-9, WINDOW_S / 2)
    periods = np.array([step_period_s(t[w], separation[w]) for w in ((t >= a) & (t < a + WINDOW_S) for a in starts)])
    ok = np.flatnonzero(np.isfinite(periods))
    if len(ok) < 4 or periods[ok].max() < SPEED_CHANGE * periods[ok].min():
        return
    slow = periods[ok] > np.sqrt(periods[ok].max() * periods[ok].min())
    if min(slow.sum(), (~slow).sum()) < 2:
        return
    k = int(np.flatnonzero(slow[1:] != slow[:-1])[0])  # the first change between windows
    at = 0.5 * (starts[ok[k]] + starts[ok[k + 1]]) + WINDOW_S / 2
    fast_s, slow_s = float(np.median(periods[ok][~slow])), float(np.median(periods[ok][slow]))
    first, then = ("slow motion", "real time") if slow[0] else ("real time", "slow motion")
    raise NotAnalysableError(
        f"The clip's speed changes at about {at:.0f} s ({first} first, then {then}): its steps last "
        f"{fast_s:.2f} s in one part and {slow_s:.2f} s in the other, {slow_s / fast_s:.1f}x longer (a "
        "slow-motion ramp). A cadence over the whole clip would mean nothing.",
        f"Analyse one part at a time with {opt('start/end')} at {at:.0f} s, and "
        f"{opt('slowmo', f'{likely_factor(slow_s / fast_s) or round(slow_s / fast_s, 1):g}')} for the slow part (or the factor the "
        "phone gives).")


def check_real_time(period_s: float, ground_share: float) -> None:
    """Refuse, with the factor and how to give it, a running clip that is not real time."""
    if not np.isfinite(period_s) or not ground_share < RUNNING_GROUND_SHARE:
        return
    factor = period_s / TYPICAL_STRIDE_S
    if period_s > LONGEST_STRIDE_S:
        raise NotAnalysableError(
            f"This looks like slow motion, about {factor:.1f}x slower than real time: each stride lasts "
            f"{period_s:.1f} s while the feet show running (on the ground {100 * ground_share:.0f} % of the "
            "time; a running stride lasts 0.45-0.9 s).",
            f"{_factor_advice(factor)}; every time is then real time. If only part of the clip is slow motion, "
            f"choose that part with {opt('start/end')}.")
    if period_s < SHORTEST_STRIDE_S:
        raise NotAnalysableError(
            f"This clip plays faster than real time (about {1 / factor:.1f}x): each stride lasts only "
            f"{period_s:.2f} s, shorter than a sprinter's (0.45 s).",
            f"{_factor_advice(factor)} if it was sped up, or use the original recording.")
