"""What a body can do: stride values outside the knowledge base's plausible ranges.

``screen`` blanks each stride value outside its metric's ``plausible`` range
(base.yaml, with sources) and counts them; a metric that loses more than
``WITHHOLD_SHARE`` of its strides this way is withheld from the summary, with
the likely cause for its kind (time, distance, angle, acceleration). So no
value outside its range can reach summary.json: what is left lies inside by
construction, and what is withheld is said in the warnings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WITHHOLD_SHARE = 0.5


def screen(strides: pd.DataFrame, plausible: dict, hints: dict, labels: dict
           ) -> tuple[pd.DataFrame, dict, list[str]]:
    """-> (strides with implausible values blanked, report per metric, warnings); a withheld
    metric's report says ``withheld: True``.

    The returned table gains a column ``implausible``: the metrics left out of each stride."""
    out = strides.copy()
    left_out: dict = {i: [] for i in out.index}
    report, warnings = {}, []
    for name, rng in plausible.items():
        if name not in out:
            continue
        v = pd.to_numeric(out[name], errors="coerce").astype(float)
        has = v.notna()
        bad = has & ((v < rng["low"]) | (v > rng["high"]))
        if not bad.any():
            continue
        n_bad, n_has = int(bad.sum()), int(has.sum())
        entry = {"excluded": n_bad, "of": n_has, "range": [rng["low"], rng["high"]],
                 "examples": [round(float(x), 1) for x in v[bad].head(3)], "source": rng.get("source")}
        out.loc[bad, name] = np.nan
        for i in out.index[bad]:
            left_out[i].append(name)
        label = labels.get(name, {}).get("label", name)
        unit = labels.get(name, {}).get("unit", "")
        if n_bad > WITHHOLD_SHARE * n_has:
            out[name] = np.nan
            entry["withheld"] = True
            warnings.append(f"{label} is not reported: {n_bad} of {n_has} strides gave values outside what a "
                            f"body can do ({rng['low']:g} to {rng['high']:g} {unit}; e.g. {entry['examples'][0]:g}). "
                            f"Likely cause: {hints.get(rng.get('kind'), 'a measurement error')}.")
        else:
            warnings.append(f"{label}: {n_bad} of {n_has} strides were left out, their values outside "
                            f"{rng['low']:g} to {rng['high']:g} {unit}.")
        report[name] = entry
    out["implausible"] = [";".join(left_out[i]) for i in out.index]
    return out, report, warnings


def markdown_table(kb) -> str:
    """The plausible ranges as the markdown table of docs/plausibility.md (a test keeps them equal)."""
    rows = ["| metric | unit | plausible range | kind | source |", "|---|---|---|---|---|"]
    used = []
    entries = [(n, kb.metrics.get(n, {}).get("unit", ""), r) for n, r in kb.plausible.items()]
    entries += [(f"{n} (body size)", "m", {**r, "kind": "body"}) for n, r in kb.body.items()]
    for name, unit, rng in entries:
        src = rng.get("source", "")
        used += [src] if src not in used else []
        rows.append(f"| `{name}` | {unit} | {rng['low']:g} to {rng['high']:g} | {rng['kind']} | {src} |")
    rows += ["", "Sources:", ""] + [f"- {k}: {kb.sources.get(k, k)}" for k in used]
    return "\n".join(rows) + "\n"
