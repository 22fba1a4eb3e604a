"""Report figures: key frames with angles drawn on them, and angle curves over the stride."""

from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd

from ..io.video import iter_frames
from .draw import draw_skeleton, draw_trunk_line, frame_keypoints, label, up_vector

CURVES = [
    ("knee_flexion_deg", "Knee flexion (deg)"),
    ("hip_extension_deg", "Hip extension (deg, + = behind trunk)"),
    ("ankle_plantarflexion_deg", "Ankle plantarflexion (deg)"),
    ("trunk_lean_deg", "Trunk lean (deg, + = forward)"),
]
SIDE_COLOURS = {"left": "#4287f5", "right": "#f58230"}


def representative_stride(strides: pd.DataFrame, side: str) -> pd.Series | None:
    """The stride of ``side`` whose contact time and knee angle at landing are closest to the
    side's medians (a typical stride, not a lucky or a bad one)."""
    s = strides[strides.foot == side]
    if s.empty:
        return None
    cols = [c for c in ("ground_contact_ms", "knee_flexion_ic_deg", "trunk_lean_deg") if c in s]
    z = ((s[cols] - s[cols].median()) / (s[cols].std() + 1e-9)).abs().sum(axis=1)
    return s.loc[z.idxmin()]


def key_frames(video_path: str, motion_px, strides: pd.DataFrame, tilt_deg: float,
               max_height: int = 520) -> list[dict]:
    """JPEG key frames (base64) at IC, midstance and TO of a typical stride per side."""
    import cv2

    wanted = []
    for side in ("left", "right"):
        st = representative_stride(strides, side)
        if st is None:
            continue
        for phase, t, items in (
            ("Initial contact", st.ic_s, [("knee_flexion_ic_deg", "knee"), ("shank_angle_ic_deg", "shank"),
                                          ("foot_strike_angle_deg", "foot"), ("overstride_cm", "overstride cm")]),
            ("Midstance", st.mid_s, [("trunk_lean_midstance_deg", "trunk"), ("body_line_deg", "body line"),
                                     ("waist_bend_deg", "waist bend")]),
            ("Toe-off", st.to_s, [("hip_extension_to_deg", "hip ext"), ("knee_flexion_to_deg", "knee"),
                                  ("ankle_plantarflexion_to_deg", "ankle pf")]),
        ):
            wanted.append({"side": side, "phase": phase, "t": float(t),
                           "values": [(lab, st.get(col)) for col, lab in items]})
    if not wanted:
        return []
    times = motion_px["time"].values
    t0 = max(0.0, min(w["t"] for w in wanted) - 0.1)
    t1 = max(w["t"] for w in wanted) + 0.1
    best: dict[int, tuple[float, np.ndarray]] = {}
    for ft, img in iter_frames(video_path, t0, t1):
        for k, w in enumerate(wanted):
            d = abs(ft - w["t"])
            if k not in best or d < best[k][0]:
                best[k] = (d, img)
    up = up_vector(tilt_deg)
    out = []
    for k, w in enumerate(wanted):
        if k not in best:
            continue
        img = best[k][1].copy()
        i = int(np.argmin(np.abs(times - w["t"])))
        kp = frame_keypoints(motion_px, i)
        scale = img.shape[0] / 720
        draw_skeleton(img, kp, scale)
        draw_trunk_line(img, kp, up, scale)
        img = _crop_to_runner(img, kp)
        if img.shape[0] > max_height:
            f = max_height / img.shape[0]
            img = cv2.resize(img, (int(img.shape[1] * f), max_height), interpolation=cv2.INTER_AREA)
        s = max(0.6, img.shape[0] / 600)
        y = int(24 * s)
        for lab, v in w["values"]:
            if v is not None and np.isfinite(v):
                label(img, f"{lab} {v:.0f}", (6, y), s)
                y += int(22 * s)
        ok, buf = cv2.imencode(".jpg", img[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 82])
        out.append({**w, "jpeg_b64": base64.b64encode(buf.tobytes()).decode()})
    return out


def _crop_to_runner(img: np.ndarray, kp: dict, margin: float = 0.35) -> np.ndarray:
    pts = np.array([p for p in kp.values() if np.all(np.isfinite(p))])
    if len(pts) < 5:
        return img
    h, w = img.shape[:2]
    (x0, y0), (x1, y1) = pts.min(0), pts.max(0)
    size = max(x1 - x0, y1 - y0)
    pad = margin * size
    xa, xb = int(max(0, x0 - pad)), int(min(w, x1 + pad))
    ya, yb = int(max(0, y0 - pad)), int(min(h, y1 + pad))
    return img[ya:yb, xa:xb] if (xb - xa) > 50 and (yb - ya) > 50 else img


def normalised_curves(series: dict, times: np.ndarray, strides: pd.DataFrame, n: int = 101) -> dict:
    """Per side and curve: mean and SD over strides, each time-normalised to 0-100 % (IC to IC)."""
    grid = np.linspace(0, 1, n)
    out: dict = {}
    for key, _ in CURVES:
        for side in ("left", "right"):
            y = series[key] if key in series else series.get(f"{side}_{key}")
            if y is None:
                continue
            rows = []
            for _, st in strides[strides.foot == side].iterrows():
                sel = (times >= st.ic_s - 0.05) & (times <= st.end_s + 0.05) & np.isfinite(y)
                if sel.sum() < 5:
                    continue
                rows.append(np.interp(st.ic_s + grid * (st.end_s - st.ic_s), times[sel], y[sel]))
            if rows:
                arr = np.array(rows)
                to_pct = float(np.median((strides[strides.foot == side].to_s - strides[strides.foot == side].ic_s)
                                         / (strides[strides.foot == side].end_s - strides[strides.foot == side].ic_s)))
                out[(key, side)] = (arr.mean(0), arr.std(0), len(rows), 100 * to_pct)
    return out


def curves_svg(curves: dict) -> str:
    """Angle curves over the normalised stride (mean +/- SD per side) as inline SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(10, 6.4))
    x = np.linspace(0, 100, 101)
    for ax, (key, title) in zip(axes.ravel(), CURVES):
        for side in ("left", "right"):
            if (key, side) not in curves:
                continue
            m, sd, n, to_pct = curves[(key, side)]
            c = SIDE_COLOURS[side]
            ax.plot(x, m, color=c, lw=2, label=f"{side} (n={n})")
            ax.fill_between(x, m - sd, m + sd, color=c, alpha=0.2, lw=0)
            ax.axvline(to_pct, color=c, ls=":", lw=1)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("% of stride (0 = initial contact, dotted = toe-off)", fontsize=8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]
