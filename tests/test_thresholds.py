"""A user's TOML changes the verdict, not only the range the report shows."""

from __future__ import annotations

import json
import shutil

from conftest import SAMPLE, run_cli


def _rerun(sample_analysis, tmp_path, toml: str) -> dict:
    """The sample again with a references file; the pose comes from the copied folder's cache."""
    out = tmp_path / "out"
    shutil.copytree(sample_analysis, out)
    refs = tmp_path / "mine.toml"
    refs.write_text(toml)
    res = run_cli("analyze", str(SAMPLE), "--out", str(out), "--height", "1.75", "--speed", "3.0",
                  "--no-video", "--references", str(refs))
    assert res.returncode == 0, res.stderr
    return json.loads((out / "summary.json").read_text())


def _ids(summary: dict) -> set[str]:
    return {f["id"] for f in summary["faults"]}


def test_fault_threshold_override_fires_and_silences(sample_analysis, tmp_path, sample_summary):
    knee = sample_summary["metrics"]["knee_flexion_ic_deg"]["median"]  # about 10 deg on the sample
    assert ("straight_knee_landing" in _ids(sample_summary)) == (knee < 10)  # the default threshold, < 10 deg
    fired = _rerun(sample_analysis, tmp_path / "a", "[faults.straight_knee_landing]\nvalue = 90\n")
    finding = next(f for f in fired["faults"] if f["id"] == "straight_knee_landing")
    assert finding["evidence"][0]["threshold"] == 90  # the report shows the threshold that was used
    silenced = _rerun(sample_analysis, tmp_path / "b", "[faults.straight_knee_landing]\nvalue = -90\n")
    assert "straight_knee_landing" not in _ids(silenced)


def test_reference_override_changes_range_and_verdict(sample_analysis, tmp_path, sample_summary):
    lean = sample_summary["metrics"]["trunk_lean_deg"]["median"]
    assert "upright_posture" not in _ids(sample_summary) and lean < 12
    s = _rerun(sample_analysis, tmp_path, "[references.trunk_lean_deg]\nlow = 12\nhigh = 20\n")
    assert s["metrics"]["trunk_lean_deg"]["reference"]["low"] == 12
    assert s["metrics"]["trunk_lean_deg"]["status"] == "below"
    finding = next(f for f in s["faults"] if f["id"] == "upright_posture")
    assert finding["evidence"][0]["threshold"] == 12
