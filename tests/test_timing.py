"""Clips that are not real time (issue 15): slow motion from the phone's tag, the user's factor
or the running itself, and a sped-up clip; and every step of a clip accounted for."""

from __future__ import annotations

import json
import re

from conftest import SAMPLE, VIDEO_DIR, run_cli, step_agreement
from media import blanked_legs_frames, sample_frames, slowed_frames, tag_capture_fps, write_video


def test_slow_motion_is_recognised_and_analysed_in_real_time(tmp_path):
    """The sample's first 4 s with every frame shown 4 times (a 120 fps capture played at 30):
    without a word it is refused as slow motion with its factor; with --slowmo 4, and with
    Android's capture-rate tag, the cadence is the real one (168.9 +/- 2)."""
    slow = write_video(tmp_path / "slow.mp4", slowed_frames(SAMPLE, 4, 4.0))
    res = run_cli("analyze", str(slow), "--out", str(tmp_path / "a"), "--no-video")
    assert res.returncode == 5, res.stderr
    factor = float(re.search(r"about ([0-9.]+)x slower", res.stderr).group(1))
    assert abs(factor - 4) <= 0.5 and "--slowmo" in res.stderr, res.stderr
    # the advice is the phone's standard factor, not the estimate (issue 27: 4.1 gave cadence 172.7)
    assert "most likely 4x" in res.stderr and "--slowmo 4," in res.stderr, res.stderr
    for name, path, extra in (("flag", slow, ("--slowmo", "4")),
                              ("tag", tag_capture_fps(slow, tmp_path / "tagged.mp4", 120.0), ())):
        out = tmp_path / name
        res = run_cli("analyze", str(path), "--out", str(out), "--no-video", *extra)
        assert res.returncode == 0, res.stderr
        s = json.loads((out / "summary.json").read_text())
        assert abs(s["source"]["time_scale"] - 4) < 1e-6, s["source"]
        assert abs(s["metrics"]["cadence_spm"]["median"] - 168.9) <= 2.0, (name, s["metrics"]["cadence_spm"])
        assert any("slower than real time" in w for w in s["warnings"])
        assert (out / "key_frames.jpg").is_file()
    # a factor a little off (the estimate, followed): the key frames are still found in the video
    out = tmp_path / "flag"  # re-analysed from its pose cache
    res = run_cli("analyze", str(slow), "--out", str(out), "--no-video", "--slowmo", "4.1")
    assert res.returncode == 0 and (out / "key_frames.jpg").is_file(), res.stderr
    assert (out / "report.html").read_text().count("data:image/jpeg") >= 3


def test_a_sped_up_clip_is_not_reported_as_a_normal_cadence(tmp_path):
    """The sample with every other frame dropped at the same frame rate (2x): refused as faster
    than real time, not a cadence of 168 from half the steps."""
    fast = write_video(tmp_path / "fast.mp4", (f for k, f in enumerate(sample_frames(SAMPLE)) if k % 2 == 0))
    res = run_cli("analyze", str(fast), "--out", str(tmp_path / "out"), "--no-video")
    assert res.returncode == 5 and "faster than real time" in res.stderr, res.stderr
    assert "--slowmo 0.5 " in res.stderr, res.stderr  # the standard 2x, not the estimate (0.52)


def test_repeated_frames_give_the_effective_frame_rate(tmp_path):
    """A 120 fps file made of the sample's 30 fps frames, each shown 4 times (real time): the
    effective rate is about 30 new pictures a second, and said; the cadence is unchanged; the
    contacts' expected error is that of 30 fps."""
    p = write_video(tmp_path / "padded.mp4", slowed_frames(SAMPLE, 4, 5.0), fps=120)
    res = run_cli("analyze", str(p), "--out", str(tmp_path / "out"), "--no-video")
    assert res.returncode == 0, res.stderr
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert abs(s["source"]["effective_fps"] - 30) <= 3 and s["source"]["repeated_frames_pct"] >= 70, s["source"]
    assert any("new pictures per second" in w for w in s["warnings"])
    assert abs(s["metrics"]["cadence_spm"]["median"] - 168.9) <= 3.0
    # contacts are timed to the 30 fps pictures, not to the file's 120 fps (12.5 ms against 8.4)
    expected = s["contacts"]["expected_error_ms"]
    assert abs(expected["effective_fps"] - 30) <= 3 and expected["ic"]["random"] >= 12, expected
    same_cut = tmp_path / "first5"  # the repeats do not move the contacts: against the same 5 s
    res = run_cli("analyze", str(SAMPLE), "--end", "5", "--out", str(same_cut), "--no-video")
    assert res.returncode == 0, res.stderr
    agree = step_agreement(s, json.loads((same_cut / "summary.json").read_text()))
    assert agree["steps"] >= 12 and agree["to_ms"] <= 10 and agree["contact_ms"] <= 10, agree


