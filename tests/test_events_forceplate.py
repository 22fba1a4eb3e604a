"""Kinematic event timing against force plates (docs/validation.md).

The lab trials' markers become the video keypoints, are projected to a side
view seen by a virtual 60 fps phone camera (1.5 cm keypoint noise, far-leg
label swaps, 3 deg camera roll), and go through the same cleaning, geometry
and event detection as a video. Truth: vertical GRF above 50 N.
Target (foundation issue): median |error| <= 15 ms for IC and for TO.
"""

import numpy as np
import pytest
from conftest import MOCAP_DIR

from runform.engine.clean import clean
from runform.engine.scene import analyse_scene
from runform.validation.events_accuracy import accuracy_table
from runform.validation.testbed import load_trials
from runform.validation.virtual_camera import side_view


@pytest.fixture(scope="module")
def trials():
    ts = load_trials(MOCAP_DIR)
    assert len(ts) >= 9, "expected the 8 Hamner & Delp trials and the Fukuchi trials"
    return ts


def _errors(trials, fps, seed=1):
    _, _, ic, to = accuracy_table(trials, fps, seed)
    return ic, to


def test_event_timing_against_force_plates_60fps(trials):
    ic, to = _errors(trials, 60.0)
    assert len(ic) >= 150 and len(to) >= 80
    assert np.median(np.abs(ic)) <= 15.0, np.median(np.abs(ic))
    assert np.median(np.abs(to)) <= 15.0, np.median(np.abs(to))


def test_every_force_plate_contact_is_found(trials):
    ic, _ = _errors(trials, 60.0, seed=2)
    n_truth = sum(len(t.events) for t in trials)
    # contacts cut by the start/end of a trial cannot be timed; all others must match
    assert len(ic) >= 0.9 * n_truth - 2 * len(trials)


def test_leg_swaps_are_undone(trials):
    tr = trials[0]
    m = side_view(tr.keypoints_mm, tr.times_s, tr.forward, tr.up, fps=60.0, swap_rate_hz=1.0, seed=3)
    _, report = clean(m)
    assert report["frames_leg_swap_fixed"] == m.attrs["injected_swaps"] > 0


def test_camera_roll_is_removed(trials):
    rolls = []
    for tr in trials[:8]:
        m = side_view(tr.keypoints_mm, tr.times_s, tr.forward, tr.up, fps=60.0, roll_deg=4.0, seed=4)
        c, _ = clean(m)
        rolls.append(analyse_scene(c, 1.75).tilt_deg)
    assert abs(np.median(rolls) - 4.0) <= 1.0, rolls


def test_trunk_lean_through_a_perspective_camera(validation):
    """The lab runners through a pinhole camera 3 and 5 m away, turned round them up to 30 deg,
    raised or lowered 10 deg and rolled 5 deg (issue 14): with true vertical as the scene gives
    it, the trunk lean is within 2 deg of the markers' up to 20 deg of yaw (median and worst
    trial); the floor line taken as vertical is off by more than 3 deg at 20 deg of yaw."""
    rows = validation["perspective"]
    assert len(rows) == 22 and all(r["n_trials"] >= 8 for r in rows)
    for r in rows:
        if r["yaw_deg"] <= 20:
            assert r["scene_median_abs_deg"] <= 2.0, r
            if r["pitch_deg"] == 0:
                assert r["scene_max_abs_deg"] <= 2.0, r
    slanted = [r for r in rows if r["yaw_deg"] == 20 and r["pitch_deg"] == 0]
    assert all(r["floor_median_abs_deg"] > 3.0 for r in slanted), slanted
