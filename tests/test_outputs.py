"""The output folder of `runform analyze` on the real sample video."""

import json
from importlib import resources

import av
import numpy as np
import pandas as pd
import yaml
from conftest import SAMPLE, run_cli

SIDE_VIEW_METRICS = [
    "cadence_spm", "step_time_ms", "stride_time_ms", "ground_contact_ms", "flight_ms", "duty_factor_pct",
    "step_length_m", "stride_length_m", "vertical_oscillation_cm", "vertical_ratio_pct",
    "trunk_lean_deg", "trunk_lean_midstance_deg", "body_line_deg", "waist_bend_deg", "head_forward_deg",
    "overstride_cm", "overstride_pct_leg", "shank_angle_ic_deg", "foot_strike_angle_deg",
    "knee_flexion_ic_deg", "knee_flexion_stance_peak_deg", "knee_flexion_swing_peak_deg",
    "hip_extension_peak_deg", "hip_extension_to_deg", "knee_flexion_to_deg", "ankle_plantarflexion_to_deg",
    "elbow_angle_deg",
]


def test_every_side_view_metric_is_summarised(sample_summary):
    m = sample_summary["metrics"]
    for name in SIDE_VIEW_METRICS:
        assert name in m, name
        assert {"median", "iqr", "n"} <= set(m[name]), name
    for name in ("cadence_spm", "ground_contact_ms", "knee_flexion_ic_deg", "trunk_lean_deg"):
        assert m[name]["left"]["n"] > 5 and m[name]["right"]["n"] > 5
        assert "asymmetry_diff" in m[name] and m[name]["trend"] is not None
    # step length from the treadmill speed: 3.0 m/s / (cadence / 60)
    assert abs(m["step_length_m"]["median"] - 3.0 * 60 / m["cadence_spm"]["median"]) < 0.05


def test_summary_records_settings_versions_and_faults(sample_summary):
    s = sample_summary
    assert s["settings"]["height_m"] == 1.75 and abs(s["settings"]["speed_mps"] - 3.0) < 1e-9
    assert s["model"]["package"] == "mediapipe 0.10.21" and s["model"]["model_complexity"] == 1
    assert s["runform_version"]
    kb = yaml.safe_load(resources.files("runform.knowledge").joinpath("base.yaml").read_text())
    ids = {f["id"] for f in kb["faults"]}
    for f in s["faults"]:
        assert f["id"] in ids and 0 <= f["confidence"] <= 1 and f["drills"]
        for e in f["evidence"]:
            assert "threshold" in e


def test_strides_and_frames_tables(sample_analysis, sample_summary):
    strides = pd.read_csv(sample_analysis / "strides.csv")
    assert len(strides) == sample_summary["n_strides"]
    assert {"stride_id", "foot", "start_s", "ic_s", "to_s", "end_s", "cadence_spm"} <= set(strides.columns)
    assert (strides.ic_s < strides.to_s).all() and (strides.to_s < strides.end_s).all()
    frames = pd.read_csv(sample_analysis / "frames.csv")
    assert len(frames) == 360  # every frame of the 12 s, 30 fps clip
    assert {"time_s", "left_heel_x_px", "right_foot_index_conf", "trunk_lean_deg"} <= set(frames.columns)


def test_every_entry_point_reads_and_writes_the_pose_store(sample_analysis, session_pose_store):
    """runform.run (the API, the web app, validate) reads the pose the CLI's run left in the store."""
    from runform.pipeline import run
    from runform.settings import Settings

    assert list(session_pose_store.glob("pose-*.npz"))
    res = run(SAMPLE, Settings(height_m=1.75, speed_mps=3.0, annotated_video=False))
    assert res.summary["model"]["pose_cache_hit"] is True
    cli = json.loads((sample_analysis / "summary.json").read_text())
    assert res.summary["metrics"]["cadence_spm"] == cli["metrics"]["cadence_spm"]


def test_annotated_video_in_segments_is_the_one_render_joined(tmp_path):
    """Two segments rendered at once and joined without re-encoding: every frame, in order, at
    the clip's rate, and the same pictures as one render (H.264 at crf 23 on both: > 30 dB)."""
    from runform.outputs.video import write_annotated
    from runform.outputs.write import _video_time
    from runform.pipeline import run
    from runform.settings import Settings

    res = run(SAMPLE, Settings(height_m=1.75, speed_mps=3.0, annotated_video=False))
    motion, strides = _video_time(res.analysis.motion, res.analysis.strides)
    frames, ticks = {}, {}
    for workers in (1, 2):
        path, n = tmp_path / f"w{workers}.mp4", [0]
        write_annotated(path, str(SAMPLE), motion, res.analysis.series, strides, res.summary, res.info.fps,
                        lambda k=1: n.__setitem__(0, n[0] + k), workers=workers)
        with av.open(str(path)) as c:
            s = c.streams.video[0]
            assert s.codec_context.name == "h264" and s.average_rate == 30
            decoded = [(f.pts, f.to_ndarray(format="rgb24").astype(np.float32)) for f in c.decode(s)]
        frames[workers], ticks[workers] = decoded, n[0]
        assert not list(tmp_path.glob(".*part*"))  # the segments are gone
    assert ticks == {1: 360, 2: 360}
    assert [p for p, _ in frames[2]] == [p for p, _ in frames[1]] == sorted({p for p, _ in frames[1]})
    mse = [float(np.mean((a - b) ** 2)) for (_, a), (_, b) in zip(frames[1], frames[2])]
    assert len(mse) == 360 and 10 * np.log10(255 ** 2 / max(max(mse), 1e-9)) > 30


def test_annotated_video_is_browser_h264(sample_analysis):
    with av.open(str(sample_analysis / "annotated.mp4")) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264" and s.codec_context.pix_fmt == "yuv420p"
        n = sum(1 for _ in c.decode(s))
    assert n == 360


def test_pose_cache_is_reused_with_other_options(sample_analysis, tmp_path, real_pose):
    """The output folder's own cache (the shared store is off here)."""
    import shutil

    out = tmp_path / "again"
    shutil.copytree(sample_analysis, out)
    res = run_cli("analyze", str(SAMPLE), "--out", str(out), "--height", "1.82", "--no-video")
    assert res.returncode == 0, res.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["model"]["pose_cache_hit"] is True
    assert s["settings"]["height_m"] == 1.82
    assert not (out / "annotated.mp4").exists()


def test_the_report_gives_a_plan_in_plain_words(sample_analysis, sample_summary):
    """The sample's one finding is borderline: the plan acts on nothing, says what to film to settle
    it, and the report shows no raw confidence number, settings dump or internal source labels."""
    import re

    html = (sample_analysis / "report.html").read_text()
    plan = html[html.index('id="plan"'):html.index('id="findings"')]
    unsure = [f for f in sample_summary["faults"] if f["confidence_label"] not in ("high", "medium")]
    assert unsure, "the sample's finding is expected to be unsure (borderline knee at landing)"
    assert "Not sure yet" in plan and "Film like this next time" in plan
    assert all(f["title"] in plan for f in unsure)
    for raw in ("uncertainties away", "rules started from", "no. 00", "model_complexity", "height_m=", "=True"):
        assert raw not in html, raw
    assert not re.search(r"confidence \w+ \(\d\.\d\d\)", html)
    assert not re.search(r">-0<", html)  # no chart tick reads -0
    assert "runner&#39;s height 1.75 m, speed 3.00 m/s (10.8 km/h)" in html
