"""Pelvis-worn motion-sensor recordings (CSV) into the IMU dataset.

The dataset (design.md): ``acc(time, axis)`` in g (specific force, so a sensor
at rest reads +1 g upwards), ``gyr(time, axis)`` in deg/s, optional
``mag(time, axis)`` and ``quat(time, q)``; ``axis`` is the sensor's x, y, z
(an axis the file lacks is all-missing). attrs: ``sampling_rate_hz``,
``source="imu"``, ``frame`` ("sensor", or "body" when the file names its axes
anterior/medio-lateral/vertical as gaitmap does: x = anterior, y = superior,
z = right), the units found and how, gaps and clipping.

Columns are recognised by name (case and punctuation ignored): a time column
(``time``, ``timestamp``, ``date_time``, ``t``...), accelerometer
(``acc_x``, ``Accel_LN_X``, ``ax``, ``acc_pa``...), gyroscope (``gyr_x``,
``gyro_x``, ``gx``...), magnetometer (``mag_x``), quaternion (``qw..qz``); a
file holding only ``x, y, z`` is an accelerometer. Units come from suffixes
(``_g``, ``_ms2``, ``_dps``, ``_rads``, ``_ms`` for time) or are detected:
acceleration from gravity's magnitude (the mean specific force over a
recording is gravity: ~1 in g, ~9.8 in m/s^2), angular rate from its size (a
running pelvis turns at 50-300 deg/s; in rad/s its 99th percentile stays
below 15), time from the sample interval. The columns and units a user names
(``Settings``' sensor options) override both.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ...errors import InputFileError, NotAnalysableError, UsageError
from ...words import opt

G = 9.80665
AXES = ("x", "y", "z")
BODY_AXES = {"pa": "x", "ap": "x", "si": "y", "vt": "y", "ml": "z"}  # anterior, superior, right
_TIME_NAMES = ("time", "timestamp", "datetime", "t", "seconds", "secs", "ts", "epoch")
_SENSORS = {"acc": ("acc", "accel", "accelerometer", "a", "accln", "acclowg", "accwr"),
            "gyr": ("gyr", "gyro", "gyroscope", "g", "angvel", "angularvelocity", "rot"),
            "mag": ("mag", "magnetometer", "m")}
_ACC_UNITS = {"g": 1.0, "ms2": 1 / G, "mps2": 1 / G, "ms-2": 1 / G, "m/s2": 1 / G, "m/s^2": 1 / G}
_GYR_UNITS = {"dps": 1.0, "degs": 1.0, "deg/s": 1.0, "rads": 180 / np.pi, "rad/s": 180 / np.pi, "radps": 180 / np.pi}
_TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
MAX_GAP_FILL_S = 0.05  # gaps up to this are interpolated; longer ones are reported and left missing
MIN_DURATION_S = 3.0
MIN_RATE_HZ = 20.0  # a step (about 0.3 s) needs several samples to be found at all


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _split_unit(name: str) -> tuple[str, str | None]:
    """'acc_x_g' -> ('acc_x', 'g'); units as the last token or in brackets."""
    low = name.strip().lower()
    m = re.search(r"[\[(]\s*([^\])]+)\s*[\])]\s*$", low)
    if m:
        return low[: m.start()].strip(" _"), m.group(1).replace(" ", "")
    parts = re.split(r"[_\s]+", low)
    if len(parts) > 1 and parts[-1] in (*_ACC_UNITS, *_GYR_UNITS, *_TIME_UNITS):
        return "_".join(parts[:-1]), parts[-1]
    return low, None


def _classify(name: str) -> tuple[str, str] | None:
    """('acc'|'gyr'|'mag'|'quat', axis) for a column name, or None."""
    base, _ = _split_unit(name)
    n = _norm(base)
    m = re.fullmatch(r"(?:q|quat|quaternion|orientation)(w|x|y|z|0|1|2|3)", n)
    if m:
        return "quat", "wxyz"["w0x1y2z3".index(m.group(1)) // 2]
    for sensor, stems in _SENSORS.items():
        for stem in sorted(stems, key=len, reverse=True):
            if n.startswith(stem):
                rest = n[len(stem):]
                rest = re.sub(r"^(ln|wr|lowg|highg|hg|cal|raw|uncal)", "", rest)
                if rest in AXES:
                    return sensor, rest
                if rest in BODY_AXES:
                    return sensor, rest
    if n in AXES:
        return "acc", n
    return None


def parse_mapping(text: str | None) -> dict[str, str]:
    """'time=ts,acc_x=AX,...' -> {'time': 'ts', 'acc_x': 'AX', ...}."""
    if not text:
        return {}
    out = {}
    for item in text.split(","):
        if "=" not in item:
            raise UsageError(f"{opt('columns')} item '{item}' is not name=column.",
                             f"Write e.g. {opt('columns', 'time=ts,acc_x=AX,acc_y=AY,acc_z=AZ,gyr_x=GX,gyr_y=GY,gyr_z=GZ')}.")
        k, v = (s.strip() for s in item.split("=", 1))
        if not re.fullmatch(r"time|(acc|gyr|mag)_[xyz]", k):
            raise UsageError(f"{opt('columns')}: '{k}' is not one of time, acc_x..z, gyr_x..z, mag_x..z.")
        out[k] = v
    return out


def parse_units(text: str | None) -> dict[str, str]:
    """'acc=g,gyr=rad/s,time=ms' -> dict, each checked."""
    out = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        k, _, v = item.partition("=")
        k, v = k.strip(), v.strip().lower().replace(" ", "")
        table = {"acc": _ACC_UNITS, "gyr": _GYR_UNITS, "time": _TIME_UNITS}.get(k)
        if table is None or v not in table:
            raise UsageError(f"{opt('units', repr(item))} is not understood.",
                             "Use acc=g or acc=m/s2, gyr=deg/s or gyr=rad/s, time=s|ms|us|ns.")
        out[k] = v
    return out


def _head(path: Path, n: int = 8192) -> str:
    opener = gzip.open if _is_gzip(path) else open
    with opener(path, "rb") as f:
        return f.read(n).decode("utf-8", errors="replace")


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _delimiter(path: Path) -> str:
    """The delimiter that splits the header and the first rows into the same number of fields (> 1)."""
    lines = [ln for ln in _head(path).splitlines()[:6] if ln.strip() and not ln.startswith("#")]
    for sep in (",", ";", "\t", "|", " "):
        counts = {len(ln.split(sep)) for ln in lines[:-1] or lines}
        if len(counts) == 1 and counts.pop() > 1:
            return sep
    return ","


_DECIMAL_COMMA = re.compile(r"-?\d+,\d+(e[-+]?\d+)?", re.IGNORECASE)


def _decimal(path: Path, sep: str) -> str:
    """',' for a spreadsheet export in European style (';' or tabs between fields, decimal commas:
    most numbers of the first rows written as 1,25), else '.'."""
    if sep == ",":
        return "."
    rows = [ln.split(sep) for ln in _head(path).splitlines()[1:20] if ln.strip() and not ln.startswith("#")]
    cells = [c.strip() for row in rows[:-1] or rows for c in row if c.strip()]
    commas = sum(bool(_DECIMAL_COMMA.fullmatch(c)) for c in cells)
    return "," if cells and commas > len(cells) / 3 else "."


def _no_header(columns) -> bool:
    """A first row of numbers (or date-times) is data, not names: the file has no header row."""
    def data(c: str) -> bool:
        c = str(c).strip()
        try:
            float(c.replace(",", "."))
            return True
        except ValueError:
            return bool(re.fullmatch(r"\d{4}-\d\d-\d\d[T ][\d:.]+|[\d:.]+", c))
    return len(columns) > 1 and all(data(c) for c in columns)


def read_table(path: Path) -> pd.DataFrame:
    """The CSV with its delimiter and decimal mark sniffed; a clear error when it is not a table."""
    try:
        sep = _delimiter(path)
        df = pd.read_csv(path, sep=sep, decimal=_decimal(path, sep), comment="#", skipinitialspace=True,
                         compression="gzip" if _is_gzip(path) else None)
    except (pd.errors.EmptyDataError, UnicodeDecodeError):
        raise InputFileError(f"'{path.name}' holds no readable table (it is empty or not text).",
                             "Give the sensor recording as a CSV with a header row.") from None
    except (pd.errors.ParserError, ValueError) as e:
        raise InputFileError(f"'{path.name}' could not be read as a table: {str(e).splitlines()[0]}",
                             "Check that every row has the same columns, separated by commas, "
                             "semicolons or tabs.") from None
    if _no_header(df.columns):
        raise InputFileError(f"'{path.name}' has no header row: its first line holds numbers "
                             f"({', '.join(map(str, df.columns[:4]))}), not column names.",
                             "Add a first line naming the columns, e.g. time,acc_x,acc_y,acc_z (gyr_x,gyr_y,gyr_z "
                             "for a gyroscope), then run again.")
    if df.shape[1] < 2 or len(df) == 0:
        raise InputFileError(f"'{path.name}' has {len(df)} rows and {df.shape[1]} column(s): no sensor data.",
                             "A sensor CSV needs a header row (time, acc_x, acc_y, acc_z, ...) and one row per sample; "
                             "check the delimiter.")
    return df


def is_imu_table(path: Path) -> bool:
    """Does this CSV have accelerometer columns? (cheap: header only)."""
    try:
        head = pd.read_csv(path, sep=_delimiter(path), nrows=5, comment="#",
                           compression="gzip" if _is_gzip(path) else None)
    except Exception:
        return False
    kinds = [_classify(str(c)) for c in head.columns]
    return sum(1 for k in kinds if k and k[0] == "acc") >= 1 and len(head.columns) >= 2


def _columns(df: pd.DataFrame, mapping: dict[str, str]) -> dict[str, str]:
    """role ('time', 'acc_x', 'gyr_pa', 'quat_w', ...) -> column name."""
    roles: dict[str, str] = {}
    for col in df.columns:
        c = str(col)
        kind = _classify(c)
        if kind and f"{kind[0]}_{kind[1]}" not in roles:
            roles[f"{kind[0]}_{kind[1]}"] = c
        elif "time" not in roles and (_norm(_split_unit(c)[0]) in _TIME_NAMES
                                      or _norm(c).startswith(("time", "timestamp", "systemtimestamp", "datetime"))):
            roles["time"] = c
    for k, v in mapping.items():
        if v not in df.columns:
            raise UsageError(f"{opt('columns')} names '{v}', which is not a column of the file.",
                             f"Its columns are: {', '.join(map(str, df.columns))}.")
        roles = {r: c for r, c in roles.items() if c != v}
        roles[k] = v
    return roles


def _times(df: pd.DataFrame, col: str | None, unit: str | None, rate_hz: float | None) -> tuple[np.ndarray, str]:
    if col is None:
        if not rate_hz:
            raise UsageError("The file has no time column.",
                             f"Name it with {opt('columns', 'time=<column>')}, or give the sampling rate with "
                             f"{opt('rate', 'HZ')}.")
        return np.arange(len(df)) / rate_hz, f"none: {rate_hz:g} Hz given"
    raw = df[col]
    if not pd.api.types.is_numeric_dtype(raw):
        t = _parse_datetimes(raw)
        if t.isna().mean() > 0.01:
            raise InputFileError(f"The time column '{col}' is neither numbers nor dates (e.g. '{raw.iloc[0]}').",
                                 f"Name the right column with {opt('columns', 'time=<column>')}.")
        # seconds from the first stamp, whatever resolution pandas parsed them at (s, ms, us, ns)
        return (t - t.iloc[0]).dt.total_seconds().to_numpy(float), "date-times"
    x = raw.to_numpy(float)
    name_unit = _split_unit(str(col))[1]
    unit = unit or (name_unit if name_unit in _TIME_UNITS else None)
    if unit is None:
        d = np.diff(x)
        dt = float(np.nanmedian(d[d > 0])) if (d > 0).any() else 0.0  # repeats are reported later
        unit = next((u for u, lo, hi in (("s", 2e-4, 0.25), ("ms", 0.2, 250), ("us", 200, 2.5e5), ("ns", 2e5, 2.5e8))
                     if lo <= dt <= hi), None)
        if unit is None:
            raise InputFileError(f"The time column '{col}' has a sample interval of {dt:g}: not seconds, "
                                 "milliseconds, microseconds or nanoseconds at 4-5000 Hz.",
                                 f"Give its unit with {opt('units', 'time=s|ms|us|ns')}.")
        how = f"{unit} (from the sample interval)"
    else:
        how = f"{unit} (given)" if name_unit != unit else f"{unit} (from the column name)"
    return (x - x[0]) * _TIME_UNITS[unit], how


def _parse_datetimes(raw: pd.Series) -> pd.Series:
    """Date-times or times of day at any precision; unparsable entries become NaT."""
    import warnings

    t = pd.to_datetime(raw, format="ISO8601", errors="coerce")
    if t.isna().mean() > 0.01:  # times of day and other layouts: element-wise inference
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = pd.to_datetime(raw, errors="coerce")
    return t


def _spread_coarse_stamps(t: np.ndarray) -> np.ndarray | None:
    """Sample times for rows stamped at a coarse resolution (whole seconds, say): a straight line
    through the first row of each new stamp, or None where the rows are not evenly sampled."""
    first = np.flatnonzero(np.r_[False, np.diff(t) > 0])
    if len(first) < 3:
        return None
    slope, icpt = np.polyfit(first, t[first], 1)
    quantum = float(np.median(np.diff(t[first])))
    if slope <= 0 or np.max(np.abs(t[first] - (icpt + slope * first))) > 0.5 * quantum:
        return None
    return icpt + slope * np.arange(len(t))


def _check_times(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Sorted, unique sample times or a clear error; -> (times, rows to keep, notes)."""
    notes = []
    if not np.isfinite(t).all():
        raise InputFileError(f"{int((~np.isfinite(t)).sum())} rows have no time stamp.",
                             "Remove those rows or repair the time column.")
    d = np.diff(t)
    back = np.flatnonzero(d < 0)
    if len(back):
        raise InputFileError(f"The time stamps go backwards at row {back[0] + 2} "
                             f"({t[back[0]]:.4f} s then {t[back[0] + 1]:.4f} s; {len(back)} places in all).",
                             "The file may join several recordings; split them, or sort by time if the "
                             "rows were shuffled.")
    keep = np.r_[True, d > 0]
    if (~keep).any():
        frac = float((~keep).mean())
        even = _spread_coarse_stamps(t) if frac > 0.01 else None
        if even is not None:
            notes.append(f"The time stamps are coarse ({frac * 100:.0f} % of rows repeat one): the samples were "
                         f"spread evenly between them, {1 / float(np.median(np.diff(even))):.1f} Hz.")
            return even, np.ones(len(t), bool), notes
        if frac > 0.01:
            raise InputFileError(f"{int((~keep).sum())} rows ({100 * frac:.0f} %) repeat the previous time stamp.",
                                 "The time column may be too coarse (e.g. whole seconds): give one with "
                                 f"sub-sample resolution, or the sampling rate with {opt('rate', 'HZ')} and no time column.")
        notes.append(f"{int((~keep).sum())} samples repeated a time stamp and were dropped.")
    return t, keep, notes


