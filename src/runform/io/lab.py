"""What a lab motion-capture trial is read into: markers, force plates, and events stored in the file.

Readers (``c3d.py``, ``mocap_text.py``) return these with units as found in
the file or detected from the data; gaps become NaN. The axes are whatever
the lab used: ``runform.mocap.frame`` finds the vertical and the running
direction from the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Markers:
    times_s: np.ndarray
    names: list[str]
    xyz: np.ndarray  # (time, marker, 3)
    unit: str  # "mm", "cm" or "m"
    rate_hz: float

    def get(self, name: str) -> np.ndarray:
        return self.xyz[:, self.names.index(name), :]

    def has(self, *names: str) -> bool:
        """All named markers are in the file and carry data (a column of zeros is no marker)."""
        return all(n in self.names and np.isfinite(self.get(n)).any() for n in names)

    def to_mm(self) -> "Markers":
        if self.unit == "mm":
            return self
        scale = {"cm": 10.0, "m": 1000.0}[self.unit]
        return Markers(self.times_s, self.names, self.xyz * scale, "mm", self.rate_hz)


@dataclass(frozen=True)
class Forces:
    """Ground reaction forces (N) per plate in the lab frame: ``force[time, plate, xyz]``.

    ``plates`` names each plate; ``foot`` gives the foot a plate belongs to when the
    file says so (split-belt treadmill: ``R_``/``L_`` columns), else None."""

    times_s: np.ndarray
    force: np.ndarray
    plates: list[str]
    foot: list[str | None]


@dataclass(frozen=True)
class LabRecording:
    markers: Markers
    forces: Forces | None = None
    events: pd.DataFrame | None = None  # from the file: foot, kind ("ic"/"to"), time_s
    file: str = ""


def zeros_to_nan(xyz: np.ndarray) -> np.ndarray:
    """Marker gaps stored as (0, 0, 0) become missing values."""
    xyz = np.array(xyz, dtype=float)
    xyz[np.all(xyz == 0.0, axis=-1)] = np.nan
    return xyz


def detect_length_unit(xyz: np.ndarray, declared: str | None) -> str:
    """'mm' or 'm': the file's word when it has one, else the body's size in the data
    (a runner's markers span 1-2 m from feet to pelvis or shoulders)."""
    if declared:
        d = declared.strip().lower()
        if d in ("mm", "millimeters", "millimetres"):
            return "mm"
        if d in ("m", "meters", "metres"):
            return "m"
        if d in ("cm",):
            return "cm"
    span = np.nanmedian(np.nanmax(xyz, axis=1) - np.nanmin(xyz, axis=1), axis=0)
    extent = float(np.nanmax(span)) if np.isfinite(span).any() else float("nan")
    if 300 <= extent <= 5000:
        return "mm"
    if 0.3 <= extent <= 5:
        return "m"
    from ..errors import InputFileError

    raise InputFileError(f"Cannot tell the markers' unit: the body spans {extent:.3g} units, neither "
                         "metres nor millimetres.", "Export the trial in mm or m.")
