"""Worlds worked out control by control in columns (`columns.py`) against the event loop.

On random worlds where the column run applies and without ties (continuous times, no link of
0 km), every truck's times, every control's tallies and levels and the end of the run are the
same to the last bit as the event loop's on first-come first-served servers (the fifo engine),
and close to the reference engine's (`worlds.close`).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corridor_sim.errors import SimulationError
from corridor_sim.model import simulate
from corridor_sim.model.plan import CONTROL, DRIVE, control_order
from corridor_sim.model.world import World
from corridor_sim.scenario.loader import build_scenario, merge

from conftest import tiny
from worlds import close, same, tie_free_worlds


@st.composite
def column_worlds(draw) -> dict:
    """`tie_free_worlds` without what the columns leave to the loop (scanners, caps, neutral
    zones, joint control, priority, measures that re-decide), with driving rules, a weekly
    profile, a second counted flow and a background flow the other way drawn."""
    data = draw(tie_free_worlds())
    for name in ("post", "second"):
        node = data["nodes"][name]
        for key in ("scanners", "admissions_per_day", "neutral_zone"):  # shifts, outages, handling, pull-aside stay
            node.pop(key, None)
        node["joint_control"] = False
    data.pop("information_exchange", None)
    data.pop("post_clearance_audit", None)
    data["customs"]["BB"].update(aeo_priority_lane=False, priority_regimes=[],
                                 etir_preclear=draw(st.sampled_from([0.0, 0.5])))
    data["drivers"] = {"rules": draw(st.sampled_from(["aetr", "none"])), "crew": draw(st.sampled_from(["single", "double"])),
                       "speed_kmh": draw(st.sampled_from([60, {"dist": "lognormal", "mean": 55, "cv": 0.2}]))}
    main = data["traffic"]["main"]
    if draw(st.booleans()):
        main["weekly"] = {"Mon": 1.0, "Tue": 1.0, "Wed": 1.0, "Thu": 1.0, "Fri": 1.0, "Sat": 0.4, "Sun": 0.1}
    data["traffic"]["local"]["background"] = draw(st.booleans())
    if data["traffic"]["local"]["background"]:  # a background flow must not share a counted flow's controls
        data["traffic"]["local"]["background"] = False
    data["links"]["destination -> second"] = {"km": draw(st.floats(1, 200))}
    data["links"]["second -> post"] = {"km": draw(st.floats(1, 200))}
    data["traffic"]["back"] = {"route": ["destination", "second", "post"], "per_day": draw(st.floats(1, 40)),
                               "background": draw(st.booleans()), "risk": {"low": 1.0}}
    return data


def _runs_in_columns(scenario, replication: int, trace: bool = False) -> bool:
    return World(scenario, replication, trace=trace).choice.engine == "columns"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(data=column_worlds(), replication=st.integers(0, 3))
def test_the_columns_give_every_truck_the_times_of_the_event_loop(data, replication):
    scenario = build_scenario(data)
    assert _runs_in_columns(scenario, replication)
    try:
        columns = simulate(scenario, replication, record_queues=replication == 0)
    except SimulationError as exc:  # too much traffic to drain within the cap: so in the loop
        with pytest.raises(SimulationError) as loop_error:
            simulate(scenario, replication, engine="fifo")
        assert str(exc).split("; most")[0] == str(loop_error.value).split("; most")[0]
        return
    loop = simulate(scenario, replication, record_queues=replication == 0, engine="fifo")
    reference = simulate(scenario, replication, engine="reference")
    assert columns.created > 0
    same(columns, loop)
    close(columns, reference)
    assert [(c.mean_queue_len, c.max_queue_len, c.lane_utilisation, c.bay_utilisation) for c in columns.controls] == \
        [(c.mean_queue_len, c.max_queue_len, c.lane_utilisation, c.bay_utilisation) for c in loop.controls]
    assert columns.queue_series.keys() == loop.queue_series.keys()
    for name, series in columns.queue_series.items():
        assert [list(a) for a in series.arrays()] == [list(a) for a in loop.queue_series[name].arrays()], name


def test_the_contract_tandem_in_columns_is_the_loop_to_the_bit():
    from pathlib import Path

    from corridor_sim import derive, load_scenario

    scenario = derive(load_scenario(Path(__file__).parent / "fixtures" / "contract" / "tandem_mmc.yaml"),
                      {"clock.horizon": "60d"})
    assert _runs_in_columns(scenario, 0)
    columns = simulate(scenario, 0)
    loop = simulate(scenario, 0, engine="fifo")
    assert columns.created > 3000
    same(columns, loop)


def test_the_columns_are_taken_where_they_apply_and_only_there():
    assert _runs_in_columns(build_scenario(tiny()), 0)
    two_ways = tiny(traffic={"main": {"route": ["origin", "post", "destination"], "per_day": 20},
                             "local": {"route": ["origin", "post", "destination"], "per_day": 20, "background": True}})
    assert not _runs_in_columns(build_scenario(two_ways), 0)  # its stop after the horizon hangs on the counted trucks
    for change in ({"nodes": {"post": {"hours": "Mon-Fri 08:00-18:00"}}},
                   {"nodes": {"post": {"joint_control": True}}},
                   {"nodes": {"post": {"neutral_zone": 2}}},
                   {"nodes": {"post": {"admissions_per_day": 30}}},
                   {"nodes": {"post": {"scanners": {"count": 1, "scan": "10min", "hit_rate": 1, "false_alarm": 0}}}},
                   {"customs": {"BB": {"recognises_aeo": True, "aeo_priority_lane": True}}},
                   {"caravans": {"c": {"route": ["origin", "post", "destination"], "depart": "2026-01-06T10:00",
                                       "trucks": 2}}},
                   {"post_clearance_audit": {"BB": {"release": {"red": 0.5}, "auditors": 1, "duration": "2h",
                                                    "detection": 0.8}}}):
        assert not _runs_in_columns(build_scenario(merge(tiny(), change)), 0), change
    assert not _runs_in_columns(build_scenario(tiny()), 0, trace=True)


def test_controls_are_ordered_after_those_before_them_and_a_cycle_has_no_order():
    a, b, c = object(), object(), object()
    ordered = control_order([[(CONTROL, b, None), (DRIVE, None, 5.0), (CONTROL, c, None)],
                             [(CONTROL, a, None), (CONTROL, b, None)]])
    assert ordered is not None and ordered.index(a) < ordered.index(b) < ordered.index(c)
    assert control_order([[(CONTROL, a, None), (CONTROL, b, None)], [(CONTROL, b, None), (CONTROL, a, None)]]) is None
    assert control_order([[(CONTROL, a, None), (CONTROL, b, None), (CONTROL, a, None)]]) is None


def test_trucks_that_cannot_drain_are_said_where_they_are_stuck():
    data = merge(tiny(), {"clock": {"horizon": "2d", "warmup": 0},
                          "customs": {"default": {"document": {"paper_tir": "30d", "etir": "30d", "national": "30d"}}}})
    scenario = build_scenario(data)
    assert _runs_in_columns(scenario, 0)
    with pytest.raises(SimulationError, match="had not arrived 8760 h after the horizon.*at post AA exit") as columns:
        simulate(scenario, 0)
    with pytest.raises(SimulationError) as loop:
        simulate(scenario, 0, engine="fifo")
    assert str(columns.value) == str(loop.value)


def test_an_mmc_tandem_in_columns_meets_erlang_c():
    """Two M/M/2 controls in series (Burke): each truck's mean wait at each is Erlang C's."""
    from scipy import stats as _  # noqa: F401  (scipy is a dependency; the formula is written out below)
    from math import factorial

    lam, mu, c = 1.5, 1.0, 2  # trucks an hour, services an hour per lane, lanes
    data = merge(tiny(), {"clock": {"horizon": "400d", "warmup": "20d"},
                          "risk_classes": {"low": {"noncompliance": 0}},
                          "customs": {"default": {"document": {r: {"dist": "exponential", "mean": 1.0}
                                                               for r in ("paper_tir", "etir", "national")},
                                                  "document_error": {"paper_tir": 0, "etir": 0, "national": 0},
                                                  "channels": {"low": {"yellow": 0, "red": 0}}}},
                          "nodes": {"post": {"lanes": c}},
                          "traffic": {"main": {"per_day": lam * 24}}})
    scenario = build_scenario(data)
    assert _runs_in_columns(scenario, 0)
    a = lam / mu
    rho = a / c
    tail = a ** c / factorial(c) / (1 - rho)
    p_wait = tail / (sum(a ** k / factorial(k) for k in range(c)) + tail)
    wq = p_wait / (c * mu - lam)
    queues = [np.mean([g.mean_queue_h for g in simulate(scenario, r).control_groups]) for r in range(4)]
    mean, half = np.mean(queues), 2.0 * np.std(queues, ddof=1) / np.sqrt(len(queues)) + 0.05 * wq
    assert abs(mean - wq) < half, (mean, wq, half)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(spans=st.lists(st.tuples(st.floats(0, 50), st.floats(0.01, 20)), max_size=60),
       window=st.tuples(st.floats(0, 20), st.floats(0, 40)), record=st.booleans())
@example(spans=[(0.0, 1.0), (1.0, 1.0)], window=(0.0, 5.0), record=True)  # one ends as the next begins
def test_the_waits_added_in_columns_are_those_added_one_by_one(spans, window, record):
    """Level area, peak and series of a control's queue: `_add_waits` against `Waits.add` in turn."""
    from corridor_sim.model.columns import _add_waits
    from corridor_sim.model.fifo import Waits

    start, stop = window[0], window[0] + window[1]
    begins = np.sort(np.array([b for b, _ in spans], dtype=float))
    ends = begins + np.array([d for _, d in spans], dtype=float)
    one_by_one, columns = Waits(start, stop, record), Waits(start, stop, record)
    for b, e in zip(begins.tolist(), ends.tolist()):
        one_by_one.add(b, e)
    half = len(begins) // 2  # lanes and bays: two sets of (arrival, start), merged in order of arrival
    _add_waits(columns, [(begins[:half], ends[:half]), (begins[half:], ends[half:])])
    assert columns.peak == one_by_one.peak
    assert columns.mean(stop + 100) == one_by_one.mean(stop + 100)
    if record:
        assert [list(a) for a in columns.series.arrays()] == [list(a) for a in one_by_one.series.arrays()]


