"""`capacity.control_loads`: a control's mean service and utilisation from the scenario, by hand."""
from __future__ import annotations

import pytest

from corridor_sim.capacity import control_loads
from corridor_sim.scenario.loader import build_scenario, merge

from conftest import tiny

# half e-TIR, half AEO; yellow 0.4 at 1 h, no errors, no red
MIX = {"customs": {"default": {"document": {"paper_tir": "30min", "etir": "6min"},
                               "document_error": {"paper_tir": 0, "etir": 0},
                               "channels": {"low": {"yellow": 0.4, "red": 0}}, "yellow_check": "1h",
                               "etir_preclear": 0.5, "recognises_aeo": True, "aeo_factor": 0.5}},
       "traffic": {"main": {"regime": {"paper_tir": 0.5, "etir": 0.5}, "aeo": 0.5}}}


def _loads(data: dict) -> dict:
    return {f"{x.key.country} {x.key.direction}": x for x in control_loads(build_scenario(merge(tiny(), data)))}


def test_the_service_counts_the_regime_mix_aeo_recognition_and_e_tir_pre_clearing():
    # document 0.5 x 30 min + 0.5 x 6 min = 0.3 h; yellow 0.4 x (0.5 + 0.5 x 0.5) (AEO) x (1 - 0.5 x 0.5)
    # (e-TIR) = 0.225, at 1 h each
    (exit_, entry) = _loads(MIX).values()
    assert exit_.service_h == pytest.approx(0.525) and entry.service_h == pytest.approx(0.525)
    assert exit_.capacity == pytest.approx(48 / 0.525) and exit_.bay_utilisation == 0
    # a yellow check done aside frees the lane
    aside = _loads(merge(MIX, {"nodes": {"post": {"pull_aside": ["yellow_check"]}}}))
    assert aside["AA exit"].service_h == pytest.approx(0.3)


def test_a_joint_control_takes_the_slower_countrys_check_and_the_node_s_lanes():
    joint = _loads(merge(MIX, {"customs": {"BB": {"document": {"paper_tir": "1h"}}},
                               "nodes": {"post": {"joint_control": True, "lanes": 3}}}))
    (load,) = joint.values()
    assert load.key.direction == "joint" and load.lane_hours == pytest.approx(72)
    assert load.service_h == pytest.approx(0.5 * 1 + 0.5 * 0.1 + 0.225)  # BB's, the longer


def test_opening_hours_and_holidays_take_lane_hours_away():
    # open Mon-Fri 08:00-20:00: 60 h a week of 2 lanes, 120 / 7 a day; two holidays of the ten days
    shut = _loads({"nodes": {"post": {"hours": "Mon-Fri 08:00-20:00", "holidays": ["2026-01-06..2026-01-07"]}}})
    assert shut["AA exit"].lane_hours == pytest.approx(120 / 7 * 0.8)
