"""How well each figure is measured: the uncertainty of every reported median.

``uncertainty`` is 1 SD of the error of a metric's reported median, in the
metric's unit. It is kept apart from the stride-to-stride spread (IQR), which
is how much the runner varies, not how well runform measures. Its parts:

* ``events``: the error of the contact times. Each initial contact and toe-off
  is off by a bias shared by the whole recording and a random error of its own
  (the knowledge base's ``uncertainty.<source>.events``, from runform's own
  validation; for video, plus a frame / sqrt(12) at the effective frame rate).
  Every per-stride value is recomputed with the events moved by the bias, and
  with random errors drawn ``DRAWS`` times (on at most ``MAX_STRIDES`` strides
  spread over the recording; the random share is scaled to all of them): every
  time, and every angle or distance read at a contact, carries its own share.
* ``measurement`` and ``strides``: the error of the value itself (pose model,
  markers, sensor): a bias, and a per-stride error whose share in the median
  shrinks with the number of strides (``uncertainty.<source>.metrics``).
* ``sampling``: the median of n strides stands for the runner's typical stride
  only to 1.25 x SD / sqrt(n) (SD: the stride-to-stride spread, which the IQR
  describes; few strides, a wide margin).
* source terms the adapter adds: for video, the uncertainty of true vertical
  for angles taken against it, and the scale for distances without the runner's height.

The parts add in quadrature. ``uncertainty_unshared`` is the share two recordings of one runner
filmed (or recorded) the same way do not have in common: the random parts (the events' random
errors, the per-stride errors, the sampling) and the source terms measured again for each
recording (true vertical); the biases of the method, the same in both, cancel in their difference.
A comparison of two sessions is beyond noise only beyond it (``app/web/trends.compare``).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import pandas as pd

IC_COLUMNS = ("start_s", "ic_s", "contra_ic_s", "end_s")
TO_COLUMNS = ("to_s",)
DRAWS = 8
MAX_STRIDES = 40  # the runs use at most this many strides; the random share is scaled to all
MEDIAN_SE = 1.2533  # the standard error of a median is 1.25 times that of a mean (normal errors)


def event_parts(strides: pd.DataFrame, remeasure: Callable[[pd.DataFrame], pd.DataFrame], events: dict,
                metrics: list[str], frame_s: float = 0.0, seed: int = 0) -> dict[str, dict]:
    """Per metric, the bias and random parts (metric units) of its median's error from the
    contact times. ``remeasure`` recomputes the stride table from moved events; ``events`` gives
    ``ic`` and ``to`` ``bias`` and ``random`` in ms; ``frame_s`` adds one frame / sqrt(12)."""
    if not len(strides):
        return {}
    sub = strides.iloc[::max(1, math.ceil(len(strides) / MAX_STRIDES))]  # evenly over the recording
    base = _medians(remeasure(sub), metrics)
    late = {kind: _medians(remeasure(_moved(sub, cols, events[kind]["bias"] / 1000)), metrics)
            for kind, cols in (("ic", IC_COLUMNS), ("to", TO_COLUMNS))}
    sd = {kind: random_ms(events, kind, frame_s) / 1000 for kind in ("ic", "to")}
    rng = np.random.default_rng(seed)
    draws = [_medians(remeasure(_jittered(sub, sd, rng)), metrics) for _ in range(DRAWS)]
    out = {}
    for m in metrics:
        bias = math.hypot(*(np.nan_to_num(late[k][m] - base[m]) for k in ("ic", "to")))
        values = [d[m] for d in draws if np.isfinite(d[m])]
        spread = float(np.std(values, ddof=1)) * math.sqrt(len(sub) / len(strides)) if len(values) > 1 else 0.0
        out[m] = {"bias": bias, "random": spread if np.isfinite(spread) else 0.0}
    return out


def random_ms(events: dict, kind: str, frame_s: float = 0.0) -> float:
    """A contact's random error (ms): the source's own and one frame / sqrt(12)."""
    return math.hypot(events[kind]["random"], 1000 * frame_s / math.sqrt(12))


def _medians(table: pd.DataFrame, metrics: list[str]) -> dict[str, float]:
    """Each metric's median over the strides (NaN where it has no value), all columns at once."""
    cols = [m for m in metrics if m in table]
    values = table[cols].to_numpy(float, na_value=np.nan)
    seen = (~np.isnan(values)).any(axis=0)
    medians = dict.fromkeys(metrics, np.nan)
    if seen.any():
        medians.update(zip(np.asarray(cols)[seen], map(float, np.nanmedian(values[:, seen], axis=0))))
    return medians


