"""Plain-text motion-capture formats: OpenSim TRC markers, OpenSim .mot force tables,
and the tab-separated marker / force tables of the Fukuchi et al. 2017 running
data set (RBDS). Each returns arrays on a real time axis with units as read
from the file or detected from the data; gaps stored as zeros become NaN.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import InputFileError
from .recording import Forces, LabRecording, Markers, detect_length_unit, zeros_to_nan


def is_trc(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(12).startswith(b"PathFileType")


def is_marker_table(path: Path) -> bool:
    """A tab-separated table whose header is ``Time`` then ``<marker>X <marker>Y <marker>Z`` columns."""
    with open(path, "rb") as fh:
        head = fh.readline().decode("utf-8", "replace").rstrip("\r\n").split("\t")
    cols = [c for c in head[1:] if c]
    return (head[0].strip().lower() == "time" and len(cols) >= 9 and len(cols) % 3 == 0
            and all(c[-1:] in "XYZ" for c in cols))


def read_trc(path: str | Path) -> Markers:
    path = Path(path)
    try:
        lines = path.read_text(errors="replace").splitlines()
        keys, vals = lines[1].split("\t"), lines[2].split("\t")
        header = dict(zip([k.strip() for k in keys], [v.strip() for v in vals]))
        names = [n.strip() for n in lines[3].split("\t")[2:] if n.strip()]
        body = lines[5:] if lines[4].strip() == "" or lines[4].strip()[0] in "XYZ" else lines[4:]
    except (IndexError, OSError):
        raise InputFileError(f"'{path.name}' is not a readable TRC file (its header is incomplete).",
                             "Export the trial again as OpenSim TRC.") from None
    data, note = _trc_rows([b for b in body if b.strip()], 2 + 3 * len(names), path.name)
    xyz = zeros_to_nan(data[:, 2:].reshape(len(data), len(names), 3))
    unit, unit_note = detect_length_unit(xyz, header.get("Units"))
    rate = float(header.get("DataRate") or 1.0 / np.median(np.diff(data[:, 1])))
    return Markers(data[:, 1], names, xyz, unit, rate, "; ".join(n for n in (note, unit_note) if n))


def _trc_rows(rows: list[str], width: int, name: str) -> tuple[np.ndarray, str]:
    """The data rows as numbers (frame, time, x y z per marker); a file cut part-way through its
    last row loses that row, with a note. -> (array, note)"""
    hint = "Export the trial again as OpenSim TRC."
    table = []
    for i, row in enumerate(rows):
        cells = row.split("\t")[:width]
        try:
            values = [float(c) if c.strip() else np.nan for c in cells]
        except ValueError:
            raise InputFileError(f"'{name}' is not a readable TRC file: data row {i + 1} holds text "
                                 f"('{row[:40]}').", hint) from None
        if len(values) < width:
            if i == len(rows) - 1 and i >= 2:
                return np.array(table), (f"the file is partial: its last row ends after {len(values)} of "
                                         f"{width} columns (cut or damaged); {i} complete frames were read")
            raise InputFileError(f"'{name}' is not a readable TRC file: data row {i + 1} has {len(values)} "
                                 f"columns where its markers need {width}.", hint)
        table.append(values)
    if len(table) < 2:
        raise InputFileError(f"'{name}' holds fewer than 2 frames of marker data.", hint)
    return np.array(table), ""


def read_mot(path: str | Path) -> pd.DataFrame:
    """An OpenSim storage (.mot / .sto) table as a DataFrame with a ``time`` column."""
    path = Path(path)
    lines = path.read_text(errors="replace").splitlines()
    try:
        end = next(i for i, l in enumerate(lines) if l.strip().lower() == "endheader")
        df = pd.read_csv(StringIO("\n".join(lines[end + 1:])), sep=r"\s+")
    except (StopIteration, ValueError, pd.errors.ParserError):
        raise InputFileError(f"'{path.name}' is not an OpenSim .mot table (no 'endheader' line or "
                             "unreadable rows).") from None
    if "time" not in df.columns:
        raise InputFileError(f"'{path.name}' has no 'time' column.")
    return df


def read_grf_mot(path: str | Path) -> Forces:
    """OpenSim ground-reaction-force table: one plate per ``<prefix>vx/vy/vz`` column triple
    (e.g. ``R_ground_force_vx``); a prefix starting with R_/L_ names the plate's foot."""
    path = Path(path)
    df = read_mot(path)
    prefixes = [c[:-2] for c in df.columns if c.endswith("vx") and f"{c[:-2]}vy" in df and f"{c[:-2]}vz" in df]
    if not prefixes:
        raise InputFileError(f"'{path.name}' has no force columns (<name>vx, <name>vy, <name>vz).",
                             "Give the ground reaction forces exported by OpenSim.")
    f = np.stack([df[[f"{p}vx", f"{p}vy", f"{p}vz"]].to_numpy(float) for p in prefixes], axis=1)
    foot = [{"r": "right", "l": "left"}.get(p.split("_")[0].lower()) if "_" in p else None for p in prefixes]
    return Forces(df["time"].to_numpy(float), f, [p.rstrip("_") for p in prefixes], foot)


def read_marker_table(path: str | Path) -> Markers:
    """Fukuchi RBDS marker table: ``Time`` (s) then X/Y/Z columns per marker."""
    path = Path(path)
    try:
        df = pd.read_csv(path, sep="\t")
    except Exception as exc:
        raise InputFileError(f"'{path.name}' is not a readable marker table ({exc}).") from None
    df = df.loc[:, [c for c in df.columns if not str(c).startswith("Unnamed")]]
    cols = [c for c in df.columns if c != "Time"]
    names = [c[:-1] for c in cols[::3]]
    xyz = zeros_to_nan(df[cols].to_numpy(float).reshape(len(df), len(names), 3))
    t = df["Time"].to_numpy(float)
    if len(t) < 2 or np.any(np.diff(t) <= 0):
        raise InputFileError(f"'{path.name}': the Time column is not increasing.")
    rate = float(1.0 / np.median(np.diff(t)))
    return Markers(t - t[0], names, xyz, detect_length_unit(xyz, None)[0], rate)


def read_force_table(path: str | Path, duration_s: float | None = None) -> Forces:
    """Fukuchi RBDS force table: ``Time Fx Fy Fz ...`` in N for one plate under both feet.
    Its ``Time`` column counts samples (1, 2, ...), so the rate comes from the trial's
    duration (the markers' time span) when the column is not in seconds."""
    path = Path(path)
    try:
        df = pd.read_csv(path, sep="\t")
        f = df[["Fx", "Fy", "Fz"]].to_numpy(float)[:, None, :]
    except Exception as exc:
        raise InputFileError(f"'{path.name}' is not a force table with Time, Fx, Fy, Fz columns ({exc}).") from None
    t = df["Time"].to_numpy(float)
    if np.allclose(t, np.round(t)) and t[0] in (0, 1):  # a sample index
        if not duration_s:
            raise InputFileError(f"'{path.name}' counts samples instead of seconds; its rate is unknown.")
        t = (t - t[0]) * duration_s / (len(t) - 1)
    return Forces(t, f, ["plate1"], [None])


def read_text_trial(path: str | Path) -> LabRecording:
    path = Path(path)
    m = read_trc(path) if is_trc(path) else read_marker_table(path)
    return LabRecording(m, None, None, path.name)
