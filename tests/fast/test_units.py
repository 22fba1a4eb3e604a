"""Unit tests with analytic answers: stick figures, known strides, parsing, knowledge overrides."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from runform.engine.assess.knowledge import load_knowledge
from runform.engine.clean import fill_gaps, fix_leg_swaps, lowpass, resample_uniform
from runform.engine.dataset import make_motion
from runform.engine.metrics import angles
from runform.engine.metrics.per_stride import strike_pattern
from runform.engine.metrics.summary import summarise_metric
from runform.engine.strides import build_strides
from runform.errors import UsageError
from runform.settings import Settings, parse_speed

NAMES = ["left_hip", "right_hip", "left_shoulder", "right_shoulder", "left_knee", "right_knee",
         "left_ankle", "right_ankle", "left_heel", "right_heel", "left_foot_index", "right_foot_index",
         "left_ear", "right_ear", "left_elbow", "right_elbow", "left_wrist", "right_wrist"]


def figure(points: dict, n: int = 3):
    """A sagittal stick figure (x forward, y up, metres), the same in every frame."""
    pos = np.array([[points[k] for k in NAMES]] * n, float)
    return make_motion(np.arange(n) / 30, pos, np.ones(pos.shape[:2]), NAMES, source="test",
                       space_unit="m", vertical_up=True)


def lean(deg, trunk=0.5):
    r = np.radians(deg)
    p = {k: (0.0, 0.0) for k in NAMES}
    hip = (0.0, 1.0)
    sh = (trunk * np.sin(r), 1.0 + trunk * np.cos(r))
    p.update(left_hip=hip, right_hip=hip, left_shoulder=sh, right_shoulder=sh,
             left_ear=(sh[0] + 0.05, sh[1] + 0.2), right_ear=(sh[0] + 0.05, sh[1] + 0.2))
    return p


def test_trunk_lean_of_a_stick_figure():
    for deg in (-5.0, 0.0, 8.0, 15.0):
        assert angles.trunk_lean(figure(lean(deg)))[0] == pytest.approx(deg, abs=1e-9)


def test_knee_hip_ankle_angles_of_a_stick_figure():
    p = lean(0.0)
    # thigh 30 deg behind vertical (hip extension), shank vertical below the knee
    knee = (-0.45 * np.sin(np.radians(30)), 1.0 - 0.45 * np.cos(np.radians(30)))
    ankle = (knee[0], knee[1] - 0.45)
    p.update(left_knee=knee, left_ankle=ankle, left_heel=(ankle[0] - 0.05, ankle[1] - 0.05),
             left_foot_index=(ankle[0] + 0.15, ankle[1] - 0.05))
    m = figure(p)
    assert angles.hip_extension(m, "left")[0] == pytest.approx(30, abs=1e-6)
    assert angles.knee_flexion(m, "left")[0] == pytest.approx(30, abs=1e-6)
    assert angles.ankle_plantarflexion(m, "left")[0] == pytest.approx(0, abs=1e-6)
    assert angles.foot_angle(m, "left")[0] == pytest.approx(0, abs=1e-6)
    assert angles.shank_angle(m, "left")[0] == pytest.approx(0, abs=1e-6)


def test_toes_up_landing_is_rearfoot():
    p = lean(0.0)
    p.update(left_heel=(0.3, 0.02), left_foot_index=(0.3 + 0.2 * np.cos(np.radians(15)), 0.02 + 0.2 * np.sin(np.radians(15))))
    a = angles.foot_angle(figure(p), "left")[0]
    assert a == pytest.approx(15, abs=1e-6)
    cut = load_knowledge().cutoffs["foot_strike"]
    assert strike_pattern(a, cut) == "rearfoot" and strike_pattern(3.0, cut) == "midfoot"
    assert strike_pattern(-5, cut) == "forefoot"


def test_strides_from_alternating_contacts():
    ev = pd.DataFrame({"foot": ["left", "right"] * 5, "ic_s": np.arange(10) * 0.35,
                       "to_s": np.arange(10) * 0.35 + 0.22})
    st = build_strides(ev)
    assert len(st) == 8
    assert np.allclose(st.end_s - st.ic_s, 0.7) and np.allclose(st.contra_ic_s - st.ic_s, 0.35)
    # a missed contact of the other foot removes the strides around it, never guesses
    assert len(build_strides(ev.drop(index=5))) == 5  # the 3 strides that needed it are dropped


def test_summary_asymmetry_and_trend():
    df = pd.DataFrame({"foot": ["left", "right"] * 9, "ic_s": np.arange(18) * 0.35,
                       "ground_contact_ms": [200.0, 220.0] * 9})
    s = summarise_metric(df, "ground_contact_ms", positive=True)
    assert s["left"]["median"] == 200 and s["right"]["median"] == 220
    assert s["asymmetry_diff"] == -20 and s["asymmetry_pct"] == pytest.approx(100 * 20 / 210, abs=0.01)
    assert s["median"] == 210 and s["n"] == 18 and s["trend"]["change"] == 0


def test_leg_swap_correction_on_crossing_legs():
    t = np.arange(120) / 60
    names = ["left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
             "left_foot_index", "right_foot_index"]
    phase = 2 * np.pi * 1.4 * t
    pos = np.zeros((len(t), len(names), 2))
    for j, n in enumerate(names):
        sgn = 1 if n.startswith("left") else -1
        pos[:, j, 0] = 300 * sgn * np.sin(phase) + 10 * j
        pos[:, j, 1] = 500 + 20 * j
    truth = pos.copy()
    swapped = pos.copy()
    for a, b in ((30, 33), (70, 72)):
        for part in ("knee", "ankle", "heel", "foot_index"):
            li, ri = names.index(f"left_{part}"), names.index(f"right_{part}")
            swapped[a:b, [li, ri]] = swapped[a:b, [ri, li]]
    m = make_motion(t, swapped, np.ones(swapped.shape[:2]), names, source="test", space_unit="px")
    fixed, n = fix_leg_swaps(m)
    assert n == 5
    assert np.allclose(fixed["position"].values, truth)


def test_gap_filling_and_zero_lag_filter():
    t = np.arange(300) / 60
    y = np.sin(2 * np.pi * 1.5 * t)
    pos = np.stack([y, y], axis=-1)[:, None, :]
    pos[100:105] = np.nan  # 83 ms gap: filled
    pos[200:230] = np.nan  # 0.5 s gap: left missing
    m = make_motion(t, pos, np.ones((300, 1)), ["x"], source="test", space_unit="m")
    f = fill_gaps(m, 0.15)
    v = f["position"].values[:, 0, 0]
    assert np.isfinite(v[100:105]).all() and np.isnan(v[200:230]).all()
    lp, cutoff = lowpass(f, 8.0)
    w = lp["position"].values[:, 0, 0]
    # a 1.5 Hz signal passes an 8 Hz zero-lag filter unchanged in phase and amplitude
    assert np.nanmax(np.abs(w[20:90] - np.sin(2 * np.pi * 1.5 * t[20:90]))) < 0.01


def test_variable_frame_rate_is_resampled_to_a_uniform_grid():
    t = np.cumsum(np.r_[0, np.where(np.arange(199) % 2, 1 / 50, 1 / 70)])
    pos = np.stack([t, t], axis=-1)[:, None, :]
    m = resample_uniform(make_motion(t, pos, np.ones((200, 1)), ["x"], source="t", space_unit="m"))
    d = np.diff(m["time"].values)
    assert np.allclose(d, d[0]) and np.allclose(m["position"].values[:, 0, 0], m["time"].values)


@pytest.mark.parametrize("text,mps", [("3.2", 3.2), ("12kmh", 12 / 3.6), ("12 km/h", 12 / 3.6),
                                      ("7.5mph", 7.5 * 0.44704), ("5:00/km", 1000 / 300), ("3m/s", 3.0)])
def test_speed_parsing(text, mps):
    assert parse_speed(text) == pytest.approx(mps)


def test_settings_refuse_nonsense():
    with pytest.raises(UsageError, match="centimetres"):
        Settings(height_m=178)
    with pytest.raises(UsageError):
        parse_speed("40kmh/h")
    with pytest.raises(UsageError, match="outside"):
        parse_speed("50")


def test_user_reference_file_overrides_the_knowledge_base(tmp_path):
    p = tmp_path / "refs.toml"
    p.write_text('[references.trunk_lean_deg]\nlow = 5\nhigh = 12\n')
    kb = load_knowledge(overrides=p)
    assert kb.references["trunk_lean_deg"]["low"] == 5 and "refs.toml" in kb.references["trunk_lean_deg"]["source"]
    p.write_text('[references.not_a_metric]\nlow = 1\n')
    with pytest.raises(UsageError, match="unknown metric"):
        load_knowledge(overrides=p)


def test_every_knowledge_entry_has_a_source():
    kb = load_knowledge()
    for name, ref in kb.references.items():
        assert ref.get("source") in kb.sources, name
    for f in kb.faults:
        assert f["sources"] and all(s in kb.sources for s in f["sources"])
        assert all(d in kb.drills for d in f["drills"])
    for d in kb.drills.values():
        assert all(s in kb.sources for s in d["sources"])
    for name, cut in kb.cutoffs.items():
        named = cut.get("sources") or [cut.get("source")]
        assert named and all(s in kb.sources for s in named), name
    for name, rng in {**kb.plausible, **kb.body}.items():
        assert rng.get("source") in kb.sources, name


def _golden_report(case: str) -> tuple[dict, str]:
    import json
    from pathlib import Path

    from runform.outputs.write import render_report

    summary = json.loads((Path(__file__).parents[1] / "golden" / case / "summary.json").read_text())
    return summary, render_report(summary, load_knowledge(), [], "")


def test_a_long_run_report_plots_its_drift_and_lists_only_its_own_settings():
    """The 25-minute hip recording: a chart per per-minute metric, a dot per minute, its running
    bouts shaded; the headline scorecard first; no video setting among a sensor's."""
    import re

    summary, html = _golden_report("sensor_adept_hip")
    charts = re.findall(r'<figure class="chart" data-metric="(\w+)".*?</figure>', html, re.S)
    assert charts == ["cadence_spm", "ground_contact_ms", "vertical_oscillation_cm", "braking_peak_g"]
    cadence = re.search(r'<figure class="chart" data-metric="cadence_spm".*?</figure>', html, re.S).group(0)
    assert cadence.count("<circle") == len(summary["per_minute"]) == 22  # two minutes without running
    assert cadence.count("running bout") == len(summary["bouts"]) == 9
    assert html.index('id="scorecard"') < html.index('id="findings"')
    about = html[html.index('id="about"'):]
    assert "speed 3.00 m/s" in about and "annotated" not in about and "true vertical" not in about  # a video's settings
    assert "=" not in about.split("Settings:")[1].split("</p>")[0]  # in words, not a key=value dump


