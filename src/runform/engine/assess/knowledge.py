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

from ...errors import UsageError


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
    cutoffs: dict = field(default_factory=dict)  # foot_strike, walking, quality, confidence
    key_metrics: list = field(default_factory=list)  # the metrics a coach follows first, in order
    uncertainty: dict = field(default_factory=dict)  # per source: event and measurement errors


def load_knowledge(sex: str | None = None, overrides: str | Path | None = None) -> Knowledge:
    raw = yaml.safe_load(resources.files("runform.knowledge").joinpath("base.yaml").read_text())
    refs = copy.deepcopy(raw["references"])
    plausible = copy.deepcopy(raw["plausible"])
    faults = copy.deepcopy(raw["faults"])
    if sex:
        for name, ref in raw.get(f"references_{sex}", {}).items():
            refs[name] = {**refs.get(name, {}), **ref}
    if overrides:
        path = Path(overrides)
        user = _read_toml(path)
        mine = f"user file {path.name}"
        for name, ref in user.get("references", {}).items():
            _known(name, raw["metrics"], path, "references")
            refs[name] = {**refs.get(name, {}), **ref, "source": ref.get("source", mine)}
        for name, rng in user.get("plausible", {}).items():
            _known(name, plausible, path, "plausible")
            plausible[name] = {**plausible[name], **rng, "source": rng.get("source", mine)}
        for fault_id, given in user.get("faults", {}).items():
            _override_fault(faults, fault_id, given, path)
    return Knowledge(raw["sources"], raw["metrics"], refs, faults, raw["drills"], plausible,
                     raw["plausibility_hints"], raw["body"], raw["cutoffs"], raw["key_metrics"], raw["uncertainty"])


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise UsageError(f"Reference file '{path}' does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"Reference file '{path}' is not valid TOML: {exc}.") from None


def _known(name: str, table: dict, path: Path, section: str) -> None:
    if name not in table:
        raise UsageError(f"Reference file '{path}' names an unknown metric '{name}' under [{section}].",
                         "Use the metric names of summary.json.")


def _override_fault(faults: list, fault_id: str, given: dict, path: Path) -> None:
    """``[faults.<id>] value = X`` sets the threshold of each of the fault's metric conditions;
    ``<metric> = X`` that of the condition on that metric. The threshold then replaces the
    reference bound a condition may have pointed to."""
    fault = next((f for f in faults if f["id"] == fault_id), None)
    if fault is None:
        raise UsageError(f"Reference file '{path}' names an unknown fault '{fault_id}' under [faults].",
                         "Use the fault ids of summary.json (faults[].id): " + ", ".join(f["id"] for f in faults) + ".")
    conds = [c for c in fault.get("all", fault.get("any", [])) if "op" in c]
    for key, value in given.items():
        hit = [c for c in conds if key == "value" or key in (c.get("metric"), c.get("trend"))]
        if not hit or not isinstance(value, (int, float)) or isinstance(value, bool):
            raise UsageError(f"Reference file '{path}': [faults.{fault_id}] {key} = {value!r} is not a number "
                             "for one of that fault's conditions.",
                             "Use value = <number>, or <metric> = <number> for a fault with several conditions.")
        for c in hit:
            c.pop("ref", None)
            c["value"] = float(value)
