"""Information exchange between customs: recognised results are not inspected again, pre-arrival
data shorten and pre-clear the importing side's checks only when they arrive in time, alerts
raise the importing side's red rate for the flow, and an exchange that does nothing changes
nothing."""
from __future__ import annotations

import numpy as np
import pytest

from corridor_sim.errors import ScenarioError
from corridor_sim.model import simulate
from corridor_sim.results.replication import replication_stats
from corridor_sim.results.summary import scenario_summary
from corridor_sim.scenario.loader import build_scenario, merge
from corridor_sim.scenario.schema import REGIMES

from conftest import tiny

NONE = {r: 0 for r in REGIMES}


def exchanged(exchange: dict, aa: dict, bb: dict, noncompliance: float = 0.0, per_day: float = 40, **extra) -> dict:
    """AA's exit then BB's entry at one bcp, many lanes and bays, fixed times, and `exchange` from AA to BB."""
    return merge(tiny(), {
        "clock": {"horizon": "20d", "warmup": "1d"},
        "risk_classes": {"low": {"noncompliance": noncompliance}},
        "customs": {"default": {"document": {r: "1h" for r in REGIMES}, "document_error": NONE, "inspection": "1h",
                                "yellow_check": "1h", "detection": 1.0},
                    "AA": {"channels": {"low": {"yellow": 0, "red": 0, **aa}}},
                    "BB": {"channels": {"low": {"yellow": 0, "red": 0, **bb}}}},
        "nodes": {"post": {"lanes": 100, "inspection_bays": 100}},
        "traffic": {"main": {"per_day": per_day}},
        "information_exchange": {"AA -> BB": exchange},
        **extra,
    })


def _run(data: dict):
    result = simulate(build_scenario(data), 0)
    return result, result.tables["exchanges"][0]


def test_no_reinspection_at_the_importing_side_when_results_are_recognised():
    result, record = _run(exchanged({"recognition": 1.0}, {"red": 1.0}, {"red": 1.0}))
    bb = next(c for c in result.controls if c.country == "BB")
    assert bb.red == 0 and record.recognised == record.trucks == bb.trucks
    assert (result.trucks["inspections"] == 1).all()
    half, record = _run(exchanged({"recognition": 0.5}, {"red": 1.0}, {"red": 1.0}, per_day=200))
    assert abs(record.recognised / record.trucks - 0.5) < 4 * np.sqrt(0.25 / record.trucks)


def test_a_violation_found_upstream_is_not_recognised_and_raises_an_alert():
    # every truck is non-compliant and found at AA: nothing to recognise; each detection alerts BB
    data = exchanged({"recognition": 1.0, "alerts": {"red_factor": 10, "duration": "30d"}},
                     {"red": 1.0}, {"red": 0.1}, noncompliance=1.0)
    result, record = _run(data)
    bb = next(c for c in result.controls if c.country == "BB")
    assert record.recognised == 0
    assert record.alerts == bb.trucks  # one alert a detection in the window
    # from the first detection on, every truck of the flow is under an alert: red 0.1 x 10 = 1
    assert record.alerted == record.trucks and bb.red == bb.trucks
    assert record.alert_reds == pytest.approx(0.9 * record.trucks, abs=4 * np.sqrt(0.09 * record.trucks))


def test_an_alert_ends_after_its_duration():
    # half the trucks are caught at AA; an alert of one minute covers the caught truck itself (it
    # reaches BB at once) and, the flow's trucks coming about 36 min apart, rarely the next one
    def alerted(duration: str):
        return _run(exchanged({"alerts": {"red_factor": 10, "duration": duration}}, {"red": 1.0}, {"red": 0.1},
                              noncompliance=0.5))[1]
    short, long = alerted("1min"), alerted("30d")
    assert short.alerts <= short.alerted < short.alerts + 0.05 * short.trucks
    assert long.alerted >= long.trucks - 5 and abs(long.alerts / long.trucks - 0.5) < 0.1


def test_pre_arrival_data_shorten_the_check_only_when_they_arrive_in_time():
    in_time, record = _run(exchanged({"pre_arrival": {"preclear": 1.0, "document_factor": 0.5}},
                                     {"yellow": 0.0}, {"yellow": 1.0}))
    # AA's document check 1 h, BB's 0.5 h, and every yellow check pre-cleared
    np.testing.assert_allclose(in_time.trucks["document_h"], 1.5)
    assert record.in_time == record.precleared == record.trucks
    assert (in_time.trucks["yellow"] == 0).all()
    late, record = _run(exchanged({"pre_arrival": {"preclear": 1.0, "document_factor": 0.5, "delay": "30min"}},
                                  {"yellow": 0.0}, {"yellow": 1.0}))
    # BB's control is met at once (no queue): the data are never there, every truck checked in full
    np.testing.assert_allclose(late.trucks["document_h"], 1.0 + 1.0 + 1.0)
    assert record.in_time == record.precleared == 0 and (late.trucks["yellow"] == 1).all()


def test_an_exchange_that_does_nothing_changes_nothing():
    data = exchanged({"recognition": 0.0}, {"red": 0.2, "yellow": 0.2}, {"red": 0.2, "yellow": 0.2},
                     noncompliance=0.3)
    without = {k: v for k, v in data.items() if k != "information_exchange"}
    a, b = simulate(build_scenario(data), 0), simulate(build_scenario(without), 0)
    for name in a.trucks:
        np.testing.assert_array_equal(a.trucks[name], b.trucks[name], err_msg=name)
    summary = scenario_summary("s", "", [replication_stats(a)])
    assert summary["information_exchange"]["AA -> BB"]["trucks"]["mean"] == a.tables["exchanges"][0].trucks > 0


@pytest.mark.parametrize("key, message", [
    ("AA -> CC", "no node lies in 'CC'"),
    ("AA -> AA", "two different countries"),
    ("AA->BB", "AA->BB"),
])
def test_a_bad_exchange_key_is_refused_with_its_path(key, message):
    with pytest.raises(ScenarioError) as exc:
        build_scenario(merge(tiny(), {"information_exchange": {key: {"recognition": 1}}}))
    assert "information_exchange" in str(exc.value) and message in str(exc.value)
