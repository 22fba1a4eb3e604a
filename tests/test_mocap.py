"""Lab motion capture as a source (C3D, TRC, marker tables) and `runform validate`.

Targets from the lab-capture issue, on the trials in shared/data/mocap:
kinematic IC <= 10 ms and TO <= 15 ms (median |error|) against force plates,
contact time <= 15 ms, cadence within 0.5 steps/min; the foot-strike angle within
4 deg of its marker definition, with its pattern, on every trial-side; virtual side
camera IC <= 15 ms and trunk lean within 2 deg of 3D; a 30 s, 150 Hz trial analysed in under 3 s.
"""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import MOCAP_DIR, run_cli

HAMNER = MOCAP_DIR / "hamner2013" / "subject01"
FUKUCHI = MOCAP_DIR / "fukuchi_rbds"


def test_kinematic_events_on_markers_against_force_plates(validation):
    s = validation["summary"]
    assert s["n_trials"] >= 12
    assert s["ic_3d_ms"]["n"] >= 300 and s["ic_3d_ms"]["median"] <= 10
    assert s["to_3d_ms"]["n"] >= 90 and s["to_3d_ms"]["median"] <= 15
    assert s["contact_3d_ms"]["median"] <= 15
    assert s["cadence_spm"]["median_abs_error"] <= 0.5


def test_virtual_side_camera_against_3d(validation):
    s = validation["summary"]
    assert s["ic_2d_ms"]["median"] <= 15
    assert s["trunk_lean_deg_2d_vs_3d"]["n_trials"] >= 8
    assert s["trunk_lean_deg_2d_vs_3d"]["median_abs_error"] <= 2


def test_foot_strike_against_its_marker_definition(validation):
    """Every trial with plates and a static trial, rearfoot (Hamner, RBDS0041), midfoot and
    forefoot (RBDS001, Dorn) strikers: the angle within 4 deg of heel->toe against the floor at
    the plate contact relative to standing, and the pattern the definition's on each side."""
    f = validation["summary"]["foot_strike"]
    rows = validation["foot_strike"]
    assert f["trial_sides"] >= 24 and {r["definition"] for r in rows} == {"rearfoot", "midfoot", "forefoot"}
    assert f["worst_median_abs_err_deg"] <= 4 and f["worst_abs_err_deg"] <= 4
    assert f["pattern_agrees"] == f["trial_sides"]
    assert f["visual_labelled"] >= 4  # RBDSinfo's labels are reported beside it (docs/validation.md)


def test_swapped_metatarsal_labels_are_put_back():
    """RBDS001's running trials carry R.MT1 on the fifth metatarsal head and R.MT5 on the first
    (the static trial has them right); read as labelled, the right forefoot turns over by 10 deg."""
    from runform.sources.lab.trial import load_lab_trial

    tr = load_lab_trial(FUKUCHI / "RBDS001runT25markers.txt")
    assert any("R.MT1 and R.MT5 are labelled the other way round in the running trial" in n for n in tr.notes)
    assert not any("L.MT1" in n or "static trial" in n for n in tr.notes)
    kp = tr.keypoints
    midline = 0.5 * (kp["right_heel"][:, 2] + kp["left_heel"][:, 2])
    assert (abs(kp["right_forefoot1"][:, 2] - midline) < abs(kp["right_forefoot2"][:, 2] - midline)).mean() > 0.9


def test_30s_150hz_trial_speed_is_reported(validation):
    t = validation["summary"]["analysis_30s_150hz_s"]
    assert t["trial"] == "RBDS001runT35.c3d" and t["seconds"] > 0


def _analyze(tmp_path, *args):
    out = tmp_path / "out"
    res = run_cli("analyze", *map(str, args), "--out", str(out))
    return res, out