def _scale(x: np.ndarray, kind: str, unit: str | None, col_unit: str | None) -> tuple[np.ndarray, str]:
    table = _ACC_UNITS if kind == "acc" else _GYR_UNITS
    unit = unit or (col_unit if col_unit in table else None)
    if unit:
        name = "g" if table[unit] == 1.0 and kind == "acc" else ("deg/s" if table[unit] == 1.0 else
                                                              ("m/s^2" if kind == "acc" else "rad/s"))
        return x * table[unit], name + (" (given)" if col_unit != unit else " (from the column names)")
    if kind == "acc":
        if not np.isfinite(x).any(axis=0).all():
            raise InputFileError("An accelerometer column holds no numbers (empty, or text such as 'n/a').",
                                 f"Check the file's columns, or name the right ones with {opt('columns')}.")
        g = float(np.linalg.norm(np.nanmean(x, axis=0)))
        if 0.6 <= g <= 1.6:
            return x, f"g (gravity reads {g:.2f})"
        if 6.0 <= g <= 15.0:
            return x / G, f"m/s^2 (gravity reads {g:.2f})"
        mag = float(np.nanmedian(np.linalg.norm(np.nan_to_num(x), axis=1)))  # a sensor that turns a lot
        if 0.5 <= mag <= 3.0:
            return x, f"g (median magnitude {mag:.2f})"
        if 5.0 <= mag <= 30.0:
            return x / G, f"m/s^2 (median magnitude {mag:.2f})"
        raise InputFileError(f"The accelerometer's mean reads {g:.3g}: neither 1 g nor 9.81 m/s^2 of gravity.",
                             f"Give the unit with {opt('units', 'acc=g')} or {opt('units', 'acc=m/s2')}, or check the "
                             f"columns ({opt('columns')}).")
    p99 = float(np.nanpercentile(np.abs(x), 99))
    if p99 < 15.0:
        return x * 180 / np.pi, f"rad/s (99th percentile {p99:.2f})"
    return x, f"deg/s (99th percentile {p99:.0f})"


