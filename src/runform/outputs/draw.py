"""Drawing the runner's skeleton and measured angles onto video frames (OpenCV)."""

from __future__ import annotations

import cv2
import numpy as np

BONES = [
    ("shoulder", "elbow"), ("elbow", "wrist"), ("shoulder", "hip"), ("hip", "knee"),
    ("knee", "ankle"), ("ankle", "heel"), ("heel", "foot_index"), ("ankle", "foot_index"),
]
COLOURS = {"left": (66, 135, 245), "right": (245, 130, 48)}  # RGB: left blue, right orange
TRUNK = (40, 200, 90)
WHITE = (255, 255, 255)


def _pt(kp: dict, name: str):
    p = kp.get(name)
    if p is None or not np.all(np.isfinite(p)):
        return None
    return int(round(p[0])), int(round(p[1]))


def draw_skeleton(img: np.ndarray, kp: dict[str, np.ndarray], scale: float = 1.0) -> None:
    """Both sides' limbs, the shoulder and hip lines, and the ear-shoulder line (in place)."""
    th = max(2, int(round(3 * scale)))
    for side in ("left", "right"):
        for a, b in BONES:
            pa, pb = _pt(kp, f"{side}_{a}"), _pt(kp, f"{side}_{b}")
            if pa and pb:
                cv2.line(img, pa, pb, COLOURS[side], th, cv2.LINE_AA)
        for j in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index"):
            p = _pt(kp, f"{side}_{j}")
            if p:
                cv2.circle(img, p, th + 1, WHITE, -1, cv2.LINE_AA)
    ear, sh = _mid(kp, "ear"), _mid(kp, "shoulder")
    if ear is not None and sh is not None:
        cv2.line(img, _ip(sh), _ip(ear), WHITE, max(1, th - 1), cv2.LINE_AA)


def draw_trunk_line(img: np.ndarray, kp: dict, up: np.ndarray, scale: float = 1.0) -> None:
    """Hip-to-shoulder line and the true vertical through the hip (``up``: unit image vector)."""
    hip, sh = _mid(kp, "hip"), _mid(kp, "shoulder")
    if hip is None or sh is None:
        return
    length = np.linalg.norm(sh - hip)
    th = max(2, int(round(3 * scale)))
    cv2.line(img, _ip(hip), _ip(hip + up * length * 1.1), WHITE, 1, cv2.LINE_AA)
    cv2.line(img, _ip(hip), _ip(sh + (sh - hip) * 0.1), TRUNK, th, cv2.LINE_AA)


def label(img: np.ndarray, text: str, at, scale: float = 1.0, colour=WHITE) -> None:
    """Readable text: dark outline under the colour."""
    x, y = int(at[0]), int(at[1])
    fs = 0.55 * scale
    cv2.putText(img, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, fs, (0, 0, 0), max(3, int(4 * scale)), cv2.LINE_AA)
    cv2.putText(img, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, fs, colour, max(1, int(1.5 * scale)), cv2.LINE_AA)


def _mid(kp, part):
    a, b = kp.get(f"left_{part}"), kp.get(f"right_{part}")
    pts = [p for p in (a, b) if p is not None and np.all(np.isfinite(p))]
    return np.mean(pts, axis=0) if pts else None


def _ip(p):
    return int(round(p[0])), int(round(p[1]))


def frame_keypoints(motion_px, i: int) -> dict[str, np.ndarray]:
    pos = motion_px["position"].values[i]
    return dict(zip(motion_px["keypoint"].values.tolist(), pos))


def up_vector(tilt_deg: float) -> np.ndarray:
    """True vertical (up) in image coordinates given the camera roll (y points down)."""
    th = np.radians(tilt_deg)
    return np.array([-np.sin(th), -np.cos(th)])
