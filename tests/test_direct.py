"""The direct way of running a world (`direct.py`, no SimPy) against SimPy's: on random worlds
where it applies, every truck's times, every control's tallies and levels, and the end of the
run are the same to the last bit, on the open path and on the general one."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor_sim.errors import SimulationError
from corridor_sim.model import simulate
from corridor_sim.model.direct import runs_direct
from corridor_sim.model.world import World
from corridor_sim.scenario.loader import build_scenario, merge

from conftest import tiny
from test_fast_path import _same, general_path_only, open_worlds, pools_only

SIMPY_ONLY = ("shifts", "outages", "scanners", "admissions_per_day", "neutral_zone", "handling")


@contextmanager
def simpy_only():
    World.DIRECT = False
    try:
        yield
    finally:
        World.DIRECT = True


@st.composite
def direct_worlds(draw) -> dict:
    """`open_worlds` without what needs SimPy, with driving rules and a weekly profile drawn."""
    data = draw(open_worlds())
    for name in ("post", "second"):
        for key in SIMPY_ONLY:
            data["nodes"][name].pop(key, None)
    data.pop("information_exchange", None)
    data.pop("post_clearance_audit", None)
    data["drivers"] = {"rules": draw(st.sampled_from(["aetr", "none"])), "speed_kmh": 60}
    if draw(st.booleans()):
        data["traffic"]["main"]["weekly"] = {"Mon": 1.0, "Tue": 1.0, "Wed": 1.0, "Thu": 1.0, "Fri": 1.0, "Sat": 0.4, "Sun": 0.1}
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(data=direct_worlds(), replication=st.integers(0, 3))
def test_the_direct_run_gives_every_truck_the_times_of_simpy(data, replication):
    scenario = build_scenario(data)
    assert runs_direct(World(scenario, replication))
    with pools_only():
        direct = simulate(scenario, replication)
        with simpy_only():
            open_path = simulate(scenario, replication)
        with general_path_only():
            general = simulate(scenario, replication)
    _same(direct, open_path)
    _same(direct, general)
    assert [(c.mean_queue_len, c.max_queue_len, c.lane_utilisation) for c in direct.controls] == \
        [(c.mean_queue_len, c.max_queue_len, c.lane_utilisation) for c in open_path.controls]


@pools_only()
def test_the_direct_run_is_taken_where_it_applies_and_only_there():
    assert runs_direct(World(build_scenario(tiny()), 0))
    for change in ({"nodes": {"post": {"hours": "Mon-Fri 08:00-18:00"}}},
                   {"nodes": {"post": {"shifts": {"08:00-20:00": 3}}}},
                   {"nodes": {"post": {"scanners": {"count": 1, "scan": "10min", "hit_rate": 1, "false_alarm": 0}}}},
                   {"caravans": {"c": {"route": ["origin", "post", "destination"], "depart": "2026-01-06T10:00",
                                       "trucks": 2}}},
                   {"post_clearance_audit": {"BB": {"release": {"red": 0.5}, "auditors": 1, "duration": "2h",
                                                    "detection": 0.8}}}):
        assert not runs_direct(World(build_scenario(merge(tiny(), change)), 0)), change
    assert not runs_direct(World(build_scenario(tiny()), 0, trace=True))


def test_a_direct_run_that_cannot_drain_says_where_trucks_are_stuck():
    # one lane, a 30-day check per truck: the trucks of two days cannot pass within a year
    data = merge(tiny(), {"clock": {"horizon": "2d", "warmup": 0},
                          "customs": {"default": {"document": {"paper_tir": "30d", "etir": "30d", "national": "30d"}}}})
    with pytest.raises(SimulationError, match="had not arrived 8760 h after the horizon.*post"):
        simulate(build_scenario(data), 0)


def test_the_direct_run_records_the_queues_of_simpy():
    # the queue-length series the plots and the animation draw: the same changes at the same times
    data = merge(tiny(), {"nodes": {"post": {"lanes": 1}}, "traffic": {"main": {"per_day": 40}},
                          "customs": {"default": {"document": {"paper_tir": {"dist": "exponential", "mean": "30min"},
                                                               "etir": "20min", "national": "20min"}}}})
    scenario = build_scenario(data)
    direct = simulate(scenario, 1, record_queues=True)
    with simpy_only():
        on_simpy = simulate(scenario, 1, record_queues=True)
    assert direct.queue_series.keys() == on_simpy.queue_series.keys() and direct.queue_series
    for name, series in direct.queue_series.items():
        times, levels = series.arrays()
        other_times, other_levels = on_simpy.queue_series[name].arrays()
        assert len(times) > 10 and list(times) == list(other_times) and list(levels) == list(other_levels)
