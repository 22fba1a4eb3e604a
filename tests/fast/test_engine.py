"""Analytic tests of the engine and the sources' pure parts: no recording, no ../shared, under a
minute. A stick figure leaning 8 deg gives 8 deg; a pelvis turning +/-10 deg gives a 20 deg range;
the algorithm classes keep one contract; the content sniff, the stride builder, the progress
stages and the knowledge base overrides."""

from __future__ import annotations

import ast
import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from runform.engine.algorithm import Algorithm
from runform.engine.assess.knowledge import load_knowledge
from runform.engine.contacts import ContactDetector
from runform.engine.dataset import make_motion
from runform.engine.metrics.pelvis import pelvis_stride_metrics
from runform.engine.strides import build_strides
from runform.errors import NotAnalysableError, UsageError
from runform.progress import STAGES, fraction, stage
from runform.sources.sensor.events import SacralEventDetector
from runform.sources.sniff import sniff, source_kind
from runform.sources.video.upright import turn_points, upright_turns

SRC = Path(__file__).resolve().parents[2] / "src" / "runform"
RATE = 200.0


def test_turn_points_matches_numpy_rot90():
    img = np.zeros((4, 6))  # height 4, width 6
    img[1, 5] = 1  # pixel centre at x = 5.5, y = 1.5
    for k in range(4):
        pts, w, h = turn_points(np.array([[5.5, 1.5]]), k, 6, 4)
        turned = np.rot90(img, -k)
        assert turned.shape == (h, w)
        y, x = np.argwhere(turned == 1)[0]
        assert np.allclose(pts[0], [x + 0.5, y + 0.5])


def test_orientation_needs_clear_evidence():
    rng = np.random.default_rng(0)
    assert upright_turns(rng.normal(8, 5, 300)) == 0
    assert upright_turns(rng.normal(-95, 5, 300)) == 1  # body points image-left: one clockwise turn
    assert upright_turns(rng.normal(178, 5, 300)) == 2
    with pytest.raises(NotAnalysableError, match="not upright"):
        upright_turns(rng.uniform(-180, 180, 300))


def test_fault_overrides_name_their_condition(tmp_path):
    toml = tmp_path / "t.toml"
    toml.write_text("[faults.overstriding]\nshank_angle_ic_deg = 4\n")
    conds = next(f for f in load_knowledge(overrides=toml).faults if f["id"] == "overstriding")["any"]
    assert conds[0] == {"metric": "overstride_pct_leg", "op": ">", "ref": "high"}
    assert conds[1] == {"metric": "shank_angle_ic_deg", "op": ">", "value": 4.0}
    base = next(f for f in load_knowledge().faults if f["id"] == "overstriding")["any"]
    assert base[1] == {"metric": "shank_angle_ic_deg", "op": ">", "ref": "high"}  # the base is not changed
    for text, word in (("[faults.nope]\nvalue = 1\n", "unknown fault"),
                       ("[faults.overstriding]\nknee = 1\n", "not a number"),
                       ("[faults.upright_posture]\nvalue = 'low'\n", "not a number")):
        toml.write_text(text)
        with pytest.raises(UsageError, match=word):
            load_knowledge(overrides=toml)


def _steps(n: int = 12, step_s: float = 0.36, contact_s: float = 0.22, feet=("left", "right")) -> pd.DataFrame:
    ic = np.arange(n) * step_s
    return pd.DataFrame({"foot": [feet[k % len(feet)] for k in range(n)], "ic_s": ic, "to_s": ic + contact_s})


def test_one_stride_builder_for_known_and_unknown_feet():
    known = build_strides(_steps())
    assert len(known) == 10 and (known.end_s - known.ic_s).round(6).eq(0.72).all()
    assert (known.contra_ic_s - known.ic_s).round(6).eq(0.36).all()
    unknown = build_strides(_steps(feet=("unknown",)), step_period_s=0.36)
    assert len(unknown) == 10 and unknown.foot.eq("unknown").all()
    gap = _steps().drop(index=5)  # a missed contact: the strides across it are dropped, not guessed
    assert len(build_strides(gap)) == 7
    irregular = _steps(feet=("unknown",))
    irregular.loc[6:, ["ic_s", "to_s"]] += 0.3  # one long step: its two strides fail the period check
    assert len(build_strides(irregular, step_period_s=0.36)) == 8


