"""Road permits: a quota is never exceeded in any period and is used first come first served,
the wait for a permit matches a case worked by hand, only the trucks registered in the country
the quota is for need one, and running out is a warning."""
from __future__ import annotations

import datetime as dt

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor_sim.errors import ScenarioError
from corridor_sim.model import simulate
from corridor_sim.model.admission import Periods, Quota, QuotaLine
from corridor_sim.results.replication import replication_stats
from corridor_sim.results.warnings import saturation_warnings
from corridor_sim.scenario.loader import build_scenario, merge
from corridor_sim.scenario.schema import REGIMES

from conftest import tiny

START = dt.datetime(2026, 1, 5, 0, 0)  # a Monday
NONE = {r: 0 for r in REGIMES}


def test_periods_begin_at_midnight_monday_the_first_of_the_month_and_new_year():
    assert Periods("day", START + dt.timedelta(hours=6)).begins(1) == 18.0
    assert Periods("week", START + dt.timedelta(days=2)).begins(1) == 5 * 24.0
    month = Periods("month", START)
    assert month.begins(1) == 27 * 24.0 and month.index(27 * 24.0 - 1e-6) == 0 and month.index(27 * 24.0) == 1
    assert month.begins(12) == (dt.datetime(2027, 1, 1) - START).total_seconds() / 3600
    year = Periods("year", START)
    assert year.begins(1) == 361 * 24.0 and year.index(361 * 24.0) == 1


@settings(max_examples=60, deadline=None)
@given(arrivals=st.lists(st.floats(0, 400), min_size=1, max_size=60), per_period=st.integers(1, 5),
       kind=st.sampled_from(["day", "week"]))
def test_a_quota_is_never_exceeded_and_serves_in_order(arrivals, per_period, kind):
    env = simpy.Environment()
    periods = Periods(kind, START)
    quota = Quota(env, per_period, periods)
    taken: list[tuple[float, float]] = []  # (arrived, took a permit)

    def truck(at: float):
        yield env.timeout(at)
        granted = quota.request()
        if granted is not None:
            yield granted
        taken.append((at, env.now))

    for at in sorted(arrivals):
        env.process(truck(at))
    env.run()
    assert len(taken) == len(arrivals)
    per = {}
    for _, t in taken:
        per[periods.index(t)] = per.get(periods.index(t), 0) + 1
    assert max(per.values()) <= per_period
    # first come first served, and nobody waits while the period still has permits
    assert [t for _, t in sorted(taken)] == sorted(t for _, t in taken)
    for at, t in taken:
        if t > at:
            assert per[periods.index(at)] == per_period or any(a < at and b > a for a, b in taken)


def caravan_world(trucks: int, permits: dict, registered: str | None = None, per_day: float = 0.001) -> dict:
    caravan = {"route": ["origin", "post", "destination"], "depart": "2026-01-05T10:00", "trucks": trucks}
    if registered:
        caravan["registered"] = registered
    return merge(tiny(), {
        "clock": {"horizon": "5d", "warmup": 0},
        "customs": {"default": {"document": NONE, "document_error": NONE, "channels": {"low": {"yellow": 0, "red": 0}}}},
        "nodes": {"post": {"lanes": 10}},
        "traffic": {"main": {"per_day": per_day, "route": ["origin", "post", "destination"]}},
        "caravans": {"c": caravan},
        "road_permits": permits,
    })


@settings(max_examples=150, deadline=None)
@given(arrivals=st.lists(st.floats(0, 2000), min_size=1, max_size=80), per_period=st.integers(1, 6),
       kind=st.sampled_from(["day", "week", "month"]), start_hour=st.floats(0, 200), first=st.none() | st.integers(0, 6))
def test_a_quota_worked_out_in_order_of_requests_admits_each_truck_when_the_event_loop_does(
        arrivals, per_period, kind, start_hour, first):
    """`QuotaLine`, for first-come first-served controls, gives each request the float at which
    the quota's booking process admits it on SimPy, trucks admitted together included."""
    periods = Periods(kind, START + dt.timedelta(hours=start_hour))
    env = simpy.Environment()
    quota = Quota(env, per_period, periods, first)
    admitted: dict[int, float] = {}

    def truck(i: int, at: float):
        yield env.timeout(at)
        granted = quota.request()
        if granted is not None:
            yield granted
        admitted[i] = env.now

    times = sorted(set(arrivals))  # distinct times: two requests at once are ordered by the event loop alone
    for i, at in enumerate(times):
        env.process(truck(i, at))
    env.run()
    line = QuotaLine(per_period, periods, 0.0, first)
    assert [line.admit(0.0 + at) for at in times] == [admitted[i] for i in range(len(times))]