def test_a_video_report_has_its_scorecard_and_no_repository_path():
    import re

    summary, html = _golden_report("video_sample")
    cards = re.findall(r'<div class="card (\w*)" data-metric="(\w+)"', html)
    assert [m for _, m in cards][:2] == ["trunk_lean_deg", "cadence_spm"]
    assert ("below", "knee_flexion_ic_deg") in cards
    assert "height 1.75 m, speed 3.00 m/s (10.8 km/h)" in html and "docs/" not in html


def test_the_pose_store_keeps_the_newest_poses_and_only_removes_its_own(tmp_path, monkeypatch):
    import os

    import numpy as np

    from runform.sources.video import pose_cache

    monkeypatch.setenv(pose_cache.STORE_ENV, "off")
    assert pose_cache.pose_store() is None
    monkeypatch.setenv(pose_cache.STORE_ENV, str(tmp_path))
    assert pose_cache.pose_store() == tmp_path
    pose = pose_cache.Pose(np.arange(50.0), np.random.default_rng(0).normal(size=(50, 33, 4)).astype(np.float32),
                           np.ones(50), np.arange(50) % 3 == 1)
    for i in range(4):
        pose_cache.save_pose(tmp_path, f"pose-{i}.npz", pose)
        os.utime(tmp_path / f"pose-{i}.npz", (1000 + i, 1000 + i))
    (tmp_path / "notes.npz").write_bytes(b"the user's own")
    size = (tmp_path / "pose-0.npz").stat().st_size
    pose_cache._trim(tmp_path, 2 * size)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.npz", "pose-2.npz", "pose-3.npz"]
    got = pose_cache._read(tmp_path, "pose-2.npz")
    assert got._fields == pose._fields and all(np.array_equal(a, b) for a, b in zip(got, pose))
    (tmp_path / "pose-9.npz").write_bytes(b"cut off")  # a damaged pose is made again, not an error
    assert pose_cache._read(tmp_path, "pose-9.npz") is None