def test_pelvis_turning_plus_minus_10_deg_has_a_20_deg_range():
    t = np.arange(0, 7.2, 1 / RATE)
    stride = 0.72
    angles = {"tilt": 5 + 2 * np.sin(2 * np.pi * 2 * t / stride), "obliquity": 4 * np.sin(2 * np.pi * t / stride),
              "rotation": 10 * np.sin(2 * np.pi * t / stride)}
    strides = build_strides(_steps(n=20, step_s=stride / 2))
    out = pelvis_stride_metrics(t, angles, strides, {"tilt": 0.0, "obliquity": 0.0})
    # the heading-drift line runs between the stride's first and last samples: at 200 Hz they lie
    # up to one sample inside the stride, which moves the range by at most 0.25 deg
    assert np.allclose(out["pelvic_rotation_rom_deg"], 20.0, atol=0.25)
    assert np.allclose(out["pelvic_obliquity_rom_deg"], 8.0, atol=0.05)
    assert np.allclose(out["pelvic_tilt_rom_deg"], 4.0, atol=0.05)


def _sacral_signal(seconds: float = 12.0, step_s: float = 0.36, contact_s: float = 0.22):
    """Vertical specific force of a runner: a half-sine of 2.5 g in each contact, 0 g in flight."""
    t = np.arange(0, seconds, 1 / RATE)
    phase = np.mod(t, step_s)
    return t, np.where(phase < contact_s, 2.5 * np.sin(np.pi * phase / contact_s), 0.0)


def _running_figure(seconds: float = 6.0, stride_s: float = 0.72, leg: float = 0.86):
    """Sagittal keypoints of a figure whose feet swing ahead of the hip and rest on the floor."""
    t = np.arange(0, seconds, 1 / 60)
    names = ["left_hip", "right_hip"] + [f"{s}_{p}" for s in ("left", "right") for p in ("ankle", "heel", "foot_index")]
    pos = np.zeros((len(t), len(names), 2))
    pos[:, :2] = [0.0, leg]
    for k, side in enumerate(("left", "right")):
        ph = 2 * np.pi * (t / stride_s + 0.5 * k)
        x = 0.35 * leg * np.sin(ph)
        y = np.maximum(0.0, 0.12 * leg * np.cos(ph))
        for j, (dx, dy) in enumerate(((0.0, 0.08), (-0.05, 0.02), (0.15, 0.0))):
            pos[:, 2 + 3 * k + j] = np.stack([x + dx, y + dy], 1)
    return make_motion(t, pos, np.ones(pos.shape[:2]), names, source="test", space_unit="m", vertical_up=True)


ALGORITHMS = {ContactDetector: lambda d: d.detect(_running_figure(), 0.86),
              SacralEventDetector: lambda d: d.detect(*_sacral_signal())}


def test_every_algorithm_class_is_covered_here():
    import importlib
    import pkgutil

    import runform

    for m in pkgutil.walk_packages(runform.__path__, "runform."):
        if "migrations" not in m.name and "app." not in m.name:
            importlib.import_module(m.name)
    assert set(Algorithm.__subclasses__()) == set(ALGORITHMS)


@pytest.mark.parametrize("cls", list(ALGORITHMS), ids=lambda c: c.__name__)
def test_algorithm_contract(cls):
    import inspect

    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert all(p.kind is p.KEYWORD_ONLY and p.default is not p.empty for p in params), "keyword-only, defaulted"
    det = cls()
    assert det.get_params() == {p.name: p.default for p in params}
    assert not [a for a in vars(det) if a.endswith("_")], "no results before the action"
    import sys

    documented = (cls.__doc__ or "") + (sys.modules[cls.__module__].__doc__ or "")
    assert not [p.name for p in params if f"``{p.name}``" not in documented], "every parameter documented"
    assert ALGORITHMS[cls](det) is det, "the action returns self"
    results = [a for a in vars(det) if a.endswith("_")]
    assert "events_" in results and len(det.events_) >= 10, results


