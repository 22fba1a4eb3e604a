"""A recording -> its source adapter -> the engine -> a :class:`Result` -> an output folder.

``run`` (``runform.analyze``) analyses any recording into a Result in memory;
``analyze`` is what the CLI, the web app and the batch runner call: it checks
the output folder before any work and writes the Result into it. The content
sniff (``sources.sniff``) names the recording's kind, and the kind's entry in
``sources.registry`` its options and its adapter (videos ``sources.video``, lab
trials ``sources.lab``, sensor tables ``sources.sensor``, pose keypoints
``sources.keypoints``); each ends in an ``engine.analysis.Analysis``. This
module stays light (no pandas or xarray) so that the pose workers fork from a
small parent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .engine.assess.knowledge import load_knowledge
from .errors import InputFileError, UsageError
from .outputs.folder import PartialFolder, check_out_dir, space_needed
from .progress import Progress
from .settings import Settings
from .sources.sniff import source_kind
from .sources.registry import SOURCES, Source, files
from .sources.registry import given as given_settings
from .sources.video.pose_cache import save_pose
from .words import opt, say_all

if TYPE_CHECKING:
    from .engine.analysis import Analysis
    from .engine.assess.knowledge import Knowledge


def analyze(path: str | Path, out_dir: str | Path, settings: Settings = Settings(), options=None,
            progress: Progress | None = None) -> Path:
    """Analyse any supported recording into ``out_dir`` (checked before any work, a video's pose
    cache looked up in it); returns where the results are. ``options``: the source's own options
    (``LabOptions``, ``SensorOptions``; one, or several of which only the recording's own may be
    given, see ``sources.registry``); ``progress(stage, done, total)`` hears of every stage
    (``runform.progress``)."""
    source, options = _source(path, settings, options)
    frames = source.frames_of(path, settings)  # a video's part to analyse, refused when too short
    size = Path(path).stat().st_size
    out_dir = check_out_dir(out_dir, [path, settings.references, *files(options)],
                            space_needed(size, frames, _annotated(source, settings)))
    with PartialFolder(out_dir) as part:
        _result(source, path, settings, options, [out_dir / ".cache"], progress).write_into(part.path, progress)
        return part.commit()


def run(path: str | Path, settings: Settings = Settings(), options=None, progress: Progress | None = None) -> "Result":
    """Analyse any supported recording in memory (no pose cache is read or written)."""
    source, options = _source(path, settings, options)
    return _result(source, path, settings, options, [], progress)


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
    """The settings for one of two clips: those a kind refuses (``fps`` of keypoints) are left out
    for the other clip."""
    kind = SOURCES.get(source_kind(path))
    others = {name: None for s in SOURCES.values() for name in s.strict if kind is None or name not in kind.settings}
    return replace(settings, **others)


def _result(source: Source, path, settings: Settings, options, cache_dirs: list, progress) -> "Result":
    kb = load_knowledge(settings.sex, settings.references)
    made = source.analyse(path, settings, options, kb, cache_dirs, progress)
    return Result(made.analysis, settings, kb, made.inputs, video=made.video, info=made.info, pose=made.pose,
                  annotated=_annotated(source, settings))


def _annotated(source: Source, settings: Settings) -> bool:
    return "annotated_video" in source.settings and settings.annotated_video


def _source(path, settings: Settings, options) -> tuple[Source, object]:
    """The recording's source (``sources.registry``) and its options, refusing settings and
    options that belong to another kind."""
    given = [o for o in (options if isinstance(options, (list, tuple)) else [options]) if o is not None]
    _check_readable([path, settings.references, *(f for o in given for f in files(o))])
    kind = source_kind(path)
    if kind == "folder":
        raise InputFileError(f"'{path}' is a folder without pose keypoint files (*_<frame>_keypoints.json).",
                             "Give a video, a lab trial, a sensor CSV, or the folder `openpose --write_json` wrote.")
    source = SOURCES[kind]
    for other in SOURCES.values():
        wrong = [name for name in other.strict if getattr(settings, name) is not None and name not in source.settings]
        _refuse([name.replace("_", "-") for name in wrong], other, source, path)
    for o in given:
        if not isinstance(o, source.options):
            _refuse(given_settings(o), next(s for s in SOURCES.values() if isinstance(o, s.options)), source, path)
    return source, next((o for o in given if isinstance(o, source.options)), source.options())


def _refuse(names: list[str], owner: Source, source: Source, path) -> None:
    if names:
        said = ", ".join(opt(n) for n in names[:-1]) + (" and " if len(names) > 1 else "") + opt(names[-1])
        raise UsageError(f"{said} appl{'y' if len(names) > 1 else 'ies'} to {owner.label}, and "
                         f"'{Path(path).name}' is {source.label}.",
                         f"Leave {'them' if len(names) > 1 else 'it'} out, or check which file was given.")


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
    annotated: bool = False  # its outputs include the annotated video

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
                            space_needed(size, n_frames, self.annotated))
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
        views = ["frontal" if r.analysis.view in ("front", "back") else "side" for r in (a, b)]
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
        self.strides = combine_strides(side.strides, front.strides, front.view)

    def write(self, folder: str | Path, progress: Progress | None = None) -> Path:
        inputs = [*self.side.inputs, *self.frontal.inputs]
        size = sum(Path(p).stat().st_size for p in (self.side.inputs[0], self.frontal.inputs[0]))
        n_frames = sum(len(r.pose[1][0]) for r in (self.side, self.frontal) if r.pose)
        out = check_out_dir(folder, inputs, space_needed(size, n_frames, self.side.annotated))
        with PartialFolder(out) as part:
            self.write_into(part.path, progress)
            return part.commit()

    def write_into(self, path: Path, progress: Progress | None = None) -> None:
        from .outputs.write import view_key_frames, write_frames, write_outputs, write_strides

        front = self.frontal.analysis
        view = front.view
        write_outputs(path, self.analysis, self.side.settings, self.side.kb, self.side.video, self.side.info,
                      progress, more_frames=view_key_frames(front, self.frontal.video, view), words=self.words)
        write_strides(path / "strides.csv", self.strides)  # both clips' strides, a view column apart
        write_frames(path / f"frames_{view}.csv", front.motion, front.series)
