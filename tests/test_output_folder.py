"""A user's files are never lost: runform replaces only folders of its own making.

Each case runs the real CLI. The lab trial is used where the analysis itself
does not matter (it takes a second); the video where the check must come
before the pose pass.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import MOCAP_DIR, SAMPLE, run_cli

from runform.errors import OutputError
from runform.outputs.folder import MANIFEST, PartialFolder, foreign_entries, remove_leftovers, remove_output

TRIAL = MOCAP_DIR / "dorn2012" / "JA1Gait21_run3.5ms.c3d"
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small or read-only drive needs root")


def _lab(out: Path, cwd: Path | None = None, *extra: str):
    res = run_cli("analyze", str(TRIAL), "--out", str(out), *extra, cwd=cwd)
    assert "Traceback" not in res.stderr + res.stdout
    return res


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_rerun_replaces_its_own_folder_and_keeps_the_pose_cache(tmp_path):
    out = tmp_path / "lab"
    assert _lab(out).returncode == 0
    manifest = json.loads((out / MANIFEST).read_text())
    assert {"summary.json", "strides.csv", "frames.csv", "report.html"} <= set(manifest["files"])
    (out / ".cache").mkdir()
    (out / ".cache" / "pose-0123.npz").write_bytes(b"x")  # as an earlier video analysis leaves
    manifest["files"][".cache/pose-0123.npz"] = 1
    (out / MANIFEST).write_text(json.dumps(manifest))
    assert _lab(out).returncode == 0
    assert (out / ".cache" / "pose-0123.npz").read_bytes() == b"x"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".lab.")]


def test_coach_notes_added_to_a_result_folder_survive(tmp_path):
    out = tmp_path / "lab"
    assert _lab(out).returncode == 0
    (out / "coach_notes.txt").write_text("knee pain on the left after 5 km")
    (out / "photos").mkdir()
    (out / "photos" / "shoes.jpg").write_bytes(b"\xff\xd8 jpeg")
    before = _tree(out)
    res = _lab(out)
    assert res.returncode == 2, res.stderr
    assert "coach_notes.txt" in res.stderr and "photos/shoes.jpg" in res.stderr
    assert _tree(out) == before


def test_a_result_file_edited_by_the_user_counts_as_theirs(tmp_path):
    out = tmp_path / "lab"
    assert _lab(out).returncode == 0
    (out / "report.html").write_text("<p>my annotated copy</p>")
    res = _lab(out)
    assert res.returncode == 2 and "changed since runform wrote it" in res.stderr
    assert (out / "report.html").read_text() == "<p>my annotated copy</p>"


def test_the_input_video_inside_the_output_folder_survives(tmp_path):
    session = tmp_path / "session1"
    session.mkdir()
    clip = session / "clip.mp4"
    clip.write_bytes(SAMPLE.read_bytes())
    res = run_cli("analyze", str(clip), "--out", str(session), "--no-video")
    assert res.returncode == 2 and "inside the output folder" in res.stderr
    assert clip.read_bytes() == SAMPLE.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["session1"]


def test_a_home_like_folder_survives(tmp_path):
    home = tmp_path / "home"
    (home / ".cache").mkdir(parents=True)
    (home / ".cache" / "something").write_text("cached")
    (home / "Documents").mkdir()
    (home / "Documents" / "plan.txt").write_text("week 1: easy")
    (home / "summary.json").write_text("{}")  # even with a file of runform's name in it
    before = _tree(home)
    res = run_cli("analyze", str(SAMPLE), "--out", str(home), "--no-video")
    assert res.returncode == 2 and "did not write" in res.stderr
    assert _tree(home) == before


def test_out_dot_is_refused_before_any_work(tmp_path):
    res = _lab(Path("."), cwd=tmp_path)
    assert res.returncode == 2 and "folder you are in" in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_killed_run_leaves_a_partial_folder_the_next_run_removes(tmp_path, real_pose):
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "runform.cli", "analyze", str(SAMPLE), "--out", str(out),
                             "--no-video"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and not list(tmp_path.glob(".run.partial-*")):
        time.sleep(0.05)
    assert list(tmp_path.glob(".run.partial-*")), "the analysis writes into a partial folder"
    # a partial folder still being written is not anyone's leftover
    assert remove_leftovers(tmp_path, "run") == 0
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not out.exists() and list(tmp_path.glob(".run.partial-*"))
    assert _lab(out).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_leftover_lookalikes_of_the_user_are_not_removed(tmp_path):
    mine = tmp_path / ".run.partial-notes"  # a user's folder that happens to look like a leftover
    mine.mkdir()
    (mine / "a.txt").write_text("mine")
    (tmp_path / ".run.old-photos").mkdir()
    (tmp_path / ".run.old-photos" / "b.jpg").write_bytes(b"jpg")
    assert remove_leftovers(tmp_path, "run") == 0
    assert (mine / "a.txt").exists() and (tmp_path / ".run.old-photos" / "b.jpg").exists()


def test_read_only_folder_for_a_user(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    # root writes anywhere: it runs here without the capabilities that override file permissions
    as_user = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    res = subprocess.run([*as_user, sys.executable, "-m", "runform.cli", "analyze", str(TRIAL), "--out",
                          str(ro / "out")], capture_output=True, text=True, timeout=300)
    assert res.returncode == 6 and "permission is denied" in res.stderr, res.stderr
    assert list(ro.iterdir()) == []


@contextmanager
def _drive(folder: Path, options: str):
    """A small tmpfs drive mounted at ``folder`` for the test's duration."""
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@needs_root
def test_read_only_drive(tmp_path):
    with _drive(tmp_path / "ro", "ro,size=1m") as ro:
        res = _lab(ro / "out")
        assert res.returncode == 6, res.stderr
        assert "read-only" in res.stderr and "internal error" not in res.stderr
        assert "--out" in res.stderr


