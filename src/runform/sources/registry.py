"""Every kind of recording runform reads, one entry each.

An entry says what the content sniff (``sniff.py``) calls the kind and what its summary calls
it, how a message names it, its own options (a frozen dataclass beside the shared
``settings.Settings``), which of the shared settings only it (and the others naming them) uses,
and its adapter: ``adapter(path, settings, options, kb, cache_dirs, progress) -> Made``, imported
when first used so that the pipeline stays light. Adding a source is a folder with its reader
and its adapter, and one line in ``SOURCES``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from .lab.options import LabOptions
from .sensor.options import SensorOptions

if TYPE_CHECKING:
    from ..engine.analysis import Analysis


@dataclass(frozen=True)
class NoOptions:
    """A source whose every option is a shared setting (``settings.Settings``)."""


@dataclass
class Made:
    """What an adapter made of a recording: its analysis, the files it was made from (never
    inside a folder it is written to), and for a video its facts and its pose for the pose cache."""

    analysis: "Analysis"
    inputs: list
    video: Path | None = None
    info: object = None  # the video's facts (decode.VideoInfo)
    pose: tuple | None = None  # (cache file name, pose arrays)


@dataclass(frozen=True)
class Source:
    kind: str  # as sniff.source_kind names it
    type: str  # as its summary's source.type names it
    label: str  # in messages: "'run.csv' is a sensor recording (CSV)"
    adapter: str  # "module:function" (see the module's docstring)
    options: type = NoOptions
    settings: tuple[str, ...] = ()  # the shared settings it uses that some kinds do not
    strict: tuple[str, ...] = ()  # of those, the ones refused for any other kind: they would be ignored
    frames: str | None = None  # "module:function(path, settings)": frames its outputs draw, known before the analysis

    def analyse(self, path, settings, options, kb, cache_dirs: list[Path], progress) -> Made:
        return _load(self.adapter)(Path(path), settings, options, kb, cache_dirs, progress)

    def frames_of(self, path, settings) -> int:
        return _load(self.frames)(Path(path), settings) if self.frames else 0


_VIDEO = ("height_m", "annotated_video", "workers", "view", "vertical", "slowmo", "capture_fps")
SOURCES: dict[str, Source] = {s.kind: s for s in (
    Source("video", "video", "a video", "runform.sources.video.adapter:video_source", settings=_VIDEO,
           strict=("slowmo", "capture_fps"), frames="runform.sources.video.adapter:video_frames"),
    Source("lab", "mocap", "a lab motion-capture trial (C3D, TRC)", "runform.sources.lab.analyze:lab_source",
           LabOptions, settings=("height_m",)),
    Source("imu", "imu", "a sensor recording (CSV)", "runform.sources.sensor.analyze:sensor_source", SensorOptions),
    Source("keypoints", "keypoints", "a folder of pose keypoints", "runform.sources.keypoints.analyze:keypoint_source",
           settings=("height_m", "view", "fps"), strict=("fps",)),
)}


def option_types() -> list[type]:
    """Every source's own options type (``NoOptions`` left out)."""
    return [s.options for s in SOURCES.values() if s.options is not NoOptions]


def options_for(kind: str, values: dict):
    """Source ``kind``'s options from ``values``, which may hold other sources' options too."""
    options = SOURCES[kind].options
    return options(**{f.name: values[f.name] for f in fields(options) if values.get(f.name) is not None})


def given(options) -> list[str]:
    """The setting names (``words.SETTINGS``) of the options given in ``options``."""
    return [f.metadata["setting"] for f in fields(options) if getattr(options, f.name) is not None]


def files(options) -> list:
    """The files named in ``options``."""
    return [getattr(options, f.name) for f in fields(options) if f.metadata.get("file")]


def applies(setting: str, source_type: str) -> bool:
    """Whether ``setting`` (a shared setting or a source's option) changes the analysis of a
    ``source_type`` (a summary's source.type): a setting no entry claims changes every kind's."""
    users = [s.type for s in SOURCES.values()
             if setting in s.settings or setting in {f.name for f in fields(s.options)}]
    return not users or source_type in users


def _load(where: str):
    module, name = where.split(":")
    return getattr(importlib.import_module(module), name)
