"""The knowledge base: metric descriptions, reference ranges, fault rules and drills.

Loaded from ``runform/knowledge/base.yaml`` (data, with a source per entry),
then adjusted for the runner's sex (``references_<sex>`` entries) and a user's
TOML file of overrides::

    [references.trunk_lean_deg]
    low = 4
    high = 12
    note = "my coach's range"
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from ..errors import UsageError


@dataclass(frozen=True)
class Knowledge:
    sources: dict
    metrics: dict
    references: dict
    faults: list
    drills: dict
    plausible: dict = field(default_factory=dict)  # metric -> {low, high, kind, source}
    plausibility_hints: dict = field(default_factory=dict)  # kind -> likely cause
    body: dict = field(default_factory=dict)  # body-size bounds: leg_length_m, height_m


def load_knowledge(sex: str | None = None, overrides: str | Path | None = None) -> Knowledge:
    raw = yaml.safe_load(resources.files("runform.knowledge").joinpath("base.yaml").read_text())
    refs = copy.deepcopy(raw["references"])
    plausible = copy.deepcopy(raw["plausible"])
    if sex:
        for name, ref in raw.get(f"references_{sex}", {}).items():
            refs[name] = {**refs.get(name, {}), **ref}
    if overrides:
        path = Path(overrides)
        try:
            user = tomllib.loads(path.read_text())
        except FileNotFoundError:
            raise UsageError(f"Reference file '{path}' does not exist.") from None
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"Reference file '{path}' is not valid TOML: {exc}.") from None
        for name, ref in user.get("references", {}).items():
            if name not in raw["metrics"]:
                raise UsageError(f"Reference file '{path}' names an unknown metric '{name}'.",
                                 "Use the metric names of summary.json.")
            refs[name] = {**refs.get(name, {}), **ref, "source": ref.get("source", f"user file {path.name}")}
        for name, rng in user.get("plausible", {}).items():
            if name not in plausible:
                raise UsageError(f"Reference file '{path}' names an unknown metric '{name}' under [plausible].",
                                 "Use the metric names of summary.json.")
            plausible[name] = {**plausible[name], **rng, "source": rng.get("source", f"user file {path.name}")}
    return Knowledge(raw["sources"], raw["metrics"], refs, raw["faults"], raw["drills"], plausible,
                     raw["plausibility_hints"], raw["body"])