@needs_root
def test_full_drive_is_said_before_the_pose_pass_and_while_writing(tmp_path):
    with _drive(tmp_path / "small", "size=4m") as small:
        t0 = time.perf_counter()
        res = run_cli("analyze", str(SAMPLE), "--out", str(small / "out"))
        assert res.returncode == 6 and "not enough free space" in res.stderr, res.stderr
        assert time.perf_counter() - t0 < 20  # refused before the pose pass (about 10 s on the sample)
        assert list(small.iterdir()) == []
        # a write that fills the drive halfway through
        with pytest.raises(OutputError, match="disk is full"):
            with PartialFolder(small / "out") as part:
                (part.path / "big.bin").write_bytes(b"\0" * (8 << 20))
        assert list(small.iterdir()) == []


@needs_root
def test_another_drive_and_its_top_folder(tmp_path):
    with _drive(tmp_path / "drive", "size=64m") as drive:
        assert _lab(drive / "out").returncode == 0  # written on that drive, beside the folder
        assert (drive / "out" / "summary.json").is_file()
        res = _lab(drive)
        assert res.returncode == 2 and "top folder of a drive" in res.stderr


def test_foreign_entries_of_a_folder_from_before_the_manifest(tmp_path):
    old = tmp_path / "old"
    (old / ".cache").mkdir(parents=True)
    # runform's names with runform's content (what an older runform wrote)
    content = {"summary.json": json.dumps({"runform_version": "0.0.9", "metrics": {}}),
               "strides.csv": "stride_id,foot,start_s\n", "report.html": "<!DOCTYPE html><title>runform report</title>",
               ".cache/pose-ab.npz": "PK\x03\x04"}
    for name, text in content.items():
        (old / name).write_text(text)
    assert foreign_entries(old) == []
    (old / "notes.txt").write_text("mine")
    assert foreign_entries(old) == ["notes.txt"]
    # the same names with the user's content are the user's (issue 27), every one of them
    (old / "strides.csv").write_text("a,b\n")
    assert foreign_entries(old) == ["notes.txt", "strides.csv"]
    (old / "summary.json").write_text('{"my": "own notes"}')
    assert foreign_entries(old) == sorted([*content, "notes.txt"])


def test_deleting_a_result_keeps_what_the_user_added(tmp_path):
    out = tmp_path / "lab"
    assert _lab(out).returncode == 0
    (out / "coach_notes.txt").write_text("left knee")
    (out / "report.html").write_text("<p>my copy</p>")
    assert remove_output(out) == ["coach_notes.txt", "report.html"]
    assert sorted(p.name for p in out.iterdir()) == ["coach_notes.txt", "report.html"]
    (out / "coach_notes.txt").unlink()
    (out / "report.html").unlink()
    assert _lab(out).returncode == 0
    assert remove_output(out) == [] and not out.exists()
