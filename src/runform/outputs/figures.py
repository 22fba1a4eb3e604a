"""Report figures: key frames with angles drawn on them, and angle curves over the stride."""

from __future__ import annotations

import base64
from html import escape

import numpy as np
import pandas as pd

from ..sources.video.decode import iter_frames
from .charts import nice_ticks, tick_text
from .draw import draw_skeleton, draw_trunk_line, frame_keypoints, label, up_vector

CURVES = [
    ("knee_flexion_deg", "Knee flexion (deg)"),
    ("hip_extension_deg", "Hip extension (deg, + = behind trunk)"),
    ("ankle_plantarflexion_deg", "Ankle plantarflexion (deg)"),
    ("trunk_lean_deg", "Trunk lean (deg, + = forward)"),
    ("pelvis_tilt_deg", "Pelvic tilt (deg, + = anterior)"),
    ("pelvis_obliquity_deg", "Pelvic obliquity (deg, + = right hip up)"),
    ("pelvis_rotation_deg", "Pelvic rotation (deg, + = right side forward)"),
]
SIDE_COLOURS = {"left": "#4287f5", "right": "#f58230"}


def representative_stride(strides: pd.DataFrame, side: str, among: int = 3) -> pd.Series | None:
    """A typical stride of ``side``: of the ``among`` strides whose contact time, knee angle at
    landing and trunk lean are closest to the side's medians, the earliest (less to decode)."""
    s = strides[strides.foot == side]
    if s.empty:
        return None
    cols = [c for c in ("ground_contact_ms", "knee_flexion_ic_deg", "trunk_lean_deg") if c in s]
    z = ((s[cols] - s[cols].median()) / (s[cols].std() + 1e-9)).abs().sum(axis=1)
    best = s.loc[z.nsmallest(among).index]
    return best.loc[best.ic_s.idxmin()]


PHASE_VALUES = (  # what each key frame prints: side-view metrics, then front/back ones
    ("Initial contact", "ic_s", [("knee_flexion_ic_deg", "knee"), ("shank_angle_ic_deg", "shank"),
                                 ("foot_strike_angle_deg", "foot"), ("overstride_cm", "overstride cm"),
                                 ("step_width_cm", "step width cm")]),
    ("Midstance", "mid_s", [("trunk_lean_midstance_deg", "trunk"), ("body_line_deg", "body line"),
                            ("waist_bend_deg", "waist bend"), ("pelvic_drop_deg", "pelvic drop"),
                            ("knee_fppa_deg", "knee FPPA"), ("lateral_trunk_lean_deg", "trunk sideways")]),
    ("Toe-off", "to_s", [("hip_extension_to_deg", "hip ext"), ("knee_flexion_to_deg", "knee"),
                         ("ankle_plantarflexion_to_deg", "ankle pf")]),
)


def key_frame_specs(strides: pd.DataFrame) -> list[dict]:
    """IC, midstance and TO of a typical stride per side, with the values to print on each."""
    wanted = []
    for side in ("left", "right"):
        st = representative_stride(strides, side)
        if st is None:
            continue
        for phase, when, items in PHASE_VALUES:
            wanted.append({"side": side, "phase": phase, "t": float(st[when]),
                           "values": [(lab, st.get(col)) for col, lab in items if col in strides]})
    return wanted


def key_frames(video_path: str, motion_px, strides: pd.DataFrame, tilt_deg: float) -> list[dict]:
    """JPEG key frames (base64) from the video, skeleton and angles drawn on them.

    Runs after pose estimation, when the decoder may use every core."""
    wanted = key_frame_specs(strides)
    if not wanted:
        return []
    times = motion_px["time"].values
    t0 = max(0.0, min(w["t"] for w in wanted) - 0.1)
    t1 = max(w["t"] for w in wanted) + 0.1
    best: dict[int, tuple[float, np.ndarray]] = {}
    # the frames' own spacing on the video's clock (a slow-motion clip's fps attribute is in real time)
    half_frame = 0.6 * (float(np.median(np.diff(times))) if len(times) > 1 else 1 / 30)
    near = lambda ft: any(abs(ft - w["t"]) <= half_frame for w in wanted)  # noqa: E731
    for ft, img in iter_frames(video_path, t0, t1, select=near, threads=True,
                                 turns=int(motion_px.attrs.get("turns", 0))):
        for k, w in enumerate(wanted):
            d = abs(ft - w["t"])
            if k not in best or d < best[k][0]:
                best[k] = (d, img)
    up = up_vector(tilt_deg)
    out = []
    for k, w in enumerate(wanted):
        if k in best:
            kp = frame_keypoints(motion_px, int(np.argmin(np.abs(times - w["t"]))))
            out.append(_annotated(best[k][1].copy(), kp, up, w, crop=True))
    return out