@settings(max_examples=30, deadline=None, derandomize=True)
@given(weekly=st.none() | st.fixed_dictionaries({"Sat": st.floats(0, 1), "Sun": st.floats(0, 1)}),
       hourly=st.none() | st.lists(st.floats(0.1, 3), min_size=24, max_size=24),
       monthly=st.none() | st.fixed_dictionaries({1: st.floats(0.2, 2), 7: st.floats(0.2, 2)}),
       per_day=st.floats(0.5, 2000), start=st.sampled_from(["2026-01-05T00:00", "2025-12-31T17:30"]))
def test_departures_drawn_in_blocks_are_those_drawn_one_by_one(weekly, hourly, monthly, per_day, start):
    """`Source.candidate_blocks` (the batch's) against `Source.candidates` (the loop's): the same times."""
    from itertools import islice

    from corridor_sim.model.world import World

    flow = {"route": ["origin", "post", "destination"], "per_day": per_day, "background": True}
    for key, value in (("weekly", weekly), ("hourly", hourly), ("monthly", monthly)):
        if value is not None:
            flow[key] = value
    data = tiny(traffic={"bg": flow})
    data["clock"] = {"start": start, "horizon": "400d"}
    one_by_one = World(build_scenario(data), 0).sources[0]
    in_blocks = World(build_scenario(data), 0).sources[0]
    expected = list(islice(one_by_one.candidates(), 3000))
    blocks = in_blocks.candidate_blocks()
    got: list[float] = []
    while len(got) < len(expected):
        got += next(blocks).tolist()
    assert got[:len(expected)] == expected and len(expected) == 3000
