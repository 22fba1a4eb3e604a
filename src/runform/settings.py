"""Typed, frozen settings at the edge (CLI, web, batch); plain keyword arguments inside."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date

from .errors import UsageError
from .words import opt

_SPEED = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(m/s|ms|mps|km/h|kmh|kph|mph)?\s*$", re.I)
_PACE = re.compile(r"^\s*(\d+):([0-5]\d)\s*(/km|min/km|/mi|min/mi)\s*$", re.I)


def parse_speed(text: str | float | None) -> float | None:
    """Treadmill speed in m/s from '3.2', '3.2m/s', '12kmh', '12 km/h', '7.5mph' or a pace '5:00/km'."""
    if text is None or text == "":
        return None
    if isinstance(text, (int, float)):
        v = float(text)
    elif m := _PACE.match(str(text)):
        secs = int(m.group(1)) * 60 + int(m.group(2))
        dist = 1000.0 if "km" in m.group(3).lower() else 1609.344
        v = dist / secs if secs else 0.0
    elif m := _SPEED.match(str(text)):
        v = float(m.group(1))
        unit = (m.group(2) or "m/s").lower()
        if unit in ("km/h", "kmh", "kph"):
            v /= 3.6
        elif unit == "mph":
            v *= 0.44704
    else:
        raise UsageError(f"Speed '{text}' is not understood.",
                         "Give m/s (3.2), km/h (12kmh), mph (7.5mph) or a pace (5:00/km).")
    if not 0.5 <= v <= 12.0:
        raise UsageError(f"Speed {v:.2f} m/s is outside 0.5-12 m/s.", "Check the value and its unit.")
    return v


def parse_height(text: str | float | None) -> float | None:
    """Height in metres from a form or table field ('1.78'); the range is checked by Settings."""
    if text is None or text == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise UsageError(f"Height '{text}' is not a number of metres.", "Give e.g. 1.78.") from None


def parse_date(text: str | None) -> date | None:
    """A recording's date from 'YYYY-MM-DD'."""
    if not text:
        return None
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise UsageError(f"Date '{text}' is not YYYY-MM-DD.", "Give e.g. 2026-03-02.") from None


VERTICAL_MODES = ("auto", "scene", "floor", "image")
VIEWS = ("auto", "side", "front", "back")


def _check_vertical(mode: str) -> None:
    if mode in VERTICAL_MODES:
        return
    try:
        deg = float(mode)
    except (TypeError, ValueError):
        raise UsageError(f"{opt('vertical', repr(mode))} is not one of {', '.join(VERTICAL_MODES)} or a number of degrees.",
                         "auto finds true vertical from the scene's vertical edges (else the floor line); "
                         "image trusts the camera was level; 2.5 says true vertical leans 2.5 deg, top to the right.") from None
    if not -45 <= deg <= 45:
        raise UsageError(f"{opt('vertical', f'{deg:g}')}: true vertical must lean less than 45 deg in the picture.",
                         "Give the lean of a vertical edge near the runner, + = top towards image-right.")


@dataclass(frozen=True)
class Settings:
    height_m: float | None = None
    speed_mps: float | None = None
    sex: str | None = None
    start_s: float = 0.0
    end_s: float | None = None
    references: str | None = None
    annotated_video: bool = True
    workers: int | None = None
    vertical: str = "auto"  # video: auto, scene, floor, image, or degrees (+ = top towards image-right)
    slowmo: float | None = None  # video: played this many times slower than real time (0.5: sped up 2x)
    capture_fps: float | None = None  # video: the rate it was filmed at (a slow-motion clip's)
    view: str = "auto"  # video and keypoints: auto, side, front or back
    fps: float | None = None  # keypoints: the frame rate of a folder of pose keypoints

    def __post_init__(self):
        if self.height_m is not None and not 1.0 <= self.height_m <= 2.3:
            hint = " Did you give centimetres? Use metres, e.g. 1.78." if self.height_m > 100 else ""
            raise UsageError(f"Height {self.height_m} m is outside 1.0-2.3 m.{hint}")
        if self.sex not in (None, "m", "f"):
            raise UsageError(f"{opt('sex')} must be 'm' or 'f', not '{self.sex}'.")
        if self.start_s < 0:
            raise UsageError(f"{opt('start', f'{self.start_s:g}')} is before the clip begins: times count from 0 s.",
                             f"Give {opt('start', 0)} or later (seconds from the start of the recording).")
        if self.end_s is not None and self.end_s <= self.start_s:
            raise UsageError(f"{opt('end', f'{self.end_s:g}')} is not after {opt('start', f'{self.start_s:g}')}.",
                             f"Give {opt('end')} later than {opt('start')}, e.g. {opt('start', 2)} {opt('end', 10)}.")
        _check_vertical(self.vertical)
        if self.slowmo is not None and not 0.1 <= self.slowmo <= 20:
            raise UsageError(f"{opt('slowmo', f'{self.slowmo:g}')} is outside 0.1-20 (4 for a clip played 4x slower than real "
                             "time, 0.5 for one sped up 2x).")
        if self.capture_fps is not None and not 10 <= self.capture_fps <= 1000:
            raise UsageError(f"{opt('capture-fps', f'{self.capture_fps:g}')} is outside 10-1000 frames per second.")
        if self.view not in VIEWS:
            raise UsageError(f"{opt('view', repr(self.view))} is not one of {', '.join(VIEWS)}.",
                             "auto tells side, front and back apart; give front or back when the face is hidden.")
        if self.fps is not None and not 10 <= self.fps <= 1000:
            raise UsageError(f"{opt('fps', f'{self.fps:g}')} is outside 10-1000 frames per second.")
        if self.slowmo is not None and self.capture_fps is not None:
            raise UsageError(f"Give {opt('slowmo')} or {opt('capture-fps')}, not both.")

    def as_dict(self) -> dict:
        return asdict(self)
