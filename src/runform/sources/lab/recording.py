"""What a lab motion-capture trial is read into: markers, force plates, and events stored in the file.

Readers (``c3d.py``, ``mocap_text.py``) return these with units as found in
the file or detected from the data; gaps become NaN. The axes are whatever
the lab used: ``runform.sources.lab.frame`` finds the vertical and the running
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
    unit_note: str = ""  # set when the file's declared unit was corrected from the body's size

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
    notes: tuple[str, ...] = ()  # what could not be read: a partial file, unreadable force plates


def zeros_to_nan(xyz: np.ndarray) -> np.ndarray:
    """Marker gaps stored as (0, 0, 0) become missing values."""
    xyz = np.array(xyz, dtype=float)
    xyz[np.all(xyz == 0.0, axis=-1)] = np.nan
    return xyz


def detect_length_unit(xyz: np.ndarray, declared: str | None) -> tuple[str, str]:
    """-> (unit, note): 'mm', 'cm' or 'm', from the body's size in the data (a runner's markers
    span 0.3-2.5 m in any one frame: feet to shoulders, or one leg's cluster), checked against the
    file's word. A declared unit the body size contradicts by a factor of 10 or more (metres
    written over millimetre data) is corrected, and the note says so."""
    span = np.nanmedian(np.nanmax(xyz, axis=1) - np.nanmin(xyz, axis=1), axis=0)
    extent = float(np.nanmax(span)) if np.isfinite(span).any() else float("nan")
    words = {"mm": "mm", "millimeters": "mm", "millimetres": "mm", "m": "m", "meters": "m", "metres": "m",
             "cm": "cm", "centimeters": "cm", "centimetres": "cm"}
    said = words.get((declared or "").strip().lower())
    by_size = next((u for u, lo, hi in (("mm", 300, 5000), ("cm", 30, 500), ("m", 0.3, 5)) if lo <= extent <= hi), None)
    scale = {"mm": 1e-3, "cm": 1e-2, "m": 1.0}
    if said and (by_size is None or said == by_size or _fits(extent * scale[said])):
        return said, ""
    if by_size is None:
        from ...errors import InputFileError

        raise InputFileError(f"Cannot tell the markers' unit: the body spans {extent:.3g} units, neither "
                             "metres nor millimetres.", "Export the trial in mm or m.")
    if said:
        return by_size, (f"the file says its markers are in {declared.strip()}, but the body would then be "
                         f"{extent * scale[said]:.3g} m tall; read as {by_size} ({extent * scale[by_size]:.2f} m)")
    return by_size, ""


def _fits(extent_m: float) -> bool:
    """A body size in metres a running person's markers can span in one frame."""
    return 0.3 <= extent_m <= 2.5