def test_messages_name_settings_not_command_line_options():
    """No text in the engine, the sources or the outputs names a command-line option (a message
    names a setting with words.opt, and each front end says it in its own words); the browser's
    words name no option either, and every setting reads in both."""
    import ast
    import re
    from pathlib import Path

    from runform import words

    option = re.compile(r"(?<![\w-])--[a-z]")
    others = ("openpose --write_json", "--model_pose")  # OpenPose's own options, which its users run
    src = Path(__file__).parents[2] / "src" / "runform"
    found = []
    for folder in ("engine", "sources", "outputs"):
        for path in (src / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and option.search(node.value):
                    if not any(o in node.value for o in others):
                        found.append(f"{path.relative_to(src)}:{node.lineno}: {node.value[:60]!r}")
    assert found == []
    for name, (cli, browser) in words.SETTINGS.items():
        said = words.say(f"give {words.opt(name, 3)}", "browser")
        assert cli.startswith("--") and not option.search(said) and "⟦" not in said and "3" in said, name
        assert words.say(f"give {words.opt(name, 3)}") == f"give {cli} 3"


def test_the_registry_routes_every_kind_and_refuses_another_kinds_options(tmp_path):
    """Each entry's adapter loads; each option has its words; options or strict settings given
    for another kind are refused (naming both kinds) before any work; a setting no entry claims
    applies to every kind."""
    from dataclasses import fields

    from runform.pipeline import run, settings_for
    from runform.sources.lab.options import LabOptions
    from runform.sources.registry import SOURCES, _load, applies, option_types
    from runform.sources.sensor.options import SensorOptions
    from runform.words import SETTINGS

    for source in SOURCES.values():
        assert callable(_load(source.adapter)), source.kind
        assert set(source.strict) <= set(source.settings) <= {f.name for f in fields(Settings)}, source.kind
    for kind in option_types():
        assert all(f.metadata["setting"] in SETTINGS for f in fields(kind)), kind
    sample = Path(__file__).parents[2] / "src/runform/samples/treadmill_side.mp4"
    with pytest.raises(UsageError, match=r"--rate and --standing apply to a sensor recording .*is a video"):
        run(sample, Settings(), [LabOptions(), SensorOptions(rate_hz=100.0, standing_s=(0, 5))])
    with pytest.raises(UsageError, match=r"--fps applies to a folder of pose keypoints"):
        run(sample, Settings(fps=30.0))
    table = tmp_path / "run.csv"
    table.write_text("time,acc_x,acc_y,acc_z\n" + "".join(f"{i / 100},0,0,1\n" for i in range(50)))
    with pytest.raises(UsageError, match=r"--forces applies to a lab motion-capture trial"):
        run(table, Settings(), LabOptions(forces=tmp_path / "f.mot"))
    with pytest.raises(UsageError, match=r"--slowmo applies to a video"):
        run(table, Settings(slowmo=4.0))
    assert settings_for(sample, Settings(fps=30.0, slowmo=4.0)) == Settings(slowmo=4.0)
    assert applies("columns", "imu") and not applies("columns", "video") and not applies("height_m", "imu")
    assert applies("speed_mps", "imu") and applies("fps", "keypoints") and not applies("fps", "mocap")
