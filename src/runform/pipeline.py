"""The pipelines: a recording -> motion dataset -> shared analysis -> a Result -> output folder.

``run`` (``runform.analyze``) analyses any recording into a :class:`Result` in
memory; ``analyze`` is what the CLI, the web app and the batch runner call: it
checks the output folder before any work and writes the Result into it. Both
send videos to the video path, lab trials (C3D, TRC, marker tables) to the lab
path and sensor tables to the sensor path.
Pose inference runs in worker processes forked from a parent that has imported
only what decoding needs; the analysis modules load during inference for
frames up to 720p, and after it above (lower peak memory for 1080p).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import __version__
from .engine.assess.knowledge import load_knowledge
from .errors import InputFileError, NotAnalysableError, UsageError
from .outputs.folder import PartialFolder, check_out_dir, space_needed
from .settings import Settings
from .sources.sniff import source_kind
from .sources.video.decode import probe
from .sources.video.pose import (
    LANDMARKS,
    MODEL_COMPLEXITY,
    MODEL_NAME,
    PoseSettings,
    mediapipe_version,
)
from .sources.video.pose_cache import save_pose, start_tracking

if TYPE_CHECKING:
    from .engine.analysis import Analysis
    from .engine.assess.knowledge import Knowledge


def analyze_video(video: str | Path, out_dir: str | Path, settings: Settings = Settings(),
                  on_progress=None, on_total=None) -> Path:
    """Analyse a side-view running video; write the output folder atomically; return its path."""
    video, kb = Path(video), load_knowledge(settings.sex, settings.references)
    info, window = _video_window(video, settings)
    n_frames = int(round((window[1] - window[0]) * info.fps))
    out_dir = check_out_dir(out_dir, [video, settings.references],
                            space_needed(video.stat().st_size, n_frames, settings.annotated_video))
    if on_total:
        on_total(n_frames)
    with PartialFolder(out_dir) as part:
        result = _video_result(video, info, window, settings, kb, [out_dir / ".cache"], on_progress)
        result.write_into(part.path)
        return part.commit()


def _video_window(video: Path, settings: Settings):
    """The video's facts and the (start, end) seconds to analyse; refuses a range too short."""
    info = probe(video)
    start = settings.start_s
    end = min(settings.end_s, info.duration_s) if settings.end_s else info.duration_s
    if start >= info.duration_s:
        raise UsageError(f"--start {start:g} s is past the end of the {info.duration_s:.1f} s video.")
    if end - start < MIN_CLIP_S:
        part = "The part chosen with --start/--end" if (start or settings.end_s) else "The video"
        raise NotAnalysableError(f"{part} lasts {end - start:.1f} s: too short; runform needs at least 3 "
                                 f"strides (about {MIN_CLIP_S:g} s of running).",
                                 "Film at least 10 s of steady running with the whole body in view.")
    return info, (start, end)


def _video_result(video: Path, info, window: tuple[float, float], settings: Settings, kb,
                  cache_dirs: list[Path], on_progress=None) -> "Result":
    """Pose (from a cache in ``cache_dirs`` when there is one), then the shared analysis."""
    pose_settings = PoseSettings()
    job = start_tracking(info, window[0], window[1], cache_dirs, pose_settings, settings.workers)
    # the analysis modules (xarray, pandas, scipy: ~45 MB) load while the pose workers run
    # when the frames are at most 720p; above, after the workers have exited, which keeps the
    # peak of a long 1080p video within 600 MB (during inference it rose to 670 MB)
    preload = None
    if info.width * info.height <= PRELOAD_MAX_PIXELS and not job.info["cache_hit"]:
        preload = threading.Thread(target=_import_analysis, daemon=True)
        preload.start()
    pose = job.result(on_progress)
    if preload is not None:
        preload.join()
    analysis = _video_analysis(video, info, pose, job.info, pose_settings, settings, kb, window)
    return Result(analysis, settings, kb, [video, settings.references], video=video, info=info,
                  pose=(job.name, pose))


