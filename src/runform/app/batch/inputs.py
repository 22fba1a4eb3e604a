"""What a batch analyses: recordings found in the inputs, their keys and their settings.

Inputs are files, folders (searched recursively) and glob patterns. Each file
is either a recording (video, lab trial, sensor table) or listed with the
reason it is not one: a static trial or force file belongs to a running trial
beside it, a README is not a recording. A recording's key hashes its bytes,
the bytes of the companion files its analysis reads (static trial, forces),
and its settings, so a rerun finds what is done and a change of settings or
data never reuses an old result.
"""

from __future__ import annotations

import datetime
import glob
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import UsageError
from ...sources.sniff import LAB_SUFFIXES, TABLE_SUFFIXES, VIDEO_SUFFIXES, content_hash, sniff, suffix


@dataclass(frozen=True)
class Recording:
    path: Path  # absolute
    source: str  # video | lab | imu
    key: str  # content + companions + settings
    settings: dict  # Settings keyword arguments for this recording
    athlete: str | None = None
    companions: tuple[str, ...] = ()
    date: datetime.date | None = None


@dataclass
class Found:
    recordings: list[Recording] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (file, why it is not analysed)


def expand(inputs: list[str], exclude: Path | None = None) -> list[Path]:
    """Files named by the inputs (files, folders searched recursively, glob patterns), sorted,
    each once; hidden files and anything under ``exclude`` (the batch's own output) left out."""
    files: set[Path] = set()
    for item in inputs:
        p = Path(item).expanduser()
        matches = [Path(m) for m in glob.glob(str(p), recursive=True)] if glob.has_magic(str(p)) else [p]
        if not matches:
            raise UsageError(f"No file matches '{item}'.", "Check the path or pattern.")
        for m in matches:
            if m.is_dir():
                files.update(f for f in m.rglob("*") if f.is_file())
            elif m.is_file():
                files.add(m)
            else:
                raise UsageError(f"'{item}' does not exist.", "Check the path.")
    ex = exclude.resolve() if exclude else None
    keep = []
    for f in files:
        f = Path(os.path.abspath(f))  # absolute, links kept: a linked file keeps the name it was given
        if any(part.startswith(".") for part in f.parts[-3:]) or (ex and f.resolve().is_relative_to(ex)):
            continue
        if f.parent.joinpath("summary.json").is_file():  # an analysis output folder
            continue
        keep.append(f)
    return sorted(set(keep))


def classify(path: Path, sensor_options: bool) -> tuple[str | None, str]:
    """(source, '') for a recording, or (None, why not): companions by name (a static trial, a
    force file), then the content sniff every entry point uses."""
    ext, name = suffix(path), path.name.lower()
    if ext in (".mot", ".sto"):
        return None, "a force or joint-angle file (OpenSim): it is read with the trial of the same name"
    if ext in TABLE_SUFFIXES and ("forces" in name or name.endswith("_grf.csv")):
        return None, "a force file: it is read with the trial of the same name"
    found = sniff(path)
    kind = found[0] if found else None
    if kind is None and ext in VIDEO_SUFFIXES:
        kind = "video"  # a container without a known signature: the decoder decides
    if kind is None and ext in LAB_SUFFIXES:
        kind = "lab"  # a damaged trial: its reader says why
    if kind is None and ext in TABLE_SUFFIXES and sensor_options:
        kind = "imu"  # --columns names what the header does not
    if kind == "lab" and "static" in name:
        return None, "a static (standing) trial: it is read with the running trial beside it"
    if kind is not None:
        return kind, ""
    if ext == ".txt":
        return None, "a text file that is neither a marker table nor a sensor recording"
    if ext in TABLE_SUFFIXES:
        return None, "a table without accelerometer or marker columns (use --columns if it is a sensor file)"
    return None, f"not a recording runform reads ({ext or 'no extension'})"


def companions(path: Path, source: str) -> list[Path]:
    """The other files a lab trial's analysis reads (static trial, forces)."""
    if source != "lab":
        return []
    from ...sources.lab.trial import sibling_forces, sibling_static

    return [p for p in (sibling_static(path), sibling_forces(path)) if p is not None]