def test_c3d_with_force_plates_gives_the_video_outputs(tmp_path):
    res, out = _analyze(tmp_path, FUKUCHI / "RBDS001runT35.c3d")
    assert res.returncode == 0, res.stderr
    for f in ("summary.json", "strides.csv", "frames.csv", "report.html"):
        assert (out / f).is_file()
    s = json.loads((out / "summary.json").read_text())
    assert s["source"]["type"] == "mocap" and s["source"]["static"] == "RBDS001static.c3d"
    assert s["scene"]["events_source"].startswith("force plates")
    # treadmill at 3.5 m/s: belt speed read from the markers
    assert s["scene"]["treadmill"] and abs(s["scene"]["running_speed_mps"] - 3.5) <= 0.2
    m = s["metrics"]
    for name in ("cadence_spm", "ground_contact_ms", "overstride_pct_leg", "knee_flexion_ic_deg",
                 "pelvic_tilt_deg", "pelvic_rotation_rom_deg", "pelvic_obliquity_rom_deg", "pelvic_drop_deg"):
        assert m[name]["n"] > 30 and m[name]["median"] is not None, name
    # the foot's long axis lands flat (RBDSinfo's eye calls it forefoot: the lateral forefoot touches
    # first, docs/validation.md); Altman & Davis's cut-offs make it midfoot
    assert abs(m["foot_strike_angle_deg"]["median"]) <= 2.5 and s["foot_strike"]["pattern"] == "midfoot"


def test_trc_with_opensim_forces_and_trunk(tmp_path):
    res, out = _analyze(tmp_path, HAMNER / "expData_Run_3.trc")
    assert res.returncode == 0, res.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["source"]["forces"] == "expData_Run_3_grf.mot"
    # the data set's own sanity check: ~167 steps/min at 3 m/s for subject 1 (MANIFEST)
    assert abs(s["metrics"]["cadence_spm"]["median"] - 167) <= 2
    assert 0 < s["metrics"]["trunk_lean_deg"]["median"] < 15
    html = (out / "report.html").read_text()
    assert html.count('src="data:image/jpeg;base64,') == 6 and "Pelvic rotation" in html


def test_overground_c3d_uses_plates_and_measures_speed(tmp_path):
    res, out = _analyze(tmp_path, MOCAP_DIR / "dorn2012" / "JA1Gait21_run3.5ms.c3d")
    assert res.returncode == 0, res.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["scene"]["treadmill"] is False and abs(s["scene"]["running_speed_mps"] - 3.5) <= 0.2
    assert s["scene"]["up_axis_lab"] == [0.0, 0.0, 1.0]  # Z up in this lab, Y up in the others


def test_no_force_data_falls_back_to_kinematic_events(tmp_path):
    res, out = _analyze(tmp_path, MOCAP_DIR / "ric_running" / "20140515T133244_run.c3d")
    assert res.returncode == 0, res.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["scene"]["events_source"].startswith("kinematic")
    assert any("No usable force-plate data" in w for w in s["warnings"])
    assert 150 <= s["metrics"]["cadence_spm"]["median"] <= 200
    assert s["metrics"]["pelvic_rotation_rom_deg"]["median"] > 0  # pelvis from the cluster + static


def test_without_static_trial_tilt_is_not_judged(tmp_path):
    shutil.copy(MOCAP_DIR / "dorn2012" / "JA1Gait21_run3.5ms.c3d", tmp_path / "trial.c3d")
    res, out = _analyze(tmp_path, tmp_path / "trial.c3d")
    assert res.returncode == 0, res.stderr
    s = json.loads((out / "summary.json").read_text())
    assert "pelvic_tilt_deg" not in s["metrics"] and "pelvic_tilt_lab_deg" in s["metrics"]
    assert any("No static trial" in w for w in s["warnings"])
    assert any("from the RLEPI marker alone" in w for w in s["warnings"])


def test_joint_centres_that_need_the_static_trial_are_explained(tmp_path):
    shutil.copy(FUKUCHI / "RBDS001runT35.c3d", tmp_path / "trial.c3d")
    res, out = _analyze(tmp_path, tmp_path / "trial.c3d")
    assert res.returncode == 5 and not out.exists()
    assert "R.Ankle, R.Ankle.Medial missing" in res.stderr and "--static" in res.stderr


def _rename_trc(src, dst, rename):
    lines = src.read_text().splitlines()
    for old, new in rename.items():
        lines[3] = lines[3].replace(f"\t{old}\t", f"\t{new}\t")
    dst.write_text("\n".join(lines) + "\n")


