"""runform's command line: a thin layer over ``runform.pipeline``.

Exit codes: 0 done; 1 internal error (a bug); 2 usage error; 3 unreadable
input file; 4 no usable runner in the video; 5 not analysable as running from
the side (front/back view, walking, too few strides); 6 the results cannot be
written (read-only folder, no permission, full disk). See runform.errors.
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from . import __version__
from .errors import RunformError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="runform: running-form analysis from a side-view video, a lab motion-capture trial or a "
                       "pelvis-worn sensor.")
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


def _quiet() -> None:
    import warnings

    if not os.environ.get("RUNFORM_DEBUG"):
        # what goes wrong is said in runform's own words; a library's note on an odd input file
        # would only confuse a user (runform's own code raises no warnings on the golden cases)
        warnings.simplefilter("ignore")


def _fail(e: Exception) -> None:
    """Print a user error or a short internal-error line; raise the exit."""
    if isinstance(e, RunformError):
        err.print(f"[bold red]runform:[/] {escape(e.message)}", soft_wrap=True)
        if e.hint:
            err.print(f"  {escape(e.hint)}", soft_wrap=True)
        raise typer.Exit(e.exit_code)
    if isinstance(e, KeyboardInterrupt):
        err.print("runform: interrupted; no output was written.")
        raise typer.Exit(130)
    if os.environ.get("RUNFORM_DEBUG"):
        raise e
    err.print(f"[bold red]runform: internal error[/] ({e.__class__.__name__}: {escape(str(e))}). "
              "Please report it with the input file if you can; set RUNFORM_DEBUG=1 for details.",
              soft_wrap=True)
    raise typer.Exit(1)


def _run(paths: list[Path], out_dir: Path, **kw) -> None:
    _quiet()
    from .pipeline import analyze, analyze_views
    from .settings import Settings, parse_speed

    try:
        settings = Settings(height_m=kw["height"], speed_mps=parse_speed(kw["speed"]), sex=kw["sex"],
                            start_s=kw["start"], end_s=kw["end"], references=kw["references"],
                            annotated_video=kw["video"], vertical=kw["vertical"], slowmo=kw.get("slowmo"),
                            capture_fps=kw.get("capture_fps"), view=kw.get("view", "auto"), fps=kw.get("fps"))
        with _StageDisplay() as display:
            if len(paths) > 1:
                written = analyze_views(paths, out_dir, settings, progress=display)
            else:
                written = analyze(paths[0], out_dir, settings, kw.get("options"), progress=display)
    except (Exception, KeyboardInterrupt) as e:  # a bug gets a short message, traceback on request
        _fail(e)
    if written.resolve() != Path(out_dir).resolve():
        err.print(f"runform: files were added to '{out_dir}' during the analysis, so the results went to "
                  f"'{written}' instead.", soft_wrap=True, markup=False)
    _print_result(written)


class _StageDisplay:
    """An analysis's progress on stderr, stage by stage (``runform.progress``): a bar on a
    terminal; in a log or a pipe, a line when a stage starts and at every 10 % of a counted one."""

    def __init__(self):
        self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[count]}"),
                            TimeRemainingColumn(), console=err, transient=True) if err.is_terminal else None
        self.task, self.tenth = None, -1

    def __enter__(self):
        if self.bar is not None:
            self.bar.start()
            self.task = self.bar.add_task("Starting", total=None, count="")
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, name: str, done: int, total: int | None) -> None:
        from .progress import STAGES

        label = STAGES[name][0]
        count = f"{done}/{total} frames" if total else ""
        if self.bar is not None:
            self.bar.update(self.task, description=label, total=total, completed=done, count=count)
            return
        tenth = int(10 * done / total) if total else 0
        if done == 0 or tenth > self.tenth:
            err.print(f"runform: {label}{' ' + count if done else ''}", soft_wrap=True, markup=False)
        self.tenth = tenth


def _print_result(out_dir: Path) -> None:
    import json

    from .engine.assess.knowledge import load_knowledge

    s = json.loads((out_dir / "summary.json").read_text())
    m = s["metrics"]
    pick = load_knowledge().key_metrics
    out.print(f"[bold]runform[/] {s['n_strides']} strides analysed (median ± measurement uncertainty; IQR: the "
              "spread from stride to stride)")
    for k in pick:
        if k in m and m[k]["median"] is not None:
            unc = f" ± {m[k]['uncertainty']:.1f}" if m[k].get("uncertainty") is not None else ""
            out.print(f"  {k:28s} {m[k]['median']:8.1f}{unc}  (IQR {m[k]['iqr']:.1f})")
    for f in s["faults"]:
        out.print(f"  [yellow]finding[/]: {escape(f['title'])} (confidence {f['confidence_label']})")
    for w in s["warnings"]:
        out.print(f"  [dim]note: {escape(w)}[/]", soft_wrap=True)
    out.print(f"Report: {out_dir / 'report.html'}", soft_wrap=True, markup=False)


# options the analyze and batch commands share, and the lab trial's
SexOption = Annotated[Optional[str], typer.Option("--sex", help="m or f, for sex-specific reference ranges.")]
ReferencesOption = Annotated[Optional[Path], typer.Option(
    "--references", help="TOML file of your own reference ranges and fault thresholds.")]
ColumnsOption = Annotated[Optional[str], typer.Option(
    "--columns", help="Sensor CSV: which column is which, e.g. time=ts,acc_x=AX,acc_y=AY,acc_z=AZ,gyr_x=GX.")]
UnitsOption = Annotated[Optional[str], typer.Option(
    "--units", help="Sensor CSV: units when not detected, e.g. acc=m/s2,gyr=rad/s,time=ms.")]
RateOption = Annotated[Optional[float], typer.Option(
    "--rate", help="Sensor CSV without a time column: sampling rate (Hz).")]
VerticalOption = Annotated[str, typer.Option("--vertical", help=(
    "Video: what true vertical is: auto (the scene's vertical edges, else the floor line), scene, floor, "
    "image (the camera was level) or the degrees it leans, + = top towards image-right."))]
# a lab trial's companions
ForcesOption = Annotated[Optional[Path], typer.Option("--forces", help=(
    "Lab trial: force file (OpenSim GRF .mot, force table, C3D) (default: in the C3D or beside the trial)."))]
StaticOption = Annotated[Optional[Path], typer.Option("--static", help=(
    "Lab trial: static (standing) trial (default: the one static file beside the trial)."))]
MarkersOption = Annotated[Optional[Path], typer.Option("--markers", help=(
    "Lab trial: marker mapping file (YAML/TOML) for a marker set runform does not know."))]


@app.command()
def analyze(
    recordings: list[Path] = typer.Argument(..., help="A running video (mp4, mov, mkv, avi...; side, front or "
                                            "back view), a lab trial (C3D, TRC, marker table), a sensor CSV or a "
                                            "folder of OpenPose keypoints (with --fps); or two clips of one run, a "
                                            "side view and a front or back view, for one report."),
    out_dir: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default: <video name>-runform)."),
    height: Optional[float] = typer.Option(None, "--height", help="Runner's height in metres, e.g. 1.78."),
    speed: Optional[str] = typer.Option(None, "--speed", help="Treadmill speed: m/s (3.2), 12kmh, 7.5mph or 5:00/km."),
    sex: SexOption = None,
    start: float = typer.Option(0.0, "--start", help="Analyse from this time (s)."),
    end: Optional[float] = typer.Option(None, "--end", help="Analyse up to this time (s)."),
    references: ReferencesOption = None,
    vertical: VerticalOption = "auto",
    slowmo: Optional[float] = typer.Option(None, "--slowmo", help="Video: it plays this many times slower than "
                                           "real time (4 for 120 fps slow motion played at 30; 0.5 if sped up 2x)."),
    capture_fps: Optional[float] = typer.Option(None, "--capture-fps", help="Video: the rate it was filmed at "
                                                "(slow motion), when the file does not say."),
    video_out: bool = typer.Option(True, "--video/--no-video", help="Write annotated.mp4."),
    view: str = typer.Option("auto", "--view", help="Video or keypoints: auto, side, front or back (auto tells "
                             "them apart; give front or back when the face cannot be seen)."),
    fps: Optional[float] = typer.Option(None, "--fps", help="Folder of OpenPose keypoints: the video's frame rate."),
    forces: ForcesOption = None,
    static: StaticOption = None,
    markers: MarkersOption = None,
    columns: ColumnsOption = None,
    units: UnitsOption = None,
    rate: RateOption = None,
    standing: Optional[str] = typer.Option(None, "--standing", help="Sensor CSV: START:END seconds of standing "
                                           "still, for pelvic tilt relative to standing."),
):
    """Analyse a running recording (side-view video, lab motion-capture trial or pelvis-worn
    sensor CSV) and write summary.json, strides.csv, frames.csv, report.html (and annotated.mp4
    for video)."""
    from .sources.lab.options import LabOptions
    from .sources.sensor.options import SensorOptions

    out_dir = out_dir or Path.cwd() / f"{Path(recordings[0].name.removesuffix('.gz')).stem}-runform"
    try:
        window = _window(standing)
    except Exception as e:
        _fail(e)
    _run(recordings, out_dir, height=height, speed=speed, sex=sex, start=start, end=end,
         references=str(references) if references else None, video=video_out, vertical=vertical,
         slowmo=slowmo, capture_fps=capture_fps, view=view, fps=fps,
         options=[LabOptions(forces, static, markers), SensorOptions(columns, units, rate, window)])


def _window(text: str | None) -> tuple[float, float] | None:
    from .errors import UsageError

    if not text:
        return None
    try:
        a, b = (float(x) for x in text.split(":"))
    except ValueError:
        raise UsageError(f"--standing '{text}' is not START:END in seconds, e.g. 0:5.") from None
    if b <= a or a < 0:
        raise UsageError(f"--standing {text}: END must be after START, both at least 0.")
    return a, b


@app.command()
def batch(
    inputs: list[str] = typer.Argument(..., help="Recordings, folders (searched recursively) or patterns "
                                       "such as 'trials/**/*.c3d': videos, lab trials, sensor CSVs."),
    out_dir: Path = typer.Option(Path("runform-batch"), "--out", "-o", help="Batch folder: status.csv, "
                                 "strides.parquet, recordings.parquet and one folder per recording."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Address of a running Dask scheduler, "
                                            "e.g. tcp://10.0.0.5:8786 (default: a local cluster on this machine)."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Local cluster: worker processes "
                                          "(default: one per core)."),
    manifest: Optional[Path] = typer.Option(None, "--manifest", help="CSV with per-recording details: "
                                            "file,athlete,date,height,speed,sex."),
    height: Optional[float] = typer.Option(None, "--height", help="Runner's height in metres, for all recordings."),
    speed: Optional[str] = typer.Option(None, "--speed", help="Treadmill speed for all recordings (3.2, 12kmh...)."),
    sex: SexOption = None,
    references: ReferencesOption = None,
    video_out: bool = typer.Option(False, "--video/--no-video", help="Write annotated.mp4 for each video."),
    columns: ColumnsOption = None,
    units: UnitsOption = None,
    rate: RateOption = None,
    db: Optional[str] = typer.Option(None, "--db", help="Also store each result as a session in this database "
                                     "(the web app's): sqlite:///path.db or postgresql://user:pass@host/db."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Try again the recordings that failed "
                                      "before (errors from bugs or lost workers are always retried)."),
):
    """Analyse many recordings on a Dask cluster (local by default) into one folder with a status
    table and research-ready Parquet tables; a rerun skips what is done."""
    _quiet()
    from .settings import Settings, parse_speed

    try:
        if workers is not None and workers < 1:
            from .errors import UsageError

            raise UsageError("--workers must be at least 1.")
        base = Settings(height_m=height, speed_mps=parse_speed(speed), sex=sex,
                        references=str(references.resolve()) if references else None,
                        annotated_video=video_out).as_dict()
        from .app.batch.run import run_batch

        with _BatchDisplay() as display:
            result = run_batch(inputs, out_dir, base, {"columns": columns, "units": units, "rate_hz": rate},
                               manifest=manifest, scheduler=scheduler, n_workers=workers, retry_failed=retry_failed,
                               db_url=db, on_start=display.start, on_result=display.result)
    except (Exception, KeyboardInterrupt) as e:
        _fail(e)
    errors = f", {result.count('error')} errors (a rerun retries them)" if result.count("error") else ""
    where = f" on {result.workers} workers" if result.workers else " (nothing left to analyse)"
    out.print(f"[bold]runform batch[/] {result.count('done')} done, {result.count('failed')} failed{errors}, "
              f"{result.count('not a recording')} not recordings; {result.n_strides} strides "
              f"in {result.seconds:.0f} s{where}", soft_wrap=True)
    out.print(f"Tables: {out_dir / 'strides.parquet'}, {out_dir / 'recordings.parquet'}; "
              f"status: {out_dir / 'status.csv'}", soft_wrap=True, markup=False)


class _BatchDisplay:
    """A batch's progress on stderr: done/total, rate, time left and failures (a bar on a
    terminal; in a log, a line per recording), from the client, so remote clusters show it too."""

    def __init__(self):
        self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]}"), TextColumn("[red]{task.fields[failed]}"),
                            TimeRemainingColumn(), console=err, transient=True) if err.is_terminal else None
        self.task, self.t0, self.total, self.done, self.failed = None, 0.0, 0, 0, 0

    def __enter__(self):
        if self.bar is not None:
            self.bar.start()
            self.task = self.bar.add_task("Batch", total=None, rate="", failed="")
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()

    def start(self, todo: int, done_before: int, skipped: int) -> None:
        import time

        self.t0, self.total = time.perf_counter(), todo
        err.print(f"runform batch: {todo} to analyse, {done_before} done or failed before, "
                  f"{skipped} files that are not recordings")
        if self.bar is not None:
            self.bar.update(self.task, total=todo)

    def result(self, row: dict) -> None:
        import time

        self.done += 1
        if row["status"] != "done":
            self.failed += 1
            err.print(f"  [yellow]{row['status']}[/] {escape(str(row['file']))}: {escape(str(row['error']))}",
                      soft_wrap=True)
        per_min = self.done / max(time.perf_counter() - self.t0, 1e-9) * 60
        failed = f"{self.failed} failed" if self.failed else ""
        if self.bar is not None:
            self.bar.update(self.task, advance=1, rate=f"{per_min:.1f}/min", failed=failed)
        else:
            err.print(f"runform batch: {self.done}/{self.total} ({per_min:.1f}/min{', ' + failed if failed else ''})"
                      f" {row['file']}", soft_wrap=True, markup=False)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on. Anything but loopback needs "
                             "an access token."),
    port: int = typer.Option(8000, "--port", help="Port."),
    db: Optional[str] = typer.Option(None, "--db", help="Database: sqlite:///path.db or "
                                     "postgresql://user:pass@host/db (default: runform.db in the data folder)."),
    data: Optional[Path] = typer.Option(None, "--data", help="Folder for uploads and outputs "
                                        "(default: $RUNFORM_HOME or ~/.local/share/runform)."),
    token: Optional[str] = typer.Option(None, "--token", help="Access token (generated when listening beyond "
                                        "loopback and not given)."),
    max_upload_mb: float = typer.Option(2048, "--max-upload-mb", help="Largest upload accepted (MB)."),
    allow_host: list[str] = typer.Option([], "--allow-host", help="A host name the server answers to besides "
                                         "its addresses (e.g. runform.clinic.lan); repeat for more."),
    certfile: Optional[Path] = typer.Option(None, "--certfile", help="TLS certificate (PEM): serve over https."),
    keyfile: Optional[Path] = typer.Option(None, "--keyfile", help="TLS private key (PEM) for --certfile."),
):
    """Start the web app: upload recordings, follow the analysis, read reports, compare sessions."""
    _quiet()
    import secrets

    from .app.web.security import is_loopback

    try:
        from .app.store.db import data_dir
        from .errors import UsageError

        if bool(certfile) != bool(keyfile):
            raise UsageError("Give --certfile and --keyfile together.")
        folder = (data or data_dir()).expanduser().resolve()
        url = db or f"sqlite:///{folder / 'runform.db'}"
        beyond = not is_loopback(host)
        token = token or (secrets.token_urlsafe(18) if beyond else None)
        import uvicorn

        from .app.web.app import WebConfig, create_app

        names = _host_names(host, allow_host, beyond)
        web = create_app(WebConfig(data_dir=folder, db_url=url, token=token, max_upload_mb=max_upload_mb,
                                   host_names=names, beyond_loopback=beyond))
    except (Exception, KeyboardInterrupt) as e:
        _fail(e)
    scheme = "https" if certfile else "http"
    for address in _addresses(host):
        out.print(f"runform serving on {scheme}://{address}:{port}/" + (f"?token={token}" if token else ""),
                  soft_wrap=True, markup=False)
    if beyond and not certfile:
        out.print("  [yellow]note[/]: serving on the network without TLS: recordings and reports (health data) "
                  "cross it unencrypted. Give --certfile and --keyfile, or serve on 127.0.0.1 only.", soft_wrap=True)
    out.print(f"Data: {folder}", soft_wrap=True, markup=False)
    uvicorn.run(web, host=host, port=port, log_level="warning", ssl_certfile=str(certfile) if certfile else None,
                ssl_keyfile=str(keyfile) if keyfile else None)


def _host_names(host: str, allowed: list[str], beyond: bool) -> tuple[str, ...]:
    """The names the server answers to: those given, the one it listens on, the machine's own."""
    import socket

    names = set(allowed) | ({host} if not host.replace(".", "").replace(":", "").isdigit() else set())
    if beyond:
        names |= {socket.gethostname(), socket.getfqdn()}
    return tuple(sorted(n.lower() for n in names if n))


