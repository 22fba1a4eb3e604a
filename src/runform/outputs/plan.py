"""The findings as one plan a coach acts on: what to work on first and why, the drills of every
sure finding merged into one ordered list, and what to film next time to settle the findings this
recording cannot tell (low or borderline confidence). Pure: summary findings in, a plan out."""

from __future__ import annotations

SURE = ("high", "medium")  # a finding to act on; a low or borderline one is to be settled first


def plan(faults: list[dict], unit=lambda metric: "", label=lambda metric: metric) -> dict:
    """``{"work_on": [...], "drills": [...], "not_sure": [...], "film": [...]}``.

    work_on: the sure findings, surest first, each with its deciding figure. drills: each drill
    once, those serving more of the sure findings first, then in the order of the findings they
    serve, each naming them. not_sure: the other findings with their deciding figure and what
    would settle them; film: those settling instructions, each once."""
    sure = sorted((f for f in faults if f.get("confidence_label") in SURE), key=lambda f: -f.get("confidence", 0))
    unsure = [f for f in faults if f.get("confidence_label") not in SURE]
    drills: dict[str, dict] = {}
    for rank, f in enumerate(sure):
        for d in f.get("drills", []):
            entry = drills.setdefault(d.get("id", d["name"]), {**d, "rank": rank, "for": []})
            entry["for"].append(f["title"])
    ordered = sorted(drills.values(), key=lambda d: (-len(d["for"]), d["rank"]))
    film = list(dict.fromkeys(f["settle"] for f in unsure if f.get("settle")))
    return {
        "work_on": [{"id": f["id"], "title": f["title"], "why": f.get("why", ""),
                     "deciding": deciding_figure(f, unit, label)} for f in sure],
        "drills": [{k: v for k, v in d.items() if k != "rank"} for d in ordered],
        "not_sure": [{"id": f["id"], "title": f["title"], "deciding": deciding_figure(f, unit, label),
                      "settle": f.get("settle") or f.get("confidence_note") or ""} for f in unsure],
        "film": film,
    }


def deciding_figure(fault: dict, unit=lambda metric: "", label=lambda metric: metric) -> str:
    """The figure a finding rests on, in words: 'Knee flexion at landing 9.9 ± 6.5 deg (finding
    below 10 deg)'."""
    parts = []
    for e in fault.get("evidence", []):
        name, u = label(e["metric"]), unit(e["metric"])
        side = {"<": "below", "<=": "at most", ">": "above", ">=": "at least"}.get(e.get("op"), e.get("op", ""))
        if "trend_change" in e:
            parts.append(f"{name} changed by {e['trend_change']:+.1f} {u} over the clip (finding: {side} "
                         f"{_num(e['threshold'])} {u})")
            continue
        value = f"{e['value']:.1f}" + (f" ± {e['uncertainty']:.1f}" if e.get("uncertainty") is not None else "")
        parts.append(f"{name} {value} {u} (finding: {side} {_num(e['threshold'])} {u})")
    return "; ".join(parts)


def closeness(z: float | None) -> str:
    """How far a figure lies from a finding's threshold, in words (z: the distance in uncertainties)."""
    if z is None:
        return ""
    if z < 1:
        return "closer to the threshold than runform can measure"
    if z < 2:
        return "past the threshold by more than the measurement's uncertainty"
    return "clearly past the threshold"


def _num(x) -> str:
    return f"{x:g}" if isinstance(x, (int, float)) else str(x)
