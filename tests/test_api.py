"""runform.analyze(path) in memory, for a video, a C3D and a sensor CSV."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import MOCAP_DIR, SAMPLE, SHARED

import runform
from runform.errors import UsageError

RECORDINGS = {
    "video": (SAMPLE, {"height_m": 1.75, "speed_mps": 3.0, "annotated_video": False}),
    "c3d": (MOCAP_DIR / "dorn2012" / "JA1Gait21_run3.5ms.c3d", {}),
    "sensor": (SHARED / "imu" / "alcantara_sacral" / "Sample_test_data.csv", {}),
}


@pytest.mark.parametrize("kind", sorted(RECORDINGS))
def test_analyze_in_memory_then_write(kind, tmp_path):
    path, options = RECORDINGS[kind]
    result = runform.analyze(path, **options)
    assert result.summary["n_strides"] == len(result.strides) >= 3
    assert isinstance(result.strides, pd.DataFrame) and "cadence_spm" in result.strides
    assert 140 < result.summary["metrics"]["cadence_spm"]["median"] < 200
    out = result.write(tmp_path / "out")
    assert json.loads((out / "summary.json").read_text()) == json.loads(json.dumps(result.summary))
    assert len(pd.read_csv(out / "strides.csv")) == len(result.strides)
    assert (out / "report.html").is_file()
    if kind == "video":
        assert list((out / ".cache").glob("pose-*.npz"))  # a later `runform analyze` into it reuses the pose


def test_unknown_option_is_named():
    with pytest.raises(UsageError, match="height"):
        runform.analyze(SAMPLE, height=1.75)
