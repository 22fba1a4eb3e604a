"""The athlete page's figures: trend charts over sessions and the comparison of two sessions."""

from __future__ import annotations

import math


def _from_knowledge() -> tuple[tuple, dict]:
    from ...engine.assess.knowledge import load_knowledge

    kb = load_knowledge()
    return tuple((m, kb.metrics[m]["label"], kb.metrics[m]["unit"]) for m in kb.key_metrics), kb.references


# the metrics an athlete's page follows, in the order shown (those a session lacks are left out),
# and the reference bands drawn behind the trends
KEY_METRICS, REFERENCES = _from_knowledge()


def direction(a: float, b: float, ref: dict | None) -> str:
    """'better' when the change brings the value closer to its reference range (or into it),
    'worse' when it moves it further out; '' when the metric has no range or both lie within it."""
    if not ref or ("low" not in ref and "high" not in ref):
        return ""

    def outside(v: float) -> float:
        return max(ref.get("low", v) - v, v - ref.get("high", v), 0.0)

    da, db = outside(a), outside(b)
    return "better" if db < da else "worse" if db > da else ""


def compare(a: dict, b: dict) -> list[dict]:
    """Each metric both sessions have: the change from a to b and whether it is beyond the noise:
    |b - a| larger than 1.96 SD of the difference's error that the two sessions do not share
    (sqrt(u_a^2 + u_b^2), each session's ``uncertainty_unshared``: the stride-to-stride sampling,
    the random parts of the contact timing and of the pose or markers, true vertical measured
    again), i.e. a change that the measurement would give by chance less than 5 % of the time; a
    session from before that figure falls back on the sampling alone (sqrt(sd_a^2/n_a +
    sd_b^2/n_b)). The biases of one way of measuring are the same in both and cancel. The changes
    beyond noise come first, then the rest; the key metrics first within each. A change beyond
    noise is 'better' or 'worse' by the metric's reference range (``direction``)."""
    rows = []
    both = [n for n in a if n in b]  # the knowledge base's order, the key metrics first
    key = [k[0] for k in KEY_METRICS]
    for name in sorted(both, key=lambda n: key.index(n) if n in key else len(key)):
        ma, mb = a[name], b[name]
        if ma.get("median") is None or mb.get("median") is None:
            continue
        diff = mb["median"] - ma["median"]
        sa, sb, na, nb = ma.get("sd"), mb.get("sd"), ma.get("n") or 0, mb.get("n") or 0
        limit = None
        if ma.get("uncertainty_unshared") is not None and mb.get("uncertainty_unshared") is not None:
            limit = 1.96 * math.hypot(ma["uncertainty_unshared"], mb["uncertainty_unshared"])
        elif sa is not None and sb is not None and na > 1 and nb > 1:
            limit = 1.96 * math.sqrt(sa ** 2 / na + sb ** 2 / nb)
        verdict = "unknown" if limit is None else ("beyond noise" if abs(diff) > limit else "within noise")
        rows.append({"metric": name, "unit": ma.get("unit") or "", "a": ma["median"], "b": mb["median"],
                     "diff": diff, "limit": limit, "verdict": verdict,
                     "direction": direction(ma["median"], mb["median"], REFERENCES.get(name)) if verdict == "beyond noise"
                     else ""})
    return sorted(rows, key=lambda r: r["verdict"] != "beyond noise")  # the changes that count first
