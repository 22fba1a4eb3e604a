"""Small real media files for bad-input tests, made with PyAV (no mocks)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np


def write_video(path: Path, frames, fps: int = 30, rotation: int | None = None) -> Path:
    out = av.open(str(path), "w")
    stream = None
    for img in frames:
        if stream is None:
            stream = out.add_stream("libx264", rate=fps)
            stream.height, stream.width = img.shape[:2]
            stream.pix_fmt = "yuv420p"
            stream.options = {"preset": "ultrafast", "crf": "26"}
            if rotation is not None:
                stream.set_display_rotation(rotation)
        for p in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")):
            out.mux(p)
    if stream is not None:
        for p in stream.encode():
            out.mux(p)
    out.close()
    return path


def flat_frames(n: int, value: int, size=(360, 640), noise: bool = False, seed: int = 0):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        if noise:
            yield rng.integers(0, 255, (*size, 3), dtype=np.uint8)
        else:
            yield np.full((*size, 3), value, np.uint8)


def write_audio_only(path: Path, seconds: float = 1.0) -> Path:
    out = av.open(str(path), "w")
    s = out.add_stream("aac", rate=44100)
    n = int(44100 * seconds)
    t = np.arange(n) / 44100
    samples = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :]
    frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
    frame.sample_rate = 44100
    for p in s.encode(frame):
        out.mux(p)
    for p in s.encode():
        out.mux(p)
    out.close()
    return path


def sample_frames(src: Path, k: int = 0, limit: int | None = None):
    """The frames of a real video, rotated by k quarter turns (np.rot90)."""
    with av.open(str(src)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if limit is not None and i >= limit:
                break
            yield np.rot90(f.to_ndarray(format="rgb24"), k=k)


def remux_copy(src: Path, dst: Path, tag: str, metadata: dict | None = None) -> Path:
    """The same frames and timestamps in a file with other bytes (its title tag differs, plus any
    ``metadata``), so a batch sees a distinct recording: packets are copied, nothing is re-encoded."""
    options = {"movflags": "use_metadata_tags"} if metadata else {}
    with av.open(str(src)) as inp, av.open(str(dst), "w", options=options) as out:
        s_in = inp.streams.video[0]
        s_out = out.add_stream_from_template(s_in)
        out.metadata["title"] = tag
        out.metadata.update(metadata or {})
        for packet in inp.demux(s_in):
            if packet.dts is None:
                continue
            packet.stream = s_out
            out.mux(packet)
    return dst


def tilted_frames(src: Path, deg: float):
    """The frames of a real video turned by ``deg`` (counter-clockwise on screen, as a camera rolled
    clockwise would see it) about the centre, zoomed just enough that no empty corner shows."""
    import cv2

    for img in sample_frames(src):
        h, w = img.shape[:2]
        r = np.radians(abs(deg))
        zoom = max(np.cos(r) + h / w * np.sin(r), np.cos(r) + w / h * np.sin(r))
        m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, zoom)
        yield cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR)


def panned_frames(src: Path, start_px: float, end_px: float):
    """The frames of a real video seen by a camera panning sideways: each frame shifted by an offset
    that grows from ``start_px`` to ``end_px`` (+ = the view moves right, the scene left), the
    uncovered edge filled by repeating the border."""
    import cv2

    frames = list(sample_frames(src))
    for k, img in enumerate(frames):
        off = start_px + (end_px - start_px) * k / max(len(frames) - 1, 1)
        m = np.float32([[1, 0, -off], [0, 1, 0]])
        yield cv2.warpAffine(img, m, (img.shape[1], img.shape[0]), borderMode=cv2.BORDER_REPLICATE)


def slowed_frames(src: Path, factor: int, seconds: float, fps: int = 30):
    """The first ``seconds`` of a real video, each frame shown ``factor`` times: at the same frame
    rate the runner moves ``factor`` times slower, as in a slow-motion clip."""
    for k, img in enumerate(sample_frames(src)):
        if k >= seconds * fps:
            break
        for _ in range(factor):
            yield img


def tag_capture_fps(src: Path, dst: Path, capture_fps: float) -> Path:
    """The same packets with Android's slow-motion tag (com.android.capture.fps) added."""
    return remux_copy(src, dst, "slow motion", {"com.android.capture.fps": f"{capture_fps:.6f}"})


def blanked_legs_frames(src: Path, start_s: float, seconds: float, below: float = 0.82, fps: int = 30):
    """The frames of a real video with everything below ``below`` of the picture's height painted
    flat grey from ``start_s`` for ``seconds``: the lower legs and feet vanish, the rest stays."""
    first, last = int(round(start_s * fps)), int(round((start_s + seconds) * fps))
    for i, img in enumerate(sample_frames(src)):
        if first <= i < last:
            img = img.copy()
            img[int(below * img.shape[0]):] = 128
        yield img


def poor_frames(src: Path, shake: float = 0.04, seed: int = 0):
    """A poor recording made from a real one: every frame shaken by up to ``shake`` of the picture
    (a hand-held phone), a second runner pasted beside the first (the same clip 1.3 s later,
    its right half), and every third frame blank."""
    rng = np.random.default_rng(seed)
    frames = list(sample_frames(src))
    lag = 39  # 1.3 s at 30 fps
    for i, img in enumerate(frames):
        if i % 3 == 2:
            yield np.full_like(img, 128)
            continue
        h, w = img.shape[:2]
        out = img.copy()
        other = frames[(i + lag) % len(frames)]
        out[:, w // 2:] = np.maximum(out[:, w // 2:], other[:, : w - w // 2])  # a second, lighter runner
        dy, dx = (rng.uniform(-shake, shake, 2) * (h, w)).astype(int)
        yield np.roll(out, (dy, dx), axis=(0, 1))