def stick_key_frames(sagittal, strides: pd.DataFrame, size: tuple[int, int] = (420, 520)) -> list[dict]:
    """Key frames drawn as stick figures from keypoints in metres (x, y up): a lab trial's sagittal
    plane (running to the right) or a front or back view's frontal plane (the runner's right on
    the right)."""
    wanted = key_frame_specs(strides)
    times = sagittal["time"].values
    names = sagittal["keypoint"].values.tolist()
    w_px, h_px = size
    out = []
    for w in wanted:
        i = int(np.argmin(np.abs(times - w["t"])))
        pos = sagittal["position"].values[i]
        hip = np.nanmean(pos[[names.index(n) for n in ("left_hip", "right_hip") if n in names]], axis=0)
        floor = np.nanmin(pos[:, 1])
        scale = 0.8 * h_px / max(1.0, float(np.nanmax(pos[:, 1]) - floor))
        kp = {n: np.array([w_px / 2 + (p[0] - hip[0]) * scale, h_px - 30 - (p[1] - floor) * scale])
              for n, p in zip(names, pos)}
        img = np.full((h_px, w_px, 3), 24, np.uint8)
        import cv2

        cv2.line(img, (0, h_px - 30), (w_px, h_px - 30), (120, 120, 120), 1, cv2.LINE_AA)
        out.append(_annotated(img, kp, np.array([0.0, -1.0]), w, crop=False))
    return out


def _annotated(img: np.ndarray, kp: dict, up: np.ndarray, w: dict, crop: bool, max_height: int = 520) -> dict:
    import cv2

    scale = img.shape[0] / 720 if crop else 0.8
    draw_skeleton(img, kp, scale)
    draw_trunk_line(img, kp, up, scale)
    if crop:
        img = _crop_to_runner(img, kp)
    if img.shape[0] > max_height:
        f = max_height / img.shape[0]
        img = cv2.resize(img, (int(img.shape[1] * f), max_height), interpolation=cv2.INTER_AREA)
    s = max(0.6, img.shape[0] / 600)
    y = int(24 * s)
    for lab, v in w["values"]:
        if v is not None and np.isfinite(v):
            label(img, f"{lab} {round(v)}", (6, y), s)  # round(): never "-0"
            y += int(22 * s)
    ok, buf = cv2.imencode(".jpg", img[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 82])
    return {**w, "jpeg_b64": base64.b64encode(buf.tobytes()).decode()}


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
                own = strides[strides.foot == side]
                to_pct = 100 * float(np.median((own.to_s - own.ic_s) / (own.end_s - own.ic_s)))
                arr = np.array(rows)
                out[(key, side)] = (arr.mean(0), arr.std(0), len(rows), to_pct)
    return out


