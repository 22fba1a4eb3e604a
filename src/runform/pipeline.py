"""A recording -> its source adapter -> the engine -> a :class:`Result` -> an output folder.

``run`` (``runform.analyze``) analyses any recording into a Result in memory;
``analyze`` is what the CLI, the web app and the batch runner call: it checks
the output folder before any work and writes the Result into it. The content
sniff (``sources.sniff``) sends videos to ``sources.video``, lab trials (C3D,
TRC, marker tables) to ``sources.lab`` and sensor tables to ``sources.sensor``;
each ends in an ``engine.analysis.Analysis``. This module stays light (no
pandas or xarray) so that the pose workers fork from a small parent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .engine.assess.knowledge import load_knowledge
from .errors import InputFileError, UsageError
from .outputs.folder import PartialFolder, check_out_dir, space_needed
from .progress import Progress, stage
from .settings import Settings
from .sources.sniff import source_kind
from .sources.video.adapter import video_analysis, video_window
from .sources.video.pose_cache import save_pose
from .words import opt, say_all

if TYPE_CHECKING:
    from .engine.analysis import Analysis
    from .engine.assess.knowledge import Knowledge


def analyze(path: str | Path, out_dir: str | Path, settings: Settings = Settings(), *, forces=None,
            static=None, markers=None, imu: dict | None = None, progress: Progress | None = None) -> Path:
    """Analyse any supported recording into ``out_dir`` (checked before any work); returns where
    the results are. ``imu``: the sensor options (``columns``, ``units``, ``rate_hz``,
    ``standing_s``; see ``sources.sensor.analyze.sensor_analysis``); ``progress(stage, done, total)``
    hears of every stage (``runform.progress``)."""
    kind, imu = _source(path, settings, forces, static, markers, imu)
    if kind == "video":
        return analyze_video(path, out_dir, settings, progress)
    return _other_result(kind, path, settings, forces, static, markers, imu, progress).write(out_dir, progress)


def run(path: str | Path, settings: Settings = Settings(), *, forces=None, static=None, markers=None,
        imu: dict | None = None, progress: Progress | None = None) -> "Result":
    """Analyse any supported recording in memory (no pose cache is read or written)."""
    kind, imu = _source(path, settings, forces, static, markers, imu)
    if kind == "video":
        video = Path(path)
        info, window = video_window(video, settings)
        kb = load_knowledge(settings.sex, settings.references)
        analysis, pose = video_analysis(video, info, window, settings, kb, [], progress)
        return Result(analysis, settings, kb, [video, settings.references], video=video, info=info, pose=pose)
    return _other_result(kind, path, settings, forces, static, markers, imu, progress)


def analyze_views(paths: list, out_dir: str | Path, settings: Settings = Settings(),
                  progress: Progress | None = None) -> Path:
    """Two clips of one run, a side view and a front or back view (videos or keypoint folders),
    into one output folder with one report (``engine.two_views``)."""
    if len(paths) != 2:
        raise UsageError(f"Give one recording, or two clips of one run (a side view and a front or back view), "
                         f"not {len(paths)}.")
    results = [run(p, settings_for(p, settings), progress=progress) for p in paths]
    return TwoViews.of(*results).write(out_dir, progress)


def settings_for(path: str | Path, settings: Settings) -> Settings:
    """The settings for one of two clips: ``fps`` belongs to the keypoints among them."""
    return settings if source_kind(path) == "keypoints" else replace(settings, fps=None)


def analyze_video(video: str | Path, out_dir: str | Path, settings: Settings = Settings(),
                  progress: Progress | None = None) -> Path:
    """Analyse a side-view running video; write the output folder atomically; return its path.
    The folder is checked (and its pose cache looked up) before the pose pass."""
    video, kb = Path(video), load_knowledge(settings.sex, settings.references)
    info, window = video_window(video, settings)
    n_frames = int(round((window[1] - window[0]) * info.fps))
    out_dir = check_out_dir(out_dir, [video, settings.references],
                            space_needed(video.stat().st_size, n_frames, settings.annotated_video))
    with PartialFolder(out_dir) as part:
        analysis, pose = video_analysis(video, info, window, settings, kb, [out_dir / ".cache"], progress)
        Result(analysis, settings, kb, [video, settings.references], video=video, info=info,
               pose=pose).write_into(part.path, progress)
        return part.commit()


def _other_result(kind: str, path, settings: Settings, forces, static, markers, imu: dict,
                  progress: Progress | None) -> "Result":
    """A sensor recording or a lab trial analysed in memory."""
    kb = load_knowledge(settings.sex, settings.references)
    stage(progress, "reading")
    if kind == "keypoints":
        from .sources.keypoints.analyze import keypoint_analysis

        analysis = keypoint_analysis(path, settings, kb, on_loaded=lambda: stage(progress, "analysis"))
        return Result(analysis, settings, kb, [path, settings.references])
    if kind == "imu":
        from .sources.sensor.analyze import sensor_analysis

        analysis = sensor_analysis(path, settings, kb, **imu, on_loaded=lambda: stage(progress, "analysis"))
        return Result(analysis, settings, kb, [path, settings.references])
    from .sources.lab.analyze import lab_analysis

    analysis = lab_analysis(path, settings, kb, forces=forces, static=static, markers=markers,
                            on_loaded=lambda: stage(progress, "analysis"))
    # companions found beside the trial are covered by the trial's own place
    return Result(analysis, settings, kb, [path, settings.references, forces, static])


def _source(path, settings: Settings, forces, static, markers, imu: dict | None) -> tuple[str, dict]:
    """The recording's kind ('video', 'lab', 'imu', 'keypoints'), refusing options that belong to another."""
    _check_readable([path, forces, static, markers, settings.references])
    kind = source_kind(path)
    if kind == "folder":
        raise InputFileError(f"'{path}' is a folder without pose keypoint files (*_<frame>_keypoints.json).",
                             "Give a video, a lab trial, a sensor CSV, or the folder `openpose --write_json` wrote.")
    if settings.fps is not None and kind != "keypoints":
        raise UsageError(f"{opt('fps')} applies to a folder of pose keypoints; a video's frame rate is read from the file.")
    imu = {k: v for k, v in (imu or {}).items() if v}
    if imu and kind != "imu":
        raise UsageError(f"{opt('columns')}, {opt('units')}, {opt('rate')} and {opt('standing')} apply to sensor "
                         "recordings (CSV).")
    if (forces or static or markers) and kind != "lab":
        raise UsageError(f"{opt('forces')}, {opt('static')} and {opt('markers')} apply to lab motion-capture trials "
                         "(C3D, TRC).")
    return kind, imu


