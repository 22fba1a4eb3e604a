"""The batch's research tables, built from the recordings' output folders.

``strides.parquet``: every stride of every analysed recording, one row each:
``recording`` (the input file), ``recording_key``, ``athlete``, ``source``
(video, mocap, imu), ``side`` (left/right/unknown) and the stride metrics of
that recording's strides.csv (names and units as in domain.md; a metric a
source does not measure is missing, not zero).

``recordings.parquet``: one row per input file, with its status and, when
done, the stride count, duration and, for each metric, ``<metric>`` (median),
``<metric>_iqr``, ``<metric>_n``, ``<metric>_left``, ``<metric>_right``, plus
the fault ids and warnings.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd


def _replace(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    df.to_parquet(tmp, index=False, engine="fastparquet")
    os.replace(tmp, path)


def recording_summary(summary: dict) -> dict:
    row = {"n_strides": summary.get("n_strides"), "duration_s": summary.get("duration_s"),
           "faults": ",".join(f["id"] for f in summary.get("faults", [])),
           "warnings": " | ".join(summary.get("warnings", []))}
    for name, m in summary.get("metrics", {}).items():
        if not isinstance(m, dict) or "median" not in m:
            continue
        row[name] = m.get("median")
        row[f"{name}_iqr"] = m.get("iqr")
        row[f"{name}_n"] = m.get("n")
        for side in ("left", "right"):
            if isinstance(m.get(side), dict):
                row[f"{name}_{side}"] = m[side].get("median")
    return row


def write_tables(out: Path, status: list[dict]) -> tuple[int, int]:
    """Write strides.parquet and recordings.parquet for the rows of the status table;
    return (strides, recordings done)."""
    strides, recs = [], []
    for row in status:
        rec = {k: row.get(k) for k in ("file", "recording_key", "source", "athlete", "status", "error", "seconds")}
        if row.get("status") == "done":
            folder = out / "recordings" / row["recording_key"]
            summary = json.loads((folder / "summary.json").read_text())
            rec.update(recording_summary(summary))
            s = pd.read_csv(folder / "strides.csv")
            s = s.rename(columns={"foot": "side"})
            s.insert(0, "source", summary.get("source", {}).get("type", row.get("source")))
            s.insert(0, "athlete", row.get("athlete"))
            s.insert(0, "recording_key", row["recording_key"])
            s.insert(0, "recording", row["file"])
            strides.append(s)
        recs.append(rec)
    table = pd.concat(strides, ignore_index=True) if strides else pd.DataFrame(
        columns=["recording", "recording_key", "athlete", "source", "side"])
    for c in ("athlete", "side"):
        table[c] = table[c].astype("string")
    _replace(table, out / "strides.parquet")
    recordings = pd.DataFrame(recs)
    recordings["seconds"] = pd.to_numeric(recordings["seconds"], errors="coerce")
    if "athlete" in recordings:
        recordings["athlete"] = recordings["athlete"].astype("string")
    _replace(recordings, out / "recordings.parquet")
    return len(table), sum(1 for r in status if r.get("status") == "done")
