"""Bad input: one clear message, a documented non-zero exit code, no traceback, no output folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import MOCAP_DIR, SAMPLE, SHARED, VIDEO_DIR, run_cli
from media import flat_frames, sample_frames, write_audio_only, write_video

from runform.engine import checks
from runform.engine.assess.knowledge import load_knowledge
from runform.engine.clean import clean
from runform.errors import NotAnalysableError
from runform.engine import image_view
from runform.validation.testbed import load_trials
from runform.validation.virtual_camera import side_view

WALKING = load_knowledge().cutoffs["walking"]


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
    assert "incomplete or damaged" in res.stderr, res.stderr  # said as cut off, not as "not a video"


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
    assert image_view.check_view(clean(side)[0]) == []
    with pytest.raises(NotAnalysableError, match="front or back view"):
        image_view.check_view(clean(front)[0])


def test_walking_is_named_walking():
    strides = pd.DataFrame({"foot": ["left", "right"] * 3, "duty_factor_pct": [62.0] * 6,
                            "flight_ms": [-120.0] * 6})
    with pytest.raises(NotAnalysableError, match="walking"):
        checks.check_strides(strides, 12, 10.0, [], ground_share=0.6, walking=WALKING)
    with pytest.raises(NotAnalysableError, match="walking"):
        checks.check_strides(strides.iloc[:1], 3, 10.0, [], ground_share=0.65, walking=WALKING)


# ---- careless inputs that used to give confident nonsense or a bare library message ----

ADEPT_HIP = SHARED / "imu" / "adept_outdoor_run" / "acc_running_left_hip.csv.gz"
LIBRARY_NOISE = ("Warning", "warnings.warn", "usecols", "numpy", "pandas")


def _quiet_analyze(path: Path, out: Path, *extra: str):
    res = run_cli("analyze", str(path), "--out", str(out), "--no-video", *extra)
    for word in LIBRARY_NOISE + ("Traceback", "internal error"):
        assert word not in res.stderr, res.stderr
    return res


@pytest.fixture(scope="module")
def hip_rows():
    df = pd.read_csv(ADEPT_HIP, nrows=30000)  # the first 5 min of the 25 min run, 100 Hz
    return df, pd.to_datetime(df["date_time"])


def test_iso_date_times_at_any_precision_give_the_same_cadence(tmp_path, hip_rows):
    df, t = hip_rows
    forms = {"s": t.dt.strftime("%Y-%m-%dT%H:%M:%S"),
             "ms": t.dt.strftime("%Y-%m-%dT%H:%M:%S.") + (t.dt.microsecond // 1000).astype(str).str.zfill(3),
             "us": t.dt.strftime("%Y-%m-%dT%H:%M:%S.%f"), "ns": df["date_time"],
             "time of day": t.dt.strftime("%H:%M:%S.%f")}
    cadence = {}
    for name, stamps in forms.items():
        p = tmp_path / f"hip_{name.replace(' ', '_')}.csv"
        df.assign(date_time=stamps).to_csv(p, index=False)
        res = _quiet_analyze(p, tmp_path / f"out_{p.stem}")
        assert res.returncode == 0, (name, res.stderr)
        cadence[name] = json.loads((tmp_path / f"out_{p.stem}" / "summary.json").read_text())["metrics"]["cadence_spm"]["median"]
    ref = cadence["ns"]
    assert all(abs(c - ref) <= 0.005 * ref for c in cadence.values()), cadence


def test_sensor_rate_too_low_is_said(tmp_path, hip_rows):
    df, _ = hip_rows
    for step, hz in ((10, 10), (100, 1)):
        p = tmp_path / f"hip_{hz}hz.csv"
        df.iloc[::step].to_csv(p, index=False)
        res = _quiet_analyze(p, tmp_path / f"out{hz}")
        assert res.returncode == 5 and f"recorded at {hz} Hz" in res.stderr and "Record at" in res.stderr
    p = tmp_path / "hip_50hz.csv"
    df.iloc[::2].to_csv(p, index=False)
    assert _quiet_analyze(p, tmp_path / "out50").returncode == 0
    s = json.loads((tmp_path / "out50" / "summary.json").read_text())
    assert "cadence_spm" in s["metrics"] and "ground_contact_ms" not in s["metrics"]
    assert any("too slow to time each foot contact" in w for w in s["warnings"])


def test_half_a_c3d_says_it_is_partial(tmp_path):
    src = MOCAP_DIR / "dorn2012" / "JA1Gait21_run3.5ms.c3d"
    data = src.read_bytes()
    (tmp_path / "half.c3d").write_bytes(data[: len(data) // 2])
    res = _quiet_analyze(tmp_path / "half.c3d", tmp_path / "out")
    assert res.returncode == 0, res.stderr
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert any("partial: 414 of the 837 frames" in w for w in s["warnings"]), s["warnings"]
    full = tmp_path / "full"
    assert _quiet_analyze(src, full).returncode == 0
    assert not any("partial" in w for w in json.loads((full / "summary.json").read_text())["warnings"])


def test_a_cut_trc_is_partial_or_refused_in_plain_words(tmp_path):
    src = MOCAP_DIR / "hamner2013" / "subject01"
    text = (src / "expData_Run_3.trc").read_bytes()
    (tmp_path / "expData_Run_3.trc").write_bytes(text[:300_000])
    for f in ("model_static.trc", "expData_Run_3_grf.mot"):
        (tmp_path / f).write_bytes((src / f).read_bytes())
    res = _quiet_analyze(tmp_path / "expData_Run_3.trc", tmp_path / "out")
    assert res.returncode == 0, res.stderr
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert any("file is partial" in w for w in s["warnings"])
    (tmp_path / "head.trc").write_bytes(text[:3000])
    res = _quiet_analyze(tmp_path / "head.trc", tmp_path / "out2")
    assert res.returncode == 3 and "columns where its markers need" in res.stderr


def test_still_image_and_one_frame_video_are_named(tmp_path):
    import av

    first = next(sample_frames(SAMPLE, limit=1))
    still = tmp_path / "photo.mp4"  # a PNG picture named .mp4
    c = av.open(str(still), "w", format="image2")
    s = c.add_stream("png")
    s.width, s.height, s.pix_fmt = first.shape[1], first.shape[0], "rgb24"
    for p in [*s.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(first), format="rgb24")), *s.encode()]:
        c.mux(p)
    c.close()
    one = write_video(tmp_path / "one.mp4", sample_frames(SAMPLE, limit=1))
    for p in (still, one):
        res = _quiet_analyze(p, tmp_path / f"out_{p.stem}")
        assert res.returncode == 3 and "single picture, not a video" in res.stderr, res.stderr
    short = write_video(tmp_path / "short.mp4", sample_frames(SAMPLE, limit=8))
    res = _quiet_analyze(short, tmp_path / "out_short")
    assert res.returncode == 5 and "too short" in res.stderr


def test_an_unreadable_input_is_the_users_to_fix_not_a_write_error(tmp_path):
    p = tmp_path / "trial.c3d"
    p.write_bytes((MOCAP_DIR / "dorn2012" / "JA1Gait21_run3.5ms.c3d").read_bytes())
    p.chmod(0)
    code = ("from runform.pipeline import analyze\nfrom runform.errors import InputFileError\n"
            f"try:\n    analyze({str(p)!r}, {str(tmp_path / 'out')!r})\n"
            "except InputFileError as e:\n    print(e)\n")
    as_user = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    res = subprocess.run([*as_user, sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "cannot be read: permission is denied" in res.stdout, res.stdout + res.stderr
    assert not (tmp_path / "out").exists()
