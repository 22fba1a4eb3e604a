"""True vertical: what every angle against vertical is measured from, and which cue gave it.

The scene's vertical edges give it best (``sources.video.vertical.scene_vertical``: the
vanishing point of door frames and posts, from a video's frames); without them the floor line
the feet trace (``scene.floor_tilt``), which a treadmill seen at a slant tilts by perspective;
or the user says it (``Settings.vertical``): the camera was level (image) or the degrees.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..words import opt

FLOOR_UNCERTAINTY_DEG = 2.0  # a floor line under perspective: degrees off on a treadmill seen at a slant
IMAGE_UNCERTAINTY_DEG = 2.0  # a camera held level by eye
SLANT_NOTE_DEG = 2.0  # floor line against vertical edges beyond which the treadmill is seen at a slant


@dataclass(frozen=True)
class Vertical:
    deg: float  # true vertical at the runner's hips, + = top towards image-right
    uncertainty_deg: float
    cue: str  # scene, floor, image, given
    n_lines: int = 0


def choose(mode: str, scene: Vertical | None, floor_tilt_deg: float, treadmill: bool) -> tuple[Vertical, list[str]]:
    """The vertical every angle is measured against, and what the user should know about it.

    ``mode``: auto (the scene's edges, else the floor line), scene, floor, image, or a number of
    degrees. The floor line is a floor-equivalent tilt (+ = right end higher): true vertical
    leans by minus that angle.
    """
    floor = Vertical(round(-floor_tilt_deg, 2), FLOOR_UNCERTAINTY_DEG, "floor")
    notes: list[str] = []
    if mode not in ("auto", "scene", "floor", "image"):
        return Vertical(float(mode), 0.0, "given"), notes
    if mode == "image":
        return Vertical(0.0, IMAGE_UNCERTAINTY_DEG, "image"), notes
    if mode == "floor":
        return floor, notes
    if scene is not None:
        if treadmill and abs(scene.deg - floor.deg) > SLANT_NOTE_DEG:
            notes.append(f"The treadmill line slopes {abs(scene.deg - floor.deg):.1f} deg against the scene's "
                         "vertical edges: the treadmill is seen at a slant (not square to the camera). Angles are "
                         "measured against the vertical edges; distances along the run (overstride, step length "
                         "in cm) are foreshortened.")
        return scene, notes
    why = f"{opt('vertical', 'scene')} was asked for, but the" if mode == "scene" else "The"
    notes.append(f"{why} background shows too few vertical edges (door frames, posts, machines) to find true "
                 "vertical; the floor line is used, which a camera not square to the run tilts by perspective. "
                 f"Film with a vertical edge in view, or give {opt('vertical', 'image')} if the camera was level.")
    return floor, notes
