"""Video as a source: the part of the clip to analyse, pose (in worker processes, cached), then
``analyze.py``. This module stays light: the pose workers fork from a parent that has imported
only what decoding needs, and the analysis modules load during inference for frames up to 720p,
after it above (a lower peak for 1080p).
"""

from __future__ import annotations

import threading
from pathlib import Path

from ...errors import NotAnalysableError, UsageError
from ...progress import Progress, stage
from ...settings import Settings
from ...words import opt
from .decode import VideoInfo, probe
from .pose import PoseSettings
from .pose_cache import start_tracking

PRELOAD_MAX_PIXELS = 1280 * 720
MIN_CLIP_S = 2.0  # three strides take at least 2 s even at a sprint (about 0.65 s a stride)


def video_window(video: Path, settings: Settings) -> tuple[VideoInfo, tuple[float, float]]:
    """The video's facts and the (start, end) seconds to analyse; refuses a range too short."""
    info = probe(video)
    start = settings.start_s
    end = min(settings.end_s, info.duration_s) if settings.end_s else info.duration_s
    if start >= info.duration_s:
        raise UsageError(f"{opt('start', f'{start:g} s')} is past the end of the {info.duration_s:.1f} s video.")
    if end - start < MIN_CLIP_S:
        part = f"The part chosen with {opt('start/end')}" if (start or settings.end_s) else "The video"
        raise NotAnalysableError(f"{part} lasts {end - start:.1f} s: too short; runform needs at least 3 "
                                 f"strides (about {MIN_CLIP_S:g} s of running).",
                                 "Film at least 10 s of steady running with the whole body in view.")
    return info, (start, end)


def video_source(video: Path, settings: Settings, options, kb, cache_dirs: list[Path],
                 progress: Progress | None = None):
    """The video source's adapter (``sources.registry``): the part to analyse, pose, analysis."""
    from ..registry import Made

    info, window = video_window(video, settings)
    analysis, pose = video_analysis(video, info, window, settings, kb, cache_dirs, progress)
    return Made(analysis, [video, settings.references], video=video, info=info, pose=pose)


def video_frames(video: Path, settings: Settings) -> int:
    """The frames of the part to analyse (the annotated video's), refusing a part too short."""
    info, window = video_window(video, settings)
    return int(round((window[1] - window[0]) * info.fps))


def video_analysis(video: Path, info: VideoInfo, window: tuple[float, float], settings: Settings, kb,
                   cache_dirs: list[Path], progress: Progress | None = None):
    """Pose (from a cache in ``cache_dirs`` when there is one), then the analysis; returns
    (Analysis, (cache file name, pose arrays))."""
    tick = stage(progress, "pose", int(round((window[1] - window[0]) * info.fps)))
    pose_settings = PoseSettings()
    job = start_tracking(info, window[0], window[1], cache_dirs, pose_settings, settings.workers)
    # the analysis modules (xarray, pandas: ~45 MB) load while the pose workers run
    # when the frames are at most 720p; above, after the workers have exited, which keeps the
    # peak of a long 1080p video within 600 MB (during inference it rose to 670 MB)
    preload = None
    if info.width * info.height <= PRELOAD_MAX_PIXELS and not job.info["cache_hit"]:
        preload = threading.Thread(target=_import_analysis, daemon=True)
        preload.start()
    pose = job.result(tick)
    if preload is not None:
        preload.join()
    tick = stage(progress, "analysis", 3)  # the background scan, the gait analysis, its uncertainty
    from .analyze import analyze_pose

    analysis = analyze_pose(video, info, pose, job.info, pose_settings, settings, kb, window, tick)
    return analysis, (job.name, pose)


def _import_analysis() -> None:
    from ...outputs import write  # noqa: F401
    from . import analyze  # noqa: F401