def test_the_wait_for_a_permit_worked_by_hand():
    # five trucks reach BB's entry together at 11:00 on Monday (60 km at 60 km/h), two permits a day:
    # two go on, two wait for Tuesday 00:00 (13 h), the last for Wednesday 00:00 (37 h)
    result = simulate(build_scenario(caravan_world(5, {"AA -> BB": {"permits": 2, "period": "day"}})), 0)
    caravan = result.trucks["group"] == 1
    assert sorted(result.trucks["permit_h"][caravan]) == pytest.approx([0, 0, 13, 13, 37])
    (record,) = result.tables["permits"]
    assert record.used == 5 and record.waited == 3
    assert record.mean_wait_h == pytest.approx((13 + 13 + 37) / 3) and record.max_wait_h == pytest.approx(37)
    assert any("road permits AA -> BB ran out" in w for w in saturation_warnings([replication_stats(result)]))


def test_only_trucks_registered_in_the_quota_country_need_a_permit():
    # the caravan is registered in CC, the flow in AA (its first node's country): one permit a day for CC
    result = simulate(build_scenario(caravan_world(5, {"CC -> BB": {"permits": 1, "period": "day"}}, "CC", per_day=30)), 0)
    t = result.trucks
    caravan = t["group"] == 1
    assert (t["permit_h"][caravan] > 0).sum() == 4
    assert (~caravan).sum() > 50 and (t["permit_h"][~caravan] == 0).all()
    assert result.tables["permits"][0].used == 5


def test_a_bad_permit_quota_is_refused_with_its_path():
    with pytest.raises(ScenarioError) as exc:
        build_scenario(merge(tiny(), {"road_permits": {"AA -> XX": {"permits": 0}}}))
    text = str(exc.value)
    assert 'road_permits["AA -> XX"].permits' in text
    with pytest.raises(ScenarioError) as exc:
        build_scenario(merge(tiny(), {"road_permits": {"CN -> BB": {"permits": 5}}}))
    assert "no flow's or caravan's trucks are registered in 'CN'" in str(exc.value)


def test_a_quota_starts_with_the_share_of_its_first_period_still_to_come():
    # the clock starts on Monday at 12:00: half a day left, so one of the two daily permits
    data = caravan_world(3, {"AA -> BB": {"permits": 2, "period": "day"}})
    data["clock"]["start"] = "2026-01-05T12:00"
    data["caravans"]["c"]["depart"] = "2026-01-05T13:00"
    result = simulate(build_scenario(data), 0)
    waits = sorted(result.trucks["permit_h"][result.trucks["group"] == 1])
    assert waits == pytest.approx([0, 10, 10])  # at 14:00 one permit left, two wait for midnight
    data["road_permits"]["AA -> BB"]["at_start"] = 0
    result = simulate(build_scenario(data), 0)
    assert sorted(result.trucks["permit_h"][result.trucks["group"] == 1]) == pytest.approx([10, 10, 34])


def test_a_truck_whose_permit_comes_while_the_control_is_closed_waits_for_the_opening_outside_the_lane():
    # one lane, an hour's check; five trucks reach BB's entry at 12:00-16:00 on Monday, two permits a
    # day, BB's entry open 08:00-18:00: the third and fourth get Tuesday's permits at 00:00 and wait,
    # outside the lane, for 08:00 (not in the lane, where the fourth would queue behind the third
    # all night), the fifth Wednesday's
    data = caravan_world(5, {"AA -> BB": {"permits": 2, "period": "day"}})
    data["nodes"]["post"].update({"lanes": 1, "controls": {"BB": {"hours": "Mon-Sun 08:00-18:00"}}})
    data["customs"]["default"]["document"] = {r: "1h" for r in REGIMES}
    result = simulate(build_scenario(data), 0)
    caravan = result.trucks["group"] == 1
    permit, closed = result.trucks["permit_h"][caravan], result.trucks["closed_h"][caravan]
    assert sorted(permit) == pytest.approx([0, 0, 9, 10, 32])
    assert closed[permit > 0] == pytest.approx([8, 8, 8]) and (closed[permit == 0] == 0).all()
