"""The video path against the sample's ground truth (measured from raw pixels, no pose model)."""

import json

from conftest import SAMPLE, VIDEO_DIR


def test_sample_is_the_recording_with_ground_truth():
    assert SAMPLE.read_bytes() == (VIDEO_DIR / "zzzhushi_treadmill_side_garage.mp4").read_bytes()


def test_cadence_within_2_spm_of_truth(sample_summary):
    truth = json.loads((VIDEO_DIR / "zzzhushi_treadmill_side_garage.groundtruth.json").read_text())
    cadence = sample_summary["metrics"]["cadence_spm"]["median"]
    assert abs(cadence - truth["cadence_spm"]["value"]) <= 2.0, cadence


def test_scene_is_read_correctly(sample_summary):
    # the truth file: treadmill, runner facing image-left
    scene = sample_summary["scene"]
    assert scene["running_direction"] == "image-left"
    assert scene["treadmill"] is True
    # 12 s at ~169 spm is ~17 strides per foot; complete strides of both feet
    assert sample_summary["n_strides"] >= 24


def test_running_has_a_flight_phase(sample_summary):
    m = sample_summary["metrics"]
    assert m["duty_factor_pct"]["median"] < 50
    assert m["flight_ms"]["median"] > 0


ANNOTATED = json.loads((VIDEO_DIR / "annotations.json").read_text())["zzzhushi_treadmill_side_garage"]


def _annotated_lean(frames_csv) -> tuple[float, float]:
    """(runform's, the annotation's) mean trunk lean over the annotated midstance frames."""
    import ast

    import numpy as np
    import pandas as pd

    frames = pd.read_csv(frames_csv)
    marks = ANNOTATED["trunk_lean_midstance"]
    marks = marks if isinstance(marks, list) else ast.literal_eval(marks)
    t = frames["time_s"].to_numpy()
    ours = [frames["trunk_lean_deg"].iloc[int(np.argmin(np.abs(t - m["frame"] / ANNOTATED["fps"])))] for m in marks]
    return float(np.mean(ours)), float(np.mean([m["deg"] for m in marks]))


def test_true_vertical_comes_from_the_scene_not_the_slanted_belt(sample_analysis, sample_summary):
    """The cabinets behind the runner say true vertical leans -0.2 deg; the belt line slopes
    5.7 deg by perspective (ANNOTATIONS.md). Targets from issue 14: within 1.0 deg, and the
    trunk lean at the three annotated midstance frames within 2.5 deg of theirs (the floor
    line used as vertical put it 4.4 deg above)."""
    scene = sample_summary["scene"]
    assert scene["vertical_cue"] == "scene"
    assert abs(scene["true_vertical_deg"] - ANNOTATED["vertical_reference_deg"]) <= 1.0, scene
    assert scene["floor_line_deg"] < -3  # the belt does slope: the perspective check sees it
    assert any("seen at a slant" in w for w in sample_summary["warnings"])
    ours, theirs = _annotated_lean(sample_analysis / "frames.csv")
    assert abs(ours - theirs) <= 2.5, (ours, theirs)


def test_real_video_table_in_runform_validate(validation):
    """`runform validate` reads the annotated clips: true vertical on the sample and on the
    panning track clip within 1 deg of the annotated scene verticals; every clip gets a row."""
    rows = {r["clip"]: r for r in validation["real_video"] if not r.get("timing_only")}
    assert set(rows) == set(json.loads((VIDEO_DIR / "annotations.json").read_text()))
    for clip in ("zzzhushi_treadmill_side_garage", "betterforerunner_track_side_screenrec"):
        assert abs(rows[clip]["true_vertical_error_deg"]) <= 1.0, rows[clip]
    sample = rows["zzzhushi_treadmill_side_garage"]
    assert sample["analysed"] and abs(sample["trunk_lean_error_deg"]) <= 2.5, sample


def test_contact_timing_on_the_annotated_clips(validation):
    """Contacts against the annotated frames (an IC taken half a frame before its frame, the first
    with the foot down; a TO half a frame after its frame, the last with the toe down). On the
    sample, timed from the shoe's pixels: at least 32 of 34 contacts found, IC median |error|
    <= 8 ms and bias <= 5 ms; TO median |error| <= 12 ms and bias <= 8 ms; per-step contact time
    median |error| <= 20 ms (the aim is 15: 17.1 measured, the annotation itself +-1 frame); at
    least 32 of 34 steps used. On the
    slow-motion part of the track clip (a panning camera: the keypoints time it; 8.9 ms a frame in
    real time), at least 4 of 5 ICs within 40 ms median and toe-off under 84 ms."""
    timing = [r for r in validation["real_video"] if r.get("ic_n")]
    sample = next(r for r in timing if r["clip"] == "zzzhushi_treadmill_side_garage")
    assert sample["ic_n"] == 34 and sample["ic_n_matched"] >= 32, sample
    assert sample["ic_median_abs_ms"] <= 8 and abs(sample["ic_bias_ms"]) <= 5, sample
    assert sample["to_median_abs_ms"] <= 12 and abs(sample["to_bias_ms"]) <= 8, sample
    assert sample["gct_median_abs_ms"] <= 20 and sample["steps_used"] >= 32, sample
    part = next(r for r in timing if r.get("timing_only"))
    assert part["ic_n_matched"] >= 4 and part["ic_median_abs_ms"] <= 40, part
    assert part["to_median_abs_ms"] < 84, part


def test_angles_at_the_eye_read_contacts(validation):
    """The sample's 10 contacts whose joint centres were read by eye: runform's pose on those
    frames gives knee flexion and shank angle within 5 deg of the eye's medians (the pose model on
    real images); at runform's own contact instant, up to a frame earlier, the knee is straighter
    and the shin further ahead, as the frames between show, but no more than 12 deg."""
    sample = next(r for r in validation["real_video"] if r.get("angle_strides") and not r.get("timing_only"))
    assert sample["angle_strides"] >= 9, sample
    assert abs(sample["knee_flexion_ic_deg_on_frame_error"]) <= 5, sample
    assert abs(sample["shank_angle_ic_deg_on_frame_error"]) <= 5, sample
    assert -12 <= sample["knee_flexion_ic_deg_error"] <= 0 and 0 <= sample["shank_angle_ic_deg_error"] <= 12, sample


def test_the_frames_contradict_no_finding_on_the_sample(sample_summary):
    """The frames show the shin about vertical at landing and a knee bent 17 deg on the first frame
    with the foot down (ANNOTATIONS.md). With contacts timed from the pixels: no overstriding; the
    knee at the contact instant itself (on average half a frame before that frame, while it flexes
    about 12 deg a frame) reads near the straight-knee threshold, so that finding, if made, is no
    surer than borderline; the contact time is the annotated 258 +- 21 ms within its uncertainty."""
    found = " ".join(f.get("title", "") + " " + f.get("id", "") for f in sample_summary["faults"]).lower()
    assert "overstrid" not in found, sample_summary["faults"]
    knee = [f for f in sample_summary["faults"] if f["id"] == "straight_knee_landing"]
    assert all(f["confidence_label"] == "borderline" for f in knee), knee
    gct = sample_summary["metrics"]["ground_contact_ms"]
    assert abs(gct["median"] - 257.6) <= max(gct["uncertainty"], 10) and gct["uncertainty"] <= 20, gct
