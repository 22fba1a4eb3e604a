"""Golden outputs: summary.json and strides.csv of fixed recordings stay exactly as recorded.

They hold behaviour fixed while code moves. A change of figures is a named
commit that rewrites them, with the before/after in its message:

    .venv/bin/python tests/test_golden.py --update

Compared: every number to 1e-9 (relative) and every text, except what names
the run rather than the analysis (runform's version, whether the pose came
from the cache).
"""

from __future__ import annotations

import json
import math
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import MOCAP_DIR, SAMPLE, SHARED, run_cli

GOLDEN = Path(__file__).parent / "golden"
HAMNER = MOCAP_DIR / "hamner2013" / "subject01"
CASES = {
    "video_sample": (SAMPLE, ("--height", "1.75", "--speed", "3.0")),  # as the sample_analysis fixture
    "c3d_dorn_plates": (MOCAP_DIR / "dorn2012" / "JA1Gait21_run3.5ms.c3d", ()),
    "trc_hamner_run3": (HAMNER / "expData_Run_3.trc", ()),
    "fukuchi_text_rbds0041": (MOCAP_DIR / "fukuchi_rbds" / "RBDS0041runT252.txt", ()),
    "sensor_alcantara_sample": (SHARED / "imu" / "alcantara_sacral" / "Sample_test_data.csv", ()),
    "sensor_adept_hip": (SHARED / "imu" / "adept_outdoor_run" / "acc_running_left_hip.csv.gz", ("--speed", "3.0")),
}
RUN_FACTS = {("runform_version",), ("model", "pose_cache_hit")}


def _analyse(case: str, out: Path) -> Path:
    path, extra = CASES[case]
    res = run_cli("analyze", str(path), "--out", str(out), *extra)
    assert res.returncode == 0, res.stderr
    return out


def _differences(a, b, where=()) -> list[str]:
    if where in RUN_FACTS:
        return []
    if isinstance(a, dict) and isinstance(b, dict):
        keys = set(a) | set(b)
        return [d for k in sorted(keys, key=str) for d in _differences(a.get(k), b.get(k), (*where, k))]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, (*where, i))]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return [] if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) else [f"{'.'.join(map(str, where))}: {a} != {b}"]
    return [] if a == b else [f"{'.'.join(map(str, where))}: {a!r} != {b!r}"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_outputs_are_the_golden_ones(case, tmp_path, request):
    if case == "video_sample":  # the session's one analysis of the sample, with these settings
        out = request.getfixturevalue("sample_analysis")
    else:
        out = _analyse(case, tmp_path / "out")
    golden = GOLDEN / case
    summary = json.loads((out / "summary.json").read_text())
    diffs = _differences(json.loads((golden / "summary.json").read_text()), summary)
    assert not diffs, f"{len(diffs)} differences, e.g. " + "; ".join(diffs[:8])
    pd.testing.assert_frame_equal(pd.read_csv(out / "strides.csv"), pd.read_csv(golden / "strides.csv"),
                                  check_exact=False, rtol=1e-9, atol=1e-12)


def update() -> None:
    """Rewrite every golden case from the current code."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for case in sorted(CASES):
            out = _analyse(case, Path(tmp) / case)
            (GOLDEN / case).mkdir(parents=True, exist_ok=True)
            for name in ("summary.json", "strides.csv"):
                shutil.copyfile(out / name, GOLDEN / case / name)
            print(f"{case}: written")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: tests/test_golden.py --update")
    update()