def _video_analysis(video: Path, info, pose: tuple, pose_info: dict, pose_settings: PoseSettings,
                    settings: Settings, kb, window: tuple[float, float]):
    """The pose of a video (times, xyzv, luma) through the shared analysis, with the video's facts
    in the summary."""
    times, xyzv, luma = pose
    from .engine import checks
    from .engine.analysis import analyze_motion
    from .engine.dataset import make_motion
    from .sources.video.upright import body_axis_deg, turn_points, upright_turns

    turns = upright_turns(body_axis_deg(xyzv[..., :2], xyzv[..., 3], LANDMARKS))
    xy, _, _ = turn_points(xyzv[..., :2], turns, info.width, info.height)
    motion_px = make_motion(times, xy, xyzv[..., 3], LANDMARKS, source="video", space_unit="px",
                            vertical_up=False, video=video.name, turns=turns)
    warnings = checks.check_presence(motion_px, luma)
    if info.rotation_deg:
        warnings.append(f"The video is stored rotated by {info.rotation_deg} deg; it was turned upright.")
    if turns:
        warnings.append(f"The runner was {'upside down' if turns == 2 else 'sideways'} in the picture; the video "
                        f"was turned {90 * turns} deg clockwise to stand them upright (its rotation tag, if any, "
                        "is wrong).")
    analysis = analyze_motion(motion_px, settings, kb, warnings)
    analysis.summary.update({
        "runform_version": __version__,
        "source": {"type": "video", "file": video.name, "sha256": pose_info["video_sha256"],
                   "width": info.width, "height": info.height, "fps_nominal": round(info.fps, 3),
                   "rotation_deg": info.rotation_deg, "turned_upright_deg": 90 * turns,
                   "duration_s": round(info.duration_s, 3),
                   "analysed_from_s": window[0], "analysed_to_s": round(window[1], 3)},
        "model": {"name": MODEL_NAME, "package": f"mediapipe {mediapipe_version()}",
                  "model_complexity": MODEL_COMPLEXITY, **pose_settings.__dict__,
                  "pose_cache_hit": pose_info["cache_hit"]},
        "settings": settings.as_dict(),
        "warnings": analysis.warnings,
    })
    return analysis


PRELOAD_MAX_PIXELS = 1280 * 720
MIN_CLIP_S = 2.0  # three strides take at least 2 s even at a sprint (about 0.65 s a stride)


def _import_analysis() -> None:
    from .engine import analysis, checks  # noqa: F401
    from .outputs import write  # noqa: F401


def analyze(path: str | Path, out_dir: str | Path, settings: Settings = Settings(), *, forces=None,
            static=None, markers=None, imu: dict | None = None, on_progress=None, on_total=None) -> Path:
    """Analyse any supported recording into ``out_dir`` (checked before any work); returns where
    the results are. ``imu``: the sensor options (``columns``, ``units``, ``rate_hz``,
    ``standing_s``; see ``imu_result``)."""
    kind, imu = _source(path, settings, forces, static, markers, imu)
    if kind == "video":
        return analyze_video(path, out_dir, settings, on_progress=on_progress, on_total=on_total)
    result = imu_result(path, settings, **imu) if kind == "imu" else \
        lab_result(path, settings, forces=forces, static=static, markers=markers)
    return result.write(out_dir)


def run(path: str | Path, settings: Settings = Settings(), *, forces=None, static=None, markers=None,
        imu: dict | None = None, on_progress=None) -> "Result":
    """Analyse any supported recording in memory (no pose cache is read or written)."""
    kind, imu = _source(path, settings, forces, static, markers, imu)
    if kind == "video":
        video = Path(path)
        info, window = _video_window(video, settings)
        kb = load_knowledge(settings.sex, settings.references)
        return _video_result(video, info, window, settings, kb, [], on_progress)
    if kind == "imu":
        return imu_result(path, settings, **imu)
    return lab_result(path, settings, forces=forces, static=static, markers=markers)


def _source(path, settings: Settings, forces, static, markers, imu: dict | None) -> tuple[str, dict]:
    """The recording's kind ('video', 'lab', 'imu'), refusing options that belong to another."""
    _check_readable([path, forces, static, markers, settings.references])
    kind = source_kind(path)
    imu = {k: v for k, v in (imu or {}).items() if v}
    if imu and kind != "imu":
        raise UsageError("--columns, --units, --rate and --standing apply to sensor recordings (CSV).")
    if (forces or static or markers) and kind != "lab":
        raise UsageError("--forces, --static and --markers apply to lab motion-capture trials (C3D, TRC).")
    return kind, imu


