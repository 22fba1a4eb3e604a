"""The report's plan: sure findings ranked with their deciding figure, their drills merged into
one ordered list, unsure ones as what to film to settle them; figures without '-0'."""

from runform.outputs.plan import closeness, deciding_figure, plan
from runform.outputs.write import fmt, settings_words


def _fault(fid, conf, label, drills, value=12.0, settle=""):
    return {"id": fid, "title": fid.replace("_", " ").capitalize(), "confidence": conf, "confidence_label": label,
            "why": f"why {fid}", "settle": settle,
            "evidence": [{"metric": "shank_angle_ic_deg", "value": value, "uncertainty": 1.5, "op": ">",
                          "threshold": 10.0, "z": 1.3}],
            "drills": [{"id": d, "name": d.title(), "how": f"how {d}"} for d in drills]}


def test_sure_findings_ranked_and_their_drills_merged_once():
    faults = [_fault("overstriding", 0.6, "medium", ["cadence", "strides"]),
              _fault("trunk_upright", 0.9, "high", ["lean", "cadence"]),
              _fault("straight_knee", 0.0, "borderline", ["cadence", "strength"], settle="Film at 60 fps."),
              _fault("waist_bend", 0.2, "low", ["core"], settle="Film at 60 fps.")]
    p = plan(faults, unit=lambda m: "deg", label=lambda m: "Shank angle")
    assert [w["id"] for w in p["work_on"]] == ["trunk_upright", "overstriding"]  # surest first
    assert [d["id"] for d in p["drills"]] == ["cadence", "lean", "strides"]  # serves two first, then by rank
    assert p["drills"][0]["for"] == ["Trunk upright", "Overstriding"]
    assert all(d["id"] not in ("strength", "core") for d in p["drills"])  # unsure findings' drills wait
    assert [n["id"] for n in p["not_sure"]] == ["straight_knee", "waist_bend"]
    assert p["film"] == ["Film at 60 fps."]  # each instruction once
    assert p["work_on"][0]["deciding"] == "Shank angle 12.0 ± 1.5 deg (finding: above 10 deg)"


def test_nothing_sure_gives_no_drills_and_says_what_to_film():
    p = plan([_fault("straight_knee", 0.0, "borderline", ["cadence"], settle="Film square to the runner.")])
    assert p["work_on"] == [] and p["drills"] == [] and p["film"] == ["Film square to the runner."]


def test_words_not_raw_numbers():
    assert closeness(0.01) == "closer to the threshold than runform can measure"
    assert closeness(2.5) == "clearly past the threshold"
    assert fmt(-0.04) == "0.0" and fmt(-0.05, "m") == "-0.05" and fmt(1.234, "m") == "1.23" and fmt(float("nan")) == ""
    words = settings_words({"height_m": 1.7, "speed_mps": 3.3333333333, "sex": "f", "start_s": 0.0,
                            "annotated_video": True, "vertical": "auto", "view": "auto"})
    assert words == "runner's height 1.70 m, speed 3.33 m/s (12.0 km/h), reference ranges for women where they differ"
    assert "=" not in words
    assert deciding_figure({"evidence": [{"metric": "m", "trend_change": 2.0, "op": ">", "threshold": 1.5}]}) \
        .startswith("m changed by +2.0")