def test_sniff_reads_the_content_not_the_name(tmp_path):
    video = tmp_path / "run.csv"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(100))
    assert sniff(video) == ("video", ".mp4") and source_kind(video) == "video"
    table = tmp_path / "sensor.txt"
    table.write_text("time,acc_x,acc_y,acc_z\n" + "".join(f"{i / 100},0,1,0\n" for i in range(50)))
    assert sniff(table) == ("imu", ".csv")
    packed = tmp_path / "sensor.bin"
    packed.write_bytes(gzip.compress(table.read_bytes()))
    assert sniff(packed) == ("imu", ".csv.gz")
    markers = tmp_path / "m.dat"
    markers.write_text("Time\t" + "\t".join(f"M{k}{a}" for k in range(3) for a in "XYZ") + "\n0\t" + "\t".join("1" * 9))
    assert sniff(markers) == ("lab", ".txt")
    notes = tmp_path / "notes.csv"
    notes.write_text("athlete,comment\nana,felt good\n")
    assert sniff(notes) is None and source_kind(notes) == "imu"  # the sensor loader names what it lacks


def test_progress_stages_in_order_and_fractions_rise():
    heard = []
    tick = stage(lambda *a: heard.append(a), "pose", 4)
    for _ in range(4):
        tick(1)
    assert heard == [("pose", 0, 4), ("pose", 1, 4), ("pose", 2, 4), ("pose", 3, 4), ("pose", 4, 4)]
    points = [fraction(n, d, 10) for n in STAGES for d in (0, 5, 10)]
    assert points == sorted(points) and points[0] == 0.0 and abs(points[-1] - 1.0) < 1e-9


