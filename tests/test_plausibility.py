"""No figure a body cannot produce reaches summary.json unflagged."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from conftest import MOCAP_DIR, REPO, run_cli

from runform.engine.analysis import summarise_analysis
from runform.engine.assess.knowledge import load_knowledge
from runform.engine.assess.plausibility import markdown_table, screen

KB = load_knowledge()


def _strides(n: int = 12, **cols) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    base = {"foot": ["left", "right"] * (n // 2), "ic_s": np.arange(n) * 0.36,
            "stride_time_ms": rng.normal(720, 10, n), "cadence_spm": rng.normal(168, 2, n),
            "ground_contact_ms": rng.normal(220, 8, n), "duty_factor_pct": rng.normal(31, 1, n),
            "flight_ms": rng.normal(140, 8, n), "trunk_lean_deg": rng.normal(8, 1, n),
            "overstride_pct_leg": rng.normal(12, 2, n)}
    base.update(cols)
    return pd.DataFrame(base)


def _inside(summary: dict) -> list[str]:
    """Every printed figure of every metric that lies outside its plausible range."""
    bad = []
    for name, m in summary["metrics"].items():
        rng = KB.plausible.get(name)
        if not rng:
            continue
        values = [m.get(k) for k in ("median", "q1", "q3")] + [m.get(s, {}).get("median") for s in ("left", "right")]
        bad += [f"{name}={v}" for v in values if v is not None and not rng["low"] <= v <= rng["high"]]
    return bad


def test_a_few_absurd_strides_are_left_out_and_counted():
    lean = np.r_[np.full(10, 8.0), -115.0, 140.0]
    summary, strides = summarise_analysis(_strides(trunk_lean_deg=lean), KB, [], "")
    assert summary["plausibility"]["trunk_lean_deg"]["excluded"] == 2
    assert summary["metrics"]["trunk_lean_deg"]["n"] == 10
    assert summary["metrics"]["trunk_lean_deg"]["median"] == 8.0
    assert strides["implausible"].tolist()[-2:] == ["trunk_lean_deg", "trunk_lean_deg"]
    assert _inside(summary) == []


def test_a_metric_mostly_outside_its_range_is_withheld_with_the_likely_cause():
    warnings: list[str] = []
    summary, strides = summarise_analysis(_strides(overstride_pct_leg=np.full(12, 12038.0),
                                                   cadence_spm=np.full(12, 337.0)), KB, warnings, "")
    assert "overstride_pct_leg" not in summary["metrics"] and "cadence_spm" not in summary["metrics"]
    assert summary["plausibility"]["overstride_pct_leg"]["withheld"]
    text = " ".join(warnings)
    assert "Overstride (% leg length) is not reported" in text and "units" in text
    assert "Cadence is not reported" in text and "slow motion" in text
    assert not any(f["evidence"] and any(e.get("metric") == "overstride_pct_leg" for e in f["evidence"])
                   for f in summary["faults"] if f.get("evidence"))
    assert _inside(summary) == []


def test_random_stride_tables_never_print_a_value_outside_its_range():
    rng = np.random.default_rng(7)
    for _ in range(30):
        n = int(rng.integers(3, 30))
        cols = {name: rng.normal(0, 1, n) * rng.choice([1, 50, 500]) + rng.uniform(r["low"], r["high"])
                for name, r in KB.plausible.items() if name in KB.metrics}
        summary, _ = summarise_analysis(_strides(n - n % 2 or 2, **{k: v[: n - n % 2 or 2] for k, v in cols.items()}),
                                        KB, [], "")
        assert _inside(summary) == []


def test_screen_leaves_a_clean_table_alone():
    df = _strides()
    out, report, warnings = screen(df, KB.plausible, KB.plausibility_hints, KB.metrics)
    withheld = [n for n, e in report.items() if e.get("withheld")]
    assert report == {} and withheld == [] and warnings == []
    pd.testing.assert_frame_equal(out.drop(columns="implausible"), df)


def test_user_file_can_widen_a_range(tmp_path):
    toml = tmp_path / "refs.toml"
    toml.write_text("[plausible.cadence_spm]\nlow = 100\nhigh = 400\n")
    kb = load_knowledge(overrides=toml)
    summary, _ = summarise_analysis(_strides(cadence_spm=np.full(12, 337.0)), kb, [], "")
    assert summary["metrics"]["cadence_spm"]["median"] == 337.0


def test_docs_table_is_the_knowledge_base():
    doc = (REPO / "docs" / "plausibility.md").read_text()
    assert markdown_table(KB) in doc


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
    assert _inside(sample_summary) == []
    assert "plausibility" in sample_summary
