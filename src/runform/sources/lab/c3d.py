"""C3D motion-capture files (ezc3d): markers, force plates and the events stored in the file.

* Markers: POINT labels; unlabelled points (``*12``) are dropped; zero-filled
  gaps become NaN; the unit is POINT:UNITS or, when missing, detected from
  the body's size.
* Forces: ezc3d applies each plate's FORCE_PLATFORM calibration (types 1-4,
  incl. CAL_MATRIX for type 4) and returns the force in the lab frame, in N.
* Events: EVENT:LABELS ("Foot Strike"/"Foot Off"), CONTEXTS (Left/Right) and
  TIMES (minutes, seconds) as ``foot, kind, time_s`` rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import InputFileError
from ...words import opt
from .recording import Forces, LabRecording, Markers, detect_length_unit, zeros_to_nan


def is_c3d(path: Path) -> bool:
    """A C3D file by content: byte 1 of the header is the 0x50 key and byte 0 the block number of
    the parameter section (a small number, 2 in practice), which no text file starts with."""
    with open(path, "rb") as fh:
        head = fh.read(2)
    return len(head) == 2 and head[1] == 0x50 and 0 < head[0] < 0x20 and head[0] not in (9, 10, 13)


def _value(params: dict, group: str, name: str, default=None):
    g = params.get(group, {})
    return g[name]["value"] if name in g else default


def read_c3d(path: str | Path) -> LabRecording:
    path = Path(path)
    import ezc3d

    notes = []
    try:
        c = ezc3d.c3d(str(path), extract_forceplat_data=True)
    except Exception:
        try:  # the markers may be fine where the force-plate parameters are not
            c = ezc3d.c3d(str(path), extract_forceplat_data=False)
            notes.append("the force plates could not be read (their parameters are damaged); contacts "
                         "come from the markers")
        except Exception:
            # the reader's own words name its options, not the user's situation
            raise InputFileError(f"'{path.name}' is not a readable C3D file: it is damaged or cut off.",
                                 "Export the trial again from the capture software.") from None
    p = c["parameters"]
    labels = list(_value(p, "POINT", "LABELS", []))
    pts = c["data"]["points"]  # (4, marker, frame)
    rate = float(np.ravel(_value(p, "POINT", "RATE", [0]))[0])
    if pts.shape[2] < 1 or not labels or rate <= 0:
        raise InputFileError(f"'{path.name}' holds no marker trajectories.",
                             f"Give a running trial with markers (a static trial goes to {opt('static')}).")
    keep = [i for i, n in enumerate(labels) if n.strip() and not n.startswith("*")]
    names = [labels[i].strip() for i in keep]
    xyz = zeros_to_nan(np.transpose(pts[:3, keep, :], (2, 1, 0)))
    declared = _value(p, "POINT", "UNITS", [""])
    unit, unit_note = detect_length_unit(xyz, declared[0] if len(declared) else None)
    first = int(np.ravel(_value(p, "TRIAL", "ACTUAL_START_FIELD", [1]))[0]) if "TRIAL" in p else 1
    t0 = (first - 1) / rate
    times = t0 + np.arange(xyz.shape[0]) / rate
    markers = Markers(times, names, xyz, unit, rate, unit_note)
    declared_frames = _declared_frames(path)
    if declared_frames and xyz.shape[0] < declared_frames:
        notes.append(f"the file is partial: {xyz.shape[0]} of the {declared_frames} frames its header "
                     f"announces were read ({xyz.shape[0] / rate:.2f} of {declared_frames / rate:.2f} s); it "
                     "ends early, cut or damaged")
    forces = _forces(c, t0, notes)
    return LabRecording(markers, forces, _events(p), path.name, tuple(notes))


def _declared_frames(path: Path) -> int | None:
    """The frame count the C3D header announces (words 4 and 5: first and last frame), or None
    where the header cannot say (more than 65535 frames, or an unknown byte order)."""
    with open(path, "rb") as fh:
        head = fh.read(512)
        fh.seek(max(0, (head[0] - 1) * 512))
        param_head = fh.read(4)
    if len(head) < 12 or len(param_head) < 4:
        return None
    order = {84: "<", 85: "<", 86: ">"}.get(param_head[3])
    if order is None:
        return None
    first, last = np.frombuffer(head[6:10], dtype=f"{order}u2")
    if last == 0xFFFF or last < first:
        return None
    return int(last) - int(first) + 1


def _forces(c, t0: float, notes: list[str]) -> Forces | None:
    plats = c["data"].get("platform", [])
    if not plats:
        return None
    arate = float(np.ravel(_value(c["parameters"], "ANALOG", "RATE", [0]))[0])
    n = plats[0]["force"].shape[1]
    if arate <= 0 or n < 2:
        notes.append(f"the file has {len(plats)} force plate(s) but no analog samples to read them from; "
                     "contacts come from the markers")
        return None
    f = np.stack([np.asarray(pl["force"], float).T for pl in plats], axis=1)  # (time, plate, 3)
    unit = str(plats[0].get("unit_force", "N"))
    if unit.lower() not in ("n", "newton"):
        raise InputFileError(f"Force plates are in '{unit}', not newtons.", "Export the forces in N.")
    active = np.nanmax(np.abs(f[..., :]), axis=(0, 2)) > 1.0
    if not active.any():
        notes.append(f"the file's {len(plats)} force plate(s) carry no force; contacts come from the markers")
        return None
    f = f[:, active]
    names = [f"plate{i + 1}" for i in np.flatnonzero(active)]
    return Forces(t0 + np.arange(n) / arate, f, names, [None] * len(names))


def _events(p: dict) -> pd.DataFrame | None:
    if "EVENT" not in p or "TIMES" not in p["EVENT"]:
        return None
    labels = list(_value(p, "EVENT", "LABELS", []))
    contexts = list(_value(p, "EVENT", "CONTEXTS", [""] * len(labels)))
    times = np.asarray(_value(p, "EVENT", "TIMES"), float)
    if times.ndim != 2 or times.shape[1] != len(labels):
        return None
    rows = []
    for lab, ctx, minutes, secs in zip(labels, contexts, times[0], times[1]):
        kind = {"foot strike": "ic", "foot off": "to"}.get(lab.strip().lower())
        foot = {"right": "right", "left": "left"}.get(ctx.strip().lower())
        if kind and foot:
            rows.append({"foot": foot, "kind": kind, "time_s": 60 * minutes + secs})
    return pd.DataFrame(rows).sort_values("time_s").reset_index(drop=True) if rows else None