def test_unknown_markers_are_listed_and_a_mapping_file_fixes_it(tmp_path):
    src = HAMNER / "expData_Run_3.trc"
    names = src.read_text().splitlines()[3].split("\t")[2:]
    rename = {n.strip(): "X_" + n.strip() for n in names if n.strip()}
    _rename_trc(src, tmp_path / "run.trc", rename)
    res, _ = _analyze(tmp_path, tmp_path / "run.trc")
    assert res.returncode == 3
    assert "does not know this marker set" in res.stderr and "X_RASI" in res.stderr and "--markers" in res.stderr
    mapping = tmp_path / "map.yaml"
    mapping.write_text('sides: {right: X_R, left: X_L}\n'
                       'markers: {asis: "{s}ASI", psis: "{s}PSI", heel: "{s}CAL", toe: "{s}TOE", shoulder: "{s}ACR"}\n'
                       'clusters: {thigh: ["{s}TH1", "{s}TH2", "{s}TH3"], shank: ["{s}TB1", "{s}TB2", "{s}TB3"]}\n')
    res, _ = _analyze(tmp_path, tmp_path / "run.trc", "--markers", mapping)
    assert res.returncode == 5 and "the marker set names no ankle markers" in res.stderr
    mapping.write_text(mapping.read_text() +
                       'joints: {knee: {markers: ["{s}LFC", "{s}MFC"], cluster: thigh},'
                       ' ankle: {markers: ["{s}LMAL", "{s}MMAL"], cluster: shank}}\n')
    static_names = (HAMNER / "model_static.trc").read_text().splitlines()[3].split("\t")[2:]
    _rename_trc(HAMNER / "model_static.trc", tmp_path / "standing.trc",
                {n.strip(): "X_" + n.strip() for n in static_names if n.strip()})
    shutil.copy(HAMNER / "expData_Run_3_grf.mot", tmp_path / "run_grf.mot")
    res, out = _analyze(tmp_path, tmp_path / "run.trc", "--markers", mapping, "--static", tmp_path / "standing.trc")
    assert res.returncode == 0, res.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["scene"]["events_source"].startswith("force plates")
    assert abs(s["metrics"]["cadence_spm"]["median"] - 167) <= 2


def test_missing_markers_name_the_lost_metrics(tmp_path):
    src = HAMNER / "expData_Run_3.trc"
    _rename_trc(src, tmp_path / "run.trc", {"RACR": "R_unused", "LACR": "L_unused"})
    shutil.copy(HAMNER / "expData_Run_3_grf.mot", tmp_path / "run_grf.mot")
    res, out = _analyze(tmp_path, tmp_path / "run.trc", "--static", HAMNER / "model_static.trc")
    assert res.returncode == 0, res.stderr
    s = json.loads((out / "summary.json").read_text())
    assert any("shoulder" in w and "trunk lean" in w for w in s["warnings"])
    assert "trunk_lean_deg" not in s["metrics"] and s["metrics"]["cadence_spm"]["median"] > 150


@pytest.mark.parametrize("name,data", [("cut.c3d", None), ("bad.trc", b"PathFileType\t4\t(X/Y/Z)\nnonsense\n"),
                                       ("empty.c3d", b"")])
def test_corrupt_lab_files_get_a_message(tmp_path, name, data):
    f = tmp_path / name
    if data is None:
        f.write_bytes((FUKUCHI / "RBDS001runT35.c3d").read_bytes()[:5000])
    else:
        f.write_bytes(data)
    res, out = _analyze(tmp_path, f)
    assert res.returncode == 3, (res.returncode, res.stderr)
    assert "Traceback" not in res.stderr and name in res.stderr
    assert not out.exists()


def test_lab_options_on_a_video_are_refused(tmp_path):
    from conftest import SAMPLE

    res, _ = _analyze(tmp_path, SAMPLE, "--static", FUKUCHI / "RBDS001static.c3d")
    assert res.returncode == 2 and "lab motion-capture" in res.stderr
