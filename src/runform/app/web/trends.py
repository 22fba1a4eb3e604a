"""The athlete page's figures: trend charts over sessions and the comparison of two sessions."""

from __future__ import annotations

import math
from html import escape


def _key_metrics() -> tuple:
    from ...engine.assess.knowledge import load_knowledge

    kb = load_knowledge()
    return tuple((m, kb.metrics[m]["label"], kb.metrics[m]["unit"]) for m in kb.key_metrics)


# the metrics an athlete's page follows, in the order shown (those a session lacks are left out)
KEY_METRICS = _key_metrics()


def trend_svg(values: list[float | None], labels: list[str], unit: str, width: int = 360, height: int = 120) -> str:
    """A small line chart of one metric over sessions (oldest left), as inline SVG."""
    pts = [(i, v) for i, v in enumerate(values) if v is not None]
    if not pts:
        return ""
    lo, hi = min(v for _, v in pts), max(v for _, v in pts)
    pad = (hi - lo) * 0.15 or max(abs(hi) * 0.05, 1.0)
    lo, hi = lo - pad, hi + pad
    n = max(len(values) - 1, 1)
    x = lambda i: 30 + (width - 40) * i / n  # noqa: E731
    y = lambda v: 10 + (height - 30) * (hi - v) / (hi - lo)  # noqa: E731
    line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in pts)
    dots = "".join(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3"><title>{escape(labels[i])}: {v:.1f} {escape(unit)}</title></circle>'
                   for i, v in pts)
    dates = (f'<text x="{x(0):.1f}" y="{height - 2}" class="axis">{escape(labels[0])}</text>'
             + (f'<text x="{x(n):.1f}" y="{height - 2}" class="axis" text-anchor="end">{escape(labels[-1])}</text>'
                if len(labels) > 1 else ""))
    return (f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">'
            f'<text x="2" y="14" class="axis">{hi:.1f}</text><text x="2" y="{height - 18}" class="axis">{lo:.1f}</text>'
            f'<polyline points="{line}" fill="none" stroke="currentColor" stroke-width="2"/>{dots}{dates}</svg>')


def compare(a: dict, b: dict) -> list[dict]:
    """Each metric both sessions have: the change from a to b and whether it is beyond the
    stride-to-stride noise: |b - a| larger than 1.96 standard errors of the difference
    (sqrt(sd_a^2/n_a + sd_b^2/n_b), from each session's stride-to-stride SD), i.e. a change
    that the scatter between strides would give by chance less than 5 % of the time. The changes
    beyond noise come first, then the rest; the key metrics first within each."""
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
        if sa is not None and sb is not None and na > 1 and nb > 1:
            limit = 1.96 * math.sqrt(sa ** 2 / na + sb ** 2 / nb)
        rows.append({"metric": name, "unit": ma.get("unit") or "", "a": ma["median"], "b": mb["median"],
                     "diff": diff, "limit": limit,
                     "verdict": "unknown" if limit is None else ("beyond noise" if abs(diff) > limit else "within noise")})
    return sorted(rows, key=lambda r: r["verdict"] != "beyond noise")  # the changes that count first
