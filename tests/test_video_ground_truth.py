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
    """Initial contact on real pose against the annotated frames, taken half a frame earlier (the
    annotated frame is the first with the foot down): on the sample at least 32 of 34 contacts
    found, median |error| <= 25 ms and the bias within one frame (33 ms); on the slow-motion part
    of the track clip (a second runner, overground, 8.9 ms a frame in real time), at least 4 of 5
    found within 40 ms median."""
    timing = [r for r in validation["real_video"] if r.get("ic_n")]
    sample = next(r for r in timing if r["clip"] == "zzzhushi_treadmill_side_garage")
    assert sample["ic_n"] == 34 and sample["ic_n_matched"] >= 32, sample
    assert sample["ic_median_abs_ms"] <= 25 and abs(sample["ic_bias_ms"]) <= 33, sample
    part = next(r for r in timing if r.get("timing_only"))
    assert part["ic_n_matched"] >= 4 and part["ic_median_abs_ms"] <= 40, part
