"""runform batch: a local Dask cluster and a real scheduler with real workers on loopback.

The recordings are the real ones in shared/data; the distributed test kills a
worker in the middle of a video and checks every file still ends done once.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import MOCAP_DIR, SAMPLE, SHARED, run_cli
from media import remux_copy

DASK = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
DASK_WORKER = [sys.executable, "-m", "distributed.cli.dask_worker"]
DORN = MOCAP_DIR / "dorn2012"
IMU_SAMPLE = SHARED / "imu" / "alcantara_sacral" / "Sample_test_data.csv"


@pytest.fixture(scope="module")
def mixed_inputs(tmp_path_factory) -> Path:
    """A lab trial with its static trial, a sensor CSV, a damaged video and a README."""
    d = tmp_path_factory.mktemp("inputs")
    shutil.copytree(DORN, d / "lab")
    shutil.copy(IMU_SAMPLE, d / "hip_sensor.csv")
    (d / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000))
    (d / "notes.md").write_text("# trial notes\n")
    (d / "manifest.csv").write_text("file,athlete,height\nJA1Gait21_run3.5ms.c3d,JA1,1.80\n")
    return d


def _status(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "status.csv", dtype=str, keep_default_na=False)


def test_local_batch_tables_resume_and_settings(mixed_inputs, tmp_path):
    out = tmp_path / "batch"
    res = run_cli("batch", str(mixed_inputs), "--out", str(out), "--workers", "2",
                  "--manifest", str(mixed_inputs / "manifest.csv"))
    assert res.returncode == 0, res.stderr
    st = _status(out).set_index("file")
    name = {Path(f).name: f for f in st.index}
    assert st.loc[name["JA1Gait21_run3.5ms.c3d"], "status"] == "done"
    assert st.loc[name["hip_sensor.csv"], "status"] == "done"
    assert st.loc[name["broken.mp4"], "status"] == "failed"
    assert "incomplete or damaged" in st.loc[name["broken.mp4"], "error"]
    assert st.loc[name["JA1Static05.c3d"], "status"] == "not a recording"
    assert "static" in st.loc[name["JA1Static05.c3d"], "error"]
    assert st.loc[name["notes.md"], "status"] == "not a recording"
    assert "manifest.csv" in name and st.loc[name["manifest.csv"], "status"] == "not a recording"
    assert st.loc[name["JA1Gait21_run3.5ms.c3d"], "athlete"] == "JA1"

    # the stride table is each recording's own strides.csv, as `runform analyze` writes it
    strides = pd.read_parquet(out / "strides.parquet")
    ref_out = tmp_path / "single"
    single = run_cli("analyze", str(mixed_inputs / "lab" / "JA1Gait21_run3.5ms.c3d"), "--out", str(ref_out),
                     "--height", "1.80")
    assert single.returncode == 0, single.stderr
    ref = pd.read_csv(ref_out / "strides.csv")
    lab = strides[strides.recording == name["JA1Gait21_run3.5ms.c3d"]]
    assert len(lab) == len(ref) > 0
    assert set(lab.source) == {"mocap"} and set(lab.athlete) == {"JA1"}
    assert list(lab.side) == list(ref.foot)
    pd.testing.assert_series_equal(lab.ground_contact_ms.reset_index(drop=True), ref.ground_contact_ms,
                                   check_names=False, atol=1e-9)
    imu = strides[strides.recording == name["hip_sensor.csv"]]
    assert set(imu.source) == {"imu"} and len(imu) > 0

    recs = pd.read_parquet(out / "recordings.parquet").set_index("file")
    ref_summary = json.loads((ref_out / "summary.json").read_text())
    assert recs.loc[name["JA1Gait21_run3.5ms.c3d"], "cadence_spm"] == ref_summary["metrics"]["cadence_spm"]["median"]
    assert recs.loc[name["broken.mp4"], "status"] == "failed"
    assert len(recs) == len(st)

    # a rerun finds everything done: nothing is analysed again
    done = {k: (out / "recordings" / k / "summary.json").stat().st_mtime_ns
            for k in st[st.status == "done"].recording_key}
    again = run_cli("batch", str(mixed_inputs), "--out", str(out), "--workers", "2",
                    "--manifest", str(mixed_inputs / "manifest.csv"))
    assert again.returncode == 0, again.stderr
    assert f"0 to analyse, {len(done) + 1} done or failed before" in again.stderr  # the broken file is not retried
    assert {k: (out / "recordings" / k / "summary.json").stat().st_mtime_ns for k in done} == done
    assert (_status(out).status == "done").sum() == len(done)

    # other settings are not mixed into this folder's tables
    other = run_cli("batch", str(mixed_inputs), "--out", str(out), "--speed", "3.5")
    assert other.returncode == 2
    assert "other settings" in other.stderr and "speed_mps" in other.stderr
    assert "Traceback" not in other.stderr


def test_bad_batch_inputs(tmp_path):
    missing = run_cli("batch", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    (tmp_path / "readme.md").write_text("hello")
    none = run_cli("batch", str(tmp_path / "readme.md"), "--out", str(tmp_path / "o"))
    assert none.returncode == 2 and "No recording found" in none.stderr
    (tmp_path / "m.csv").write_text("file,runner,weight\nx.mp4,a,70\n")
    bad = run_cli("batch", str(IMU_SAMPLE), "--out", str(tmp_path / "o3"), "--manifest", str(tmp_path / "m.csv"))
    assert bad.returncode == 2 and "no 'file' column" not in bad.stderr and "runner, weight" in bad.stderr
    (tmp_path / "m2.csv").write_text("file,date\nSample_test_data.csv,21/11/2026\n")
    bad = run_cli("batch", str(IMU_SAMPLE), "--out", str(tmp_path / "o4"), "--manifest", str(tmp_path / "m2.csv"))
    assert bad.returncode == 2 and "is not YYYY-MM-DD" in bad.stderr
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    down = run_cli("batch", str(IMU_SAMPLE), "--out", str(tmp_path / "o2"), "--scheduler", f"tcp://127.0.0.1:{port}")
    assert down.returncode == 2, down.stderr
    assert "Could not reach the Dask scheduler" in down.stderr and "Traceback" not in down.stderr
    assert time.perf_counter() - t0 < 60


def _start(cmd: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def test_distributed_batch_survives_a_killed_worker(tmp_path):
    from dask.distributed import Client

    videos = tmp_path / "videos"
    videos.mkdir()
    for i in range(4):  # four distinct files with the sample's frames
        remux_copy(SAMPLE, videos / f"run{i}.mp4", f"runner {i}")
    sched_file = tmp_path / "scheduler.json"
    procs = [_start([*DASK, "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(sched_file)], tmp_path / "scheduler.log")]
    try:
        for _ in range(300):
            if sched_file.is_file() and sched_file.stat().st_size:
                break
            time.sleep(0.1)
        address = json.loads(sched_file.read_text())["address"]
        workers = {}
        for name in ("w1", "w2"):
            workers[name] = _start([*DASK_WORKER, "--scheduler-file", str(sched_file), "--nthreads", "1",
                                    "--no-nanny", "--no-dashboard", "--name", name], tmp_path / f"{name}.log")
            procs.append(workers[name])
        client = Client(address, timeout=30)
        client.wait_for_workers(2, timeout=60)

        out = tmp_path / "batch"
        batch = subprocess.Popen([sys.executable, "-m", "runform.cli", "batch", str(videos), "--out", str(out),
                                  "--scheduler", address], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # kill w1 two seconds into a video it is analysing
        victim, t_busy = None, None
        deadline = time.time() + 120
        while victim is None and time.time() < deadline and batch.poll() is None:
            info = client.scheduler_info(n_workers=-1)["workers"]
            busy = {w["name"] for addr, w in info.items() if client.processing().get(addr)}
            if "w1" in busy:
                t_busy = t_busy or time.time()
                if time.time() - t_busy > 2.0:
                    os.kill(workers["w1"].pid, signal.SIGKILL)
                    victim = "w1"
            time.sleep(0.1)
        assert victim == "w1", "the batch ended before a worker could be killed mid-analysis"
        stdout, stderr = batch.communicate(timeout=600)
        assert batch.returncode == 0, stderr
        client.close()
    finally:
        _stop(procs)

    st = _status(out)
    assert len(st) == 4 and st.file.is_unique
    assert (st.status == "done").all(), st.to_string()
    assert st.recording_key.is_unique
    folders = sorted(p.name for p in (out / "recordings").iterdir())
    assert folders == sorted(st.recording_key)  # one complete folder each, no half-written leftovers
    for key in folders:
        summary = json.loads((out / "recordings" / key / "summary.json").read_text())
        assert abs(summary["metrics"]["cadence_spm"]["median"] - 168.9) <= 2.0
    strides = pd.read_parquet(out / "strides.parquet")
    assert strides.groupby("recording").size().nunique() == 1  # the same frames give the same strides


def test_one_batch_at_a_time_in_a_folder(tmp_path, real_pose):
    out = tmp_path / "batch"
    first = subprocess.Popen([sys.executable, "-m", "runform.cli", "batch", str(SAMPLE), "--out", str(out)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while not (out / "status.csv").is_file() and time.time() < deadline and first.poll() is None:
            time.sleep(0.1)
        second = run_cli("batch", str(SAMPLE), "--out", str(out))
        assert second.returncode == 2 and "Another runform batch is writing" in second.stderr
        _, err = first.communicate(timeout=600)
        assert first.returncode == 0, err
    finally:
        if first.poll() is None:
            first.kill()
    assert (_status(out).status == "done").all()
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("a folder of the user's")
    refused = run_cli("batch", str(IMU_SAMPLE), "--out", str(other))
    assert refused.returncode == 2 and "holds other files" in refused.stderr
    assert sorted(p.name for p in other.iterdir()) == ["mine.txt"]  # left as it was
