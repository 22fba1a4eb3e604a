"""The live read-out of a phone worn at the pelvis: the live page's motion sensors (DeviceMotion:
acceleration with gravity, rotation rate) through the offline sensor analysis on the newest
``WINDOW_S`` seconds.

Each update builds the sensor dataset as a file's is built (``sources.sensor.read.make_imu``:
a uniform grid, gaps filled or reported) and runs ``sources.sensor.analyze.analyze_imu`` on it:
running bouts, the sacral event detector, orientation, strides, the screen, uncertainty and
fault rules, as offline. The figures are the window's medians with their uncertainties. At
Stop the samples are written as a sensor table (``write_table``) that the offline analysis
reads by its column names alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..engine.assess.knowledge import Knowledge
from ..errors import RunformError
from ..settings import Settings

WINDOW_S = 30.0  # the newest seconds each update analyses (about 80 steps)
MIN_S = 6.0  # seconds of samples before the first figures (the offline analysis needs 3 s of running)
G = 9.80665
SENSOR_METRICS = ("cadence_spm", "ground_contact_ms", "vertical_oscillation_cm", "pelvic_rotation_rom_deg",
                  "pelvic_tilt_rom_deg", "pelvic_drop_deg")
COLUMNS = "time_s,acc_x_g,acc_y_g,acc_z_g,gyr_x_dps,gyr_y_dps,gyr_z_dps"


class LiveSensor:
    """Samples in (time s, acceleration with gravity m/s^2 x y z, rotation rate deg/s x y z; NaN
    where the phone gives none), figures out."""

    def __init__(self, settings: Settings, kb: Knowledge):
        self.settings, self.kb = settings, kb
        self.samples: list[np.ndarray] = []
        self.notes: list[str] = []

    def add(self, rows) -> int:
        """Samples from the page, rows of 7 numbers; those out of time order are left out. Returns how many were kept."""
        a = np.asarray(rows, float).reshape(-1, 7)
        last = self.samples[-1][-1, 0] if self.samples else -np.inf
        a = a[np.isfinite(a[:, 0]) & (a[:, 0] > last)]
        a = a[np.concatenate([[True], np.diff(a[:, 0]) > 0])] if len(a) else a
        if len(a):
            self.samples.append(a)
        return len(a)

    def all(self) -> np.ndarray:
        return np.concatenate(self.samples) if self.samples else np.empty((0, 7))

    def newest(self, seconds: float) -> np.ndarray:
        """The samples of the newest ``seconds`` (only the chunks that hold them are joined)."""
        if not self.samples:
            return np.empty((0, 7))
        end, k = self.samples[-1][-1, 0], len(self.samples)
        while k > 0 and self.samples[k - 1][0, 0] > end - seconds:
            k -= 1
        s = np.concatenate(self.samples[max(0, k - 1):])
        return s[s[:, 0] >= end - seconds]

    def update(self) -> dict | None:
        """The newest window's figures, or None before ``MIN_S`` seconds of samples."""
        from ..sources.sensor.analyze import analyze_imu
        from .engine import figures_of
        from ..sources.sensor.read import make_imu

        if not self.samples or self.samples[-1][-1, 0] - self.samples[0][0, 0] < MIN_S:
            return None
        s = self.newest(WINDOW_S)
        data = {"acc": s[:, 1:4] / G}
        if np.isfinite(s[:, 4:7]).any():
            data["gyr"] = s[:, 4:7]
        out = {"t_s": round(float(s[-1, 0]), 3)}
        try:
            rec = make_imu(s[:, 0], data, file="live", frame="sensor", units={"acc": "m/s^2 (the phone's)"})
            summary = analyze_imu(rec, self.settings, self.kb, []).summary
        except RunformError as e:  # not running yet (standing, walking): said, not raised
            return {**out, **dict.fromkeys(SENSOR_METRICS), "strides_used": 0, "waiting": e.raw[0]}
        return {**out, "strides_used": summary["n_strides"], **figures_of(summary, SENSOR_METRICS)}

    def write_table(self, path: Path) -> Path | None:
        """The samples as a sensor table (g, deg/s, named in the columns), or None when under
        ``MIN_S`` seconds were recorded."""
        s = self.all()
        if not len(s) or s[-1, 0] - s[0, 0] < MIN_S:
            return None
        s = s.copy()
        s[:, 0] -= s[0, 0]
        s[:, 1:4] /= G
        cols = COLUMNS.split(",")
        if not np.isfinite(s[:, 4:7]).any():  # a phone without a gyroscope
            s, cols = s[:, :4], cols[:4]
        np.savetxt(path, s, delimiter=",", header=",".join(cols), comments="", fmt="%.6f")
        return path
