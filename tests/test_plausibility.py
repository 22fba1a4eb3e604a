"""No figure a body cannot produce reaches summary.json unflagged: real recordings (the stride
tables of tests/fast/test_screen.py test the screen itself)."""

from __future__ import annotations

import json

from conftest import MOCAP_DIR, run_cli
from plausible import outside_plausible


def test_trc_that_says_metres_over_millimetres_is_read_in_millimetres(tmp_path):
    src = MOCAP_DIR / "hamner2013" / "subject01"
    lines = (src / "expData_Run_3.trc").read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace("\tmm\t", "\tm\t")
    assert "\tm\t" in lines[2]
    (tmp_path / "expData_Run_3.trc").write_text("".join(lines))
    for f in ("expData_Run_3_grf.mot", "model_static.trc"):
        (tmp_path / f).write_bytes((src / f).read_bytes())
    good, wrong = tmp_path / "good", tmp_path / "wrong"
    assert run_cli("analyze", str(src / "expData_Run_3.trc"), "--out", str(good)).returncode == 0
    res = run_cli("analyze", str(tmp_path / "expData_Run_3.trc"), "--out", str(wrong))
    assert res.returncode == 0, res.stderr
    a, b = (json.loads((p / "summary.json").read_text()) for p in (good, wrong))
    assert any("says its markers are in m" in w for w in b["warnings"])
    for m in ("overstride_pct_leg", "vertical_oscillation_cm", "cadence_spm"):
        assert b["metrics"][m]["median"] == a["metrics"][m]["median"]


def test_sample_video_figures_are_all_plausible(sample_summary):
    assert outside_plausible(sample_summary) == []
    assert "plausibility" in sample_summary
