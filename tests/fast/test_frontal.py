"""Front/back-view building blocks: the frontal metrics on a figure of known geometry, and
OpenPose BODY_25 keypoint files written and read back."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from runform.engine.metrics.frontal import fppa_deg, frontal_stride_metrics, obliquity_deg
from runform.errors import InputFileError, UsageError
from runform.sources.keypoints.openpose import NAMES, read_openpose, write_openpose


def _figure(n: int = 100, drop_deg: float = 6.0, valgus_deg: float = 10.0, width_m: float = 0.08):
    """A runner seen from behind at 100 fps (x = runner's right, y up): the right foot in stance
    for the first half, where the left (swing) hip drops ``drop_deg`` and the right knee sits
    medial by ``valgus_deg``; feet landing ``width_m`` apart."""
    t = np.arange(n) / 100.0
    tilt = np.where(t < 0.5, np.radians(drop_deg) * np.sin(np.pi * t / 0.5), 0.0)
    kp = {"left_hip": np.c_[-0.1 * np.cos(tilt), 1.0 - 0.1 * np.sin(tilt)],
          "right_hip": np.c_[0.1 * np.cos(tilt), 1.0 + 0.1 * np.sin(tilt)]}
    for side, sx in (("left", -1), ("right", 1)):
        hip = kp[f"{side}_hip"]
        ankle = np.c_[np.full(n, sx * width_m / 2), np.full(n, 0.1)]
        half = np.radians(valgus_deg / 2 if side == "right" else 0.0)
        mid = 0.5 * (hip + ankle)
        seg = np.linalg.norm(hip - ankle, axis=1) / 2
        knee = mid + np.c_[-sx * seg * np.tan(half), np.zeros(n)]  # the right knee moved medially (-x)
        kp.update({f"{side}_knee": knee, f"{side}_ankle": ankle, f"{side}_heel": ankle - [0, 0.05]})
        kp[f"{side}_shoulder"] = np.c_[np.full(n, sx * 0.18), np.full(n, 1.5)]
        kp[f"{side}_wrist"] = np.c_[np.full(n, -sx * 0.02), np.full(n, 1.1)]  # both wrists 2 cm past the midline
    strides = pd.DataFrame({"foot": ["left", "right"], "ic_s": [0.0, 0.02], "to_s": [0.01, 0.48],
                            "end_s": [0.5, 0.98]})
    return t, kp, strides


def test_frontal_metrics_of_a_known_figure():
    t, kp, strides = _figure()
    m = frontal_stride_metrics(t, kp, strides).loc[1]
    assert m.pelvic_drop_deg == pytest.approx(6.0, abs=0.1)
    assert m.knee_fppa_deg == pytest.approx(10.0, abs=0.5)  # valgus positive
    assert m.step_width_cm == pytest.approx(8.0, abs=0.01)
    assert m.lateral_trunk_lean_deg == pytest.approx(0.0, abs=1e-6)
    assert m.arm_crossover_cm == pytest.approx(2.0, abs=1e-6)
    assert obliquity_deg(kp)[25] == pytest.approx(6.0, abs=0.01)  # + when the right hip is higher


def test_fppa_sign_is_valgus_positive_on_either_leg():
    hip, ankle = np.array([0.1, 1.0]), np.array([0.1, 0.1])
    assert fppa_deg(hip, np.array([0.05, 0.55]), ankle, "right") > 0  # right knee towards the midline
    assert fppa_deg(hip, np.array([0.15, 0.55]), ankle, "right") < 0  # varus
    left_hip, left_ankle = np.array([-0.1, 1.0]), np.array([-0.1, 0.1])
    assert fppa_deg(left_hip, np.array([-0.05, 0.55]), left_ankle, "left") > 0  # left knee towards +x: medial
    assert fppa_deg(left_hip, np.array([-0.15, 0.55]), left_ankle, "left") < 0


def test_a_crossover_reads_negative():
    t, kp, strides = _figure(width_m=-0.04)  # each foot lands past the other's side
    assert frontal_stride_metrics(t, kp, strides).loc[1].step_width_cm == pytest.approx(-4.0, abs=0.01)


def test_openpose_files_round_trip(tmp_path):
    n = 5
    pos = np.random.default_rng(0).uniform(100, 900, (n, len(NAMES), 2))
    conf = np.full((n, len(NAMES)), 0.9)
    conf[2, NAMES.index("nose")] = 0.0  # not found in one frame
    write_openpose(tmp_path, "run", pos, conf, list(NAMES))
    t, back, c = read_openpose(tmp_path, 60.0)
    assert t == pytest.approx(np.arange(n) / 60.0)
    ok = c > 0
    assert np.allclose(back[ok], pos[ok], atol=1e-3) and not ok[2, NAMES.index("nose")]
    assert np.isnan(back[2, NAMES.index("nose")]).all()


def test_openpose_folder_mistakes_are_said(tmp_path):
    with pytest.raises(UsageError, match="--fps"):
        read_openpose(tmp_path, None)
    with pytest.raises(InputFileError, match="0 OpenPose keypoint file"):
        read_openpose(tmp_path, 60.0)
    for i in range(2):
        (tmp_path / f"run_{i:012d}_keypoints.json").write_text(json.dumps({"people": [{"pose_keypoints_2d": [1, 2, 3]}]}))
    with pytest.raises(InputFileError, match="BODY_25"):
        read_openpose(tmp_path, 60.0)
