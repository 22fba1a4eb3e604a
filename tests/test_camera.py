"""The camera model on the real sample: a panning camera, and findings when true vertical is
not known from the scene (issue 14)."""

from __future__ import annotations

import json
import shutil

from conftest import SAMPLE, run_cli
from media import panned_frames, write_video


def _analyse(path, out, *extra) -> dict:
    res = run_cli("analyze", str(path), "--out", str(out), "--height", "1.75", "--speed", "3.0", "--no-video",
                  *extra)
    assert res.returncode == 0, res.stderr
    return json.loads((out / "summary.json").read_text())


def test_a_panning_camera_is_measured_against_the_background(tmp_path, sample_summary):
    """The sample seen by a camera panning 500 px (1.7 leg lengths) across the clip: the pan is
    found and removed, so the treadmill stays a treadmill, with the same direction, cadence and
    true vertical."""
    p = write_video(tmp_path / "panned.mp4", panned_frames(SAMPLE, -250, 250))
    s = _analyse(p, tmp_path / "out")
    scene = s["scene"]
    assert scene["camera"] == "moving" and abs(scene["background_travel_px"] - 500) <= 50, scene
    assert scene["treadmill"] is True and scene["running_direction"] == "image-left"
    assert abs(s["metrics"]["cadence_spm"]["median"] - 168.9) <= 2.0
    assert abs(scene["true_vertical_deg"] - sample_summary["scene"]["true_vertical_deg"]) <= 0.5
    assert any("camera moved" in w for w in s["warnings"])
    assert sample_summary["scene"]["camera"] == "static"


def test_findings_against_an_unsure_vertical_are_low_and_say_why(sample_analysis, tmp_path, sample_summary):
    """--vertical image (the camera assumed level, known to about 2 deg): that uncertainty enters
    every metric measured against vertical, and findings on them are at most low confidence; the
    knee's uncertainty and finding do not change. A strict coach's references make the sample
    show both findings (a shank beyond 2 deg at landing, a knee under 20 deg)."""
    refs = tmp_path / "strict.toml"
    refs.write_text("[references.shank_angle_ic_deg]\nhigh = 2\n\n[faults.straight_knee_landing]\nvalue = 20\n")
    runs = {}
    for name, extra in (("sure", ()), ("unsure", ("--vertical", "image"))):
        out = tmp_path / name
        shutil.copytree(sample_analysis, out)  # the pose comes from the folder's cache
        runs[name] = _analyse(SAMPLE, out, "--references", str(refs), *extra)
    s, sure_run = runs["unsure"], runs["sure"]
    assert s["scene"]["vertical_cue"] == "image"
    unsure, sure = s["metrics"]["trunk_lean_deg"], sample_summary["metrics"]["trunk_lean_deg"]
    assert unsure["uncertainty_parts"]["vertical"] >= 2 > sure["uncertainty_parts"].get("vertical", 0), unsure
    assert unsure["uncertainty"] > sure["uncertainty"]
    by_id = {f["id"]: f for f in s["faults"]}
    assert "overstriding" in by_id and "overstriding" in {f["id"] for f in sure_run["faults"]}, by_id.keys()
    assert by_id["overstriding"]["confidence_label"] in ("low", "borderline"), by_id["overstriding"]
    knee = {f["id"]: f for f in sure_run["faults"]}["straight_knee_landing"]
    assert by_id["straight_knee_landing"]["confidence_label"] == knee["confidence_label"]
    assert "vertical" not in s["metrics"]["knee_flexion_ic_deg"]["uncertainty_parts"]
