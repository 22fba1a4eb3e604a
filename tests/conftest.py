"""Shared fixtures: the real recordings in ../shared/data and one analysis of the sample video.
The fast tier (tests/fast) uses none of them."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RUNFORM_SHARED_DATA", REPO.parent / "shared" / "data"))
VIDEO_DIR = SHARED / "video"
MOCAP_DIR = SHARED / "mocap"
SAMPLE = Path(str(resources.files("runform.samples").joinpath("treadmill_side.mp4")))


FAST = Path(__file__).resolve().parent / "fast"


def pytest_collection_modifyitems(session, config, items):
    """The fast tier (tests/fast) needs no recordings; every other test needs ../shared/data.
    When a collected test needs `runform validate`, it starts now in the background."""
    needs_data = [i for i in items if not Path(str(i.path)).is_relative_to(FAST)]
    if needs_data and not (VIDEO_DIR.is_dir() and MOCAP_DIR.is_dir()):
        raise pytest.UsageError(
            f"The real recordings are expected in {SHARED} (shared/data beside the repository). "
            "Set RUNFORM_SHARED_DATA to their folder, or run the fast tier alone: pytest tests/fast.")
    if any("validation" in getattr(i, "fixturenames", ()) for i in items):
        _start_validation(config)
        # the modules that read it go last (xdist hands out modules in this order), so both test
        # processes work on the rest while it runs
        later = {i.module.__name__ for i in items if "validation" in getattr(i, "fixturenames", ())}
        items.sort(key=lambda i: getattr(i, "module", None) is not None and i.module.__name__ in later)


def _start_validation(config) -> None:
    """`runform validate` (minutes) in a process of its own from the session's start, by the first
    test process only: the tests that read it wait for it (``validation``) instead of one test
    process running it while the other waits idle. The process holds the folder's lock until it
    ends, so a test that needs it first simply waits for the lock."""
    if os.environ.get("PYTEST_XDIST_WORKER", "gw0") != "gw0" or not hasattr(config, "_tmp_path_factory"):
        return
    d = shared_dir(config._tmp_path_factory, "validate")
    lock = open(d / ".lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        return
    if not (d / "out" / "validation.json").is_file():
        with open(d / "stdout.txt", "w") as out, open(d / "stderr.txt", "w") as err:
            # the child inherits the locked file and holds the lock until it exits
            subprocess.Popen([sys.executable, "-m", "runform.cli", "validate", str(MOCAP_DIR), "--out", str(d / "out")],
                             stdout=out, stderr=err, pass_fds=(lock.fileno(),))
    lock.close()


def shared_dir(tmp_path_factory, name: str) -> Path:
    """A folder every test process of this session sees (the session's own temporary root): the
    tests run in one process per core (pytest-xdist, a module's tests in one of them), and work
    several modules need is made there once, by the first process to need it (``only_one``)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    d = root / name
    d.mkdir(exist_ok=True)
    return d


@contextlib.contextmanager
def only_one(folder: Path):
    """Held by one test process at a time: the others wait for what the first one makes."""
    with open(folder / ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@pytest.fixture(scope="session", autouse=True)
def session_pose_store(tmp_path_factory):
    """One pose store for the whole session (pose_cache.pose_store), empty at its start: every
    pose a test reads was made by real MediaPipe inference in this session, once per clip,
    range and pose setting, and never comes from an earlier session or the user's own store.
    Tests of the pose pass itself run without it (``real_pose``)."""
    from runform.sources.video.pose_cache import STORE_ENV

    before = os.environ.get(STORE_ENV)
    os.environ[STORE_ENV] = str(shared_dir(tmp_path_factory, "poses"))
    yield Path(os.environ[STORE_ENV])
    if before is None:
        os.environ.pop(STORE_ENV, None)
    else:
        os.environ[STORE_ENV] = before


@pytest.fixture
def real_pose(monkeypatch):
    """This test needs the pose pass itself to run (its timing, progress, Ctrl-C, memory)."""
    from runform.sources.video.pose_cache import STORE_ENV

    monkeypatch.setenv(STORE_ENV, "off")


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """The real installed CLI in a subprocess (what a user runs)."""
    return subprocess.run([sys.executable, "-m", "runform.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


@pytest.fixture(scope="session")
def sample_analysis(tmp_path_factory) -> Path:
    """`runform analyze` on the bundled sample with every output, once per test session (the
    test processes share it)."""
    d = shared_dir(tmp_path_factory, "sample")
    out = d / "out"
    with only_one(d):
        if not (out / "summary.json").is_file():
            res = run_cli("analyze", str(SAMPLE), "--out", str(out), "--height", "1.75", "--speed", "3.0")
            assert res.returncode == 0, res.stderr
    return out


@pytest.fixture(scope="session")
def sample_summary(sample_analysis) -> dict:
    return json.loads((sample_analysis / "summary.json").read_text())


@pytest.fixture(scope="session")
def validation(tmp_path_factory) -> dict:
    """`runform validate` on the lab data (with the sensor validation), once per test session (the
    test processes share it)."""
    d = shared_dir(tmp_path_factory, "validate")
    out = d / "out"
    with only_one(d):  # started in the background at collection (_start_validation): wait for it
        if (out / "validation.json").is_file() and (d / "stdout.txt").is_file():
            assert "IC, kinematic on 3D markers" in (d / "stdout.txt").read_text()
        elif not (out / "validation.json").is_file():  # it was not started, or it failed: run it here
            res = run_cli("validate", str(MOCAP_DIR), "--out", str(out), timeout=1800)  # about 6 min on 2 cores
            assert res.returncode == 0, res.stderr
            assert "IC, kinematic on 3D markers" in res.stdout
    return json.loads((out / "validation.json").read_text())


def step_agreement(summary: dict, reference: dict) -> dict:
    """The same steps in two analyses of one footage (matched by foot and IC within 100 ms in the
    contact timelines): the median |difference| of their toe-offs and the difference of the two
    contact-time medians (ms), and how many steps matched."""
    import pandas as pd

    from runform.validation.matching import match_events

    steps = lambda s: pd.DataFrame([r for r in s["contacts"]["timeline"]  # noqa: E731
                                    if r["status"] != "missed" and r.get("to_s") is not None], columns=["foot", "ic_s", "to_s"])
    matched = match_events(steps(reference), steps(summary), 0.1)  # each step of this analysis: the reference's
    diffs = list(1000 * (matched.to_s - matched.est_to_s).dropna())
    gct = lambda s: s["metrics"]["ground_contact_ms"]["median"]  # noqa: E731
    return {"steps": len(diffs), "to_ms": float(np.median(np.abs(diffs))) if diffs else float("nan"),
            "contact_ms": abs(gct(summary) - gct(reference))}
