"""First-come first-served servers (`fifo.py`) and the background flows outside the event loop
(`batch.py`) against the pools, event by event.

On random worlds without ties (continuous times, no link of 0 km: no two trucks reach a server
at the same instant) every truck's times are the same to the last bit and every control's counts
equal; the levels, summed in another order, agree to 1e-9. Where ties do happen, which of two
simultaneous trucks goes first is the order their events were scheduled in, which differs
between the two; the direct run and SimPy's, both on FIFO servers, still agree to the bit.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from corridor_sim.errors import SimulationError
from corridor_sim.model import simulate
from corridor_sim.model.fifo import Busy, FifoServers, StaffedServers, Waits
from corridor_sim.model.stats import Changes, Level
from corridor_sim.model.world import World
from corridor_sim.scenario.loader import build_scenario, merge

from conftest import tiny
from worlds import close, tie_free_worlds


@st.composite
def batch_worlds(draw) -> dict:
    """`tie_free_worlds` whose background flow passes only FIFO servers, so it goes outside the
    event loop and meets the counted trucks at both posts."""
    data = draw(tie_free_worlds())
    for name in ("post", "second"):
        for key in ("scanners", "admissions_per_day", "neutral_zone"):  # shifts, outages and handling stay
            data["nodes"][name].pop(key, None)
    data.pop("information_exchange", None)
    data.pop("post_clearance_audit", None)
    data["customs"]["BB"].update(recognises_aeo=False, priority_regimes=[])
    data["traffic"]["local"]["per_day"] = draw(st.floats(10, 40))
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(data=tie_free_worlds(), replication=st.integers(0, 3))
def test_fifo_servers_give_every_truck_the_times_of_the_pools(data, replication):
    _fifo_against_pools(build_scenario(data), replication)


def _fifo_against_pools(scenario, replication: int) -> None:
    """FIFO servers against the reference engine's pools: `close`."""
    close(simulate(scenario, replication), simulate(scenario, replication, engine="reference"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(data=batch_worlds(), replication=st.integers(0, 3))
def test_background_outside_the_event_loop_meets_the_others_in_order(data, replication):
    scenario = build_scenario(data)
    world = World(scenario, replication)
    assert world.batch is not None and world.event_sources == world.sources[:1]
    try:
        simulate(scenario, replication)
    except SimulationError:  # too much traffic to drain within the cap: so with the pools
        with pytest.raises(SimulationError):
            simulate(scenario, replication, engine="reference")
        return
    _fifo_against_pools(scenario, replication)


def test_fifo_servers_and_the_batch_are_taken_where_they_apply_and_only_there():
    world = World(build_scenario(tiny(traffic={
        "main": {"route": ["origin", "post", "destination"], "per_day": 20},
        "local": {"route": ["origin", "post", "destination"], "per_day": 20, "background": True}})), 0)
    assert {c.passage.__name__ for c in world.controls.values()} == {"_pass_fifo"}
    assert [s.group for s in world.batch.sources] == [1] and [s.group for s in world.event_sources] == [0]
    assert all(c.catch_up == world.batch.advance for c in world.controls.values())
    for change in ({"nodes": {"post": {"shifts": {"08:00-20:00": 3}}}},
                   {"nodes": {"post": {"outages": {"random": {"per_year": 20, "duration": "1d", "lanes": 1}}}}},
                   {"nodes": {"post": {"handling": {"dist": "exponential", "mean": 0.1}}}},
                   {"nodes": {"post": {"scanners": {"count": 1, "scan": "10min", "hit_rate": 1, "false_alarm": 0}}}},
                   {"nodes": {"post": {"hours": "Mon-Fri 08:00-18:00"}}}):
        changed = World(build_scenario(merge(tiny(), change)), 0)
        assert {c.passage.__name__ for c in changed.controls.values()} == {"_pass_fifo"}, change
    for change in ({"nodes": {"post": {"admissions_per_day": 10}}},
                   {"nodes": {"post": {"neutral_zone": 2}}},
                   {"nodes": {"post": {"scanners": {"count": 1, "scan": "10min", "hit_rate": 1, "false_alarm": 0,
                                                    "serves": "both_directions"}}}},
                   {"customs": {"BB": {"recognises_aeo": True, "aeo_priority_lane": True}}},
                   {"caravans": {"c": {"route": ["origin", "post", "destination"], "depart": "2026-01-06T10:00",
                                       "trucks": 2, "pre_notified": True}}}):
        changed = World(build_scenario(merge(tiny(), change)), 0)
        assert "_pass_fifo" not in {c.passage.__name__ for c in changed.controls.values() if c.country == "BB"}, change
    # traces and a caravan that is not pre-notified: FIFO servers, the trucks of the loop logged as the pools log them
    assert {c.passage.__name__ for c in World(build_scenario(tiny()), 0, trace=True).controls.values()} == {"_pass_fifo"}
    caravan = {"caravans": {"c": {"route": ["origin", "post", "destination"], "depart": "2026-01-06T10:00", "trucks": 2}}}
    assert {c.passage.__name__ for c in World(build_scenario(merge(tiny(), caravan)), 0).controls.values()} == \
        {"_pass_fifo"}
    assert {c.passage.__name__ for c in World(build_scenario(tiny()), 0, engine="reference").controls.values()} == \
        {"pass_truck"}


def test_a_world_of_background_only_runs_outside_the_event_loop():
    data = tiny(traffic={"local": {"route": ["origin", "post", "destination"], "per_day": 30, "background": True}})
    scenario = build_scenario(data)
    batch = simulate(scenario, 0)
    pools = simulate(scenario, 0, engine="reference")
    close(batch, pools)
    assert batch.created == pools.created > 200 and batch.controls[0].trucks > 200


def test_fifo_servers_queue_as_erlang_c():
    # M/M/3 at rho = 0.8: mean wait in queue P(wait) / (c mu - lambda) with Erlang C's P(wait)
    c, lam, mu, n = 3, 2.4, 1.0, 200_000
    rng = np.random.default_rng(5)
    arrivals = np.cumsum(rng.exponential(1 / lam, n)).tolist()
    services = rng.exponential(1 / mu, n).tolist()
    servers = FifoServers(c, Busy(0.0, math.inf), Waits(0.0, math.inf))
    waits = np.array([servers.take(a, s) - a for a, s in zip(arrivals, services)])[n // 10:]
    a = lam / mu
    top = a ** c / math.factorial(c) * c / (c - a)
    p_wait = top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)
    expected = p_wait / (c * mu - lam)
    batches = waits.reshape(20, -1).mean(axis=1)  # batch means: the waits are correlated
    half = stats.t.ppf(0.995, len(batches) - 1) * batches.std(ddof=1) / math.sqrt(len(batches))
    assert abs(waits.mean() - expected) < half + 0.02 * expected
    assert np.mean(waits > 0) == pytest.approx(p_wait, abs=0.02)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(spans=st.lists(st.tuples(st.floats(0, 50), st.floats(0, 10)), min_size=1, max_size=30),
       window=st.tuples(st.floats(0, 20), st.floats(20, 60)))
def test_the_waits_give_the_mean_peak_and_series_of_a_level(spans, window):
    start, stop = window
    waits = Waits(start, stop, record=True)
    level = Level(start, stop, Changes())
    spans = [(b, b + d) for b, d in spans if b + d > b]  # a truck waits only when its start is later
    changes = sorted([(b, 1) for b, _ in spans] + [(e, -1) for _, e in spans], key=lambda change: (change[0], change[1]))
    for b, e in sorted(spans):  # as trucks arrive
        waits.add(b, e)
    for t, step in changes:
        level.add(t, step)
    end = max([t for t, _ in changes] + [stop])
    assert waits.mean(end) == pytest.approx(level.mean(end), rel=1e-9, abs=1e-9)
    assert waits.peak == level.peak
    with pytest.raises(ValueError):
        waits.mean(stop - 1)
    if changes:
        times, levels = waits.series.arrays()
        assert list(times) == [t for t, _ in changes] and list(levels) == list(level.series.levels)


def test_staffed_servers_serve_as_a_pool_whose_lanes_change():
    # two lanes, one from hour 2 to hour 5, none from 8 to 9; a server that closes finishes its truck
    servers = StaffedServers([0.0, 2.0, 5.0, 8.0, 9.0], [2, 1, 2, 0, 2], Busy(0.0, math.inf), Waits(0.0, math.inf))
    starts = [servers.take(a, h) for a, h in ((0.0, 3.0), (1.0, 3.0), (1.5, 1.0), (4.5, 0.5), (7.5, 2.0), (8.2, 1.0),
                                               (8.5, 1.0))]
    # 3rd: both busy until 3 and 4, one lane from 2: starts at 4; 4th: behind it until the second
    # lane opens at 5; 5th: finishes in the closed hour; 6th: waits it out; 7th: for the 5th to finish
    assert starts == [0.0, 1.0, 4.0, 5.0, 7.5, 9.0, 9.5]


def test_busy_hours_count_inside_the_window_only():
    busy = Busy(10.0, 20.0)
    for begin, end in ((0, 5), (8, 12), (15, 16), (19, 30)):
        busy.add(begin, end)
    assert busy.area == 2 + 1 + 1 and busy.mean(100.0) == pytest.approx(0.4)


def test_the_bundled_corridor_gives_every_truck_the_times_of_the_pools():
    # real scale (Khorgos, Red Bridge, Sarp and Kapikule's background outside the event loop), a week
    from pathlib import Path

    from corridor_sim import derive, load_scenario

    path = Path(__file__).resolve().parent.parent / "scenarios" / "middle_corridor.yaml"
    scenario = derive(load_scenario(path), {"clock.horizon": "7d", "clock.warmup": "1d"})
    world = World(scenario, 0)
    assert len(world.batch.sources) >= 8
    fifo = simulate(scenario, 0)
    pools = simulate(scenario, 0, engine="reference")
    assert fifo.created == pools.created > 20_000
    close(fifo, pools)  # every truck, and every table: per-flow queue hours, ferries, measures
