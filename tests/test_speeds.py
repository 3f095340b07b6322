"""SWOD and SWD (CPMM's speed without and with delay) by value, in a world worked out by hand:
120 km at 60 km/h, and one hour's document check at each of the two controls, no queue."""
from __future__ import annotations

import pytest

from corridor_sim import run
from corridor_sim.scenario.loader import build_scenario, merge

from conftest import tiny


def test_speed_without_delay_is_km_over_driving_and_with_delay_km_over_lead_time():
    hour = {"paper_tir": "1h", "etir": "1h", "national": "1h"}
    none = {"paper_tir": 0, "etir": 0, "national": 0}
    data = merge(tiny(), {"customs": {"default": {"document": hour, "document_error": none,
                                                  "channels": {"low": {"yellow": 0, "red": 0}}}},
                          "nodes": {"post": {"lanes": 50}}})
    summary = run(build_scenario(data), 2).summary_dict["scenarios"]["tiny"]
    assert summary["lead_time_h"]["mean"] == pytest.approx(4.0)  # 2 h driving, 2 x 1 h of documents
    assert summary["swod_kmh"]["mean"] == pytest.approx(60.0)   # 120 km / 2 h at the wheel
    assert summary["swd_kmh"]["mean"] == pytest.approx(30.0)    # 120 km / 4 h from gate to gate
    flow = summary["flows"]["main"]
    assert (flow["swod_kmh"]["mean"], flow["swd_kmh"]["mean"]) == pytest.approx((60.0, 30.0))