def test_steps_behind_an_obstacle_are_in_the_timeline_with_their_reason(tmp_path):
    """The sample with its lower legs painted over from 5.0 to 6.5 s: the contacts there are
    excluded or marked not detected, each with its reason; the others are used; the quality,
    the notes and the report's timeline say why."""
    p = write_video(tmp_path / "hidden.mp4", blanked_legs_frames(SAMPLE, 5.0, 1.5))
    res = run_cli("analyze", str(p), "--out", str(tmp_path / "out"), "--no-video")
    assert res.returncode == 0, res.stderr
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    tl, c = s["contacts"]["timeline"], s["contacts"]
    hidden = [r for r in tl if 5.0 <= r["ic_s"] <= 6.5]
    assert len(hidden) >= 3 and all(r["status"] != "used" and r["reason"] for r in hidden), hidden
    assert any(r["status"] == "missed" for r in hidden) and any("not clearly seen" in r["reason"] for r in hidden)
    outside = [r for r in tl if r["ic_s"] < 4.6 or 7.0 < r["ic_s"] < 11.5]
    assert all(r["status"] == "used" for r in outside), [r for r in outside if r["status"] != "used"]
    assert c["steps"] == c["used"] + c["excluded"] + c["missed"] and 32 <= c["steps"] <= 36, c
    assert f"of the {c['steps']} steps were not used" in s["quality"]["steps_note"], s["quality"]
    assert any("steps were not used" in w for w in s["warnings"])
    report = (tmp_path / "out" / "report.html").read_text()
    assert 'class="timeline"' in report and "foot not clearly seen" in report


def test_a_slow_motion_ramp_is_refused_with_where_it_changes(tmp_path):
    """The sample's first 6 s in real time, then its next 6 s with every frame shown 4 times (a
    phone's slow-motion ramp): refused as a change of speed near 6 s, a factor of 4 +- 0.5, with
    how to analyse each part; no cadence is written."""
    def ramp():
        for i, frame in enumerate(sample_frames(SAMPLE)):
            yield from [frame] * (1 if i < 180 else 4)

    p = write_video(tmp_path / "ramp.mp4", ramp())
    res = run_cli("analyze", str(p), "--out", str(tmp_path / "out"), "--no-video")
    assert res.returncode == 5 and "speed changes at about" in res.stderr, res.stderr
    at = float(re.search(r"changes at about ([0-9.]+) s", res.stderr).group(1))
    factor = float(re.search(r"--slowmo ([0-9.]+)", res.stderr).group(1))
    assert 5 <= at <= 7.5 and abs(factor - 4) <= 0.5 and "--start" in res.stderr, res.stderr
    assert not (tmp_path / "out" / "summary.json").exists()


def test_the_track_clip_that_turns_to_slow_motion_gets_no_cadence(tmp_path):
    """The shared track clip (two real-time steps, then about 3.75x slow motion; annotations.json):
    recognised as slow motion with a factor within 15 % of 3.75, and no whole-clip cadence."""
    res = run_cli("analyze", str(VIDEO_DIR / "betterforerunner_track_side_screenrec.mp4"), "--out",
                  str(tmp_path / "out"), "--no-video")
    assert res.returncode == 5 and "slow motion" in res.stderr, res.stderr
    factor = float(re.search(r"about ([0-9.]+)x slower", res.stderr).group(1))
    assert abs(factor - 3.75) <= 0.15 * 3.75 and "--start/--end" in res.stderr, res.stderr
    assert not (tmp_path / "out" / "summary.json").exists()