def _panel(curves: dict, key: str, title: str, x0: float, y0: float, w: float, h: float) -> list[str]:
    """One chart: mean line and +/- SD band per side over 0-100 % of the stride."""
    found = [(side, curves[(key, side)]) for side in ("left", "right") if (key, side) in curves]
    out = [f'<text x="{x0 + w / 2:.0f}" y="{y0 - 8:.0f}" text-anchor="middle" font-size="13" '
           f'font-weight="600">{escape(title)}</text>']
    if not found:
        return out
    lo = min(float(np.nanmin(m - sd)) for _, (m, sd, *_r) in found)
    hi = max(float(np.nanmax(m + sd)) for _, (m, sd, *_r) in found)
    pad = 0.05 * max(hi - lo, 1.0)
    lo, hi = lo - pad, hi + pad
    px = lambda p: x0 + w * p / 100.0  # noqa: E731
    py = lambda v: y0 + h * (1 - (v - lo) / (hi - lo))  # noqa: E731
    out.append(f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#999"/>')
    for v in nice_ticks(lo, hi):
        out.append(f'<line x1="{x0}" x2="{x0 + w}" y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#e3e3e3"/>'
                   f'<text x="{x0 - 5}" y="{py(v) + 4:.1f}" text-anchor="end" font-size="11">{tick_text(v)}</text>')
    for p in range(0, 101, 20):
        out.append(f'<text x="{px(p):.1f}" y="{y0 + h + 14}" text-anchor="middle" font-size="11">{p}</text>')
    xs = np.linspace(0, 100, len(found[0][1][0]))
    for i, (side, (m, sd, n, to_pct)) in enumerate(found):
        c = SIDE_COLOURS[side]
        upper = " ".join(f"{px(x):.1f},{py(v):.1f}" for x, v in zip(xs, m + sd))
        lower = " ".join(f"{px(x):.1f},{py(v):.1f}" for x, v in zip(xs[::-1], (m - sd)[::-1]))
        line = " ".join(f"{px(x):.1f},{py(v):.1f}" for x, v in zip(xs, m))
        out.append(f'<polygon points="{upper} {lower}" fill="{c}" fill-opacity="0.18" stroke="none"/>')
        out.append(f'<polyline points="{line}" fill="none" stroke="{c}" stroke-width="2"/>')
        out.append(f'<line x1="{px(to_pct):.1f}" x2="{px(to_pct):.1f}" y1="{y0}" y2="{y0 + h}" stroke="{c}" '
                   'stroke-dasharray="3,3"/>')
        out.append(f'<text x="{x0 + w - 6}" y="{y0 + 16 + 15 * i}" text-anchor="end" font-size="11" '
                   f'fill="{c}">{side} (n={n})</text>')
    return out


def curves_svg(curves: dict) -> str:
    """Angle curves over the normalised stride (mean +/- SD per side) as inline SVG.

    Written directly rather than with matplotlib: importing and rendering with
    matplotlib took ~1.5 s of the ~10 s run on the bundled sample (measured),
    for four line charts.
    """
    shown = [(key, title) for key, title in CURVES if any(k == key for k, _ in curves)]
    pw, ph = 400, 200
    parts = []
    for key, title in shown:  # one picture per angle: two side by side on a desk, one a row on a phone
        parts.append(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 500 290" width="100%" '
                     f'font-family="system-ui, sans-serif" role="img" aria-label="{escape(title)} over the stride">')
        parts += _panel(curves, key, title, 70, 40, pw, ph)
        parts.append(f'<text x="{70 + pw / 2}" y="{40 + ph + 32}" text-anchor="middle" font-size="11">'
                     '% of stride (0 = initial contact; dashed = toe-off)</text></svg>')
    return "\n".join(parts)


def key_frame_sheet(frames: list[dict], tile_height: int = 300) -> bytes | None:
    """The key frames as one JPEG (a row per foot: contact, midstance, toe-off), each captioned:
    the picture a coach sets beside another session's to see a change."""
    import cv2

    if not frames:
        return None
    rows = []
    for side in ("left", "right"):
        tiles = []
        for f in (f for f in frames if f["side"] == side):
            img = cv2.imdecode(np.frombuffer(base64.b64decode(f["jpeg_b64"]), np.uint8), cv2.IMREAD_COLOR)
            img = cv2.resize(img, (max(1, int(img.shape[1] * tile_height / img.shape[0])), tile_height),
                             interpolation=cv2.INTER_AREA)
            caption = np.full((26, img.shape[1], 3), 255, np.uint8)
            cv2.putText(caption, f"{f['phase']}, {side}, {f['t']:.2f} s", (6, 18), cv2.FONT_HERSHEY_SIMPLEX,
                        0.5, (40, 40, 40), 1, cv2.LINE_AA)
            tiles += [np.vstack([img, caption]), np.full((tile_height + 26, 6, 3), 255, np.uint8)]
        if tiles:
            rows.append(np.hstack(tiles[:-1]))
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 6), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
    ok, buf = cv2.imencode(".jpg", np.vstack(rows), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return buf.tobytes() if ok else None
