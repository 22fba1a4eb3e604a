"""The same run gives the same figures: mirrored (sides swapped), with another worker count, cut or
re-encoded (the same contacts)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE, run_cli, step_agreement
from media import sample_frames, write_video

SETTINGS = ("--height", "1.75", "--speed", "3.0", "--no-video")


def _mirrored_frames(src: Path):
    with av.open(str(src)) as c:
        for f in c.decode(video=0):
            yield np.ascontiguousarray(f.to_ndarray(format="rgb24")[:, ::-1])


def test_mirrored_sample_gives_the_same_figures_with_sides_swapped(tmp_path, sample_summary):
    p = write_video(tmp_path / "mirror.mp4", _mirrored_frames(SAMPLE))
    out = tmp_path / "out"
    res = run_cli("analyze", str(p), "--out", str(out), *SETTINGS)
    assert res.returncode == 0, res.stderr
    s = json.loads((out / "summary.json").read_text())
    assert "view" not in s["scene"], "a mirrored side view is still a side view, not a front or back one"
    assert s["scene"]["running_direction"] != sample_summary["scene"]["running_direction"]
    ref = sample_summary["metrics"]
    assert set(s["metrics"]) == set(ref)
    for name, m in ref.items():
        assert abs(s["metrics"][name]["median"] - m["median"]) <= max(m["iqr"], 0.5), name
    # the near leg of the mirrored runner is the other side: its per-side figures swap
    for name in ("overstride_pct_leg", "foot_strike_angle_deg", "knee_flexion_stance_peak_deg"):
        assert abs(s["metrics"][name]["left"]["median"] - ref[name]["right"]["median"]) <= ref[name]["iqr"], name
        assert abs(s["metrics"][name]["right"]["median"] - ref[name]["left"]["median"]) <= ref[name]["iqr"], name
    assert s["foot_strike"]["left"] == sample_summary["foot_strike"]["right"]


ONE_RUN = """
import sys
from pathlib import Path
from runform.pipeline import analyze
from runform.settings import Settings
analyze(Path(sys.argv[1]), Path(sys.argv[2]), Settings(height_m=1.75, speed_mps=3.0, annotated_video=False,
        workers=int(sys.argv[3])))
"""


def test_one_worker_and_two_workers_give_identical_figures(tmp_path):
    outs = {}
    for workers in (1, 2):  # a batch task runs one worker, `runform analyze` two
        outs[workers] = tmp_path / f"w{workers}"
        res = subprocess.run([sys.executable, "-c", ONE_RUN, str(SAMPLE), str(outs[workers]), str(workers)],
                             capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stderr[-2000:]
    a, b = (json.loads((outs[w] / "summary.json").read_text()) for w in (1, 2))
    assert a["metrics"] == b["metrics"] and a["faults"] == b["faults"]
    pd.testing.assert_frame_equal(pd.read_csv(outs[1] / "strides.csv"), pd.read_csv(outs[2] / "strides.csv"))


def _encoded(path: Path, codec: str, options: dict, frames) -> Path:
    out = av.open(str(path), "w")
    stream = None
    for img in frames:
        if stream is None:
            stream = out.add_stream(codec, rate=30)
            stream.height, stream.width = img.shape[:2]
            stream.pix_fmt, stream.options = "yuv420p", options
        for p in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")):
            out.mux(p)
    for p in stream.encode():
        out.mux(p)
    out.close()
    return path


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """The sample cut, or re-encoded in another codec and container, each analysed once."""
    made = {}

    def analysed(copy: str) -> dict:
        if copy not in made:
            d = tmp_path_factory.mktemp("copy")
            if copy == "cut 2-10 s":
                video, extra = SAMPLE, ("--start", "2", "--end", "10")
            elif copy == "VP9 WebM":
                video, extra = _encoded(d / "copy.webm", "libvpx-vp9", {"crf": "32", "b": "0", "deadline": "realtime",
                                                                     "cpu-used": "8"}, sample_frames(SAMPLE)), ()
            else:
                video, extra = _encoded(d / "copy.avi", "mpeg4", {"qscale": "4"}, sample_frames(SAMPLE)), ()
            res = run_cli("analyze", str(video), "--out", str(d / "out"), *SETTINGS, *extra)
            assert res.returncode == 0, res.stderr
            made[copy] = json.loads((d / "out" / "summary.json").read_text())
        return made[copy]

    return analysed


@pytest.mark.parametrize("copy", ["cut 2-10 s", "VP9 WebM", "MPEG-4 AVI"])
def test_the_same_footage_gives_the_same_contacts(copies, sample_summary, copy):
    """The sample cut, or re-encoded in another codec and container: the same steps' toe-offs
    within 10 ms (median) of the whole sample's and the contact-time median within 10 ms
    (contacts timed from the shoe's pixels: no clip-wide threshold moves with the copy)."""
    s = copies(copy)
    agree = step_agreement(s, sample_summary)
    assert agree["steps"] >= (20 if copy.startswith("cut") else 30), agree
    assert agree["to_ms"] <= 10 and agree["contact_ms"] <= 10, agree
    assert s["contacts"]["timed_from_pixels"] >= 0.9 * s["contacts"]["steps"], s["contacts"]


@pytest.mark.parametrize("copy", ["cut 2-10 s", "VP9 WebM", pytest.param("MPEG-4 AVI", marks=pytest.mark.xfail(
    strict=True, reason="the pose model reads this blockier copy's foot and swing knee differently (foot strike "
    "angle 7.3 -> -1.5 deg, swing knee peak 78.3 -> 67.0 deg); the unshared uncertainty has no term for it"))])
def test_the_same_footage_compared_as_two_sessions_changes_nothing_beyond_noise(copies, sample_summary, copy):
    """Two sessions of the same footage compared (app/web/trends.compare): no change beyond the
    uncertainty the two do not share."""
    from runform.app.web.trends import compare

    changed = [(r["metric"], r["a"], r["b"], r["limit"]) for r in compare(sample_summary["metrics"], copies(copy)["metrics"])
               if r["verdict"] == "beyond noise"]
    assert not changed, changed
