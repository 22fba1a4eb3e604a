"""Video input with PyAV: probing, rotation and real frame timestamps.

Phone videos are often stored sideways with a display-rotation matrix and are
recorded at a variable frame rate, so every frame is returned upright with its
own presentation time in seconds (never ``index / fps``). Frames are streamed:
the video is never held in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from ...errors import InputFileError
from ...words import opt

MIN_FPS, MAX_FPS = 20.0, 260.0


@dataclass(frozen=True)
class VideoInfo:
    path: str
    width: int  # upright (after rotation)
    height: int
    rotation_deg: int  # clockwise rotation applied to stored frames to show them upright
    fps: float  # nominal (average) frame rate
    duration_s: float
    n_frames_estimate: int
    codec: str
    capture_fps: float | None = None  # a phone's slow-motion capture rate (Android: com.android.capture.fps)


def _open(path: Path):
    import av

    if not path.exists():
        raise InputFileError(f"'{path}' does not exist.", "Check the path and try again.")
    if path.is_dir():
        raise InputFileError(f"'{path}' is a folder, not a video file.", "Give the path of a video file.")
    try:
        container = av.open(str(path))
    except Exception:  # PyAV raises many error types for unreadable files
        raise _not_a_video(path) from None
    if not container.streams.video:
        kind = "audio only" if container.streams.audio else "no video stream"
        container.close()
        raise InputFileError(
            f"'{path.name}' has {kind}: there is nothing to analyse.",
            "Give a video file that shows the runner.",
        )
    return container


def _not_a_video(path: Path) -> InputFileError:
    """What a file that cannot be opened as a video is, as far as its first bytes tell."""
    from ..sniff import VIDEO_SIGNATURES

    with open(path, "rb") as f:
        head = f.read(64)
    if not head:
        return InputFileError(f"'{path.name}' is empty (0 bytes).",
                              "The copy may not have finished: copy or export the recording again.")
    if any(head[o:o + len(m)] == m for o, m, _ in VIDEO_SIGNATURES):
        return InputFileError(f"'{path.name}' begins as a video but is incomplete or damaged (cut off while "
                              "copying, uploading or recording?).",
                              "Copy or export it again from your phone or camera, and let the copy finish.")
    if head[:4] == b"PK\x03\x04" and _is_workbook(path):
        return InputFileError(f"'{path.name}' is a spreadsheet workbook (Excel or OpenDocument), which runform "
                              "does not read.", "Save the sheet as CSV (File > Save as > CSV) and give that file.")
    return InputFileError(
        f"'{path.name}' could not be opened as a video: its content is not a video runform can decode.",
        "Is it a video file (mp4, mov, mkv, avi)? Re-export it from your phone or camera app.")


def _is_workbook(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError):
        # a cut workbook: its first entry names it
        return path.suffix.lower() in (".xlsx", ".xlsm", ".ods") or b"[Content_Types].xml" in path.read_bytes()[:200]
    return any(n.startswith("xl/") for n in names) or "content.xml" in names and "mimetype" in names


def _stream_rotation(stream) -> int:
    """Clockwise degrees needed to show the stored frames upright."""
    rot = 0.0
    meta = dict(stream.metadata or {})
    if "rotate" in meta:
        try:
            rot = -float(meta["rotate"])  # legacy tag: clockwise rotation of the display
        except ValueError:
            rot = 0.0
    return int(round(rot / 90.0)) * 90 % 360


def _frame_rotation(frame, fallback: int) -> int:
    """Clockwise degrees to rotate this frame upright.

    PyAV reports the display matrix's counter-clockwise angle (FFmpeg's
    ``av_display_rotation_get``); FFmpeg itself rotates by its negative.
    """
    ccw = getattr(frame, "rotation", 0) or 0
    if ccw:
        return int(round(-ccw / 90.0)) * 90 % 360
    return fallback


def probe(path: str | Path) -> VideoInfo:
    """Open the video, decode its first frame and describe it; fail clearly if unusable."""
    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        rot = _stream_rotation(stream)
        frames = []
        try:
            for frame in container.decode(stream):
                frames.append(frame)
                if len(frames) == 2:
                    break
        except Exception:
            pass
        if not frames:
            raise InputFileError(
                f"'{path.name}' has a video stream but no decodable frames (empty or corrupt).",
                "Re-export or re-record the video.",
            )
        if len(frames) == 1:
            raise InputFileError(
                f"'{path.name}' holds a single picture, not a video.",
                "Give a video of the runner: at least 10 s of running filmed from the side.",
            )
        first = frames[0]
        rot = _frame_rotation(first, rot)
        w, h = first.width, first.height
        if rot in (90, 270):
            w, h = h, w
        fps = float(stream.average_rate or stream.guessed_rate or 0) or 30.0
        if stream.duration and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        elif container.duration:
            duration = container.duration / 1e6
        else:
            duration = (stream.frames or 0) / fps
        n_est = stream.frames or int(round(duration * fps))
        if not (MIN_FPS <= fps <= MAX_FPS):
            raise InputFileError(
                f"'{path.name}' has {fps:.1f} frames per second; runform needs 24-240 fps.",
                "Record at a normal or slow-motion frame rate.",
            )
        return VideoInfo(str(path), w, h, rot, fps, duration, n_est, stream.codec_context.name,
                         _capture_fps(container, stream))
    finally:
        container.close()


def _capture_fps(container, stream) -> float | None:
    """The capture rate a phone stores for a slow-motion clip, when it does."""
    for meta in (container.metadata, stream.metadata):
        text = meta.get("com.android.capture.fps")
        try:
            value = float(text) if text else None
        except ValueError:
            value = None
        if value and value > 0:
            return value
    return None


def keyframe_times(path: str | Path) -> list[float]:
    """Presentation times (s, from the stream start) of the video's keyframes, read from the
    packets without decoding. A segment that starts between keyframes has to decode from the
    keyframe before it, so segment plans use these to weigh where to cut."""
    container = _open(Path(path))
    try:
        stream = container.streams.video[0]
        tb = float(stream.time_base)
        t0 = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
        times = sorted(p.pts * tb - t0 for p in container.demux(stream) if p.is_keyframe and p.pts is not None)
    except Exception:
        times = []  # unreadable packets: the decoder reports them; plans then assume no seek cost
    finally:
        container.close()
    return times


def iter_frames(
    path: str | Path,
    start_s: float = 0.0,
    end_s: float | None = None,
    max_side: int | None = None,
    select=None,
    threads: bool = False,
    turns: int = 0,
    gray: bool = False,
    lazy: bool = False,
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(time_s, rgb_uint8_HxWx3)`` for every frame in ``[start_s, end_s)``.

    Times are the frames' presentation timestamps relative to the stream start.
    Frames are rotated upright and, when ``max_side`` is given, scaled so their
    longest side is at most ``max_side`` pixels (aspect ratio kept). With
    ``select(time_s) -> bool`` only the selected frames are converted and
    yielded (the others are still decoded, as H.264 requires). ``max_side`` may be a function of
    the frame's time (a size per frame); ``gray`` gives ``(H, W)`` grey frames. ``turns``: further clockwise
    quarter turns, for a video whose runner is upright only after them (``pose.orientation``).
    ``lazy`` gives ``(time_s, Picture)``: each frame converted only as far as the caller asks.
    """
    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        # frame threading holds several decoded frames: only when this decoder has the machine
        stream.thread_type = "AUTO" if threads else "SLICE"
        tb = float(stream.time_base)
        t0 = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
        fallback_rot = _stream_rotation(stream)
        if start_s > 0.5:
            container.seek(int((start_s + t0) / tb), stream=stream, backward=True, any_frame=False)
        try:
            yield from _decoded(container, stream, tb, t0, start_s, end_s, max_side, select,
                                fallback_rot, turns, "lazy" if lazy else "gray" if gray else "rgb24")
        except InputFileError:
            raise
        except Exception as exc:
            import av

            if isinstance(exc, av.error.FFmpegError):
                raise InputFileError(
                    f"'{path.name}' is damaged: decoding stopped part-way through the video.",
                    f"Re-export the video or trim the damaged part with {opt('start/end')}.",
                ) from None
            raise
    finally:
        container.close()


