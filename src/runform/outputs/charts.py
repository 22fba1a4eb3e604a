"""A small line chart in SVG: a metric over sessions (an athlete's trend) or over the minutes of
one long run (its drift), with the reference band shaded, readable axis text and a text
alternative for screen readers."""

from __future__ import annotations

from html import escape


def line_svg(values: list[float | None], xs: list[float], labels: list[str], unit: str, title: str = "",
             band: tuple[float | None, float | None] | None = None, width: int = 360, height: int = 140,
             spans: list[tuple[float, float, str]] = (), points_word: str = "sessions") -> str:
    """``values`` at ``xs`` (days since the first session, or minutes), each named by its label;
    ``band``: the reference range shaded green; ``spans``: (from, to, name) stretches of x shaded
    grey (a long run's running bouts)."""
    pts = [(d, v) for d, v in zip(xs, values) if v is not None]
    if not pts:
        return ""
    lo_b, hi_b = band or (None, None)
    ys = [v for _, v in pts] + [b for b in (lo_b, hi_b) if b is not None]
    lo, hi = min(ys), max(ys)
    pad = (hi - lo) * 0.15 or max(abs(hi) * 0.05, 1.0)
    lo, hi = lo - pad, hi + pad
    x0, x1 = min([min(xs)] + [s[0] for s in spans]), max([max(xs)] + [s[1] for s in spans])
    span = x1 - x0 or 1.0
    x = lambda d: 44 + (width - 56) * (d - x0) / span  # noqa: E731
    y = lambda v: 10 + (height - 34) * (hi - v) / (hi - lo)  # noqa: E731
    shade = "".join(f'<rect x="{x(a):.1f}" y="10" width="{max(x(b) - x(a), 1):.1f}" height="{height - 34}" '
                    f'fill="#eceef2"><title>{escape(name)}</title></rect>' for a, b, name in spans)
    if band and (lo_b is not None or hi_b is not None):
        top, bottom = y(hi_b if hi_b is not None else hi), y(lo_b if lo_b is not None else lo)
        shade += (f'<rect x="44" y="{top:.1f}" width="{width - 56}" height="{bottom - top:.1f}" fill="#d6f2dd" '
                  'fill-opacity="0.8"><title>reference range</title></rect>')
    line = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in pts)
    named = [lab for lab, v in zip(labels, values) if v is not None]
    dots = "".join(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="4"><title>{escape(lab)}: {v:.1f} {escape(unit)}</title>'
                   "</circle>" for (d, v), lab in zip(pts, named))
    ends = (f'<text x="{x(xs[0]):.1f}" y="{height - 4}" class="axis">{escape(labels[0])}</text>'
            + (f'<text x="{x(xs[-1]):.1f}" y="{height - 4}" class="axis" text-anchor="end">{escape(labels[-1])}</text>'
               if len(labels) > 1 else ""))
    said = "; ".join(f"{lab} {v:.1f}" for lab, v in zip(labels, values) if v is not None)
    alt = f"{title or 'Trend'} ({unit}) over {len(pts)} {points_word}: {said}"
    return (f'<svg viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" role="img" '
            f'aria-label="{escape(alt)}">{shade}'
            f'<text x="2" y="16" class="axis">{hi:.1f}</text><text x="2" y="{height - 24}" class="axis">{lo:.1f}</text>'
            f'<polyline points="{line}" fill="none" stroke="currentColor" stroke-width="2"/>{dots}{ends}</svg>')
