"""Are runform's uncertainties right? Coverage on the lab trials, where the truth is known.

Each lab trial with force plates is analysed twice: with the plates' contacts
(the truth) and with runform's kinematic contacts from the markers, as a
trial without plates would be. Both share the markers, so what differs is the
timing of the contacts, and with it which strides are complete: the kinematic
run's ``events`` and ``sampling`` parts of each metric's uncertainty are what
this tests (with the plates' own events part, in quadrature), on the metrics
the contact times move (a pelvis range over the stride, say, comes out the same
in both and would only pad the count). An
honest 1 SD covers the truth in about 68 % of metric-trial pairs and 2 SD in
about 95 %; far more would mean the uncertainties are too wide, far fewer too
narrow. The marker part (soft-tissue artefact, from the literature) cannot be
tested here: both runs carry it.

The kinematic event errors were measured on the 8 Hamner trials; the Fukuchi
and Dorn trials are out of sample, and the table says which is which.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

IN_SAMPLE = ("hamner2013/",)


def coverage_rows(trials, labs: dict, kb) -> list[dict]:
    """One row per metric and trial: truth, estimate, uncertainty (events part) and |error| / u."""
    from ..settings import Settings
    from ..sources.lab.analyze import analyze_lab

    rows = []
    for tr in trials:
        truth = labs[tr.name].summary["metrics"]
        est = analyze_lab(replace(tr.lab, forces=None, file_events=None), Settings(), kb, []).summary["metrics"]
        for name, m in est.items():
            t = truth.get(name, {})
            if m.get("median") is None or t.get("median") is None:
                continue
            mp, tp = m.get("uncertainty_parts") or {}, t.get("uncertainty_parts") or {}
            u = float(np.sqrt(mp.get("events", 0.0) ** 2 + tp.get("events", 0.0) ** 2 + mp.get("sampling", 0.0) ** 2))
            if not mp.get("events"):  # a figure the contact times do not move: the same number in both
                continue
            err = m["median"] - t["median"]
            rows.append({"trial": tr.name, "metric": name, "truth": t["median"], "estimate": m["median"],
                         "uncertainty": round(u, 3), "z": round(abs(err) / u, 2),
                         "in_sample": tr.name.startswith(IN_SAMPLE)})
    return rows


def coverage_summary(rows: list[dict]) -> list[dict]:
    """Share of pairs within 1 and 2 uncertainties: all, in sample, out of sample."""
    out = []
    for label, sel in (("all trials", rows), ("in sample (Hamner)", [r for r in rows if r["in_sample"]]),
                       ("out of sample (Fukuchi, Dorn)", [r for r in rows if not r["in_sample"]])):
        z = np.array([r["z"] for r in sel])
        if len(z):
            out.append({"trials": label, "pairs": len(z), "within_1u_pct": round(100 * float(np.mean(z <= 1)), 1),
                        "within_2u_pct": round(100 * float(np.mean(z <= 2)), 1)})
    return out