def _check_readable(paths) -> None:
    """An input that exists but cannot be opened is the user's to fix, not a bug."""
    for p in filter(None, paths):
        p = Path(p)
        if p.exists() and not os.access(p, os.R_OK):
            raise InputFileError(f"'{p}' cannot be read: permission is denied.",
                                 "Check the file's permissions (or copy it somewhere you can read).")


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
    words: str = "cli"  # the front end whose words its messages are in (words.FRONT_ENDS)

    @property
    def summary(self) -> dict:
        from .outputs.write import clean_json

        return say_all(clean_json(self.analysis.summary), self.words)

    @property
    def strides(self):
        return self.analysis.strides

    def write(self, folder: str | Path, progress: Progress | None = None) -> Path:
        """Write every output into ``folder`` as a whole (see ``report.folder``); returns where."""
        size = sum(Path(p).stat().st_size for p in self.inputs[:1])
        n_frames = len(self.pose[1][0]) if self.pose else 0
        out = check_out_dir(folder, self.inputs,
                            space_needed(size, n_frames, self.video is not None and self.settings.annotated_video))
        with PartialFolder(out) as part:
            self.write_into(part.path, progress)
            return part.commit()

    def write_into(self, path: Path, progress: Progress | None = None) -> None:
        from .outputs.write import write_outputs

        if self.pose is not None:
            save_pose(path / ".cache", *self.pose)
        write_outputs(path, self.analysis, self.settings, self.kb, self.video, self.info, progress, words=self.words)


@dataclass
class TwoViews:
    """A side view's and a front or back view's results of one run, combined into one analysis
    (``engine.two_views``) and written as one folder."""

    side: Result
    frontal: Result
    words: str = "cli"  # the front end whose words its messages are in (words.FRONT_ENDS)

    @classmethod
    def of(cls, a: Result, b: Result) -> "TwoViews":
        """The two clips in their roles, refusing two of the same kind of view."""
        views = ["frontal" if "view" in r.analysis.summary["scene"] else "side" for r in (a, b)]
        if sorted(views) != ["frontal", "side"]:
            raise UsageError(f"Both clips are {views[0]} views: two clips of one run must be a side view and a "
                             "front or back view.", f"Check which clip is which, or give {opt('view')} for keypoints.")
        return cls(a, b) if views[0] == "side" else cls(b, a)

    def __post_init__(self):
        from .engine.analysis import Analysis
        from .engine.two_views import combine_strides, combine_summaries

        side, front = self.side.analysis, self.frontal.analysis
        summary = combine_summaries(side.summary, front.summary)
        # the side clip's strides draw its key frames, curves and video; strides.csv holds both clips'
        self.analysis = Analysis(side.motion, side.sagittal, side.series, side.strides, summary, summary["warnings"])
        self.strides = combine_strides(side.strides, front.strides, front.summary["scene"]["view"])

    def write(self, folder: str | Path, progress: Progress | None = None) -> Path:
        inputs = [*self.side.inputs, *self.frontal.inputs]
        size = sum(Path(p).stat().st_size for p in (self.side.inputs[0], self.frontal.inputs[0]))
        n_frames = sum(len(r.pose[1][0]) for r in (self.side, self.frontal) if r.pose)
        out = check_out_dir(folder, inputs, space_needed(size, n_frames, self.side.video is not None
                                                        and self.side.settings.annotated_video))
        with PartialFolder(out) as part:
            self.write_into(part.path, progress)
            return part.commit()

    def write_into(self, path: Path, progress: Progress | None = None) -> None:
        from .outputs.write import view_key_frames, write_frames, write_outputs, write_strides

        front = self.frontal.analysis
        view = front.summary["scene"]["view"]
        write_outputs(path, self.analysis, self.side.settings, self.side.kb, self.side.video, self.side.info,
                      progress, more_frames=view_key_frames(front, self.frontal.video, view), words=self.words)
        write_strides(path / "strides.csv", self.strides)  # both clips' strides, a view column apart
        write_frames(path / f"frames_{view}.csv", front.motion, front.series)
