"""Video -> pose arrays, with a cache keyed by content and settings.

The cache file ``pose-<key>.npz`` lives in the output folder's ``.cache``;
the key hashes the video's bytes, the analysed time range, the model and its
settings, so a re-analysis with other options (height, speed, references)
skips inference, while a different clip or range never reuses a wrong pose.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ..sniff import content_hash
from .decode import VideoInfo
from .pose import PoseJob, PoseSettings


def cache_key(video_hash: str, start_s: float, end_s: float, settings: PoseSettings) -> str:
    text = f"{video_hash}|{start_s:.3f}|{end_s:.3f}|{settings.key()}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class Tracking:
    """A pose estimate under way (or read from the cache); ``result()`` waits for it."""

    def __init__(self, info: VideoInfo, start_s: float, end_s: float, cache_dirs: list[Path],
                 settings: PoseSettings, workers: int | None):
        vhash = content_hash(info.path)
        self.key = cache_key(vhash, start_s, end_s, settings)
        self.name = f"pose-{self.key}.npz"
        hit = next((d / self.name for d in cache_dirs if (d / self.name).is_file()), None)
        self.info = {"cache_hit": hit is not None, "key": self.key, "video_sha256": vhash}
        self._cached = None
        self._job = None
        if hit is not None:
            with np.load(hit) as z:
                self._cached = (z["times"], z["xyzv"], z["luma"])
        else:
            self._job = PoseJob(info.path, info.width, info.height, start_s, end_s, settings, workers)

    def result(self, on_progress=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(times_s, xyzv[n, 33, 4], luma[n])."""
        return self._cached if self._cached is not None else self._job.result(on_progress)


def save_pose(folder: Path, name: str, pose: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    """Write a pose to ``folder/name`` (the cache an output folder carries)."""
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(folder / name, times=pose[0], xyzv=pose[1], luma=pose[2])


def start_tracking(info: VideoInfo, start_s: float, end_s: float, cache_dirs: list[Path],
                   settings: PoseSettings = PoseSettings(), workers: int | None = None) -> Tracking:
    return Tracking(info, start_s, end_s, cache_dirs, settings, workers)
