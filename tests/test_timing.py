"""Clips that are not real time (issue 15): slow motion from the phone's tag, the user's factor
or the running itself, and a sped-up clip."""

from __future__ import annotations

import json
import re

from conftest import SAMPLE, run_cli
from media import sample_frames, slowed_frames, tag_capture_fps, write_video


def test_slow_motion_is_recognised_and_analysed_in_real_time(tmp_path):
    """The sample's first 4 s with every frame shown 4 times (a 120 fps capture played at 30):
    without a word it is refused as slow motion with its factor; with --slowmo 4, and with
    Android's capture-rate tag, the cadence is the real one (168.9 +/- 2)."""
    slow = write_video(tmp_path / "slow.mp4", slowed_frames(SAMPLE, 4, 4.0))
    res = run_cli("analyze", str(slow), "--out", str(tmp_path / "a"), "--no-video")
    assert res.returncode == 5, res.stderr
    factor = float(re.search(r"about ([0-9.]+)x slower", res.stderr).group(1))
    assert abs(factor - 4) <= 0.5 and "--slowmo" in res.stderr, res.stderr
    for name, path, extra in (("flag", slow, ("--slowmo", "4")),
                              ("tag", tag_capture_fps(slow, tmp_path / "tagged.mp4", 120.0), ())):
        out = tmp_path / name
        res = run_cli("analyze", str(path), "--out", str(out), "--no-video", *extra)
        assert res.returncode == 0, res.stderr
        s = json.loads((out / "summary.json").read_text())
        assert abs(s["source"]["time_scale"] - 4) < 1e-6, s["source"]
        assert abs(s["metrics"]["cadence_spm"]["median"] - 168.9) <= 2.0, (name, s["metrics"]["cadence_spm"])
        assert any("slower than real time" in w for w in s["warnings"])


def test_a_sped_up_clip_is_not_reported_as_a_normal_cadence(tmp_path):
    """The sample with every other frame dropped at the same frame rate (2x): refused as faster
    than real time, not a cadence of 168 from half the steps."""
    fast = write_video(tmp_path / "fast.mp4", (f for k, f in enumerate(sample_frames(SAMPLE)) if k % 2 == 0))
    res = run_cli("analyze", str(fast), "--out", str(tmp_path / "out"), "--no-video")
    assert res.returncode == 5 and "faster than real time" in res.stderr, res.stderr


def test_repeated_frames_give_the_effective_frame_rate(tmp_path):
    """A 120 fps file made of the sample's 30 fps frames, each shown 4 times (real time): the
    effective rate is about 30 new pictures a second, and said; the cadence is unchanged."""
    p = write_video(tmp_path / "padded.mp4", slowed_frames(SAMPLE, 4, 5.0), fps=120)
    res = run_cli("analyze", str(p), "--out", str(tmp_path / "out"), "--no-video")
    assert res.returncode == 0, res.stderr
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert abs(s["source"]["effective_fps"] - 30) <= 3 and s["source"]["repeated_frames_pct"] >= 70, s["source"]
    assert any("new pictures per second" in w for w in s["warnings"])
    assert abs(s["metrics"]["cadence_spm"]["median"] - 168.9) <= 3.0
