"""Plain-text motion-capture formats: OpenSim TRC markers, OpenSim .mot tables,
and the tab-separated marker / force tables of the Fukuchi et al. 2017 running
data set. Each returns arrays on a real time axis with units as read from the
file; gaps stored as zeros become NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputFileError


@dataclass(frozen=True)
class Markers:
    times_s: np.ndarray
    names: list[str]
    xyz: np.ndarray  # (time, marker, 3)
    unit: str  # "mm" or "m"
    rate_hz: float

    def get(self, name: str) -> np.ndarray:
        return self.xyz[:, self.names.index(name), :]

    def has(self, *names: str) -> bool:
        """All named markers are in the file and carry data (a column of zeros is no marker)."""
        return all(n in self.names and np.isfinite(self.get(n)).any() for n in names)

    def to_mm(self) -> "Markers":
        if self.unit == "mm":
            return self
        return Markers(self.times_s, self.names, self.xyz * 1000.0, "mm", self.rate_hz)


def _zeros_to_nan(xyz: np.ndarray) -> np.ndarray:
    xyz = xyz.astype(float)
    gap = np.all(xyz == 0.0, axis=-1)
    xyz[gap] = np.nan
    return xyz


def read_trc(path: str | Path) -> Markers:
    path = Path(path)
    try:
        lines = path.read_text(errors="replace").splitlines()
        keys, vals = lines[1].split("\t"), lines[2].split("\t")
        header = dict(zip([k.strip() for k in keys], [v.strip() for v in vals]))
        names = [n.strip() for n in lines[3].split("\t")[2:] if n.strip()]
        data = np.loadtxt(lines[5:] if lines[4].strip() == "" or lines[4].strip()[0] in "XYZ" else lines[4:],
                          ndmin=2)
    except Exception as exc:
        raise InputFileError(f"'{path.name}' is not a readable TRC file ({exc}).",
                             "Export the trial again as OpenSim TRC.") from None
    data = data[:, : 2 + 3 * len(names)]
    xyz = _zeros_to_nan(data[:, 2:].reshape(len(data), len(names), 3))
    unit = header.get("Units", "mm").lower()
    rate = float(header.get("DataRate", 1.0 / np.median(np.diff(data[:, 1]))))
    return Markers(data[:, 1], names, xyz, "m" if unit.startswith("m") and unit != "mm" else "mm", rate)


def read_mot(path: str | Path) -> pd.DataFrame:
    """An OpenSim storage (.mot / .sto) table as a DataFrame with a ``time`` column."""
    path = Path(path)
    lines = path.read_text(errors="replace").splitlines()
    try:
        end = next(i for i, l in enumerate(lines) if l.strip().lower() == "endheader")
    except StopIteration:
        raise InputFileError(f"'{path.name}' has no 'endheader' line: not an OpenSim .mot file.") from None
    from io import StringIO

    return pd.read_csv(StringIO("\n".join(lines[end + 1 :])), sep=r"\s+")


def read_fukuchi_markers(path: str | Path, rate_hz: float = 150.0) -> Markers:
    """Fukuchi RBDS marker table: ``Time`` then X/Y/Z columns per marker (mm)."""
    df = pd.read_csv(path, sep="\t")
    df = df.loc[:, [c for c in df.columns if not c.startswith("Unnamed")]]
    cols = [c for c in df.columns if c != "Time"]
    names = [c[:-1] for c in cols[::3]]
    xyz = _zeros_to_nan(df[cols].to_numpy(float).reshape(len(df), len(names), 3))
    times = np.arange(len(df)) / rate_hz
    return Markers(times, names, xyz, "mm", rate_hz)


def read_fukuchi_forces(path: str | Path, rate_hz: float = 300.0) -> pd.DataFrame:
    """Fukuchi RBDS force table (N); its ``Time`` column is a sample index, so time is rebuilt."""
    df = pd.read_csv(path, sep="\t")
    df["time"] = (df["Time"] - df["Time"].iloc[0]) / rate_hz
    return df
