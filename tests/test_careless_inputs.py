"""Careless inputs, round 3 (issue 27): each case as a careless user meets it, through the real CLI.

A refusal leaves the user's files byte for byte as they were; no case ends in exit 1 (an
internal error); each message says what is wrong and what to do, with the user's names whole.
The lab trial stands in where the analysis itself does not matter (it takes a second).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import MOCAP_DIR, SAMPLE, SHARED, run_cli

from runform.errors import UsageError
from runform.outputs.folder import PartialFolder

TRIAL = MOCAP_DIR / "dorn2012" / "JA1Gait21_run3.5ms.c3d"
STATIC = MOCAP_DIR / "dorn2012" / "JA1Static05.c3d"
SACRAL = SHARED / "imu" / "alcantara_sacral" / "Sample_test_data.csv"
HIP = SHARED / "imu" / "adept_outdoor_run" / "acc_running_left_hip.csv.gz"


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    res = run_cli(*args, cwd=cwd)
    assert "Traceback" not in res.stderr + res.stdout
    assert res.returncode != 1 and "internal error" not in res.stderr, res.stderr
    return res


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _started(out: Path) -> subprocess.Popen:
    """The sample's analysis into ``out``, returned once its partial folder exists."""
    proc = subprocess.Popen([sys.executable, "-m", "runform.cli", "analyze", str(SAMPLE), "--out", str(out),
                             "--no-video"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and not list(out.parent.glob(f".{out.name}.partial-*")):
        time.sleep(0.05)
    return proc


# --- data loss -------------------------------------------------------------------------------

def test_a_users_own_summary_and_strides_are_not_replaced(tmp_path):
    """No manifest, files with runform's names but the user's content: refused, every file named."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "summary.json").write_text('{"my":"own notes"}')
    (mine / "strides.csv").write_text("a,b\n")
    before = _tree(mine)
    res = _cli("analyze", str(TRIAL), "--out", str(mine))
    assert res.returncode == 2, res.stderr
    assert "summary.json" in res.stderr and "strides.csv" in res.stderr, res.stderr
    assert _tree(mine) == before


def test_a_folder_from_before_the_manifest_is_still_runforms(tmp_path):
    """A result folder runform wrote before it kept a manifest (its content proves it) is replaced;
    one such folder with a user's strides.csv in it is not."""
    out = tmp_path / "old"
    assert _cli("analyze", str(TRIAL), "--out", str(out)).returncode == 0
    (out / ".runform-files.json").unlink()  # as a result folder of an older runform
    assert _cli("analyze", str(TRIAL), "--out", str(out)).returncode == 0
    (out / ".runform-files.json").unlink()
    (out / "strides.csv").write_text("split,time\n1,4:59\n")  # the user's own table, runform's name
    before = _tree(out)
    res = _cli("analyze", str(TRIAL), "--out", str(out))
    assert res.returncode == 2 and "strides.csv" in res.stderr, res.stderr
    assert _tree(out) == before


def test_every_one_of_the_users_files_is_named(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    names = [f"note{k:02d}.txt" for k in range(12)]
    for n in names:
        (mine / n).write_text(n)
    res = _cli("analyze", str(TRIAL), "--out", str(mine))
    assert res.returncode == 2 and all(n in res.stderr for n in names), res.stderr


def test_a_second_analysis_into_the_same_folder_waits_its_turn(tmp_path, real_pose):
    """Two analyses started into one --out a moment apart: the second is refused before any work
    (the first's partial folder is locked), the first's result is there, and nothing claims a
    result that is not."""
    out = tmp_path / "run"
    first = _started(out)
    second = _cli("analyze", str(TRIAL), "--out", str(out))
    o, e = first.communicate(timeout=600)
    assert first.returncode == 0, e
    assert second.returncode == 2 and "Another runform analysis is writing into" in second.stderr, second.stderr
    assert "Report:" not in second.stdout
    assert f"Report: {out / 'report.html'}" in o.replace("\n", "")
    s = json.loads((out / "summary.json").read_text())
    assert s["source"]["type"] == "video", s["source"]


def test_two_partial_folders_for_one_output_cannot_both_start(tmp_path):
    with PartialFolder(tmp_path / "out"):
        with pytest.raises(UsageError, match="Another runform analysis"):
            with PartialFolder(tmp_path / "out"):
                pass
    with PartialFolder(tmp_path / "out"):  # the first gone, the next starts
        pass


# --- internal errors for a user's situation -----------------------------------------------------

def test_a_european_spreadsheet_export_reads_as_the_original(tmp_path):
    """';' between fields and decimal commas (a spreadsheet's export in much of Europe): read as
    the same recording, the same cadence."""
    cadence = {}
    sacral = pd.read_csv(SACRAL)
    hip = pd.read_csv(HIP, nrows=12000)
    for name, df in (("sacral", sacral), ("hip", hip)):
        for style, kw in (("plain", {}), ("european", {"sep": ";", "decimal": ","})):
            p = tmp_path / f"{name}_{style}.csv"
            df.to_csv(p, index=False, **kw)
            out = tmp_path / f"out_{name}_{style}"
            res = _cli("analyze", str(p), "--out", str(out))
            assert res.returncode == 0, (name, style, res.stderr)
            cadence[name, style] = json.loads((out / "summary.json").read_text())["metrics"]["cadence_spm"]["median"]
        assert cadence[name, "european"] == pytest.approx(cadence[name, "plain"], abs=0.01), cadence


def test_a_headerless_sensor_csv_is_told_it_has_no_header(tmp_path):
    p = tmp_path / "noheader.csv"
    pd.read_csv(HIP, nrows=3000).to_csv(p, index=False, header=False)
    res = _cli("analyze", str(p), "--out", str(tmp_path / "out"))
    assert res.returncode == 3 and "no header row" in res.stderr and "--columns" not in res.stderr, res.stderr


def test_text_in_an_accelerometer_column_is_named(tmp_path):
    p = tmp_path / "na.csv"
    pd.read_csv(HIP, nrows=3000).assign(x="n/a").to_csv(p, index=False)
    res = _cli("analyze", str(p), "--out", str(tmp_path / "out"))
    assert res.returncode == 3 and "nan" not in res.stderr.lower() and "holds no numbers" in res.stderr, res.stderr


def test_a_run_of_missing_sensor_values_is_said(tmp_path):
    df = pd.read_csv(HIP, nrows=12000)  # 2 min at 100 Hz
    df.loc[3000:3299, ["x", "y", "z"]] = float("nan")  # 3 s from 30 s
    p = tmp_path / "holes.csv"
    df.to_csv(p, index=False)
    out = tmp_path / "out"
    assert _cli("analyze", str(p), "--out", str(out)).returncode == 0
    notes = [w for w in json.loads((out / "summary.json").read_text())["warnings"] if "missing sensor values" in w]
    longest = re.search(r"longest ([0-9.]+) s at ([0-9.]+) s", notes[0]) if notes else None
    assert longest and abs(float(longest[1]) - 3.0) <= 0.02 and float(longest[2]) == 30.0, notes  # 2 samples


@pytest.mark.parametrize("text, says", [
    ('[references.trunk_lean_deg]\nlow = "four"\nhigh = 12\n', "is not a number"),
    ("[references.trunk_lean_deg]\nlow = 12\nhigh = 4\n", "is not below high"),
    ("[references.trunk_lean_deg]\nlowest = 4\n", "unknown key 'lowest'"),
    ("references = 5\n", "must be a section"),
])
def test_a_wrong_references_file_is_refused_before_any_work(tmp_path, text, says):
    refs = tmp_path / "my refs [v2].toml"
    refs.write_text(text)
    res = _cli("analyze", str(SAMPLE), "--out", str(tmp_path / "out"), "--references", str(refs))
    assert res.returncode == 2 and says in res.stderr, res.stderr
    assert "my refs [v2].toml" in res.stderr  # the user's name whole, brackets and all
    assert "pose" not in res.stderr.lower()  # refused before the pose pass
    assert not (tmp_path / "out").exists()


def test_a_standing_trial_given_as_the_run(tmp_path):
    res = _cli("analyze", str(STATIC), "--out", str(tmp_path / "out"))
    assert res.returncode == 5 and "shows no running" in res.stderr and "--static" in res.stderr, res.stderr


def test_validate_on_a_folder_without_trials(tmp_path):
    (tmp_path / "empty").mkdir()
    for folder in (tmp_path / "empty", tmp_path / "nowhere"):
        res = _cli("validate", str(folder), "--out", str(tmp_path / "v"))
        assert res.returncode == 3 and "hamner2013" in res.stderr, res.stderr


# --- messages that mislead ----------------------------------------------------------------------

def test_brackets_in_a_users_names_are_printed_as_they_are(tmp_path):
    res = _cli("analyze", str(tmp_path / "run [final].mp4"), "--out", str(tmp_path / "out"))
    assert res.returncode == 3 and "run [final].mp4" in res.stderr, res.stderr
    refs = tmp_path / "refs.toml"
    refs.write_text("[references.x]\nlow = 1\n")
    res = _cli("analyze", str(TRIAL), "--out", str(tmp_path / "out"), "--references", str(refs))
    assert res.returncode == 2 and "under [references]" in res.stderr, res.stderr


def test_a_workbook_an_empty_file_and_a_cut_video_are_each_named(tmp_path):
    book = tmp_path / "run.xlsx"
    with zipfile.ZipFile(book, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    empty = tmp_path / "run.mp4"
    empty.write_bytes(b"")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(SAMPLE.read_bytes()[:200_000])
    for path, says in ((book, "spreadsheet workbook"), (empty, "is empty"), (cut, "incomplete")):
        res = _cli("analyze", str(path), "--out", str(tmp_path / "out"))
        assert res.returncode == 3 and says in res.stderr and "not a video" not in res.stderr, res.stderr


def test_a_cut_c3d_is_said_in_runforms_words(tmp_path):
    p = tmp_path / "cut.c3d"
    p.write_bytes(TRIAL.read_bytes()[:3000])
    res = _cli("analyze", str(p), "--out", str(tmp_path / "out"))
    assert res.returncode == 3 and "damaged or cut off" in res.stderr, res.stderr
    assert "ignoreBadFormatting" not in res.stderr


def test_start_before_zero_and_end_past_the_clip(tmp_path):
    res = _cli("analyze", str(SAMPLE), "--out", str(tmp_path / "a"), "--start", "-2")
    assert res.returncode == 2 and "--start -2" in res.stderr and "--end" not in res.stderr, res.stderr
    out = tmp_path / "b"
    res = _cli("analyze", str(SAMPLE), "--out", str(out), "--start", "4", "--end", "99", "--no-video")
    assert res.returncode == 0, res.stderr
    warnings = json.loads((out / "summary.json").read_text())["warnings"]
    assert any("--end 99 s is past the end of the 12.0 s clip" in w for w in warnings), warnings


# --- also ---------------------------------------------------------------------------------------

def test_ctrl_c_to_the_main_process_alone_ends_the_pose_workers_too(tmp_path, real_pose):
    """SIGINT to runform's own process (not its group, as `kill -INT <pid>` sends it) during the
    pose pass: it exits at once with 130, no worker left running, nothing written."""
    import os
    import signal

    out = tmp_path / "run"
    proc = _started(out)
    time.sleep(2)  # the pose workers are running
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert children, "the pose pass runs in worker processes"
    t0 = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    waited = time.perf_counter() - t0
    assert proc.returncode == 130 and "interrupted" in err, err
    assert waited < 5, f"{waited:.1f} s to stop"  # a segment's end was waited for: about 14 s
    time.sleep(0.5)
    alive = [c for c in children if os.path.exists(f"/proc/{c}") and "zombie" not in
             Path(f"/proc/{c}/status").read_text().lower()]
    assert not alive, alive
    assert not out.exists() and not list(tmp_path.glob(".run.partial-*"))


def test_two_runners_in_view_are_said_and_no_finding_is_rated_above_low(tmp_path, sample_summary):
    """The sample beside itself (two runners, a still camera): a second person is said, every
    finding is low or borderline (it was 'Running too upright (confidence high)'); the sample
    alone says nothing of it."""
    import numpy as np
    from media import sample_frames, write_video

    two = write_video(tmp_path / "two.mp4", (np.hstack([f, f]) for f in sample_frames(SAMPLE)))
    out = tmp_path / "out"
    assert _cli("analyze", str(two), "--out", str(out), "--no-video").returncode == 0
    s = json.loads((out / "summary.json").read_text())
    assert s["scene"].get("second_person_suspected") is True, s["scene"]
    assert any("second person in view" in w for w in s["warnings"]), s["warnings"]
    assert s["faults"] and all(f["confidence_label"] in ("low", "borderline") for f in s["faults"]), s["faults"]
    assert s["quality"]["level"] == "poor"
    assert "second_person_suspected" not in sample_summary["scene"]
    assert not any("second person" in w for w in sample_summary["warnings"])
