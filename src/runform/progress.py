"""Progress through an analysis, stage by stage, for any display.

An analysis reports to one callable ``progress(stage, done, total)``: once when
a stage starts (``done`` 0) and as it advances (``done`` counts up to ``total``;
``total`` is None for a stage that is not counted). The stages, in order:
``STAGES``. The CLI draws them as a bar (or plain lines in a log), the web job
stores them as a fraction, ``runform.analyze`` passes them to the caller.
"""

from __future__ import annotations

from typing import Callable

Progress = Callable[[str, int, "int | None"], None]

STAGES = {  # name -> (label, share of a video analysis's time, measured on the bundled sample)
    "reading": ("Reading", 0.02),
    "pose": ("Decoding and pose", 0.70),
    "analysis": ("Analysis", 0.05),
    "report": ("Report", 0.03),
    "video": ("Annotated video", 0.20),
}


def stage(progress: Progress | None, name: str, total: int | None = None) -> Callable[[int], None]:
    """Announce stage ``name``; returns the function that advances it by ``n`` steps."""
    if progress is None:
        return lambda n=1: None
    done = [0]
    progress(name, 0, total)

    def advance(n: int = 1) -> None:
        done[0] += n
        progress(name, done[0], total)

    return advance


def fraction(name: str, done: int, total: int | None) -> float:
    """How far through a whole analysis this point is (0-1), for a single progress bar."""
    names = list(STAGES)
    before = sum(STAGES[n][1] for n in names[:names.index(name)])
    within = min(1.0, done / total) if total else 0.0
    return min(1.0, before + within * STAGES[name][1])


def stage_at(share: float) -> str:
    """The label of the stage an analysis is in when it is ``share`` (0-1) of the way through."""
    before = 0.0
    for label, part in STAGES.values():
        before += part
        if share < before - 1e-9:
            return label
    return list(STAGES.values())[-1][0]
