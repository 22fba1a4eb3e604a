"""Which source reads a file, judged from its content, and the content hash every recording is
keyed by. One sniff for the CLI, ``runform.analyze``, the batch runner and the web app.

- Video: the container's signature (MP4/MOV/3GP ``ftyp``, Matroska/WebM, AVI).
- Lab: a C3D header, a TRC (``PathFileType``), or a tab-separated marker table
  (``Time`` then X/Y/Z columns per marker).
- Sensor: a table (plain or gzipped CSV/TSV/TXT) with accelerometer columns.
- Keypoints: a .zip of OpenPose ``*_<frame>_keypoints.json`` files (a folder of them is found
  by ``source_kind``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

VIDEO_SIGNATURES = (
    (4, b"ftyp", ".mp4"),  # MP4, MOV, M4V, 3GP
    (0, b"\x1a\x45\xdf\xa3", ".mkv"),  # Matroska, WebM
    (0, b"RIFF", ".avi"),
)
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".mkv", ".avi", ".webm", ".mts", ".3gp")
TABLE_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".txt")
LAB_SUFFIXES = (".c3d", ".trc")


def sniff(path: Path) -> tuple[str, str] | None:
    """(kind, extension) from the file's content: 'video', 'lab' (C3D, TRC, marker table), 'imu'
    (a sensor table, plain or gzipped) or 'keypoints' (a zip of OpenPose files); None for anything else. A video is recognised before
    any table reader (and pandas) is imported."""
    with open(path, "rb") as f:
        head = f.read(4096)
    for offset, magic, ext in VIDEO_SIGNATURES:
        if head[offset:offset + len(magic)] == magic and (magic != b"RIFF" or head[8:12] == b"AVI "):
            return "video", ext
    if head[:4] == b"PK\x03\x04":
        from .keypoints.openpose import is_keypoint_zip

        return ("keypoints", ".zip") if is_keypoint_zip(path) else None
    from .lab.c3d import is_c3d
    from .lab.text import is_marker_table, is_trc
    from .sensor.read import is_imu_table

    if head[:2] == b"\x1f\x8b":
        return ("imu", ".csv.gz") if is_imu_table(path) else None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # binary, not text cut inside a character
            return ("lab", ".c3d") if is_c3d(path) else None
    if is_trc(path):
        return "lab", ".trc"
    if is_marker_table(path):
        return "lab", ".txt"
    return ("imu", ".csv") if is_imu_table(path) else None


def suffix(path: Path) -> str:
    name = path.name.lower()
    return ".csv.gz" if name.endswith(".csv.gz") else path.suffix.lower()


def source_kind(path: str | Path) -> str:
    """The source that analyses ``path``: a folder of OpenPose files is 'keypoints' (another folder
    'folder'); a file's content first, else its name ('lab' for .c3d/.trc, 'imu' for any other
    table, whose loader then names what it lacks), else 'video' (whose decoder says why a file is
    not a video, or that it does not exist)."""
    path = Path(path)
    if path.is_dir():
        from .keypoints.openpose import keypoint_files

        return "keypoints" if keypoint_files(path) else "folder"
    if not path.is_file():
        return "video"
    found = sniff(path)
    if found is not None:
        return found[0]
    ext = suffix(path)
    if ext in LAB_SUFFIXES:
        return "lab"
    if ext in (".csv", ".csv.gz", ".tsv"):
        return "imu"
    return "video"


def content_hash(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes (the pose cache's and the batch's key)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()
