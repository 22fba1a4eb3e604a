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
