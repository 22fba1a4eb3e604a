"""Findings no surer than the measurement (issue 16): an uncertainty on every metric of every
source, no finding labelled high within 2 uncertainties of its threshold, a poor recording with
nothing above low, and uncertainties that cover the truth as often as a 1 SD should."""

from __future__ import annotations

import json

import pytest
from conftest import MOCAP_DIR, SAMPLE, SHARED, run_cli
from media import poor_frames, write_video

import runform

RECORDINGS = {
    "lab_c3d_plates": (MOCAP_DIR / "dorn2012" / "JA1Gait21_run3.5ms.c3d", {}),
    "lab_trc": (MOCAP_DIR / "hamner2013" / "subject01" / "expData_Run_3.trc", {}),
    "lab_text": (MOCAP_DIR / "fukuchi_rbds" / "RBDS0041runT252.txt", {}),
    "sensor_sacral": (SHARED / "imu" / "alcantara_sacral" / "Sample_test_data.csv", {}),
    "sensor_hip": (SHARED / "imu" / "adept_outdoor_run" / "acc_running_left_hip.csv.gz", {"speed_mps": 3.0}),
}


def _check(summary: dict) -> None:
    for name, m in summary["metrics"].items():
        if m.get("median") is not None:
            assert m.get("uncertainty") is not None and m["uncertainty"] > 0, (name, m)
            assert m["uncertainty_parts"], (name, m)
    for f in summary["faults"]:
        assert f["confidence_label"] in ("high", "medium", "low", "borderline"), f
        for e in f["evidence"]:
            assert {"metric", "threshold"} <= set(e) and ("value" in e or "trend_change" in e), e
        if f["confidence_label"] == "high":
            assert all(e["z"] >= 2 for e in f["evidence"] if "z" in e), f
            assert summary["quality"]["level"] == "good", f
        if f["confidence_label"] == "borderline":
            assert min(e["z"] for e in f["evidence"] if "z" in e) < 1 and f.get("settle"), f


def test_the_sample_carries_uncertainties_and_its_findings_are_no_surer(sample_summary, sample_analysis):
    """Every metric of the sample has an uncertainty kept apart from its IQR; its knee at landing
    (about 10 deg against the straight-knee threshold of < 10, 2D knee angles good to about 6-8
    deg) gives no straight-knee finding surer than borderline; the report shows value +-
    uncertainty."""
    _check(sample_summary)
    m = sample_summary["metrics"]["knee_flexion_ic_deg"]
    assert m["uncertainty"] != m["iqr"] and 5 <= m["uncertainty"] <= 12, m
    assert abs(m["median"] - 10) <= m["uncertainty"], m
    knee = [f for f in sample_summary["faults"] if f["id"] == "straight_knee_landing"]
    assert all(f["confidence_label"] in ("low", "borderline") and f["settle"] for f in knee), knee
    report = (sample_analysis / "report.html").read_text()
    assert "&plusmn;" in report and "They are different things" in report


@pytest.mark.parametrize("name", sorted(RECORDINGS))
def test_lab_and_sensor_figures_carry_uncertainties(name):
    path, opts = RECORDINGS[name]
    _check(runform.analyze(path, **opts).summary)


def test_a_poor_recording_has_no_finding_above_low(tmp_path):
    """The sample shaken by up to 4 % of the picture, a second runner pasted beside the first and
    every third frame blank: the quality is poor and no finding is above low."""
    p = write_video(tmp_path / "poor.mp4", poor_frames(SAMPLE))
    res = run_cli("analyze", str(p), "--out", str(tmp_path / "out"), "--no-video")
    assert res.returncode == 0, res.stderr
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert s["quality"]["level"] == "poor", s["quality"]
    assert all(f["confidence_label"] in ("low", "borderline") and f["confidence"] <= 0.35 for f in s["faults"]), \
        [(f["title"], f["confidence_label"]) for f in s["faults"]]


def test_uncertainties_cover_the_truth_as_a_1_sd_should(validation):
    """Lab trials, kinematic contacts against the force plates': value +- uncertainty (events part)
    covers the plates' value in 55-85 % of metric-trial pairs, +- 2 in at least 90 %."""
    rows = {r["trials"]: r for r in validation["calibration"]["summary"]}
    every = rows["all trials"]
    assert every["pairs"] >= 150, every
    assert 55 <= every["within_1u_pct"] <= 85 and every["within_2u_pct"] >= 90, every
    out = rows["out of sample (Fukuchi, Dorn)"]
    assert 50 <= out["within_1u_pct"] <= 90 and out["within_2u_pct"] >= 85, out
