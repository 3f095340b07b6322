"""Departures: Poisson per day, weekly profiles, warm-up, and the drain cap."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from corridor_sim.errors import SimulationError
from corridor_sim.model import simulate, world
from corridor_sim.scenario.hours import DAYS
from corridor_sim.scenario.loader import build_scenario, merge

from conftest import tiny

P_MIN = 1e-3


def departures(data: dict, replications: int = 1, seed: int = 1) -> list[np.ndarray]:
    """Every truck's departure time (warm-up included), per replication."""
    out = []
    for r in range(replications):
        result = simulate(build_scenario(data), r, seed, trace=True)
        trace = pd.DataFrame(result.trace, columns=["truck", "node", "event", "time_h", "km"])
        first = trace.groupby("truck")["time_h"].min().to_numpy()
        assert len(first) == result.created
        out.append(np.sort(first))
    return out


def test_departures_are_poisson_at_the_daily_rate():
    per_day, days, reps = 30.0, 20, 5
    data = merge(tiny(), {"clock": {"horizon": f"{days}d", "warmup": "0h"}, "traffic": {"main": {"per_day": per_day}}})
    runs = departures(data, reps)
    total = sum(len(d) for d in runs)
    expected = per_day * days * reps
    tail = min(stats.poisson.cdf(total, expected), stats.poisson.sf(total - 1, expected))
    assert 2 * tail > P_MIN, (total, expected)
    gaps = np.concatenate([np.diff(np.concatenate([[0.0], d])) for d in runs])
    assert stats.kstest(gaps, stats.expon(scale=24 / per_day).cdf).pvalue > P_MIN
    # counts per day: Poisson dispersion (variance = mean)
    counts = np.concatenate([np.bincount((d // 24).astype(int), minlength=days) for d in runs])
    dispersion = ((counts - counts.mean()) ** 2).sum() / counts.mean()
    assert stats.chi2.sf(dispersion, len(counts) - 1) > P_MIN
    assert stats.chi2.cdf(dispersion, len(counts) - 1) > P_MIN


@pytest.mark.parametrize("start", ["2026-01-05T00:00", "2026-01-07T15:00"], ids=["Monday midnight", "Wednesday 15:00"])
def test_weekly_multipliers_set_each_weekdays_share(start):
    weekly = {"Mon": 2.0, "Fri": 1.5, "Sat": 0.5, "Sun": 0.0}  # other days: 1
    data = merge(tiny(), {"clock": {"start": start, "horizon": "28d", "warmup": "0h"},
                          "traffic": {"main": {"per_day": 40, "weekly": weekly}}})
    origin = dt.datetime.fromisoformat(start)
    times = np.concatenate(departures(data, 2))
    weekdays = [(origin + dt.timedelta(hours=float(t))).weekday() for t in times]
    observed = np.bincount(weekdays, minlength=7)
    assert observed[6] == 0  # Sunday: none
    factors = np.array([weekly.get(d, 1.0) for d in DAYS])
    days = factors > 0
    expected = factors[days] / factors[days].sum() * observed[days].sum()
    assert stats.chisquare(observed[days], expected).pvalue > P_MIN
    # the level is per_day x the multiplier: Mondays carry about 2 x 40 a day
    assert observed[0] / (2 * 4) == pytest.approx(80, rel=0.2)


def test_warm_up_trucks_are_simulated_but_not_counted():
    data = merge(tiny(), {"clock": {"horizon": "6d", "warmup": "2d"},
                          "nodes": {"post": {"lanes": 1}},
                          "traffic": {"main": {"per_day": 20}, "local": {"route": ["origin", "post", "destination"],
                                                                        "per_day": 10, "background": True}}})
    result = simulate(build_scenario(data), 0, 4, trace=True)
    trace = pd.DataFrame(result.trace, columns=["truck", "node", "event", "time_h", "km"])
    first = trace.groupby("truck")["time_h"].min()
    t = result.trucks
    assert (t["depart_h"] >= 48).all()
    assert (t["group"] == 0).all()  # the background flow is never counted
    assert len(first) == result.created == result.arrived
    counted = set(t["truck"])
    early = set(first[first < 48].index)
    assert early and not (early & counted)
    assert len(counted) + len(early) < result.created  # the rest are background trucks after the warm-up
    # controls tally the trucks that reach them in [warm-up, horizon), background included
    aa = next(c for c in result.controls if c.country == "AA")
    post = trace[(trace["node"] == "post") & (trace["event"] == "arrive")]
    assert aa.trucks == ((post["time_h"] >= 48) & (post["time_h"] < 144)).sum()


def test_a_truck_stuck_past_the_drain_cap_is_reported_with_its_place():
    # the post is closed for five years of holidays: nobody can cross within the year-long cap
    data = merge(tiny(), {"nodes": {"post": {"holidays": ["2026-01-01..2030-12-31"]}}})
    with pytest.raises(SimulationError) as caught:
        simulate(build_scenario(data), 0)
    message = str(caught.value)
    assert "had not arrived" in message and "8760 h after the horizon" in message
    assert "at post AA exit" in message and "'tiny'" in message and "replication 0" in message


def test_the_drain_cap_is_counted_from_the_horizon(monkeypatch):
    # a one-lane post with 3 h checks for 20 trucks a day: the queue needs days to clear
    monkeypatch.setattr(world, "DRAIN_CAP_H", 12.0)
    data = merge(tiny(), {"nodes": {"post": {"lanes": 1}},
                          "customs": {"AA": {"document": {"paper_tir": "3h"}}}})
    with pytest.raises(SimulationError, match=r"trucks had not arrived 12 h after the horizon .* at post AA exit"):
        simulate(build_scenario(data), 0)
    monkeypatch.setattr(world, "DRAIN_CAP_H", 365 * 24.0)
    assert simulate(build_scenario(data), 0).arrived > 100
