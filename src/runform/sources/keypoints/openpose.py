"""A folder of OpenPose BODY_25 JSON files, as ``openpose --write_json`` writes them (or a .zip
of it, read without extracting anything): one ``<name>_<frame>_keypoints.json`` per frame, ``people[i].pose_keypoints_2d`` as x, y, confidence
triples in image pixels (a person not found: no entry, or zeros).

BODY_25 to runform's keypoints (docs/keypoints.md): the big toe stands for the foot's tip
(``foot_index``, MediaPipe's toe landmark); the small toes are not used. The neck and the
mid-hip are not taken: runform computes its own mid-points from the shoulders and hips.
Of several people in a frame, the one nearest to the previous frame's runner is kept.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import numpy as np

from ...errors import InputFileError, UsageError
from ...words import opt

BODY_25 = {0: "nose", 2: "right_shoulder", 3: "right_elbow", 4: "right_wrist", 5: "left_shoulder",
           6: "left_elbow", 7: "left_wrist", 9: "right_hip", 10: "right_knee", 11: "right_ankle",
           12: "left_hip", 13: "left_knee", 14: "left_ankle", 15: "right_eye", 16: "left_eye",
           17: "right_ear", 18: "left_ear", 19: "left_foot_index", 21: "left_heel",
           22: "right_foot_index", 24: "right_heel"}
NAMES = tuple(BODY_25.values())
_FRAME = re.compile(r"_(\d+)_keypoints\.json$")


MAX_FILE_BYTES = 1 << 20  # one frame's JSON is a few kB; larger members of a zip are not read


def keypoint_files(folder: Path) -> list[str]:
    """The per-frame file names of a folder or a .zip of one, in frame order."""
    folder = Path(folder)
    if folder.is_dir():
        names = [p.name for p in folder.iterdir() if _FRAME.search(p.name)]
    elif zipfile.is_zipfile(folder):
        with zipfile.ZipFile(folder) as z:
            names = [i.filename for i in z.infolist() if _FRAME.search(i.filename) and not i.is_dir()]
    else:
        names = []
    return sorted(names, key=lambda n: int(_FRAME.search(n).group(1)))


def is_keypoint_zip(path: Path) -> bool:
    return Path(path).is_file() and bool(keypoint_files(path))


def _texts(path: Path, names: list[str]):
    """Each file's text, read from the folder or straight from the zip (nothing is extracted)."""
    path = Path(path)
    if path.is_dir():
        yield from ((n, (path / n).read_bytes()[:MAX_FILE_BYTES + 1]) for n in names)
        return
    with zipfile.ZipFile(path) as z:
        for n in names:
            info = z.getinfo(n)
            yield n, b"" if info.file_size > MAX_FILE_BYTES else z.read(info)


def read_openpose(folder: Path, fps: float | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(times s, positions px (frames, keypoints, 2), confidences (frames, keypoints)) in
    ``NAMES`` order; a keypoint not found is NaN with confidence 0."""
    if fps is None:
        raise UsageError(f"A folder of pose keypoints has no frame rate: give {opt('fps')} (the video's, e.g. 60).")
    if not 10 <= fps <= 1000:
        raise UsageError(f"{opt('fps', f'{fps:g}')} is outside 10-1000 frames per second.")
    files = keypoint_files(folder)
    if len(files) < 2:
        raise InputFileError(f"'{folder}' holds {len(files)} OpenPose keypoint file(s) (*_<frame>_keypoints.json).",
                             "Give the folder that `openpose --write_json` wrote (or a .zip of it), one file per frame.")
    frames = np.array([int(_FRAME.search(n).group(1)) for n in files])
    pos = np.full((len(files), len(NAMES), 2), np.nan)
    conf = np.zeros((len(files), len(NAMES)))
    last = None
    for i, (name, text) in enumerate(_texts(folder, files)):
        person = _runner(_people(name, text), last)
        if person is None:
            continue
        for j, k in enumerate(BODY_25):
            x, y, c = person[k]
            if c > 0:
                pos[i, j], conf[i, j] = (x, y), c
        last = person
    return (frames - frames[0]) / fps, pos, conf


def _people(name: str, text: bytes) -> list[np.ndarray]:
    try:
        if len(text) > MAX_FILE_BYTES:
            raise ValueError("too large")
        doc = json.loads(text)
        people = [np.asarray(p["pose_keypoints_2d"], float).reshape(-1, 3) for p in doc.get("people", [])]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputFileError(f"'{Path(name).name}' is not an OpenPose keypoint file ({e.__class__.__name__.lower()}).",
                         "Each file needs people[].pose_keypoints_2d as x, y, confidence triples.") from None
    if any(len(p) < 25 for p in people):
        raise InputFileError(f"'{Path(name).name}' has fewer than 25 keypoints per person: runform reads BODY_25.",
                         "Run OpenPose with --model_pose BODY_25 (its default).")
    return [p for p in people if (p[:, 2] > 0).sum() >= 6]


def _runner(people: list[np.ndarray], last: np.ndarray | None) -> np.ndarray | None:
    """The person nearest the previous frame's runner (else the one seen largest)."""
    if not people:
        return None
    if last is None:
        return max(people, key=lambda p: np.ptp(p[p[:, 2] > 0, 1]))
    return min(people, key=lambda p: np.linalg.norm(_centre(p) - _centre(last)))


def _centre(person: np.ndarray) -> np.ndarray:
    """The mean of a person's keypoints that were found (px)."""
    return np.nanmean(np.where(person[:, 2:] > 0, person[:, :2], np.nan), axis=0)


def write_openpose(folder: Path, name: str, pos: np.ndarray, conf: np.ndarray, names: list[str]) -> None:
    """Per frame, a BODY_25 file of the keypoints ``names`` (positions px, confidences): what
    OpenPose would write for them (the others zero). runform's virtual cameras use it."""
    folder.mkdir(parents=True, exist_ok=True)
    index = {v: k for k, v in BODY_25.items()}
    for i in range(len(pos)):
        kp = np.zeros((25, 3))
        for j, n in enumerate(names):
            if n in index and np.all(np.isfinite(pos[i, j])) and conf[i, j] > 0:
                kp[index[n]] = (*pos[i, j], conf[i, j])
        doc = {"version": 1.3, "people": [{"person_id": [-1], "pose_keypoints_2d": kp.ravel().round(3).tolist()}]}
        (folder / f"{name}_{i:012d}_keypoints.json").write_text(json.dumps(doc))
