"""The report's contact timeline: every step over the clip, used or not (``engine/timeline.py``)."""

from __future__ import annotations

from html import escape

import numpy as np

COLOURS = {"left": "#1f6fb4", "right": "#e07b12"}  # the key frames' leg colours
WIDTH, LEFT, RIGHT = 760, 48, 12
ROWS = {"left": 26, "right": 56}


def timeline_svg(contacts: dict | None, duration_s: float) -> str:
    """One row per foot along the clip's time: a filled dot for a used contact, a red square for
    an excluded one, a dashed grey ring for a step nobody detected; each with its reason."""
    rows = (contacts or {}).get("timeline") or []
    if not rows or not duration_s > 0:
        return ""
    x = lambda s: LEFT + (WIDTH - LEFT - RIGHT) * float(s) / duration_s  # noqa: E731
    parts = [f'<svg class="timeline" viewBox="0 0 {WIDTH} 96" width="100%" role="img" '
             f'aria-label="{escape(_summary_text(contacts))}">']
    for foot, y in ROWS.items():
        parts.append(f'<text x="4" y="{y + 4}" font-size="12" fill="#333">{foot}</text>'
                     f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="#ddd"/>')
    for tick in np.arange(0, duration_s + 1e-9, _tick_step(duration_s)):
        parts.append(f'<text x="{x(tick):.1f}" y="88" font-size="12" fill="#333" text-anchor="middle">'
                     f'{tick:g} s</text>')
    for r in rows:
        parts.append(_mark(r, x(r["ic_s"]), ROWS.get(r["foot"], 41)))
    return "".join(parts) + "</svg>"


def _mark(r: dict, cx: float, y: float) -> str:
    tip = f'{r["foot"]} {r["ic_s"]:.2f} s: {r["status"]}' + (f' ({r["reason"]})' if r.get("reason") else "")
    title = f"<title>{escape(tip)}</title>"
    if r["status"] == "used":
        return f'<circle cx="{cx:.1f}" cy="{y}" r="5" fill="{COLOURS.get(r["foot"], "#555")}">{title}</circle>'
    if r["status"] == "excluded":
        return (f'<rect x="{cx - 5:.1f}" y="{y - 5}" width="10" height="10" fill="#fff" stroke="#c0392b" '
                f'stroke-width="2">{title}</rect>')
    return (f'<circle cx="{cx:.1f}" cy="{y}" r="5" fill="none" stroke="#888" stroke-width="1.5" '
            f'stroke-dasharray="2 2">{title}</circle>')


def _tick_step(duration_s: float) -> float:
    return next(s for s in (1, 2, 5, 10, 30, 60, 120, 300, 600) if duration_s / s <= 12)


def _summary_text(contacts: dict) -> str:
    return (f"Contact timeline: {contacts['steps']} steps, {contacts['used']} used, {contacts['excluded']} excluded, "
            f"{contacts['missed']} not detected.")


def not_used(contacts: dict | None) -> list[dict]:
    """The contacts not used, for the table under the timeline."""
    return [r for r in (contacts or {}).get("timeline") or [] if r["status"] != "used"]
