"""A small line chart in SVG: a metric over sessions (an athlete's trend) or over the minutes of
one long run (its drift), with the reference band shaded, value ticks, each point's uncertainty
as an error bar, one line per kind of recording (video, sensor, lab: never joined into one), and
a text alternative for screen readers."""

from __future__ import annotations

from html import escape

import numpy as np

MARKERS = {"video": "circle", "imu": "square", "mocap": "triangle", "keypoints": "diamond"}
KINDS = {"video": "video", "imu": "sensor", "mocap": "lab", "keypoints": "keypoints"}  # the words for a source type
SAME_X = 0.04  # points closer than this share of the axis are spread apart (two sessions on one day)


def line_svg(values: list[float | None], xs: list[float], labels: list[str], unit: str, title: str = "",
             band: tuple[float | None, float | None] | None = None, width: int = 360, height: int = 150,
             spans: list[tuple[float, float, str]] = (), points_word: str = "sessions",
             errors: list[float | None] | None = None, groups: list[str] | None = None) -> str:
    """``values`` at ``xs`` (days since the first session, or minutes), each named by its label;
    ``band``: the reference range shaded green; ``spans``: (from, to, name) stretches of x shaded
    grey (a long run's running bouts); ``errors``: each value's uncertainty (1 SD), drawn as a bar;
    ``groups``: each value's kind of recording, a line and a marker shape per kind."""
    n = len(values)
    errors = list(errors) if errors is not None else [None] * n
    groups = list(groups) if groups is not None else [""] * n
    pts = [(d, v, e or 0.0, g, lab) for d, v, e, g, lab in zip(xs, values, errors, groups, labels) if v is not None]
    if not pts:
        return ""
    lo_b, hi_b = band or (None, None)
    ys = [v - e for _, v, e, _, _ in pts] + [v + e for _, v, e, _, _ in pts] + [b for b in (lo_b, hi_b) if b is not None]
    lo, hi = min(ys), max(ys)
    pad = (hi - lo) * 0.12 or max(abs(hi) * 0.05, 1.0)
    lo, hi = lo - pad, hi + pad
    x0, x1 = min([min(xs)] + [s[0] for s in spans]), max([max(xs)] + [s[1] for s in spans])
    span = x1 - x0 or 1.0
    left, bottom = 46, 30
    x = lambda d: left + (width - left - 12) * (d - x0) / span  # noqa: E731
    y = lambda v: 10 + (height - bottom - 10) * (hi - v) / (hi - lo)  # noqa: E731
    px = _spread([x(p[0]) for p in pts], SAME_X * (width - left - 12))
    out = [f'<rect x="{x(a):.1f}" y="10" width="{max(x(b) - x(a), 1):.1f}" height="{height - bottom - 10}" '
           f'fill="#eceef2"><title>{escape(name)}</title></rect>' for a, b, name in spans]
    if band and (lo_b is not None or hi_b is not None):
        top, low = y(hi_b if hi_b is not None else hi), y(lo_b if lo_b is not None else lo)
        out.append(f'<rect x="{left}" y="{top:.1f}" width="{width - left - 12}" height="{low - top:.1f}" '
                   'fill="#d6f2dd" fill-opacity="0.8"><title>reference range</title></rect>')
    for t in nice_ticks(lo, hi, 3):
        out.append(f'<line x1="{left}" x2="{width - 12}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#e3e3e3"/>'
                   f'<text x="{left - 4}" y="{y(t) + 4:.1f}" class="axis" text-anchor="end">{tick_text(t)}</text>')
    out += _x_labels(px, [p[4] for p in pts], height, (left, width - 12))
    for g in dict.fromkeys(p[3] for p in pts):
        mine = [(xx, p) for xx, p in zip(px, pts) if p[3] == g]
        if len(mine) > 1:
            line = " ".join(f"{xx:.1f},{y(p[1]):.1f}" for xx, p in mine)
            dash = ' stroke-dasharray="5 3"' if g == "imu" else ""
            out.append(f'<polyline points="{line}" fill="none" stroke="currentColor" stroke-width="2"{dash}/>')
        for xx, (_, v, e, _, lab) in mine:
            if e:
                out.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{y(v - e):.1f}" y2="{y(v + e):.1f}" '
                           'stroke="currentColor" stroke-opacity="0.6"/>')
            said = f"{lab}{f' ({KINDS.get(g, g)})' if g else ''}: {v:.1f}{f' ± {e:.1f}' if e else ''} {unit}"
            out.append(_marker(MARKERS.get(g, "circle"), xx, y(v), escape(said)))
    kinds = [g for g in dict.fromkeys(p[3] for p in pts) if g]
    if len(kinds) > 1:  # which line is which
        out.append("".join(_marker(MARKERS.get(g, "circle"), left + 6 + 70 * i, height - 6, escape(KINDS.get(g, g)), 3)
                           + f'<text x="{left + 13 + 70 * i}" y="{height - 2}" class="axis">{escape(KINDS.get(g, g))}</text>'
                           for i, g in enumerate(kinds)))
    said = "; ".join(f"{lab}{f' ({KINDS.get(g, g)})' if g else ''} {v:.1f}" for _, v, _, g, lab in pts)
    alt = f"{title or 'Trend'} ({unit}) over {len(pts)} {points_word}: {said}"
    return (f'<svg viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" role="img" '
            f'aria-label="{escape(alt)}">{"".join(out)}</svg>')


