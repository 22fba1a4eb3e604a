"""A video's own timing: how much slower than real time it plays (the phone's slow-motion tag,
or what the user says), and its effective frame rate (new pictures a second, repeated frames,
gaps in the timestamps). Whether the running itself says the clip is not real time is
``engine.real_time``, for every source of image keypoints.
"""

from __future__ import annotations

import numpy as np

from ...words import opt


def time_scale(info, settings) -> tuple[float, str | None]:
    """Video seconds per real second, and where it comes from (None: real time)."""
    if settings.slowmo:
        return float(settings.slowmo), opt("slowmo")
    capture = settings.capture_fps or info.capture_fps
    if capture and capture > 1.2 * info.fps:
        return capture / info.fps, opt("capture-fps") if settings.capture_fps else "the phone's slow-motion tag"
    return 1.0, None


GAP_FRAMES = 1.5  # a step between frames this many frame periods long or more is a gap
REPEATS_NOTED = 0.2  # share of repeated frames from which the effective rate is said


def frame_rate_facts(times: np.ndarray, repeated: np.ndarray, nominal_fps: float) -> tuple[dict, list[str]]:
    """The effective frame rate (new pictures per second), repeated frames and timestamp gaps, and
    what the user should know about them."""
    dt = np.diff(times)
    step = float(np.median(dt)) if len(dt) else 1.0 / nominal_fps
    gaps = np.flatnonzero(dt >= GAP_FRAMES * step)
    share = float(np.mean(repeated[1:])) if len(repeated) > 1 else 0.0
    fresh = times[~repeated]  # frames with a new picture: the median time between them is the true rate
    effective = 1.0 / float(np.median(np.diff(fresh))) if len(fresh) > 2 else nominal_fps
    facts = {"effective_fps": round(effective, 2), "repeated_frames_pct": round(100 * share, 1),
             "timestamp_gaps": int(len(gaps)), "longest_gap_s": round(float(dt[gaps].max()), 3) if len(gaps) else 0.0}
    notes = []
    if share >= REPEATS_NOTED:
        notes.append(f"{100 * share:.0f} % of the frames repeat the one before: the clip has about {effective:.0f} "
                     f"new pictures per second, not {nominal_fps:.0f}; contact times are timed to that rate.")
    if len(gaps):
        notes.append(f"The video's timestamps jump {len(gaps)} time(s) (the longest {dt[gaps].max():.2f} s, "
                     f"against {step:.3f} s between frames): frames are missing there, and steps across a gap "
                     "are less certain.")
    return facts, notes
