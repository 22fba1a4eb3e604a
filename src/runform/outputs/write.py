"""Writing one analysis folder: summary.json, strides.csv, frames.csv, report.html, annotated.mp4."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from ..engine.assess.knowledge import Knowledge
from ..progress import Progress, stage
from ..sources.registry import applies
from ..words import say_all
from .charts import line_svg
from .figures import curves_svg, key_frame_sheet, key_frames, normalised_curves, stick_key_frames
from .plan import closeness, plan
from .timeline import not_used, timeline_svg
from .video import write_annotated


def clean_json(x):
    """Plain JSON types; NaN and inf become null."""
    if isinstance(x, dict):
        return {str(k): clean_json(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean_json(v) for v in x]
    if isinstance(x, (np.floating, float)):
        return None if not math.isfinite(float(x)) else float(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


def write_summary(path: Path, summary: dict) -> None:
    path.write_text(json.dumps(clean_json(summary), indent=2))


def write_strides(path: Path, strides: pd.DataFrame) -> None:
    strides.round(4).to_csv(path, index=False)


def write_frames(path: Path, motion, series: dict) -> None:
    """Per frame: time, every keypoint's coordinates (unit in the column name: image pixels for
    video, metres in runner coordinates for lab trials) and confidence, and the angles; for a
    sensor, its channels (sensor axes) and the derived signals."""
    t = motion["time"].values
    cols = {"time_s": np.round(t, 4)}
    if "position" not in motion:
        for var, unit in (("acc", "g"), ("gyr", "dps"), ("mag", "raw")):
            if var in motion:
                for k, axis in enumerate(motion["axis"].values):
                    cols[f"{var}_{axis}_{unit}"] = np.round(motion[var].values[:, k], 4)
        for k, v in series.items():
            cols[k] = np.round(v, 3)
        pd.DataFrame(cols).to_csv(path, index=False)
        return
    pos = motion["position"].values
    conf = motion["confidence"].values
    unit = motion.attrs.get("space_unit", "px")
    digits = 2 if unit == "px" else 5
    for j, name in enumerate(motion["keypoint"].values):
        for k, axis in enumerate(motion["space"].values):
            cols[f"{name}_{axis}_{unit}"] = np.round(pos[:, j, k], digits)
        cols[f"{name}_conf"] = np.round(conf[:, j], 3)
    for k, v in series.items():
        cols[k] = np.round(v, 2)
    pd.DataFrame(cols).to_csv(path, index=False)


# The report tells a page that embeds it how tall it is, so that page shows it whole, without a
# second scrollbar (the web app's session page); opened on its own it does nothing.
# posts the report's height to the page embedding it, again whenever it changes (a frame made tall
# enough loses its scrollbar, so its text rewraps wider and the report gets shorter)
REPORT_SCRIPT = ("(function () { if (window.parent === window) { return; } var last = 0; function say() { "
                 "var h = document.documentElement.offsetHeight; if (Math.abs(h - last) > 1) { last = h; "
                 "window.parent.postMessage({runformReportHeight: h}, '*'); } } "
                 "window.addEventListener('load', say); window.addEventListener('resize', say); "
                 "if (window.ResizeObserver) { new ResizeObserver(say).observe(document.documentElement); } })();")


def render_report(summary: dict, kb: Knowledge, frames: list[dict], svg: str) -> str:
    env = Environment(loader=PackageLoader("runform.outputs", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    env.globals.update(
        metric_label=lambda n: kb.metrics.get(n, {}).get("label", n),
        unit=lambda n: kb.metrics.get(n, {}).get("unit", ""),
        fmt=fmt,
        closeness=closeness,
    )
    from markupsafe import Markup

    kind = summary.get("source", {}).get("type", "video")
    given = {k: v for k, v in summary.get("settings", {}).items() if v is not None and applies(k, kind)}
    settings_text = settings_words(given)
    return env.get_template("report.html.j2").render(
        **clean_json(summary), key_frames=frames, curves_svg=Markup(svg), settings_text=settings_text,
        timeline_svg=Markup(timeline_svg(summary.get("contacts"), _span_s(summary))),
        contacts_not_used=not_used(summary.get("contacts")), scorecard=scorecard(summary, kb),
        plan=plan(summary.get("faults") or [], lambda n: kb.metrics.get(n, {}).get("unit", ""),
                  lambda n: kb.metrics.get(n, {}).get("label", n)),
        report_script=Markup(REPORT_SCRIPT),
        drift=[{**c, "svg": Markup(c["svg"])} for c in drift_charts(summary, kb)])


def fmt(v, unit: str = "") -> str:
    """A figure as the report shows it: metres to the centimetre, everything else to one decimal,
    never '-0.0'; empty when there is none."""
    if not isinstance(v, (int, float)) or not math.isfinite(v):
        return ""
    text = f"{v:.2f}" if unit == "m" else f"{v:.1f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def settings_words(given: dict) -> str:
    """The settings an analysis ran with, in words; those left as they come are not listed."""
    words = {
        "height_m": lambda v: f"runner's height {v:.2f} m",
        "speed_mps": lambda v: f"speed {v:.2f} m/s ({3.6 * v:.1f} km/h)",
        "sex": lambda v: f"reference ranges for {'women' if v == 'f' else 'men'} where they differ",
        "start_s": lambda v: f"from {v:g} s" if v else "",
        "end_s": lambda v: f"to {v:g} s",
        "references": lambda v: f"own reference ranges from {Path(str(v)).name}",
        "annotated_video": lambda v: "" if v else "no annotated video",
        "vertical": lambda v: "" if v == "auto" else f"true vertical: {v}",
        "slowmo": lambda v: f"played {v:g}x slower than real time",
        "capture_fps": lambda v: f"filmed at {v:g} fps",
        "view": lambda v: "" if v == "auto" else f"{v} view",
        "fps": lambda v: f"keypoints at {v:g} fps",
    }
    said = [words[k](v) for k, v in given.items() if k in words]
    return ", ".join(w for w in said if w) or "as they come (nothing given)"


def scorecard(summary: dict, kb: Knowledge) -> list[dict]:
    """The key metrics this recording has, in the knowledge base's order, each with its reference
    range and whether it lies within it: the report's headline."""
    out = []
    for name in kb.key_metrics:
        m = summary.get("metrics", {}).get(name)
        if m and m.get("median") is not None:
            out.append({"metric": name, "label": kb.metrics[name]["label"], "unit": kb.metrics[name]["unit"],
                        "median": m["median"], "uncertainty": m.get("uncertainty"),
                        "reference": m.get("reference") or {}, "status": m.get("status"),
                        "findings": [f["title"] for f in summary.get("faults") or []
                                     if any(e.get("metric") == name for e in f.get("evidence", []))]})
    return out