def nice_ticks(lo: float, hi: float, n: int = 5) -> np.ndarray:
    """Round values between ``lo`` and ``hi``: about ``n`` of them, 1, 2 or 5 times a power of ten
    apart (the step nearest the span over ``n``)."""
    raw = max(hi - lo, 1e-6) / n
    mag = 10 ** np.floor(np.log10(raw))
    step = mag * min((1, 2, 5, 10), key=lambda m: abs(m * mag - raw))
    return np.arange(np.ceil(lo / step) * step, hi + 1e-9, step)


def tick_text(v: float) -> str:
    """A tick's label: never '-0'."""
    return f"{round(float(v), 6) + 0.0:g}"


def _spread(xs: list[float], gap: float) -> list[float]:
    """x positions with points that would overlap moved apart, each run centred where it was."""
    out = list(xs)
    i = 0
    while i < len(out):
        j = i
        while j + 1 < len(out) and abs(xs[j + 1] - xs[i]) < gap:
            j += 1
        if j > i:
            mid = sum(xs[i:j + 1]) / (j - i + 1)
            for k in range(i, j + 1):
                out[k] = mid + (k - i - (j - i) / 2) * gap
        i = j + 1
    return out


def _x_labels(px: list[float], labels: list[str], height: int, edges: tuple[float, float],
              room: float = 78) -> list[str]:
    """Each distinct label once under its first point, skipping those that would overlap; those
    near an edge of the plot end (or start) at their point, so none is cut off."""
    out, last = [], -1e9
    for xx, lab in zip(px, labels):
        if lab in [o[1] for o in out] or xx - last < room:
            continue
        out.append((xx, lab))
        last = xx
    anchor = lambda xx: "start" if xx < edges[0] + room / 2 else "end" if xx > edges[1] - room / 2 else "middle"  # noqa: E731
    return [f'<text x="{xx:.1f}" y="{height - 16}" class="axis" text-anchor="{anchor(xx)}">{escape(lab)}</text>'
            for xx, lab in out]


def _marker(shape: str, cx: float, cy: float, title: str, r: float = 4) -> str:
    tip = f"<title>{title}</title>"
    if shape == "square":
        return f'<rect x="{cx - r:.1f}" y="{cy - r:.1f}" width="{2 * r}" height="{2 * r}">{tip}</rect>'
    if shape == "triangle":
        return (f'<polygon points="{cx:.1f},{cy - r - 1:.1f} {cx - r - 1:.1f},{cy + r:.1f} {cx + r + 1:.1f},{cy + r:.1f}">'
                f"{tip}</polygon>")
    if shape == "diamond":
        return (f'<polygon points="{cx:.1f},{cy - r - 1:.1f} {cx + r + 1:.1f},{cy:.1f} {cx:.1f},{cy + r + 1:.1f} '
                f'{cx - r - 1:.1f},{cy:.1f}">{tip}</polygon>')
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r}">{tip}</circle>'
