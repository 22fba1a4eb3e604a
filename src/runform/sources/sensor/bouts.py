"""Running bouts in a long sensor recording: skip walking, standing and stops.

The recording is cut into 5 s windows (half overlapping). A window is
running when the acceleration magnitude is periodic at a running stride
(autocorrelation >= 0.4 at a stride of 0.45-1.2 s, i.e. 100-270 steps/min),
swings (SD >= 0.3 g) and has a flight phase (its 5th percentile is below
0.6 g: in flight a pelvis sensor reads near free fall; in walking it never
drops that low) or swings as walking never does (SD >= 0.6 g; walking's is
0.1-0.3 g). The second cue is for fast running and a sensor above the sacrum:
there the pelvis's own turning keeps the flight reading up (5th percentile 0.57
g at 5 m/s on the sacrum, 0.75 g on a belt 5 cm above it, virtual sensor on
Hamner subject 2, while its SD is 0.7-0.8 g). Neighbouring running windows merge into bouts; a bout
shorter than ``min_bout_s`` is dropped. Windows that are periodic but have
no flight are counted as walking (reported, not analysed).
"""

from __future__ import annotations

import numpy as np

from .events import step_period_s

WINDOW_S = 5.0
MIN_AUTOCORR = 0.4
MIN_SD_G = 0.3
MAX_FLIGHT_G = 0.6
RUNNING_SD_G = 0.6


def classify_windows(t: np.ndarray, magnitude_g: np.ndarray, rate_hz: float) -> list[tuple[float, float, str, float]]:
    """(start_s, end_s, 'running'|'walking'|'other', step period s) per window."""
    n = int(WINDOW_S * rate_hz)
    hop = n // 2
    out = []
    starts = range(0, max(1, len(t) - n + 1), hop) if len(t) > n else [0]
    for s in starts:
        w = magnitude_g[s : s + n]
        ok = np.isfinite(w)
        if ok.mean() < 0.8:
            out.append((t[s], t[min(s + n, len(t)) - 1], "other", float("nan")))
            continue
        w = w[ok]
        period, ac = step_period_s(w, rate_hz)
        periodic = ac >= MIN_AUTOCORR and np.isfinite(period)
        if periodic and w.std() >= MIN_SD_G and (np.percentile(w, 5) < MAX_FLIGHT_G or w.std() >= RUNNING_SD_G):
            kind = "running"
        elif periodic and w.std() >= 0.1:
            kind = "walking"
        else:
            kind = "other"
        out.append((t[s], t[min(s + n, len(t)) - 1], kind, period))
    return out


def running_bouts(windows, min_bout_s: float = 10.0) -> list[tuple[float, float]]:
    bouts: list[list[float]] = []
    for a, b, kind, _ in windows:
        if kind != "running":
            continue
        if bouts and a <= bouts[-1][1] + 1e-9:
            bouts[-1][1] = max(bouts[-1][1], b)
        else:
            bouts.append([a, b])
    return [(a, b) for a, b in bouts if b - a >= min_bout_s]


def summary_of_windows(windows) -> dict:
    """Seconds of running, walking and other (overlapping halves counted once)."""
    out = {"running": 0.0, "walking": 0.0, "other": 0.0}
    for a, b, kind, _ in windows:
        out[kind] += 0.5 * (b - a)
    if windows:
        out[windows[-1][2]] += 0.5 * (windows[-1][1] - windows[-1][0])
    return {k: round(v, 1) for k, v in out.items()}