def _moved(strides: pd.DataFrame, cols: tuple[str, ...], dt: float) -> pd.DataFrame:
    out = strides.copy()
    for c in cols:
        if c in out:
            out[c] = out[c] + dt
    return out


def _jittered(strides: pd.DataFrame, sd: dict, rng: np.random.Generator) -> pd.DataFrame:
    """The strides with each contact moved by its own random error: a contact shared by strides
    (one's end is another's start) moves the same in all of them."""
    out = strides.copy()
    for kind, cols in (("ic", IC_COLUMNS), ("to", TO_COLUMNS)):
        cols = [c for c in cols if c in out]
        vals = out[cols].to_numpy(float)
        uniq, inverse = np.unique(np.round(vals, 6), return_inverse=True)
        noise = rng.normal(0.0, sd[kind], len(uniq))
        out[cols] = vals + noise[inverse].reshape(vals.shape)
    return out


def add_uncertainty(metrics: dict, parts: dict, spec: dict, extras: dict | None = None) -> None:
    """Give each metric summary ``uncertainty`` (1 SD, metric units) and ``uncertainty_parts``.

    ``parts``: ``event_parts``; ``spec``: the knowledge base's ``uncertainty.<source>``;
    ``extras``: per metric, further parts the source knows (e.g. ``vertical``, ``scale``): a number
    in the metric's unit, or ``{"relative": r}`` for r times the median."""
    for name, m in metrics.items():
        ev = parts.get(name) or {"bias": 0.0, "random": 0.0}
        meas = spec.get("metrics", {}).get(name) or spec.get("default", {}).get(m.get("unit", "")) or {}
        n = max(1, m.get("n") or 1)
        comp = {"events": math.hypot(ev["bias"], ev["random"]),
                "measurement": float(meas.get("bias", 0.0)),
                "strides": MEDIAN_SE * float(meas.get("stride", 0.0)) / math.sqrt(n),
                "sampling": MEDIAN_SE * float(m.get("sd") or 0.0) / math.sqrt(n)}
        value = abs(float(m.get("median") or 0.0))
        if "relative_pct" in meas:  # e.g. a speed known to a few percent
            comp["measurement"] = math.hypot(comp["measurement"], value * meas["relative_pct"] / 100)
        for part, v in (extras or {}).get(name, {}).items():  # a number, or {"relative": share of the value}
            comp[part] = value * v["relative"] if isinstance(v, dict) else float(v)
        _set(m, comp)
        unshared = [ev["random"], comp["strides"], comp["sampling"], comp.get("vertical", 0.0)]
        m["uncertainty_unshared"] = round(math.sqrt(sum(v * v for v in unshared)), 3)
    for name, spec_m in spec.get("metrics", {}).items():  # a ratio: the relative uncertainties of its terms
        if name in metrics and "ratio_of" in spec_m:
            _ratio(metrics[name], [metrics.get(k) for k in spec_m["ratio_of"]])


def _set(m: dict, comp: dict) -> None:
    m["uncertainty"] = round(math.sqrt(sum(v * v for v in comp.values())), 3)
    m["uncertainty_parts"] = {k: round(v, 3) for k, v in comp.items() if v > 0.0005}


def _ratio(m: dict, terms: list[dict | None]) -> None:
    """A ratio's uncertainty from its own (events) part and its terms' relative uncertainties."""
    if any(not t or not t.get("median") or t.get("uncertainty") is None for t in terms):
        return
    rel = math.sqrt(sum((t["uncertainty"] / abs(t["median"])) ** 2 for t in terms))
    comp = {**(m.get("uncertainty_parts") or {}), "terms": abs(float(m.get("median") or 0.0)) * rel}
    _set(m, comp)


def dominant_part(metric: dict) -> str:
    """The largest part of a metric's uncertainty (what would settle a borderline finding)."""
    parts = metric.get("uncertainty_parts") or {}
    return max(parts, key=parts.get) if parts else "measurement"
