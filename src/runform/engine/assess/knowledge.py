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
import functools
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


@functools.lru_cache(maxsize=1)
def _base() -> dict:
    """base.yaml, parsed once a process (libyaml's parser where PyYAML has it: 10 ms, not 90)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(resources.files("runform.knowledge").joinpath("base.yaml").read_text(), Loader=loader)


def load_knowledge(sex: str | None = None, overrides: str | Path | None = None) -> Knowledge:
    raw = copy.deepcopy(_base())  # each Knowledge its own: callers may change what they are given
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
        for name, ref in _section(user, "references", path):
            _known(name, raw["metrics"], path, "references")
            refs[name] = _checked_range(name, {**refs.get(name, {}), **ref, "source": ref.get("source", mine)},
                                        ref, path, "references")
        for name, rng in _section(user, "plausible", path):
            _known(name, plausible, path, "plausible")
            plausible[name] = _checked_range(name, {**plausible[name], **rng, "source": rng.get("source", mine)},
                                             rng, path, "plausible")
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


_NUMBERS = ("low", "high", "ideal")
_TEXTS = ("note", "source")


def _section(user: dict, section: str, path: Path) -> list[tuple[str, dict]]:
    """The ``[section.<metric>]`` tables of a user's file, each checked to be a table."""
    tables = user.get(section, {})
    if not isinstance(tables, dict):
        raise UsageError(f"Reference file '{path}': '{section}' must be a section of tables, "
                         f"e.g. [{section}.trunk_lean_deg].")
    for name, t in tables.items():
        if not isinstance(t, dict):
            raise UsageError(f"Reference file '{path}': '{section}.{name}' must be a table such as "
                             f"[{section}.{name}] with low = <number> and high = <number>.")
    return list(tables.items())


def _checked_range(name: str, merged: dict, given: dict, path: Path, section: str) -> dict:
    """A reference or plausible range as the user gave it: known keys, numbers where numbers
    belong, and low below high (an inverted range would create findings of its own)."""
    where = f"Reference file '{path}': [{section}.{name}]"
    for key, value in given.items():
        if key in _NUMBERS:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise UsageError(f"{where} {key} = {value!r} is not a number.",
                                 f"Write it as a plain number, e.g. {key} = 4.")
        elif key in _TEXTS:
            if not isinstance(value, str):
                raise UsageError(f"{where} {key} = {value!r} is not text.", f'Write it in quotes, e.g. {key} = "..."')
        elif section == "references" or key != "kind":
            raise UsageError(f"{where} has an unknown key '{key}'.",
                             "A range takes low, high (numbers), and note and source (text).")
    low, high = merged.get("low"), merged.get("high")
    if low is not None and high is not None and not low < high:
        raise UsageError(f"{where}: low ({low:g}) is not below high ({high:g}).",
                         "Swap them, or give only the bound you mean.")
    return merged


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