def recording_key(path: Path, source: str, settings: dict) -> tuple[str, tuple[str, ...]]:
    extra = companions(path, source)
    h = hashlib.sha256(content_hash(path).encode())
    for c in extra:
        h.update(c.name.encode() + content_hash(c).encode())
    h.update(json.dumps(settings, sort_keys=True, default=str).encode())
    return h.hexdigest()[:20], tuple(c.name for c in extra)


@dataclass(frozen=True)
class ManifestRow:
    athlete: str | None = None
    date: datetime.date | None = None  # the day it was recorded: the session's date in the store
    height_m: float | None = None
    speed_mps: float | None = None
    sex: str | None = None


def read_manifest(path: Path) -> dict[str, ManifestRow]:
    """A CSV with a ``file`` column and any of ``athlete``, ``date``, ``height`` (m), ``speed`` (3.2,
    12kmh...), ``sex``: per-recording details. Files match by path (as written, or relative to
    the manifest) or by name."""
    import pandas as pd

    from ...settings import parse_date, parse_height, parse_speed

    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as e:
        raise UsageError(f"The manifest '{path}' could not be read ({e.__class__.__name__}).",
                         "Give a CSV with a header row: file,athlete,date,height,speed,sex.") from None
    df.columns = [c.strip().lower() for c in df.columns]
    if "file" not in df.columns:
        raise UsageError(f"The manifest '{path.name}' has no 'file' column (it has: {', '.join(df.columns)}).",
                         "Add a header row: file,athlete,date,height,speed,sex.")
    unknown = set(df.columns) - {"file", "athlete", "date", "height", "speed", "sex"}
    if unknown:
        raise UsageError(f"The manifest '{path.name}' has columns runform does not know: {', '.join(sorted(unknown))}.",
                         "Known columns: file, athlete, date (YYYY-MM-DD), height (m), speed (m/s, 12kmh...), sex (m/f).")
    rows: dict[str, ManifestRow] = {}
    for i, r in df.iterrows():
        try:
            height, day = parse_height(r.get("height")), parse_date(r.get("date"))
        except UsageError as e:
            raise UsageError(f"Manifest row {i + 2}: {e.message}", e.hint) from None
        row = ManifestRow(athlete=r.get("athlete") or None, date=day, height_m=height,
                          speed_mps=parse_speed(r.get("speed") or None), sex=(r.get("sex") or None))
        f = r["file"].strip()
        rows[f] = row
        rows[os.path.abspath(path.parent / f)] = row
    return rows


def lookup(manifest: dict[str, ManifestRow], path: Path) -> ManifestRow:
    return manifest.get(str(path)) or manifest.get(path.name) or ManifestRow()


def find_recordings(inputs: list[str], base: dict, sensor: dict, manifest: dict[str, ManifestRow],
                    exclude: Path | None = None) -> Found:
    """Every recording in the inputs with its key and settings; the rest with a reason."""
    from ...settings import Settings

    found = Found()
    for path in expand(inputs, exclude):
        source, why = classify(path, bool(sensor))
        if source is None:
            found.skipped.append((path, why))
            continue
        m = lookup(manifest, path)
        settings = {**base}
        for k in ("height_m", "speed_mps", "sex"):
            if getattr(m, k) is not None:
                settings[k] = getattr(m, k)
        Settings(**settings)  # a bad height or sex in the manifest fails here, before any work
        keyed = {**settings, **({"sensor": sensor} if source == "imu" else {})}
        if settings.get("references"):
            keyed["references_sha256"] = content_hash(Path(settings["references"]))
        key, extra = recording_key(path, source, keyed)
        found.recordings.append(Recording(path, source, key, settings, m.athlete, extra, m.date))
    return found


def settings_fingerprint(base: dict, sensor: dict) -> str:
    return hashlib.sha256(json.dumps({"base": base, "sensor": sensor}, sort_keys=True).encode()).hexdigest()[:12]
