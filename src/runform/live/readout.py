"""How ``runform live`` shows its updates: one JSON object a line (``--json``), or a compact
line of figures, rewritten in place on a terminal and one a line in a log."""

from __future__ import annotations

import json
import sys

# (key, words, unit, decimals)
FIGURES = (("cadence_spm", "cadence", "/min", 1), ("ground_contact_ms", "contact", "ms", 0),
           ("trunk_lean_deg", "trunk lean", "deg", 1), ("overstride_pct_leg", "overstride", "% leg", 1),
           ("knee_flexion_ic_deg", "knee at landing", "deg", 1))


class Readout:
    def __init__(self, json_lines: bool, console):
        self.json_lines, self.console = json_lines, console
        self.in_place = not json_lines and console.is_terminal

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.in_place:
            sys.stdout.write("\n")
        return False

    def show(self, update: dict) -> None:
        if self.json_lines:
            sys.stdout.write(json.dumps(update, separators=(",", ":")) + "\n")
            sys.stdout.flush()
            return
        line = line_of(update)
        if update.get("final"):
            if self.in_place:
                sys.stdout.write("\r\x1b[K")
            sys.stdout.write(f"{line}\n{totals_of(update)}\n")
        elif self.in_place:
            sys.stdout.write("\r\x1b[K" + line)
        else:
            sys.stdout.write(line + "\n")
        for cue in update.get("cues") or []:  # a cue stays on the screen, above the read-out
            sys.stdout.write(("\r\x1b[K" if self.in_place else "") + f">> {cue['say']}\n" + (line if self.in_place else ""))
        sys.stdout.flush()


def line_of(u: dict) -> str:
    """'12.0 s  28 steps  cadence 169.8 ± 2.7 /min  contact 271 ± 54 ms ...'"""
    parts = [f"{u.get('t_s') or 0:5.1f} s", f"{u.get('steps', 0)} steps"]
    for key, words, unit, nd in FIGURES:
        v, e = u.get(key), u.get(f"{key}_uncertainty")
        if v is not None:
            parts.append(f"{words} {v:.{nd}f}" + (f" ± {e:.{nd}f}" if e is not None else "") + f" {unit}")
    found = [f["title"] for f in u.get("findings") or []]
    return "  ".join(parts + ([f"[{'; '.join(found)}]"] if found else []))


def totals_of(u: dict) -> str:
    lat = u.get("latency_median_s")
    return (f"{u.get('frames_posed', 0)} frames posed ({u.get('effective_fps') or 0:g} a second), "
            f"{u.get('dropped_frames', 0)} dropped to keep up; {u.get('updates', 0)} updates"
            + (f", median delay {lat:.2f} s" if lat is not None else "") + "."
            + "".join(f"\n{n}" for n in u.get("notes") or []))