def _check_readable(paths) -> None:
    """An input that exists but cannot be opened is the user's to fix, not a bug."""
    for p in filter(None, paths):
        p = Path(p)
        if p.exists() and not os.access(p, os.R_OK):
            raise InputFileError(f"'{p}' cannot be read: permission is denied.",
                                 "Check the file's permissions (or copy it somewhere you can read).")


def imu_result(path: str | Path, settings: Settings = Settings(), *, columns: str | None = None,
               units: str | None = None, rate_hz: float | None = None,
               standing_s: tuple[float, float] | None = None) -> "Result":
    """A pelvis-worn sensor recording (CSV); same outputs as the other sources, no video.

    ``columns``: 'time=ts,acc_x=AX,...' for names runform does not recognise; ``units``:
    'acc=g,gyr=rad/s,time=ms'; ``rate_hz`` for a file without a time column; ``standing_s``:
    (start, end) of a standing-still window, for tilt relative to standing."""
    from .sources.sensor.analyze import analyze_imu
    from .sources.sensor.read import load_imu_csv

    path = Path(path)
    kb = load_knowledge(settings.sex, settings.references)
    rec = load_imu_csv(path, columns, units, rate_hz)
    warnings: list[str] = []
    analysis = analyze_imu(rec, settings, kb, warnings, standing_s)
    analysis.summary.update({
        "runform_version": __version__,
        "source": {"type": "imu", "file": path.name, "rate_hz": round(float(rec.attrs["sampling_rate_hz"]), 3),
                   "channels": [v for v in ("acc", "gyr", "mag", "quat") if v in rec],
                   "units": rec.attrs.get("units")},
        "settings": {**settings.as_dict(), "columns": columns, "units": units, "rate_hz": rate_hz,
                     "standing_s": list(standing_s) if standing_s else None},
        "warnings": analysis.warnings,
    })
    return Result(analysis, settings, kb, [path, settings.references])


def lab_result(path: str | Path, settings: Settings = Settings(), *, forces=None, static=None,
               markers=None) -> "Result":
    """A lab motion-capture trial; same outputs as video (no annotated video)."""
    from .sources.lab.analyze import analyze_lab
    from .sources.lab.trial import load_lab_trial

    path = Path(path)
    kb = load_knowledge(settings.sex, settings.references)
    trial = load_lab_trial(path, forces, static, markers)
    warnings: list[str] = []
    analysis = analyze_lab(trial, settings, kb, warnings)
    analysis.summary.update({
        "runform_version": __version__,
        "source": {"type": "mocap", "file": path.name, "marker_set": trial.marker_set.title,
                   "static": trial.files.get("static"), "forces": trial.files.get("forces"),
                   "rate_hz": round(float(1 / np.median(np.diff(trial.times_s))), 3)},
        "settings": settings.as_dict(),
        "warnings": analysis.warnings,
    })
    # companions found beside the trial are covered by the trial's own place
    return Result(analysis, settings, kb, [path, settings.references, forces, static])


@dataclass
class Result:
    """One analysis in memory: ``summary`` (summary.json's content), ``strides`` (strides.csv's
    table) and ``write(folder)`` for every output file."""

    analysis: "Analysis"
    settings: Settings
    kb: "Knowledge"
    inputs: list  # the files it was made from (never inside a folder it is written to)
    video: Path | None = None
    info: object = None  # the video's facts (io.video.VideoInfo)
    pose: tuple | None = None  # (cache file name, pose arrays) for the output folder's pose cache

    @property
    def summary(self) -> dict:
        from .outputs.write import clean_json

        return clean_json(self.analysis.summary)

    @property
    def strides(self):
        return self.analysis.strides

    def write(self, folder: str | Path) -> Path:
        """Write every output into ``folder`` as a whole (see ``report.folder``); returns where."""
        size = sum(Path(p).stat().st_size for p in self.inputs[:1])
        n_frames = len(self.pose[1][0]) if self.pose else 0
        out = check_out_dir(folder, self.inputs,
                            space_needed(size, n_frames, self.video is not None and self.settings.annotated_video))
        with PartialFolder(out) as part:
            self.write_into(part.path)
            return part.commit()

    def write_into(self, path: Path) -> None:
        from .outputs.write import write_outputs

        if self.pose is not None:
            save_pose(path / ".cache", *self.pose)
        write_outputs(path, self.analysis, self.settings, self.kb, self.video, self.info)
