"""Initial contact and toe-off from a pelvis-worn accelerometer.

The vertical specific force at the sacrum follows the vertical ground reaction
force divided by body mass (Newton's second law for a point that moves with
the centre of mass): near 0 g in flight, 2-3 g in mid-stance. Hence
(Patoz et al. 2022, Sensors 22:784; Auvinet et al. 2002, Gait Posture 16:124,
use the same signal):

* steps: one loading bump per step, found on the signal low-passed at 1.5x
  the step frequency (the step period from the autocorrelation);
* flight: between two bumps, the longest stretch where the vertical specific
  force (low-passed at 20 Hz) stays below ``rise_g`` (or 0.1 g above its
  lowest value, for a sensor that never reads that low); toe-off is where it
  enters that stretch, initial contact where it leaves it (linear
  interpolation between samples). A stretch whose lowest value is above
  0.6 g is no flight: the runner was walking or the sensor is not on the
  pelvis;
* the landing impact: the steepest drop of the forward acceleration (braking,
  as in the antero-posterior methods of Lee et al. 2010, J Sci Med Sport
  13:270), or without a forward axis the steepest rise of the vertical one,
  within 50 ms of the threshold crossing. The impact repeats more precisely
  step to step than a threshold crossing (on the Alcantara treadmill data:
  2.4 vs 5.1 ms median step-time error), so initial contact is the impact
  instant minus the recording's median impact-to-crossing delay: the
  crossing's level, the impact's precision. An impact more than 15 ms off
  that delay belongs to something else (a foot's second bump) and the
  crossing is kept. A flight split by a blip above the level shorter than
  25 ms counts as one flight.

``rise_g`` = 0.3 g: the vertical force of a foot landing passes 0.3 body
weights within a few milliseconds of touch-down, while soft-tissue ringing
in flight stays below it. Chosen on the Alcantara data (one runner, 31
conditions; 0.2 and 0.35 g were also tried), so its figures there are
in-sample: docs/imu.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...engine.algorithm import Algorithm
from ...engine.dsp import lowpass, peaks


def _autocorrelation(x: np.ndarray) -> np.ndarray:
    x = np.nan_to_num(x - np.nanmean(x))
    n = len(x)
    f = np.fft.rfft(x, 2 * n)
    ac = np.fft.irfft(f * np.conj(f))[:n]
    return ac / ac[0] if ac[0] > 0 else np.zeros(n)


def _peak_near(ac: np.ndarray, a: int, b: int) -> float:
    """Lag of the highest autocorrelation in [a, b), refined by a parabola."""
    a, b = max(a, 1), min(b, len(ac) - 1)
    if b <= a + 1:
        return float("nan")
    k = a + int(np.argmax(ac[a:b]))
    d = ac[k - 1] - 2 * ac[k] + ac[k + 1]
    return k + (float(np.clip(0.5 * (ac[k - 1] - ac[k + 1]) / d, -0.5, 0.5)) if d < 0 else 0.0)


def step_period_s(x: np.ndarray, rate_hz: float) -> tuple[float, float]:
    """(step period in s, autocorrelation at the stride period) of a running signal.

    The stride (two steps) is the lag of the highest autocorrelation between
    0.45 and 1.2 s, and the mean step half of it. Going through the stride
    keeps a sensor worn on one hip, which sees its own side's steps
    differently from the other's, from mistaking a step for a stride.
    """
    ac = _autocorrelation(x)
    stride = _peak_near(ac, int(0.45 * rate_hz), int(1.2 * rate_hz))
    if not np.isfinite(stride):
        return float("nan"), 0.0
    return float(stride / 2 / rate_hz), float(ac[int(round(stride))])


def _bridge(mask: np.ndarray, n: int) -> np.ndarray:
    """Fill runs of False no longer than n samples that lie between True runs."""
    out = mask.copy()
    d = np.diff(np.r_[1, mask.astype(np.int8), 1])
    for a, b in zip(np.flatnonzero(d == -1), np.flatnonzero(d == 1)):
        if 0 < a and b < len(mask) and b - a <= n:
            out[a:b] = True
    return out


def _crossing(x: np.ndarray, i: int, level: float) -> float:
    """Fractional index between i and i+1 where x crosses level."""
    d = x[i + 1] - x[i]
    return i + ((level - x[i]) / d if d else 0.0)


@dataclass(kw_only=True)
class SacralEventDetector(Algorithm):
    """Contacts from the vertical (and forward) specific force of a pelvis sensor.

    ``detect(t, vertical_g, forward_g)`` sets ``events_`` (one row per step with a
    clean flight on both sides: ``ic_s``, ``to_s``, ``impact_s``, ``flight_min_g``),
    ``step_times_s_`` (every loading bump: the step count) and ``step_period_s_``.

    Parameters: ``rise_g``, the flight level; ``lowpass_hz``, the vertical signal's low-pass;
    ``impact_window_s``, how far from the crossing an impact is looked for;
    ``impact_tolerance_s``, how far off the median delay an impact may be and still be this
    landing's; ``impact_lowpass_hz``, the low-pass of the impact signal; ``bridge_s``, the
    longest blip above the level inside one flight; ``max_flight_g``, the highest lowest
    value a flight may have.
    """

    rise_g: float = 0.3
    lowpass_hz: float = 20.0
    impact_window_s: float = 0.05
    impact_tolerance_s: float = 0.015
    impact_lowpass_hz: float = 40.0
    bridge_s: float = 0.025
    max_flight_g: float = 0.6

    def detect(self, t: np.ndarray, vertical_g: np.ndarray, forward_g: np.ndarray | None = None
               ) -> SacralEventDetector:
        rate = 1.0 / float(np.median(np.diff(t)))
        period, _ = step_period_s(vertical_g, rate)
        self.step_period_s_ = period
        self.step_times_s_ = np.array([])
        cols = ["ic_s", "to_s", "impact_s", "flight_min_g"]
        if not np.isfinite(period):
            self.events_ = pd.DataFrame(columns=cols)
            return self
        x = lowpass(vertical_g, self.lowpass_hz, rate)
        bump = lowpass(vertical_g, 1.5 / period, rate)
        pk = peaks(bump, max(1, int(0.6 * period * rate)), 0.3)
        self.step_times_s_ = t[pk]  # one loading bump per step, with or without a clean flight
        rows = []
        for j, (a, b) in enumerate(zip(pk[:-1], pk[1:])):
            if (b - a) > 1.6 * period * rate:  # a missed step or a pause: no flight to pair
                continue
            seg = x[a:b]
            lowest = float(np.min(seg))
            if lowest > self.max_flight_g:  # no flight between these steps
                continue
            level = max(self.rise_g, lowest + 0.1)
            below = _bridge(seg < level, int(round(self.bridge_s * rate)))
            d = np.diff(np.r_[0, below.astype(np.int8), 0])
            starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
            k = int(np.argmax(ends - starts))
            s, e = a + starts[k], a + ends[k]
            if s == a or e >= b:
                continue
            to = np.interp(_crossing(x, s - 1, level), np.arange(len(t)), t)
            ic = np.interp(_crossing(x, e - 1, level), np.arange(len(t)), t)
            rows.append((ic, to, lowest, j))
        if not rows:
            self.events_ = pd.DataFrame(columns=cols)
            return self
        ic, to, low, seg = map(np.asarray, zip(*rows))
        impact = self._impacts(t, rate, ic, vertical_g, forward_g)
        ok = np.isfinite(impact)
        if ok.sum() >= 3:
            delay = np.median(impact[ok] - ic[ok])
            ok &= np.abs(impact - ic - delay) <= self.impact_tolerance_s  # else not this landing's
            ic = np.where(ok, impact - delay, ic)
        # toe-off belongs to the step before the flight: pair each contact with the next toe-off
        ev = pd.DataFrame({"ic_s": ic[:-1], "to_s": to[1:], "impact_s": impact[:-1], "flight_min_g": low[1:]})
        self.events_ = ev[(np.diff(seg) == 1) & (ev.to_s > ev.ic_s)].reset_index(drop=True)
        return self

    def _impacts(self, t, rate, ic, vertical_g, forward_g) -> np.ndarray:
        cut = self.impact_lowpass_hz
        sig = -np.gradient(lowpass(forward_g, cut, rate)) if forward_g is not None and np.isfinite(
            forward_g).mean() > 0.9 else np.gradient(lowpass(vertical_g, cut, rate))
        w = int(round(self.impact_window_s * rate))
        out = np.full(len(ic), np.nan)
        for j, tc in enumerate(ic):
            c = int(np.searchsorted(t, tc))
            a, b = max(c - w, 1), min(c + w, len(t) - 2)
            if b - a < 3:
                continue
            k = a + int(np.argmax(sig[a:b]))
            den = sig[k - 1] - 2 * sig[k] + sig[k + 1]
            frac = float(np.clip(0.5 * (sig[k - 1] - sig[k + 1]) / den, -0.5, 0.5)) if den < 0 else 0.0
            out[j] = np.interp(k + frac, np.arange(len(t)), t)
        return out
