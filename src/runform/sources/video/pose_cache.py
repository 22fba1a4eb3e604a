"""Video -> pose arrays, with a cache keyed by content and settings.

Two places hold poses, both looked up before any inference:

- the output folder's ``.cache`` (``pose-<key>.npz``), which travels with its results;
- runform's pose store, shared by every entry point (``runform analyze``, ``runform.run``,
  the web app, batch, ``runform validate``): ``$RUNFORM_POSE_CACHE``, else
  ``$XDG_CACHE_HOME/runform/poses`` (``~/.cache/runform/poses``); ``RUNFORM_POSE_CACHE=off``
  turns it off. A pose goes in right after inference, so a run refused after its pose
  pass (no running seen, a slow-motion factor to give) does not repeat it. The store keeps
  the newest poses within ``STORE_MAX_BYTES`` and removes only the pose files it wrote.

The key hashes the video's bytes, the analysed time range, the model, its settings and
the pose pass's own version, so a re-analysis with other options (height, speed,
references) skips inference, while a different clip, range or pose pass never reuses a
wrong pose.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from ..sniff import content_hash
from .decode import VideoInfo
from .pose import Pose, PoseJob, PoseSettings

POSE_PASS_VERSION = 3  # 2: a repeated picture keeps the pose it had (pose.py); 3: and is flagged; raise on any change
STORE_ENV = "RUNFORM_POSE_CACHE"
STORE_MAX_BYTES = 1 << 30  # 1 GiB: about 2,000 twelve-second clips, or 9 hours of 60 fps video


def cache_key(video_hash: str, start_s: float, end_s: float, settings: PoseSettings) -> str:
    text = f"{video_hash}|{start_s:.3f}|{end_s:.3f}|{settings.key()}|p{POSE_PASS_VERSION}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def pose_store() -> Path | None:
    """runform's shared pose store (see above), or None when it is turned off."""
    given = os.environ.get(STORE_ENV, "").strip()
    if given.lower() in ("off", "0", "no", "none"):
        return None
    if given:
        return Path(given).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(base) / "runform" / "poses"


class Tracking:
    """A pose estimate under way (or read from a cache); ``result()`` waits for it."""

    def __init__(self, info: VideoInfo, start_s: float, end_s: float, cache_dirs: list[Path],
                 settings: PoseSettings, workers: int | None):
        vhash = content_hash(info.path)
        self.key = cache_key(vhash, start_s, end_s, settings)
        self.name = f"pose-{self.key}.npz"
        self._store = pose_store()
        self._cached = None
        for folder in [*cache_dirs, self._store]:
            self._cached = _read(folder, self.name)
            if self._cached is not None:
                break
        self.info = {"cache_hit": self._cached is not None, "key": self.key, "video_sha256": vhash}
        self._job = None
        if self._cached is None:
            self._job = PoseJob(info.path, info.width, info.height, start_s, end_s, settings, workers)

    def result(self, on_progress=None) -> Pose:
        if self._cached is None:
            self._cached = self._job.result(on_progress)
            if self._store is not None:
                _store_pose(self._store, self.name, self._cached)
        return self._cached


def _read(folder: Path | None, name: str) -> Pose | None:
    """A cached pose, or None when there is none (or it cannot be read: it is made again)."""
    if folder is None or not (folder / name).is_file():
        return None
    try:
        with np.load(folder / name) as z:
            pose = Pose(*(z[f] for f in Pose._fields))
    except (OSError, ValueError, KeyError, EOFError):
        return None
    try:
        os.utime(folder / name)  # recently used: the store keeps it longest
    except OSError:
        pass  # a read-only folder still gives its poses
    return pose


def save_pose(folder: Path, name: str, pose: Pose) -> None:
    """Write a pose to ``folder/name`` whole: under a temporary name first, then renamed."""
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".{name}.{os.getpid()}.part"
    with open(part, "wb") as f:
        np.savez_compressed(f, **pose._asdict())
    os.replace(part, folder / name)


def _store_pose(store: Path, name: str, pose) -> None:
    """Into the shared store, then the oldest poses out beyond its size; a store that cannot
    be written (a read-only home) only means the next run infers again."""
    try:
        save_pose(store, name, pose)
        _trim(store, STORE_MAX_BYTES)
    except OSError:
        pass


def _trim(store: Path, max_bytes: int) -> None:
    """Remove the least recently written poses (only runform's pose-*.npz) beyond ``max_bytes``."""
    files = sorted(store.glob("pose-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    total = 0
    for f in files:
        total += f.stat().st_size
        if total > max_bytes:
            f.unlink(missing_ok=True)


def start_tracking(info: VideoInfo, start_s: float, end_s: float, cache_dirs: list[Path],
                   settings: PoseSettings = PoseSettings(), workers: int | None = None) -> Tracking:
    return Tracking(info, start_s, end_s, cache_dirs, settings, workers)