def drift_charts(summary: dict, kb: Knowledge) -> list[dict]:
    """A long run's per-minute medians as one chart per metric, the running bouts shaded."""
    rows = summary.get("per_minute") or []
    if len(rows) < 3:
        return []
    t0 = float(summary.get("per_minute_from_s") or 0.0)
    spans = [((b["start_s"] - t0) / 60, (b["end_s"] - t0) / 60, f"running bout {i + 1}")
             for i, b in enumerate(summary.get("bouts") or [])]
    xs = [r["minute"] + 0.5 for r in rows]
    labels = [f"minute {r['minute']}" for r in rows]  # as the table below counts them
    charts = []
    for name in [k for k in rows[0] if k in kb.metrics]:
        ref = kb.references.get(name) or {}
        svg = line_svg([r.get(name) for r in rows], xs, labels, kb.metrics[name]["unit"], kb.metrics[name]["label"],
                       (ref.get("low"), ref.get("high")) if ref else None, spans=spans,
                       points_word="minutes")
        charts.append({"metric": name, "label": kb.metrics[name]["label"], "unit": kb.metrics[name]["unit"],
                       "svg": svg})
    return charts


def _span_s(summary: dict) -> float:
    """The end of the analysed time (the timeline's axis), in real time."""
    src = summary.get("source", {})
    if src.get("analysed_to_s") is not None:
        return float(src["analysed_to_s"]) / float(src.get("time_scale") or 1.0)
    return float(summary.get("duration_s") or 0.0)


def _video_time(motion, strides: pd.DataFrame):
    """The keypoints and strides on the video's own clock, to find their frames in it (a slow-motion
    clip's figures are in real time)."""
    scale = float(motion.attrs.get("time_scale", 1.0) or 1.0)
    if scale == 1.0:
        return motion, strides
    times = [c for c in ("start_s", "ic_s", "to_s", "mid_s", "contra_ic_s", "end_s") if c in strides]
    return motion.assign_coords(time=motion["time"].values * scale), strides.assign(**{c: strides[c] * scale for c in times})


def view_key_frames(analysis, video: Path | None, view: str | None = None) -> list[dict]:
    """The key frames of one analysis: from its video, else drawn from lab markers or from pose
    keypoints, else none (a sensor); ``view`` names the view in their captions."""
    if video is not None:
        motion, strides = _video_time(analysis.motion, analysis.strides)
        frames = key_frames(str(video), motion, strides, analysis.summary["scene"].get("camera_tilt_deg", 0.0))
    elif analysis.sagittal is not None or analysis.frontal is not None:  # drawn from markers or keypoints
        frames = stick_key_frames(analysis.sagittal if analysis.sagittal is not None else analysis.frontal,
                                  analysis.strides)
    else:
        frames = []
    return [{**f, "phase": f"{f['phase']} ({view} view)"} for f in frames] if view else frames


def write_outputs(out: Path, analysis, settings, kb: Knowledge, video: Path | None = None, info=None,
                  progress: Progress | None = None, more_frames: list[dict] | None = None,
                  words: str = "cli") -> None:
    """Every output of one analysis, its messages in the words of front end ``words``; key frames
    come from the video, or are drawn from lab markers (``more_frames``: a second view's, shown
    after them)."""
    stage(progress, "report")
    out.mkdir(parents=True, exist_ok=True)
    s = say_all(analysis.summary, words)
    write_summary(out / "summary.json", s)
    write_strides(out / "strides.csv", analysis.strides)
    write_frames(out / "frames.csv", analysis.motion, analysis.series)
    motion, strides = _video_time(analysis.motion, analysis.strides)
    frames = view_key_frames(analysis, video) + (more_frames or [])
    sheet = key_frame_sheet(frames)
    if sheet:
        (out / "key_frames.jpg").write_bytes(sheet)
    curves = normalised_curves(analysis.series, analysis.motion["time"].values, analysis.strides)
    (out / "report.html").write_text(render_report(s, kb, frames, curves_svg(curves) if curves else ""))
    if settings.annotated_video and video is not None:
        tick = stage(progress, "video", int(analysis.motion.sizes["time"]))
        write_annotated(out / "annotated.mp4", str(video), motion, analysis.series, strides, s, info.fps, tick)
