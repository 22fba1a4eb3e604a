"""A lab trial's own options: its companion files, when they are not found by themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class LabOptions:
    """``forces``: the force file (OpenSim GRF .mot, a force table, a C3D; default: in the C3D or
    beside the trial); ``static``: the standing trial (default: the one static file beside it);
    ``markers``: a marker mapping (YAML/TOML) for a marker set runform does not know."""

    forces: Path | None = field(default=None, metadata={"setting": "forces", "file": True})
    static: Path | None = field(default=None, metadata={"setting": "static", "file": True})
    markers: Path | None = field(default=None, metadata={"setting": "markers", "file": True})