def _addresses(host: str) -> list[str]:
    """Addresses a person can open: the host itself, or for 0.0.0.0 / :: the machine's own."""
    import socket

    from .app.web.security import is_loopback

    if is_loopback(host):
        return ["localhost"]
    if host not in ("0.0.0.0", "::", ""):
        return [f"[{host}]" if ":" in host else host]
    found = {socket.gethostname()}
    try:
        found |= {i[4][0] for i in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        pass
    return sorted(a for a in found if not a.startswith("127."))


@app.command()
def demo(
    out_dir: Path = typer.Option(Path("runform-demo"), "--out", "-o", help="Output folder."),
    video_out: bool = typer.Option(True, "--video/--no-video", help="Write annotated.mp4."),
):
    """Analyse the bundled sample (a 12 s treadmill run filmed from the side)."""
    sample = Path(str(resources.files("runform.samples").joinpath("treadmill_side.mp4")))
    _run([sample], out_dir, height=None, speed=None, sex=None, start=0.0, end=None, references=None,
         video=video_out, vertical="auto")


@app.command()
def validate(
    mocap_dir: Optional[Path] = typer.Argument(None, help="Folder of lab data sets (default: shared/data/mocap)."),
    out_dir: Path = typer.Option(Path("runform-validation"), "--out", "-o", help="Where to write validation.md/json."),
):
    """Check runform against force plates and 3D markers on every lab trial with force data and
    print the accuracy table (also written to validation.md and validation.json)."""
    _quiet()
    from .validation.report import markdown, write
    from .validation.report import validate as run_validation

    try:
        with err.status("Validating on the lab trials..."):
            result = run_validation(mocap_dir)
        write(result, out_dir)
    except (Exception, KeyboardInterrupt) as e:
        _fail(e)
    out.print(markdown(result), soft_wrap=True, markup=False)
    out.print(f"Written: {out_dir / 'validation.md'}, {out_dir / 'validation.json'}", soft_wrap=True, markup=False)


@app.command()
def live(
    source: str = typer.Option(..., "--source", help="A running video played as it comes (with --realtime at its "
                               "own speed), or a camera: its number (0) or device file (/dev/video0)."),
    realtime: bool = typer.Option(False, "--realtime", help="Play a video file at its own speed, dropping frames "
                                  "the machine cannot keep up with (a camera always runs in real time)."),
    json_lines: bool = typer.Option(False, "--json", help="One JSON object a line: each update, then the totals."),
    height: Optional[float] = typer.Option(None, "--height", help="Runner's height in metres, e.g. 1.78."),
    speed: Optional[str] = typer.Option(None, "--speed", help="Treadmill speed: m/s (3.2), 12kmh, 7.5mph or 5:00/km."),
    sex: SexOption = None,
    references: ReferencesOption = None,
    vertical: VerticalOption = "auto",
    seconds: Optional[float] = typer.Option(None, "--seconds", help="Stop after this many seconds (a camera runs "
                                            "until Ctrl+C otherwise)."),
):
    """Live feedback: cadence, contact time, trunk lean, overstride and knee at landing, each
    with its uncertainty, updated twice a second while the runner runs."""
    _quiet()
    from .live.readout import Readout
    from .live.run import live as run_live
    from .settings import Settings, parse_speed

    try:
        settings = Settings(height_m=height, speed_mps=parse_speed(speed), sex=sex,
                            references=str(references) if references else None, vertical=vertical)
        if seconds is not None and seconds <= 0:
            from .errors import UsageError

            raise UsageError(f"--seconds {seconds:g} is not a positive number of seconds.")
        _live_source(source)
        with Readout(json_lines, out) as readout:
            run_live(source, settings, readout.show, realtime=realtime, seconds=seconds)
    except (Exception, KeyboardInterrupt) as e:
        _fail(e)


def _live_source(source: str) -> None:
    """Refuse, saying what to do instead, a recording runform live does not play (a sensor table,
    a lab trial, pose keypoints): it plays a video or reads a camera."""
    from .errors import InputFileError
    from .live.frames import is_device
    from .sources.registry import SOURCES
    from .sources.sniff import source_kind

    kind = "video" if is_device(source) or not Path(source).exists() else source_kind(source)
    if kind not in ("video", "folder"):
        raise InputFileError(f"'{Path(source).name}' is {SOURCES[kind].label}: runform live plays a video or reads "
                             "a camera.", f"Analyse it with: runform analyze {source}")


def run() -> None:  # console-script entry point
    app()


if __name__ == "__main__":
    sys.exit(app())
