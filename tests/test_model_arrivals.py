"""Departures: Poisson per day, weekly, hourly and monthly profiles, warm-up, and the drain cap."""
from __future__ import annotations

import datetime as dt
import signal
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from corridor_sim.errors import ScenarioError, SimulationError
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


HOURLY = [0.2] * 6 + [1.0] * 2 + [2.0] * 10 + [1.0] * 2 + [0.5] * 4  # night low, day high (weights)


def test_hourly_weights_set_each_hours_share_and_keep_the_daily_mean():
    data = merge(tiny(), {"clock": {"start": "2026-01-07T15:30", "horizon": "30d", "warmup": "0h"},
                          "traffic": {"main": {"per_day": 48, "hourly": HOURLY}}})
    origin = dt.datetime.fromisoformat("2026-01-07T15:30")
    times = np.concatenate(departures(data, 2))
    hours = [(origin + dt.timedelta(hours=float(t))).hour for t in times]
    observed = np.bincount(hours, minlength=24)
    weights = np.array(HOURLY)
    assert stats.chisquare(observed, weights / weights.sum() * observed.sum()).pvalue > P_MIN
    # scaled to mean 1: the daily count stays per_day (2 x 30 days x 48 = 2,880, Poisson sd 54)
    assert abs(len(times) - 2 * 30 * 48) < 4 * np.sqrt(2 * 30 * 48)


def test_monthly_weights_follow_the_calendar_and_keep_the_yearly_mean():
    monthly = {1: 0.5, 2: 0.5, 7: 2.0, 8: 2.0}  # other months weigh 1
    data = merge(tiny(), {"clock": {"start": "2026-01-01T00:00", "horizon": "365d", "warmup": "0h"},
                          "nodes": {"post": {"lanes": 50}},
                          "traffic": {"main": {"per_day": 10, "monthly": monthly}}})
    times = np.concatenate(departures(data, 1))
    months = np.array([(dt.datetime(2026, 1, 1) + dt.timedelta(hours=float(t))).month for t in times])
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    weights = np.array([monthly.get(m, 1.0) for m in range(1, 13)])
    scale = (weights * days).sum() / days.sum()
    expected = 10 * days * weights / scale  # per_day x days x the month's factor
    observed = np.bincount(months, minlength=13)[1:]
    assert stats.chisquare(observed, expected * observed.sum() / expected.sum()).pvalue > P_MIN
    # the year's total is per_day x 365 (Poisson sd about 60)
    assert abs(len(times) - 3650) < 4 * np.sqrt(3650)
    assert observed[6] / 31 == pytest.approx(10 * 2 / scale, rel=0.15)


def test_profiles_that_leave_nothing_positive_are_refused():
    with pytest.raises(Exception, match="at least one hour"):
        build_scenario(merge(tiny(), {"traffic": {"main": {"hourly": [0] * 24}}}))
    with pytest.raises(Exception, match="at least one month"):
        build_scenario(merge(tiny(), {"traffic": {"main": {"monthly": {m: 0 for m in range(1, 13)}}}}))
    with pytest.raises(Exception, match="24"):
        build_scenario(merge(tiny(), {"traffic": {"main": {"hourly": [1] * 23}}}))


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


def test_background_traffic_goes_on_until_the_last_counted_truck_has_passed():
    """After the horizon a background flow departs while a counted truck has still to pass one
    of its controls, and stops once none has: late trucks meet a normal day's traffic."""
    per_day, horizon = 48.0, 48.0
    data = merge(tiny(), {"clock": {"horizon": "2d", "warmup": "0h"},
                          "nodes": {"yard": {"kind": "terminal", "country": "AA"}},
                          "links": {"origin -> post": {"km": 6000}, "yard -> post": {"km": 6}},
                          "traffic": {"main": {"per_day": 10},
                                      "local": {"route": ["yard", "post", "destination"], "per_day": per_day,
                                                "background": True}}})
    spans = departed = 0.0
    for replication in range(3):
        result = simulate(build_scenario(data), replication, 9, trace=True)
        trace = pd.DataFrame(result.trace, columns=["truck", "node", "event", "time_h", "km"])
        first = trace.sort_values("time_h").groupby("truck").first()
        local = first[first["node"] == "yard"]["time_h"]
        main = set(first[first["node"] == "origin"].index)
        at_post = trace[trace["truck"].isin(main) & (trace["node"] == "post") & (trace["event"] == "leave")]
        last_pass = at_post["time_h"].max()
        assert last_pass > horizon + 90  # the counted trucks reach the post ~100 h after they leave
        late = local[local >= horizon]
        assert late.max() <= last_pass  # no background truck after the last counted one has passed
        assert last_pass - late.max() < 10 * 24 / per_day  # ... and none missing before it
        spans += last_pass - horizon
        departed += len(late)
    expected = per_day / 24 * spans
    assert 2 * min(stats.poisson.cdf(departed, expected), stats.poisson.sf(departed - 1, expected)) > P_MIN


