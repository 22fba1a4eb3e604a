"""Video -> motion dataset: pose inference with a cache keyed by content and settings.

The cache file ``pose-<key>.npz`` lives in the output folder's ``.cache``;
the key hashes the video's bytes, the analysed time range, the model and its
settings, so a re-analysis with other options (height, speed, references)
skips inference, while a different clip or range never reuses a wrong pose.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import xarray as xr

from ..io.video import VideoInfo, content_hash
from ..motion.dataset import make_motion
from .blazepose import LANDMARKS, PoseSettings, estimate_pose


def cache_key(video_hash: str, start_s: float, end_s: float, settings: PoseSettings) -> str:
    text = f"{video_hash}|{start_s:.3f}|{end_s:.3f}|{settings.key()}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def track_video(info: VideoInfo, start_s: float, end_s: float, cache_dirs: list[Path],
                write_dir: Path, settings: PoseSettings = PoseSettings(), workers: int | None = None,
                on_progress=None) -> tuple[xr.Dataset, dict]:
    """Pose of every frame in [start_s, end_s) as a pixel-space motion dataset.

    ``cache_dirs`` are searched for a cached pose; the pose is (re)written to
    ``write_dir``. Returns the dataset and {"cache_hit": bool, "key": str,
    "video_sha256": str, "luma": per-frame mean brightness}.
    """
    vhash = content_hash(info.path)
    key = cache_key(vhash, start_s, end_s, settings)
    name = f"pose-{key}.npz"
    hit = next((d / name for d in cache_dirs if (d / name).is_file()), None)
    if hit is not None:
        with np.load(hit) as z:
            times, xyzv, luma = z["times"], z["xyzv"], z["luma"]
    else:
        times, xyzv, luma = estimate_pose(info.path, info.width, info.height, start_s, end_s,
                                          settings, workers, on_progress)
    write_dir.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(write_dir / name, times=times, xyzv=xyzv, luma=luma)
    conf = np.nan_to_num(xyzv[..., 3], nan=0.0)
    motion = make_motion(times, xyzv[..., :2], conf, LANDMARKS, source="video", space_unit="px",
                         vertical_up=False, video=Path(info.path).name, width=info.width,
                         height=info.height, rotation_deg=info.rotation_deg)
    return motion, {"cache_hit": hit is not None, "key": key, "video_sha256": vhash, "luma": luma}
