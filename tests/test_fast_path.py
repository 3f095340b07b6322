"""The fast way through a control (`Control._pass_open`) against the general one (`pass_truck`):
on random worlds where it applies, every truck's times and every control's tallies are the same
whichever path the trucks take. Both take the pools here (`pools_only`); the first-come
first-served servers are compared with them in test_fifo.py."""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor_sim.model import simulate
from corridor_sim.model.control import Control
from corridor_sim.model.world import World
from corridor_sim.scenario.loader import build_scenario, merge

from conftest import tiny

TIMES = st.one_of(
    st.floats(0, 3),
    st.builds(lambda m: {"dist": "exponential", "mean": m}, st.floats(0.05, 2)),
    st.builds(lambda m, cv: {"dist": "lognormal", "mean": m, "cv": cv}, st.floats(0.05, 2), st.floats(0.1, 1.5)),
)


@contextmanager
def general_path_only():
    Control.FAST_PATH = False
    try:
        yield
    finally:
        Control.FAST_PATH = True


@contextmanager
def pools_only():
    """Every control serves its trucks from its pools (lanes.Pool), event by event."""
    Control.FIFO = False
    try:
        yield
    finally:
        Control.FIFO = True


@st.composite
def open_worlds(draw) -> dict:
    """Two bcps in a row, always open, with what the fast path handles: shifts, outages,
    pull-aside checks, joint control, inspection bays, scanners, AEO and regime priority, background traffic;
    sometimes handling in the lane, a daily cap or a neutral zone, which take the general path."""
    def post(border: list[str]) -> dict:
        spec = {"kind": "bcp", "border": border, "lanes": draw(st.integers(1, 3)),
                "inspection_bays": draw(st.integers(1, 2)), "joint_control": draw(st.booleans()),
                "pull_aside": draw(st.sampled_from([[], ["yellow_check"], ["error_correction", "yellow_check"]])),
                "handling": draw(st.sampled_from([0, 0, 0, {"dist": "exponential", "mean": 0.2}]))}
        if draw(st.booleans()):
            spec["shifts"] = {"08:00-20:00": spec["lanes"] + draw(st.integers(0, 2))}
        if draw(st.booleans()):
            spec["outages"] = {"random": {"per_year": 200, "duration": {"dist": "uniform", "min": "1h", "max": "6h"},
                                          "lanes": draw(st.integers(0, 1))}}
        if draw(st.booleans()):
            spec["scanners"] = {"count": draw(st.integers(1, 2)), "scan": draw(TIMES), "hit_rate": draw(st.floats(0, 1)),
                                "false_alarm": draw(st.floats(0, 1)), "green_share": draw(st.sampled_from([0, 0.2])),
                                "hours": draw(st.sampled_from(["24/7", "Mon-Fri 08:00-18:00"]))}
        if draw(st.integers(0, 4)) == 0:
            spec["admissions_per_day"] = draw(st.integers(10, 60))
        if not spec["joint_control"] and draw(st.integers(0, 3)) == 0:
            spec["neutral_zone"] = draw(st.integers(0, 3))
        return spec

    red = draw(st.floats(0, 0.4))
    measures = {
        "information_exchange": draw(st.sampled_from([{}, {"AA -> BB": {"recognition": 0.5, "alerts": {
            "red_factor": 3, "duration": "6h"}}}, {"BB -> CC": {"pre_arrival": {"preclear": 0.5, "document_factor": 0.5}}}])),
        "post_clearance_audit": draw(st.sampled_from([{}, {"BB": {"release": {"red": 0.5, "yellow": 0.5}, "auditors": 1,
                                                                 "duration": "2h", "detection": 0.8}}])),
    }
    return merge(tiny(), {
        **measures,
        "clock": {"horizon": f"{draw(st.integers(2, 4))}d", "warmup": f"{draw(st.integers(0, 12))}h"},
        "risk_classes": {"low": {"noncompliance": draw(st.floats(0, 0.5))}},
        "customs": {"default": {
            "document": {"paper_tir": draw(TIMES), "etir": draw(TIMES)},
            "document_error": {"paper_tir": draw(st.floats(0, 0.3)), "etir": 0.0},
            "channels": {"low": {"yellow": draw(st.floats(0, 0.5)), "red": red}},
            "inspection": draw(TIMES), "yellow_check": draw(TIMES),
        }, "BB": {"recognises_aeo": draw(st.booleans()), "aeo_priority_lane": True,
                  "priority_regimes": draw(st.sampled_from([[], ["etir"]]))}},
        "nodes": {"post": post(["AA", "BB"]), "second": post(["BB", "CC"]),
                  "destination": {"kind": "terminal", "country": "CC"}},
        "links": {"origin -> post": {"km": draw(st.floats(0, 300))}, "post -> second": {"km": draw(st.floats(0, 300))},
                  "second -> destination": {"km": 60}},
        "traffic": {
            "main": {"route": ["origin", "post", "second", "destination"], "per_day": draw(st.floats(5, 80)),
                     "aeo": draw(st.floats(0, 1)), "regime": {"paper_tir": 0.5, "etir": 0.5}},
            "local": {"route": ["origin", "post", "second"], "per_day": draw(st.floats(1, 60)), "background": True},
        },
    })


def _same(a, b) -> None:
    assert a.created == b.created and a.arrived == b.arrived and a.end_h == b.end_h
    assert a.trucks.keys() == b.trucks.keys()
    for name in a.trucks:
        np.testing.assert_array_equal(a.trucks[name], b.trucks[name], err_msg=name)
    assert a.controls == b.controls or all(
        x.__dict__.keys() == y.__dict__.keys() and all(
            (vx == vy) or (vx != vx and vy != vy) for vx, vy in zip(x.__dict__.values(), y.__dict__.values()))
        for x, y in zip(a.controls, b.controls))
    assert [(g.group, g.trucks, g.mean_time_h) for g in a.control_groups] == \
        [(g.group, g.trucks, g.mean_time_h) for g in b.control_groups]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=open_worlds(), replication=st.integers(0, 3))
def test_the_fast_path_gives_every_truck_the_times_of_the_general_path(data, replication):
    scenario = build_scenario(data)
    with pools_only():
        fast = simulate(scenario, replication)
        with general_path_only():
            general = simulate(scenario, replication)
    _same(fast, general)


def test_the_fast_path_is_taken_where_it_applies_and_only_there():
    data = merge(tiny(), {"nodes": {"post": {"controls": {"BB": {"handling": {"dist": "exponential", "mean": 0.1}}}}}})
    with pools_only():
        world = World(build_scenario(data), 0)
    paths = {c.name: c.passage.__name__ for c in world.controls.values()}
    assert paths == {"post AA exit": "_pass_open", "post BB entry": "pass_truck"}
    paths = {c.name: c.passage.__name__ for c in World(build_scenario(data), 0).controls.values()}
    assert paths == {"post AA exit": "_pass_fifo", "post BB entry": "_pass_fifo"}  # handling too (test_fifo.py)
    coupled = World(build_scenario(merge(tiny(), {"nodes": {"post": {"neutral_zone": 0}}})), 0)
    assert {c.passage.__name__ for c in coupled.controls.values()} == {"pass_truck"}
    with general_path_only():
        assert {c.passage.__name__ for c in World(build_scenario(tiny()), 0).controls.values()} == {"pass_truck"}