def test_a_truck_stuck_past_the_drain_cap_is_reported_with_its_place():
    # the post closes on the third day for five years of holidays: the trucks that come later
    # cannot cross within the year-long cap (closed from the start, the scenario would be refused)
    data = merge(tiny(), {"nodes": {"post": {"holidays": ["2026-01-07..2030-12-31"]}}})
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


class _TooLong(Exception):
    pass


@contextmanager
def wall_limit(seconds: float):
    """A run that has not ended within `seconds` fails the test instead of hanging it."""
    def stop(signum, frame):
        raise _TooLong(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("background", [False, True], ids=["counted", "background"])
def test_a_zero_weight_in_the_month_of_the_horizon_ends_the_flow(background):
    """A winter closure run into the closed month: the flow's last departures are before it, and
    the run ends (it drew and thinned candidates past the horizon for ever)."""
    closed = {"route": ["origin", "post", "destination"], "per_day": 30, "monthly": {12: 0, 1: 0},
              "background": background}
    data = merge(tiny(), {"clock": {"start": "2024-11-01T00:00", "horizon": "45d", "warmup": "1d"},
                          "traffic": {"main": {"per_day": 20}, "closed": closed}})
    with wall_limit(60):
        result = simulate(build_scenario(data), 0, 1)
    assert result.created == result.arrived and result.end_h < 45 * 24 + 7 * 24
    closed_from = (dt.datetime(2024, 12, 1) - dt.datetime(2024, 11, 1)).total_seconds() / 3600
    departs = result.trucks["depart_h"][result.trucks["group"] == 1]
    if not background:
        assert len(departs) > 20 * 20 and departs.max() < closed_from


WEIGHTS = st.sampled_from([0.0, 0.0, 1e-9, 0.5, 1.0, 3.0])


@st.composite
def profiled_flow(draw, background: bool) -> dict:
    """A flow with any valid (or nearly valid) weekly, hourly and monthly profile, zeros included."""
    flow = {"route": ["origin", "post", "destination"], "per_day": draw(st.sampled_from([0.5, 5, 40])),
            "background": background}
    if draw(st.booleans()):
        flow["weekly"] = draw(st.dictionaries(st.sampled_from(list(DAYS)), WEIGHTS, max_size=7))
    if draw(st.booleans()):
        flow["hourly"] = draw(st.lists(WEIGHTS, min_size=24, max_size=24))
    if draw(st.booleans()):
        flow["monthly"] = draw(st.dictionaries(st.integers(1, 12), WEIGHTS, min_size=1, max_size=12))
    return flow


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counted=profiled_flow(False), background=st.none() | profiled_flow(True),
       start=st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2026, 12, 31)),
       horizon_h=st.integers(1, 120 * 24))
def test_every_profile_and_horizon_ends_with_a_result_or_one_line(counted, background, start, horizon_h):
    """Random valid profiles (zeros anywhere, the horizon in any month): each run ends within a
    bound of wall time, with a result or a one-line refusal, and no later than the drain cap."""
    traffic = {"main": counted, **({"bg": background} if background else {})}
    data = tiny(traffic=traffic)
    data["clock"] = {"start": start.strftime("%Y-%m-%dT%H:%M"), "horizon": f"{horizon_h}h", "warmup": "0h"}
    with wall_limit(60):
        try:
            scenario = build_scenario(data)
        except ScenarioError as exc:  # a profile with nothing positive, say: refused, one line a problem
            assert all("\n" not in str(p) for p in exc.problems)
            return
        try:
            result = simulate(scenario, 0, 1)
        except SimulationError as exc:
            assert "\n" not in str(exc)
            return
    assert result.created == result.arrived
    assert result.end_h <= horizon_h + world.DRAIN_CAP_H