def _decoded(container, stream, tb: float, t0: float, start_s: float, end_s: float | None, max_side, select,
             fallback_rot: int, turns: int, fmt: str) -> Iterator[tuple[float, np.ndarray]]:
    """The frames of ``iter_frames``: timed, selected, scaled and turned upright."""
    size, sized = None, None
    for frame in container.decode(stream):
        if frame.pts is None:
            continue
        t = frame.pts * tb - t0
        if t < start_s - 1e-6:
            continue
        if end_s is not None and t >= end_s - 1e-6:
            break
        if select is not None and not select(t):
            continue
        rot = (_frame_rotation(frame, fallback_rot) + 90 * turns) % 360
        side = max_side(t) if callable(max_side) else max_side
        if size is None or side != sized:
            size, sized = _scaled_size(frame.width, frame.height, side), side
        if fmt == "lazy":
            yield t, Picture(frame, size, rot)
            continue
        img = _luma(frame, size) if fmt == "gray" else frame.to_ndarray(width=size[0], height=size[1], format=fmt)
        yield t, _upright(img, rot)


def _upright(img: np.ndarray, rot: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(img, k=-(rot // 90))) if rot else img


class Picture:
    """One decoded frame, converted only as far as asked: a frame that repeats the picture before
    it needs its small grey thumbnail alone, read from the luma plane without a colour conversion."""

    def __init__(self, frame, size: tuple[int, int], rot: int):
        self._frame, self._size, self._rot = frame, size, rot

    def rgb(self) -> np.ndarray:
        """The upright RGB frame at the iterator's size."""
        return _upright(self._frame.to_ndarray(width=self._size[0], height=self._size[1], format="rgb24"), self._rot)

    def thumbnail(self, div: int) -> np.ndarray:
        """The frame in grey at 1/``div`` of the iterator's size (area-averaged), as stored (not
        turned upright), on the grey scale of the RGB frame (limited-range luma stretched to 0-255)."""
        import cv2

        w, h = self._size
        small = (max(1, w // div), max(1, h // div))
        frame = self._frame
        name = frame.format.name
        if not name.startswith(("yuv", "nv12")):  # RGB or palette video: through the converter
            grey = frame.to_ndarray(width=w, height=h, format="gray")
            return cv2.resize(grey, small, interpolation=cv2.INTER_AREA).astype(np.float32)
        y = cv2.resize(_y_plane(frame), small, interpolation=cv2.INTER_AREA).astype(np.float32)
        if name.startswith("yuvj") or getattr(frame, "color_range", 1) == 2:  # full-range luma
            return y
        return (y - 16.0) * (255.0 / 219.0)


def _luma(frame, size: tuple[int, int]) -> np.ndarray:
    """A grey frame at ``size``: the luma plane itself for YUV video (no colour conversion)."""
    if not frame.format.name.startswith(("yuv", "yuvj", "nv12")):
        return frame.to_ndarray(width=size[0], height=size[1], format="gray")
    import cv2

    y = _y_plane(frame)
    return y if (y.shape[1], y.shape[0]) == size else cv2.resize(y, size, interpolation=cv2.INTER_AREA)


def _y_plane(frame) -> np.ndarray:
    """A YUV frame's luma plane as it is stored (no copy, row padding cut off)."""
    plane = frame.planes[0]
    return np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, :plane.width]


def _scaled_size(w: int, h: int, max_side: int | None) -> tuple[int, int]:
    if not max_side or max(w, h) <= max_side:
        return w, h
    s = max_side / max(w, h)
    return max(2, int(round(w * s / 2)) * 2), max(2, int(round(h * s / 2)) * 2)
