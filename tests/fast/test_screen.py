"""The plausibility screen on stride tables with known absurd values (no recording needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from plausible import KB, outside_plausible, stride_table

from runform.engine.analysis import summarise_analysis
from runform.engine.assess.knowledge import load_knowledge
from runform.engine.assess.plausibility import markdown_table, screen

REPO = Path(__file__).resolve().parents[2]


def test_a_few_absurd_strides_are_left_out_and_counted():
    lean = np.r_[np.full(10, 8.0), -115.0, 140.0]
    summary, strides = summarise_analysis(stride_table(trunk_lean_deg=lean), KB, [], "")
    assert summary["plausibility"]["trunk_lean_deg"]["excluded"] == 2
    assert summary["metrics"]["trunk_lean_deg"]["n"] == 10
    assert summary["metrics"]["trunk_lean_deg"]["median"] == 8.0
    assert strides["implausible"].tolist()[-2:] == ["trunk_lean_deg", "trunk_lean_deg"]
    assert outside_plausible(summary) == []


def test_a_metric_mostly_outside_its_range_is_withheld_with_the_likely_cause():
    warnings: list[str] = []
    summary, strides = summarise_analysis(stride_table(overstride_pct_leg=np.full(12, 12038.0),
                                                   cadence_spm=np.full(12, 337.0)), KB, warnings, "")
    assert "overstride_pct_leg" not in summary["metrics"] and "cadence_spm" not in summary["metrics"]
    assert summary["plausibility"]["overstride_pct_leg"]["withheld"]
    text = " ".join(warnings)
    assert "Overstride (% leg length) is not reported" in text and "units" in text
    assert "Cadence is not reported" in text and "slow motion" in text
    assert not any(f["evidence"] and any(e.get("metric") == "overstride_pct_leg" for e in f["evidence"])
                   for f in summary["faults"] if f.get("evidence"))
    assert outside_plausible(summary) == []


def test_random_stride_tables_never_print_a_value_outside_its_range():
    rng = np.random.default_rng(7)
    for _ in range(30):
        n = int(rng.integers(3, 30))
        cols = {name: rng.normal(0, 1, n) * rng.choice([1, 50, 500]) + rng.uniform(r["low"], r["high"])
                for name, r in KB.plausible.items() if name in KB.metrics}
        summary, _ = summarise_analysis(stride_table(n - n % 2 or 2, **{k: v[: n - n % 2 or 2] for k, v in cols.items()}),
                                        KB, [], "")
        assert outside_plausible(summary) == []


def test_screen_leaves_a_clean_table_alone():
    df = stride_table()
    out, report, warnings = screen(df, KB.plausible, KB.plausibility_hints, KB.metrics)
    withheld = [n for n, e in report.items() if e.get("withheld")]
    assert report == {} and withheld == [] and warnings == []
    pd.testing.assert_frame_equal(out.drop(columns="implausible"), df)


def test_user_file_can_widen_a_range(tmp_path):
    toml = tmp_path / "refs.toml"
    toml.write_text("[plausible.cadence_spm]\nlow = 100\nhigh = 400\n")
    kb = load_knowledge(overrides=toml)
    summary, _ = summarise_analysis(stride_table(cadence_spm=np.full(12, 337.0)), kb, [], "")
    assert summary["metrics"]["cadence_spm"]["median"] == 337.0


def test_docs_table_is_the_knowledge_base():
    doc = (REPO / "docs" / "plausibility.md").read_text()
    assert markdown_table(KB) in doc