def test_no_function_in_src_is_over_60_lines():
    long = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 60:
                long.append(f"{path.relative_to(SRC)}:{node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert not long, long


def _damped_peak(motion, side: str, t0: float, stride_s: float = 0.72, leg: float = 0.86, bump_leg: float = 0.11):
    """The figure with one of ``side``'s reach peaks (trough at ``t0`` to the next) flattened to a
    bump of ``bump_leg`` leg lengths: below the first pass's prominence, above the second look's."""
    pos = motion["position"].values.copy()
    t = motion["time"].values
    w = (t >= t0) & (t < t0 + stride_s)
    bump = -0.35 * leg + bump_leg * leg * (1 - np.cos(2 * np.pi * (t[w] - t0) / stride_s)) / 2
    for j, name in enumerate(motion["keypoint"].values):
        if name.startswith(side) and not name.endswith("hip"):
            dx = {"ankle": 0.0, "heel": -0.05, "foot_index": 0.15}[name.split("_", 1)[1]]
            pos[w, j, 0] = bump + dx
    return motion.copy(data={"position": pos, "confidence": motion["confidence"].values})


def test_a_missing_alternate_contact_gets_a_second_look():
    """Feet alternate: a right landing with too small a reach peak, between two left ones, is found
    by the looser search, and the strides around it are kept."""
    figure = _damped_peak(_running_figure(), "right", t0=0.18 + 3 * 0.72)  # from a trough of the right reach
    strict = ContactDetector(second_look_prominence=1.0).detect(figure, 0.86)
    looser = ContactDetector().detect(figure, 0.86)
    assert len(looser.contacts_) == len(strict.contacts_) + 1
    found = looser.contacts_[looser.contacts_.found == "second look"]
    assert list(found.foot) == ["right"] and 2.1 < float(found.ic_s.iloc[0]) < 2.9, found
    assert len(build_strides(looser.events_)) > len(build_strides(strict.events_))


def test_contact_timeline_says_why_each_step_was_not_used():
    from runform.engine.timeline import contact_timeline, timeline_counts

    c = _steps(n=20).assign(foot_confidence=0.9)
    c.loc[8, "foot_confidence"] = 0.3  # a foot the pose model was unsure of
    c = c.drop(index=[12, 13])  # two steps nobody detected
    c.loc[19, "to_s"] = np.nan  # the clip ends before this toe-off
    events = c[np.isfinite(c.to_s) & (c.foot_confidence >= 0.5)]
    strides = build_strides(events)
    t = np.arange(0, 7.3, 1 / 60)
    seen = np.where((t > 4.0) & (t < 5.0), 0.2, 0.9)  # the feet unclear where the two steps were missed
    tl = contact_timeline(c, strides, (t, seen), end_s=7.2, min_confidence=0.5, max_contact_s=0.6)
    why = dict(zip(tl.ic_s.round(2), tl.reason))
    assert why[round(8 * 0.36, 2)].startswith("foot not clearly seen (keypoint confidence 0.30)")
    assert why[round(19 * 0.36, 2)] == "clip edge: toe-off after the end"
    missed = tl[tl.status == "missed"]
    assert list(missed.foot) == ["left", "right"] and np.allclose(missed.ic_s, [12 * 0.36, 13 * 0.36])
    assert missed.reason.str.startswith("feet hidden or unclear").all()
    counts = timeline_counts(tl)
    assert counts["steps"] == 20 and counts["missed"] == 2 and counts["used"] + counts["excluded"] == 18
    assert counts["used"] == 16 and counts["not_used_pct"] == 20.0  # 8, 12, 13 and 19


def test_quality_is_lowered_when_more_than_a_fifth_of_the_steps_are_not_used():
    from runform.engine.analysis import _quality

    kb = load_knowledge()
    strides = pd.DataFrame({"stride_time_ms": np.full(20, 720.0), "keypoint_confidence": 0.9})
    steps = {"steps": 40, "used": 30, "excluded": 6, "missed": 4, "not_used_pct": 25.0,
             "reasons": {"not detected, feet hidden or unclear": 4, "foot not clearly seen": 6}}
    warnings: list[str] = []
    good = _quality(strides, [], "", kb.cutoffs["quality"], None)
    lowered = _quality(strides, warnings, "", kb.cutoffs["quality"], steps)
    assert good["level"] == "good" and lowered["level"] == "fair" and lowered["lowered_by_steps"]
    assert "10 of the 40 steps were not used" in lowered["steps_note"] and "foot not clearly seen: 6" in warnings[0]
    few = _quality(strides, [], "", kb.cutoffs["quality"], {**steps, "used": 36, "not_used_pct": 10.0})
    assert few["level"] == "good" and not few.get("lowered_by_steps")


def test_a_finding_is_no_surer_than_its_measurement():
    """Confidence labels from the distance to the threshold in uncertainties: borderline within
    one (with what would settle it), high only at two or more on a good recording, a poor
    recording at most low."""
    from runform.engine.assess.rules import _calibrated

    kb = load_knowledge()
    labels = kb.cutoffs["confidence"]["labels"]

    def summary(level: str, parts: dict) -> dict:
        return {"quality": {"level": level}, "metrics": {"knee_flexion_ic_deg": {"uncertainty_parts": parts}}}

    ev = lambda z: [{"metric": "knee_flexion_ic_deg", "value": 5.0, "threshold": 10.0, "z": z}]  # noqa: E731
    conf, label, settle = _calibrated(0.97, ev(0.66), summary("good", {"measurement": 6, "events": 5}), labels, kb,
                                      "video")
    assert label == "borderline" and conf <= 0.35 and "camera square" in settle
    assert _calibrated(0.97, ev(1.5), summary("good", {}), labels, kb, "video")[1] == "medium"
    assert _calibrated(0.97, ev(2.5), summary("good", {}), labels, kb, "video")[1] == "high"
    assert _calibrated(0.97, ev(2.5), summary("fair", {}), labels, kb, "video")[1] == "medium"
    conf, label, _ = _calibrated(0.97, ev(5.0), summary("poor", {}), labels, kb, "video")
    assert label == "low" and conf <= 0.35
    events = _calibrated(0.97, ev(0.5), summary("good", {"events": 9, "measurement": 2}), labels, kb, "lab")[2]
    assert "force plates" in events


def _soles_for(contacts: pd.DataFrame, fps: float, seconds: float, shift_s: float, contact_s: float,
               leg: float = 0.86, seed: int = 0) -> tuple[dict, list[tuple[str, float, float]]]:
    """Sole depths (leg lengths, down +) at ``fps`` for each foot: a shoe that falls at 1 m/s onto
    the floor ``shift_s`` after each keypoint contact, rests ``contact_s`` with 1 mm of noise and
    rises at 1 m/s; and, for each, (foot, IC, TO) where the sole crosses the detector's contact
    line (``sole_contact_leg`` above the floor: 26 ms before landing, 26 ms after leaving)."""
    rng = np.random.default_rng(seed)
    t = np.arange(0, seconds, 1 / fps)
    soles, truth = {"time": t}, []
    for side in ("left", "right"):
        height = np.full(len(t), 0.3)  # in swing, well above the floor (m)
        for ic in contacts.loc[contacts.foot == side, "ic_s"] + shift_s:
            to = ic + contact_s
            line_s = ContactDetector().sole_contact_leg * leg / 1.0
            truth.append((side, ic - line_s, to + line_s))
            height = np.minimum(height, np.maximum(0.0, 1.0 * np.maximum(ic - t, t - to)))
        noise = rng.normal(0, 0.001, len(t))
        soles[side] = np.stack([-(height + noise), -(height + noise)], 1) / leg
    return soles, truth


@pytest.mark.parametrize("fps", [30.0, 60.0, 240.0])
def test_contacts_are_timed_from_the_soles_to_a_fraction_of_a_frame(fps):
    """With the pixels' sole depths, IC and TO are where the shoe crosses the contact line on its
    way down and up, 40 ms after the keypoints' guess, to within a fifth of a frame (and the noise's 3 ms) at 30-240 fps."""
    figure = _running_figure()
    guess = ContactDetector().detect(figure, 0.86).contacts_
    soles, truth = _soles_for(guess, fps, 6.0, 0.04, 0.25)
    found = ContactDetector().detect(figure, 0.86, soles=soles).contacts_
    timed = found[found.timed_by == "pixels"]
    assert len(timed) >= len(guess) - 2
    for foot, ic, to in truth:
        row = timed[(timed.foot == foot) & (np.abs(timed.ic_s - ic) < 0.05)]
        if len(row):
            assert abs(float(row.ic_s.iloc[0]) - ic) < 0.2 / fps + 0.003, (foot, ic, row)
            assert abs(float(row.to_s.iloc[0]) - to) < 0.2 / fps + 0.003, (foot, to, row)


def test_a_sole_hidden_for_one_frame_or_not_seen_landing():
    """A sole hidden for one frame mid-stance (the other leg passing) does not end the contact;
    one not seen landing keeps the keypoints' IC and says so."""
    figure = _running_figure()
    guess = ContactDetector().detect(figure, 0.86).contacts_
    soles, truth = _soles_for(guess, 30.0, 6.0, 0.04, 0.25)
    t = soles["time"]
    foot, ic, to = truth[2]
    soles[foot][np.argmin(np.abs(t - (to - 0.06))), :] -= 0.1  # one frame: the sole looks 8.6 cm up
    other, ic2, _ = next(x for x in truth if x[0] != foot and x[1] > to)
    lost = np.flatnonzero((t > ic2 - 0.2) & (t < ic2 + 0.02))
    soles[other][lost] = np.nan
    found = ContactDetector().detect(figure, 0.86, soles=soles).contacts_
    hidden = found[(found.foot == foot) & (np.abs(found.ic_s - ic) < 0.05)].iloc[0]
    assert hidden.timed_by == "pixels" and abs(hidden.to_s - to) < 0.01, hidden
    unseen = found[(found.foot == other) & (np.abs(found.ic_s - ic2) < 0.1)].iloc[0]
    line_s = ContactDetector().sole_contact_leg * 0.86
    assert unseen.timed_by == "pixels and keypoints" and abs(unseen.ic_s - (ic2 + line_s - 0.04)) < 1e-9, unseen