def load_imu_csv(path: str | Path, columns: str | None = None, units: str | None = None,
                 rate_hz: float | None = None) -> xr.Dataset:
    """Read a sensor CSV into the IMU dataset (see the module notes)."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"'{path}' does not exist.")
    df = read_table(path)
    unit_of = parse_units(units)
    roles = _columns(df, parse_mapping(columns))
    acc_roles = [r for r in roles if r.startswith("acc_")]
    if not acc_roles:
        raise InputFileError(f"'{path.name}' has no accelerometer columns (columns: {', '.join(map(str, df.columns))}).",
                             f"Name them with {opt('columns', 'acc_x=<col>,acc_y=<col>,acc_z=<col>')} (and gyr_x... for a "
                             "gyroscope, time=<col>).")
    t, time_how = _times(df, roles.get("time"), unit_of.get("time"), rate_hz)
    t, keep, notes = _check_times(t)
    t = t[keep]
    body = any(r.split("_")[1] in BODY_AXES for r in acc_roles)
    data, found_units = {}, {"time": time_how}
    for kind in ("acc", "gyr", "mag"):
        arr = np.full((len(t), 3), np.nan)
        col_units = []
        for r, c in roles.items():
            if r.startswith(kind + "_"):
                ax = BODY_AXES.get(r.split("_")[1], r.split("_")[1])
                v = pd.to_numeric(df[c], errors="coerce").to_numpy(float)[keep]
                arr[:, AXES.index(ax)] = v
                col_units.append(_split_unit(c)[1])
        if np.isfinite(arr).any():
            if kind in ("acc", "gyr"):
                arr, found_units[kind] = _scale(arr, kind, unit_of.get(kind), col_units[0] if col_units else None)
            data[kind] = arr
    q = [roles.get(f"quat_{c}") for c in "wxyz"]
    if all(q):
        data["quat"] = df[q].to_numpy(float)[keep]
    return make_imu(t, data, file=path.name, frame="body" if body else "sensor", units=found_units, notes=notes)


def make_imu(times_s: np.ndarray, data: dict[str, np.ndarray], **attrs) -> xr.Dataset:
    """The IMU dataset on a uniform time axis: irregular sampling resampled, short gaps
    filled, long gaps reported (and left missing), clipping flagged."""
    t = np.asarray(times_s, float)
    notes = list(attrs.pop("notes", []))
    if len(t) < 2 or t[-1] - t[0] < MIN_DURATION_S:
        raise NotAnalysableError(f"The recording lasts {t[-1] - t[0] if len(t) > 1 else 0:.1f} s; runform needs "
                                 f"at least {MIN_DURATION_S:g} s of running (about 9 steps).",
                                 "Record a longer run.")
    dt = np.diff(t)
    step = float(np.median(dt))
    rate = 1.0 / step
    if rate < MIN_RATE_HZ:
        raise NotAnalysableError(
            f"The sensor recorded at {rate:.3g} Hz: too slow to see running steps (each lasts about 0.3 s); "
            f"runform needs at least {MIN_RATE_HZ:g} Hz, and 100 Hz for contact times.",
            "Record at 100 Hz or more (most sensors and phone apps can), or check the time column's unit "
            f"({opt('units', 'time=s|ms|us|ns')}).")
    irregular = float(np.mean(np.abs(dt - step) > 0.1 * step))
    gaps = np.flatnonzero(dt > 3 * step)
    grid = t[0] + step * np.arange(int(np.floor((t[-1] - t[0]) / step)) + 1)
    out = _resample(t, data, grid, rate)
    long_gap = np.zeros(len(grid), bool)
    for g in gaps:
        if dt[g] > MAX_GAP_FILL_S:
            long_gap |= (grid > t[g]) & (grid < t[g + 1])
    for k in out:
        out[k][long_gap] = np.nan
    notes += _sampling_notes(t, dt, step, rate, irregular, gaps)
    acc = out["acc"]
    nan_frac = float(np.mean(~np.isfinite(acc[:, np.isfinite(acc).any(0)]))) if np.isfinite(acc).any() else 1.0
    if nan_frac > 0.5:
        raise InputFileError(f"{100 * nan_frac:.0f} % of the accelerometer samples are missing (empty or NaN).",
                             f"Check the file and its columns ({opt('columns')}).")
    notes += _missing_notes(grid, acc, long_gap)
    clipped = _clipped(acc)
    if clipped:
        notes.append(clipped)
    coords = {"time": grid, "axis": list(AXES)}
    ds_vars = {k: (("time", "axis"), v) for k, v in out.items() if k in ("acc", "gyr", "mag")}
    if "quat" in out:
        ds_vars["quat"] = (("time", "q"), out["quat"])
        coords["q"] = list("wxyz")
    units = attrs.pop("units", {})
    return xr.Dataset(ds_vars, coords=coords,
                      attrs=dict(source="imu", sampling_rate_hz=rate, fps=rate,
                                 units="; ".join(f"{k}: {v}" for k, v in units.items()),
                                 notes=notes, **attrs))


def _resample(t: np.ndarray, data: dict[str, np.ndarray], grid: np.ndarray, rate: float) -> dict[str, np.ndarray]:
    """Each channel on the uniform ``grid``; runs of missing values filled up to MAX_GAP_FILL_S."""
    out = {}
    for k, v in data.items():
        v = np.asarray(v, float).reshape(len(t), -1)
        res = np.empty((len(grid), v.shape[1]))
        for j in range(v.shape[1]):
            ok = np.isfinite(v[:, j])
            res[:, j] = np.interp(grid, t[ok], v[ok, j]) if ok.sum() > 1 else np.nan
            if ok.sum() > 1 and (~ok).any():  # missing values: fill short runs only
                miss = np.interp(grid, t, (~ok).astype(float)) > 0
                res[miss & _long_runs(miss, MAX_GAP_FILL_S * rate), j] = np.nan
        out[k] = res
    return out


def _missing_notes(grid: np.ndarray, acc: np.ndarray, gap: np.ndarray) -> list[str]:
    """Runs of missing accelerometer values (empty cells, NaN) too long to fill, said with where."""
    axes = np.isfinite(acc).any(0)
    miss = ~np.isfinite(acc[:, axes]).all(1) & ~gap
    if not miss.any():
        return []
    edges = np.flatnonzero(np.diff(np.r_[0, miss.astype(int), 0]))
    runs = [(grid[a], grid[b - 1] - grid[a] + (grid[1] - grid[0])) for a, b in zip(edges[::2], edges[1::2])]
    start, longest = max(runs, key=lambda r: r[1])
    return [f"{len(runs)} run(s) of missing sensor values ({sum(r[1] for r in runs):.2f} s in all, longest "
            f"{longest:.2f} s at {start:.1f} s) are left out: steps there are not counted."]


def _sampling_notes(t: np.ndarray, dt: np.ndarray, step: float, rate: float, irregular: float,
                    gaps: np.ndarray) -> list[str]:
    notes = []
    if irregular > 0.05:
        notes.append(f"Sampling was irregular ({100 * irregular:.0f} % of intervals off the median "
                     f"{1000 * step:.2f} ms): resampled to {rate:.1f} Hz.")
    if len(gaps):
        total = float(np.sum(dt[gaps]))
        notes.append(f"{len(gaps)} gap(s) in the recording ({total:.2f} s in all, longest {dt[gaps].max():.2f} s at "
                     f"{t[gaps[np.argmax(dt[gaps])]]:.1f} s); gaps over {1000 * MAX_GAP_FILL_S:.0f} ms are left out.")
    return notes


def _long_runs(mask: np.ndarray, min_len: float) -> np.ndarray:
    """True inside runs of ``mask`` longer than ``min_len`` samples."""
    d = np.diff(np.r_[0, mask.astype(int), 0])
    out = np.zeros(len(mask), bool)
    for a, b in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)):
        if b - a > min_len:
            out[a:b] = True
    return out


def _clipped(acc: np.ndarray) -> str | None:
    """A warning when samples sit flat at the sensor's range (at least 3 in a row at the axis's
    extreme, beyond 1.5 g): impact peaks are then cut, and events less certain."""
    n_clip, limit = 0, 0.0
    for j in range(acc.shape[1]):
        x = acc[:, j]
        if not np.isfinite(x).any():
            continue
        for ext in (np.nanmax(x), np.nanmin(x)):
            if abs(ext) < 1.5:
                continue
            at = np.isclose(x, ext, atol=1e-6 * max(1.0, abs(ext)))
            runs = _long_runs(at, 2)
            if runs.sum() >= 3:
                n_clip += int(at.sum())
                limit = max(limit, abs(ext))
    if not n_clip:
        return None
    return (f"{n_clip} accelerometer samples sit flat at +/-{limit:.1f} g (the sensor's range): impact peaks "
            "are clipped. Timing is still found from the rise and fall of the signal; use a range of 8 g or more.")
