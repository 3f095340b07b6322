"""The budget before the work: the estimate of trucks a replication, and the limit it is held to."""
from __future__ import annotations

import pytest

from corridor_sim.errors import CorridorSimError
from corridor_sim.model.world import World
from corridor_sim.scenario import budget
from corridor_sim.scenario.loader import build_scenario, load_scenario, merge

from conftest import ROOT, tiny


def test_the_estimate_is_rate_times_days_times_the_mean_weekly_factor_plus_the_caravans():
    data = merge(tiny(), {"traffic": {"main": {"per_day": 30, "weekly": {"Sat": 0.5, "Sun": 0}},
                                      "extra": {"route": ["origin", "post", "destination"], "per_day": 4,
                                                "hourly": [0] * 12 + [2] * 12, "monthly": {1: 3}}},
                          "caravans": {"c": {"route": ["origin", "post", "destination"], "depart": "2026-01-06T08:00",
                                             "trucks": 7}}})
    est = budget.estimate(build_scenario(data))
    assert est.by_flow == pytest.approx({"main": 30 * 10 * 5.5 / 7, "extra": 4 * 10, "c": 7})
    assert est.trucks == pytest.approx(sum(est.by_flow.values()))
    assert est.memory_bytes == pytest.approx(est.trucks * budget.MEMORY_BYTES_PER_TRUCK)


def test_the_estimate_matches_the_trucks_a_replication_departs():
    """Poisson departures over 60 days: the count lies within four standard deviations."""
    scenario = build_scenario(merge(tiny(), {"clock": {"horizon": "60d", "warmup": 0},
                                             "traffic": {"main": {"weekly": {"Sun": 0}}}}))
    world = World(scenario, 0, 3)
    world.run()
    expected = budget.estimate(scenario).trucks
    assert abs(world.next_id - expected) < 4 * expected ** 0.5


def test_a_year_of_the_bundled_corridor_fits_two_workers_of_a_24_gb_machine(monkeypatch):
    scenario = load_scenario(ROOT / "scenarios" / "middle_corridor.yaml", ["clock.horizon=365d"])
    monkeypatch.setattr(budget, "physical_memory", lambda: 24 * 10**9)
    assert 1.4e6 < budget.estimate(scenario).trucks < 1.6e6
    budget.check_budget([scenario], at_once=2)  # no refusal
    assert budget.default_max_trucks(2) == int(24e9 * 0.5 / budget.MEMORY_BYTES_PER_TRUCK / 2)


def test_over_the_limit_is_refused_with_the_estimate_and_the_option(monkeypatch):
    scenario = build_scenario(merge(tiny(), {"traffic": {"main": {"per_day": 100_000}}, "clock": {"horizon": "36500d"}}))
    with pytest.raises(CorridorSimError, match=r"about 3.65e9 trucks a replication .* more than --max-trucks 1,000,000; "
                                               r".*--max-trucks N"):
        budget.check_budget([scenario], at_once=1, max_trucks=1_000_000)
    monkeypatch.setattr(budget, "physical_memory", lambda: None)  # a machine that does not say: no default limit
    budget.check_budget([scenario], at_once=1)
