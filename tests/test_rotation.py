"""A phone video stored sideways with a rotation flag is turned upright before pose."""

import json

import numpy as np
from conftest import SAMPLE, run_cli, step_agreement
from media import sample_frames, write_video

from runform.sources.video.decode import iter_frames, probe


def test_rotation_flag_is_honoured(tmp_path):
    # frames stored a quarter turn clockwise, the display matrix turns them back
    p = write_video(tmp_path / "phone.mp4", sample_frames(SAMPLE, k=-1, limit=20), rotation=90)
    info = probe(p)
    assert (info.width, info.height) == (720, 1280) and info.rotation_deg in (90, 270)
    _, upright = next(iter_frames(p))
    _, original = next(iter_frames(SAMPLE))
    assert upright.shape == original.shape
    assert np.abs(upright.astype(int) - original.astype(int)).mean() < 6  # same picture, re-encoded


def test_rotated_phone_video_gives_the_same_cadence(tmp_path, sample_summary):
    p = write_video(tmp_path / "phone.mp4", sample_frames(SAMPLE, k=-1), rotation=90)
    out = tmp_path / "out"
    res = run_cli("analyze", str(p), "--out", str(out), "--no-video")
    assert res.returncode == 0, res.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["source"]["rotation_deg"] in (90, 270)
    assert abs(s["metrics"]["cadence_spm"]["median"] - sample_summary["metrics"]["cadence_spm"]["median"]) < 1.0
    assert any("rotated" in w for w in s["warnings"])
    agree = step_agreement(s, sample_summary)  # the same contacts, to the millisecond's tens
    assert agree["steps"] >= 30 and agree["to_ms"] <= 10 and agree["contact_ms"] <= 10, agree


# ---- a runner sideways or upside down in the picture (pixels turned, or a wrong rotation tag) ----

import pytest  # noqa: E402


@pytest.mark.parametrize("name,frames,rotation,turned", [
    ("pixels turned clockwise", dict(k=-1), None, 270),
    ("pixels upside down", dict(k=2), None, 180),
    ("upright pixels, wrong tag", dict(k=0), 90, 90),
])
def test_a_turned_runner_is_stood_upright(tmp_path, sample_summary, name, frames, rotation, turned):
    p = write_video(tmp_path / "turned.mp4", sample_frames(SAMPLE, **frames), rotation=rotation)
    out = tmp_path / "out"
    res = run_cli("analyze", str(p), "--out", str(out), "--no-video", "--height", "1.75", "--speed", "3.0")
    assert res.returncode == 0, res.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["source"]["turned_upright_deg"] == turned
    assert "view" not in s["scene"], "a turned side view is still a side view, not a front or back one"
    assert any("stand them upright" in w for w in s["warnings"])
    ref = sample_summary["metrics"]
    for m in ("cadence_spm", "trunk_lean_deg", "overstride_pct_leg", "knee_flexion_ic_deg", "ground_contact_ms"):
        assert abs(s["metrics"][m]["median"] - ref[m]["median"]) <= max(ref[m]["iqr"], 1.0), (name, m)


@pytest.mark.parametrize("deg", [4.0, -4.0])
def test_a_rolled_camera_moves_true_vertical_not_the_trunk_lean(tmp_path, sample_summary, deg):
    """The sample's pixels turned by 4 deg each way (zoomed so no empty corner shows): true vertical
    follows the turn within 0.5 deg, the trunk lean changes by less than 1 deg (issue 14)."""
    from media import tilted_frames

    p = write_video(tmp_path / "rolled.mp4", tilted_frames(SAMPLE, deg))
    res = run_cli("analyze", str(p), "--out", str(tmp_path / "out"), "--height", "1.75", "--speed", "3.0",
                  "--no-video")
    assert res.returncode == 0, res.stderr
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    moved = s["scene"]["true_vertical_deg"] - sample_summary["scene"]["true_vertical_deg"]
    assert abs(moved + deg) <= 0.5, s["scene"]  # turned counter-clockwise: the top goes left
    lean = s["metrics"]["trunk_lean_deg"]["median"] - sample_summary["metrics"]["trunk_lean_deg"]["median"]
    assert abs(lean) < 1.0, lean
