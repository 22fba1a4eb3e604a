"""Marker-set presets (marker_sets.yaml) and user mapping files of the same shape.

A preset says which markers stand for the pelvis, heel, toe, shoulders,
clusters and joint centres. ``match_marker_set`` picks the preset whose names
the trial has most of; a trial that fits none gets a message listing its
unknown markers and the shape of a mapping file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from ...errors import InputFileError, UsageError
from ...words import opt
from .recording import Markers

SIDES = ("right", "left")


@dataclass(frozen=True)
class MarkerSet:
    name: str
    title: str
    sides: dict[str, str]
    markers: dict[str, str | list[str]] = field(default_factory=dict)
    clusters: dict[str, list[str]] = field(default_factory=dict)
    joints: dict[str, dict] = field(default_factory=dict)
    toe_is_metatarsal: bool = False
    foot_from_cluster: str | None = None

    def names(self, pattern: str | list[str], side: str | None) -> list[str]:
        """The concrete marker names a role pattern stands for (alternatives in order)."""
        pats = [pattern] if isinstance(pattern, str) else list(pattern)
        prefix = self.sides[side] if side else ""
        return [p.replace("{s}", prefix) for p in pats]

    def first(self, role: str, side: str | None, m: Markers | None, also: Markers | None = None) -> str | None:
        """The first alternative for a role that the trial carries, preferring one that ``also``
        (the static or running trial) carries too, so both read the same marker (None if none)."""
        if role not in self.markers or m is None:
            return None
        names = [n for n in self.names(self.markers[role], side) if m.has(n)]
        both = [n for n in names if also is None or also.has(n)]
        return (both or names or [None])[0]

    def cluster(self, name: str, side: str | None) -> list[str]:
        return [p.replace("{s}", self.sides[side] if side and "{s}" in p else "") for p in self.clusters[name]]

    def every_name(self) -> set[str]:
        """All marker names the set mentions (first alternatives), both sides."""
        out = set()
        for side in SIDES:
            for pat in self.markers.values():
                out.add(self.names(pat, side)[0])
            for c in self.clusters:
                out.update(self.cluster(c, side))
        return out


def _from_dict(name: str, d: dict) -> MarkerSet:
    try:
        return MarkerSet(name=name, title=d.get("title", name), sides=dict(d["sides"]),
                         markers=dict(d.get("markers") or {}), clusters=dict(d.get("clusters") or {}),
                         joints=dict(d.get("joints") or {}),
                         toe_is_metatarsal=bool(d.get("toe_is_metatarsal", False)),
                         foot_from_cluster=d.get("foot_from_cluster"))
    except (KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"Marker mapping '{name}' is incomplete ({exc}).", MAPPING_HINT) from None


def presets() -> dict[str, MarkerSet]:
    text = resources.files("runform.sources.lab").joinpath("marker_sets.yaml").read_text()
    return {k: _from_dict(k, v) for k, v in yaml.safe_load(text).items()}


def load_mapping(path: str | Path) -> MarkerSet:
    """A user's marker mapping (YAML or TOML) in the shape of marker_sets.yaml (one set)."""
    path = Path(path)
    try:
        text = path.read_text()
        d = tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise UsageError(f"Cannot read the marker mapping '{path}' ({exc}).", MAPPING_HINT) from None
    if not isinstance(d, dict):
        raise UsageError(f"The marker mapping '{path}' is not a table of roles.", MAPPING_HINT)
    return _from_dict(path.stem, d)


MAPPING_HINT = ("Write a mapping file and pass it with " + opt("markers") + ", e.g. my_markers.yaml:\n"
                "  sides: {right: R, left: L}\n"
                "  markers: {asis: \"{s}ASIS\", psis: \"{s}PSIS\", heel: \"{s}HEE\", toe: \"{s}TOE\", "
                "shoulder: \"{s}SHO\", c7: C7}\n"
                "  clusters: {thigh: [\"{s}THI1\", \"{s}THI2\", \"{s}THI3\"], shank: [\"{s}TIB1\", \"{s}TIB2\", \"{s}TIB3\"]}\n"
                "  joints: {knee: {markers: [\"{s}KNE\", \"{s}KNM\"], cluster: thigh}, "
                "ankle: {markers: [\"{s}ANK\", \"{s}ANM\"], cluster: shank}}\n"
                "({s} stands for the side prefix; runform's documentation of lab trials, mocap.md, has more.)")


def match_marker_set(m: Markers, static: Markers | None = None) -> MarkerSet:
    """The preset whose markers the trial has most of; at least half must be present."""
    have = {n for n in m.names if m.has(n)} | ({n for n in static.names if static.has(n)} if static else set())
    scored = []
    for ms in presets().values():
        need = ms.every_name()
        scored.append((len(need & have) / len(need), ms))
    score, best = max(scored, key=lambda x: x[0])
    if score < 0.5:
        known = set().union(*(ms.every_name() for _, ms in scored))
        unknown = sorted(set(m.names) - known)
        shown = ", ".join(unknown[:30]) + (" ..." if len(unknown) > 30 else "")
        raise InputFileError(f"runform does not know this marker set ({len(unknown)} unknown markers: {shown}).",
                             MAPPING_HINT)
    return best