def test_a_flow_that_ends_at_the_horizon_ends_the_same_drawn_in_blocks():
    """The batch's departures in blocks end where the loop's one by one do, with the same times."""
    from corridor_sim.model.world import World

    flow = {"route": ["origin", "post", "destination"], "per_day": 300, "background": True, "monthly": {12: 0}}
    data = merge(tiny(traffic={"bg": flow}), {"clock": {"start": "2024-11-20T00:00", "horizon": "20d"}})
    one_by_one = list(World(build_scenario(data), 0).sources[0].candidates())
    in_blocks = np.concatenate(list(World(build_scenario(data), 0).sources[0].candidate_blocks())).tolist()
    assert in_blocks == one_by_one and 300 * 8 < len(one_by_one) and one_by_one[-1] < 11 * 24


def test_a_flow_runs_on_for_at_most_as_long_again_as_the_horizon():
    """At a saturated control the counted trucks are due for weeks after a two-day horizon; the
    background flow through it keeps departing while they are, but not past twice the horizon,
    and the counted trucks all get through."""
    import pandas as pd

    data = tiny()
    data["clock"] = {"start": "2026-01-05T00:00", "horizon": "2d", "warmup": "0h"}
    data["nodes"]["post"].update(lanes=1, hours="Tue,Thu 10:00-14:00", handling=2.0)
    data["traffic"] = {"main": {"route": ["origin", "post", "destination"], "per_day": 8},
                       "bg": {"route": ["origin", "post", "destination"], "per_day": 8, "background": True}}
    result = simulate(build_scenario(data), 0, trace=True)
    first = pd.DataFrame(result.trace, columns=["truck", "node", "event", "time_h", "km"]).groupby("truck")["time_h"].min()
    assert first.max() < 96.0 <= result.end_h  # departures end at twice the horizon, the run goes on
    assert (first >= 90.0).any()  # the background ran on to then (8 a day)
    assert result.created == result.arrived


def test_a_failed_drain_names_where_the_counted_trucks_are_stuck_before_the_traffic_behind_them():
    """Ten times more background trucks than counted ones wait at the closed post: the message
    names the counted trucks' place first, then the others'."""
    data = merge(tiny(), {"nodes": {"post": {"holidays": ["2026-01-07..2030-12-31"]}},
                          "traffic": {"main": {"per_day": 5},
                                      "bg": {"route": ["origin", "post", "destination"], "per_day": 50,
                                             "background": True}}})
    with pytest.raises(SimulationError) as caught:
        simulate(build_scenario(data), 0)
    message = str(caught.value)
    counted, others = message.split("counted trucks stuck: ")[1].split("; not counted: ")
    assert counted.endswith("at post AA exit") and others.startswith(f"{others.split()[0]} at post AA exit")
    assert int(counted.split()[0]) < int(others.split()[0])


def test_a_trace_changes_no_figure_of_the_run():
    """Traced or not, a background truck's journey ends after its last control, so the run ends
    at the same hour and the controls' figures and queue series are the same."""
    data = merge(tiny(), {"nodes": {"far": {"kind": "terminal", "country": "BB"}},
                          "links": {"post -> far": {"km": 600}},
                          "traffic": {"main": {"per_day": 20},
                                      "bg": {"route": ["origin", "post", "far"], "per_day": 30, "background": True}}})
    scenario = build_scenario(data)
    plain = simulate(scenario, 1, record_queues=True)
    traced = simulate(scenario, 1, record_queues=True, trace=True)
    assert traced.trace and plain.end_h == traced.end_h
    assert plain.controls == traced.controls and plain.control_groups == traced.control_groups
    assert plain.queue_series.keys() == traced.queue_series.keys()
    for name, series in plain.queue_series.items():
        assert all(np.array_equal(a, b) for a, b in zip(series.arrays(), traced.queue_series[name].arrays())), name
    for column, values in plain.trucks.items():
        assert np.array_equal(values, traced.trucks[column], equal_nan=values.dtype.kind == "f"), column
