"""Bad input: one clear message, a documented non-zero exit code, no traceback, no output folder."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import MOCAP_DIR, SAMPLE, VIDEO_DIR, run_cli
from media import flat_frames, write_audio_only, write_video

from runform import checks
from runform.errors import NotAnalysableError
from runform.motion.clean import clean
from runform.validation.testbed import load_trials
from runform.validation.virtual_camera import side_view


def _analyze(path: Path, tmp_path: Path, *extra: str):
    out = tmp_path / "out"
    res = run_cli("analyze", str(path), "--out", str(out), "--no-video", *extra)
    assert "Traceback" not in res.stderr + res.stdout
    return res, out


def _fails(res, out, code: int, *words: str):
    assert res.returncode == code, (res.returncode, res.stderr)
    msg = res.stderr.lower()
    for w in words:
        assert w in msg, msg
    assert not out.exists(), "a failed analysis must not leave an output folder"
    leftovers = [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.partial")]
    assert not leftovers


def test_missing_file(tmp_path):
    res, out = _analyze(tmp_path / "nope.mp4", tmp_path)
    _fails(res, out, 3, "does not exist")


def test_text_file_named_mp4(tmp_path):
    p = tmp_path / "notes.mp4"
    p.write_text("this is not a video\n" * 100)
    res, out = _analyze(p, tmp_path)
    _fails(res, out, 3, "could not be opened as a video")


def test_truncated_video(tmp_path):
    p = tmp_path / "cut.mp4"
    p.write_bytes(SAMPLE.read_bytes()[:40_000])  # header only: the moov atom is at the end
    res, out = _analyze(p, tmp_path)
    assert res.returncode == 3, res.stderr


def test_audio_only(tmp_path):
    res, out = _analyze(write_audio_only(tmp_path / "song.m4a"), tmp_path)
    _fails(res, out, 3, "audio only")


def test_no_person(tmp_path):
    p = write_video(tmp_path / "empty.mp4", flat_frames(90, 0, noise=True))
    res, out = _analyze(p, tmp_path)
    _fails(res, out, 4, "no person")


def test_too_dark(tmp_path):
    p = write_video(tmp_path / "dark.mp4", flat_frames(90, 3))
    res, out = _analyze(p, tmp_path)
    _fails(res, out, 4, "too dark")


def test_too_few_strides_real_clip(tmp_path):
    # a real field clip with about one stride (shared/data/video, BSD-3)
    res, out = _analyze(VIDEO_DIR / "sports2d_demo3_field_side_run.mp4", tmp_path)
    _fails(res, out, 5, "stride", "at least 3")


def test_start_end_too_short(tmp_path):
    res, out = _analyze(SAMPLE, tmp_path, "--start", "2", "--end", "2.6")
    _fails(res, out, 5, "stride")


def test_bad_options(tmp_path):
    for args, word in ((("--height", "178"), "centimetres"), (("--speed", "fast"), "not understood"),
                       (("--sex", "x"), "--sex"), (("--start", "5", "--end", "3"), "after")):
        res, out = _analyze(SAMPLE, tmp_path, *args)
        _fails(res, out, 2, word)


def test_output_folder_with_other_files_is_not_overwritten(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    res = run_cli("analyze", str(SAMPLE), "--out", str(out), "--no-video")
    assert res.returncode == 2 and "will not overwrite" in res.stderr
    assert (out / "thesis.docx").read_text() == "precious"


def test_front_view_is_recognised():
    tr = load_trials(MOCAP_DIR)[1]
    lateral = np.cross(tr.up, tr.forward)
    front = side_view(tr.keypoints_mm,
                      tr.times_s, lateral, tr.up, fps=30.0, swap_rate_hz=0, seed=0)
    side = side_view(tr.keypoints_mm, tr.times_s, tr.forward, tr.up, fps=30.0, swap_rate_hz=0, seed=0)
    assert checks.check_view(clean(side)[0]) == []
    with pytest.raises(NotAnalysableError, match="front or back view"):
        checks.check_view(clean(front)[0])


def test_walking_is_named_walking():
    strides = pd.DataFrame({"foot": ["left", "right"] * 3, "duty_factor_pct": [62.0] * 6,
                            "flight_ms": [-120.0] * 6})
    with pytest.raises(NotAnalysableError, match="walking"):
        checks.check_strides(strides, 12, 10.0, [], ground_share=0.6)
    with pytest.raises(NotAnalysableError, match="walking"):
        checks.check_strides(strides.iloc[:1], 3, 10.0, [], ground_share=0.65)
