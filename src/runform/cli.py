"""runform's command line: a thin layer over ``runform.pipeline``.

Exit codes: 0 done; 1 internal error (a bug); 2 usage error; 3 unreadable
input file; 4 no usable runner in the video; 5 not analysable as running from
the side (front/back view, walking, too few strides). See runform.errors.
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from . import __version__
from .errors import RunformError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="runform: running-form analysis from a side-view video.")
err = Console(stderr=True)
out = Console()


def _version(value: bool):
    if value:
        out.print(f"runform {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Show the version and exit.")):
    """Analyse running form: events, metrics, faults and drills."""


def _run(video_path: Path, out_dir: Path, **kw) -> None:
    import warnings

    import numpy as np

    from .pipeline import analyze_video

    warnings.filterwarnings("ignore", category=RuntimeWarning)  # all-missing slices are handled
    np.seterr(all="ignore")
    from .settings import Settings, parse_speed

    try:
        settings = Settings(height_m=kw["height"], speed_mps=parse_speed(kw["speed"]), sex=kw["sex"],
                            start_s=kw["start"], end_s=kw["end"], references=kw["references"],
                            annotated_video=kw["video"])
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} frames"),
                      TimeRemainingColumn(), console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("Pose", total=None)
            analyze_video(video_path, out_dir, settings,
                          on_progress=lambda n: bar.advance(task, n),
                          on_total=lambda n: bar.update(task, total=n))
    except RunformError as e:
        err.print(f"[bold red]runform:[/] {e.message}", soft_wrap=True)
        if e.hint:
            err.print(f"  {e.hint}", soft_wrap=True)
        raise typer.Exit(e.exit_code)
    except KeyboardInterrupt:
        err.print("runform: interrupted; no output was written.")
        raise typer.Exit(130)
    except Exception as e:  # a bug: short message, traceback only on request
        if os.environ.get("RUNFORM_DEBUG"):
            raise
        err.print(f"[bold red]runform: internal error[/] ({e.__class__.__name__}: {e}). "
                  "Please report it with the video if you can; set RUNFORM_DEBUG=1 for details.",
                  soft_wrap=True)
        raise typer.Exit(1)
    _print_result(out_dir)


def _print_result(out_dir: Path) -> None:
    import json

    s = json.loads((out_dir / "summary.json").read_text())
    m = s["metrics"]
    pick = ["cadence_spm", "ground_contact_ms", "trunk_lean_deg", "overstride_pct_leg",
            "knee_flexion_ic_deg", "hip_extension_peak_deg"]
    out.print(f"[bold]runform[/] {s['n_strides']} strides analysed")
    for k in pick:
        if k in m:
            out.print(f"  {k:28s} {m[k]['median']:8.1f}  (IQR {m[k]['iqr']:.1f})")
    for f in s["faults"]:
        out.print(f"  [yellow]finding[/]: {f['title']} (confidence {f['confidence_label']})")
    for w in s["warnings"]:
        out.print(f"  [dim]note: {w}[/]", soft_wrap=True)
    out.print(f"Report: {out_dir / 'report.html'}")


@app.command()
def analyze(
    video: Path = typer.Argument(..., help="Side-view running video (mp4, mov, mkv, avi...)."),
    out_dir: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder [default: <video name>-runform]."),
    height: Optional[float] = typer.Option(None, "--height", help="Runner's height in metres, e.g. 1.78."),
    speed: Optional[str] = typer.Option(None, "--speed", help="Treadmill speed: m/s (3.2), 12kmh, 7.5mph or 5:00/km."),
    sex: Optional[str] = typer.Option(None, "--sex", help="m or f, for sex-specific reference ranges."),
    start: float = typer.Option(0.0, "--start", help="Analyse from this time (s)."),
    end: Optional[float] = typer.Option(None, "--end", help="Analyse up to this time (s)."),
    references: Optional[Path] = typer.Option(None, "--references", help="TOML file of your own reference ranges."),
    video_out: bool = typer.Option(True, "--video/--no-video", help="Write annotated.mp4."),
):
    """Analyse a side-view running video and write summary.json, strides.csv, frames.csv,
    report.html and annotated.mp4."""
    out_dir = out_dir or Path.cwd() / f"{video.stem}-runform"
    _run(video, out_dir, height=height, speed=speed, sex=sex, start=start, end=end,
         references=str(references) if references else None, video=video_out)


@app.command()
def demo(
    out_dir: Path = typer.Option(Path("runform-demo"), "--out", "-o", help="Output folder."),
    video_out: bool = typer.Option(True, "--video/--no-video", help="Write annotated.mp4."),
):
    """Analyse the bundled sample (a 12 s treadmill run filmed from the side)."""
    sample = Path(str(resources.files("runform.samples").joinpath("treadmill_side.mp4")))
    _run(sample, out_dir, height=None, speed=None, sex=None, start=0.0, end=None, references=None,
         video=video_out)


def run() -> None:  # console-script entry point
    app()


if __name__ == "__main__":
    sys.exit(app())
