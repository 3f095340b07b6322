"""Driving-time rules (AETR-like): drive = km / speed, rest as the rules schedule it.

The schedule is computed here independently, day by day: a single crew drives at most 9 h a
day in blocks of at most 4.5 h, with a 45 min break between blocks and an 11 h daily rest
between days; a double crew drives 18 h a day with no breaks, then rests 9 h. A wait of at
least 45 min counts as a break, of at least a daily rest as a daily rest.
"""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor_sim.model import simulate
from corridor_sim.scenario.loader import build_scenario
from corridor_sim.scenario.schema import REGIMES

EPS = 1e-9
RULES = {"single": dict(block=4.5, brk=0.75, day=9.0, rest=11.0),
         "double": dict(block=math.inf, brk=0.0, day=18.0, rest=9.0)}


def scheduled_rest(drive_h: float, crew: str) -> float:
    """Breaks and daily rests needed to drive `drive_h` hours without a stop in between."""
    r = RULES[crew]
    rest = 0.0
    left = drive_h
    while left > EPS:
        today = min(left, r["day"])
        left -= today
        if math.isfinite(r["block"]):
            rest += r["brk"] * max(math.ceil(today / r["block"] - EPS) - 1, 0)
        if left > EPS:
            rest += r["rest"]
    return rest


def one_truck(kms: list[float], speed: float, crew: str = "single", hours: str | None = None,
              depart: str = "2026-01-05T06:00", ferry_after: int | None = None) -> dict:
    """One truck through terminals (or a post with `hours`, or a ferry) joined by road links."""
    none = {r: 0 for r in REGIMES}
    names = [f"n{i}" for i in range(len(kms) + 1)]
    nodes = {n: {"kind": "terminal", "country": "AA"} for n in names}
    links = {f"{a} -> {b}": {"km": km} for a, b, km in zip(names, names[1:], kms)}
    if hours is not None:  # the middle node becomes a border post with these opening hours
        mid = names[len(names) // 2]
        nodes[mid] = {"kind": "bcp", "border": ["AA", "BB"], "hours": hours}
        for n in names[len(names) // 2 + 1:]:
            nodes[n]["country"] = "BB"
    if ferry_after is not None:  # insert a ferry (5 h, a sailing from each port every 6 h) after node `ferry_after`
        a = names[ferry_after]
        nodes[a] = {"kind": "port", "country": "AA"}
        nodes["far_port"] = {"kind": "port", "country": "AA"}
        names = names[:ferry_after + 1] + ["far_port"] + names[ferry_after + 1:]
        key = f"{a} -> {names[ferry_after + 2]}"
        links[f"far_port -> {names[ferry_after + 2]}"] = links.pop(key)
        links[f"{a} -> far_port"] = {"mode": "ferry", "vessels": 2, "capacity": 10, "sailing": "5h",
                                     "departs": {"every": "6h"}}
    data = {
        "name": "driving",
        "clock": {"start": "2026-01-05T00:00", "horizon": "1d"},
        "drivers": {"rules": "aetr", "crew": crew, "speed_kmh": speed},
        "risk_classes": {"low": {"noncompliance": 0}},
        "customs": {"default": {"document": none, "document_error": none, "channels": {"low": {"yellow": 0, "red": 0}}}},
        "nodes": nodes, "links": links,
        "caravans": {"solo": {"route": names, "depart": depart, "trucks": 1}},
    }
    result = simulate(build_scenario(data), 0)
    return {k: float(v[0]) for k, v in result.trucks.items()}


@settings(max_examples=60, deadline=None)
@given(km=st.floats(1, 5000), speed=st.floats(20, 120), crew=st.sampled_from(["single", "double"]))
def test_one_link_drive_and_rest_follow_the_rules(km, speed, crew):
    t = one_truck([km], speed, crew)
    assert t["drive_h"] == pytest.approx(km / speed, rel=1e-9)
    assert t["rest_h"] == pytest.approx(scheduled_rest(km / speed, crew), rel=1e-9, abs=1e-9)
    assert t["arrive_h"] - t["depart_h"] == pytest.approx(t["drive_h"] + t["rest_h"], rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(kms=st.lists(st.floats(1, 900), min_size=2, max_size=6), crew=st.sampled_from(["single", "double"]))
def test_the_rules_carry_over_from_link_to_link(kms, crew):
    """Terminals in between are no stop: the schedule is that of one drive of the total length."""
    t = one_truck(kms, 60.0, crew)
    total = sum(kms) / 60.0
    assert t["drive_h"] == pytest.approx(total, rel=1e-9)
    assert t["rest_h"] == pytest.approx(scheduled_rest(total, crew), rel=1e-9, abs=1e-9)


def test_the_contract_case_single_and_double_crew():
    assert one_truck([1800], 60)["rest_h"] == pytest.approx(3 * 0.75 + 3 * 11)        # 30 h: 65.25 h in all
    assert one_truck([1800], 60, "double")["rest_h"] == pytest.approx(9.0)             # 18 h + 9 h + 12 h


def test_a_long_wait_counts_as_the_daily_rest():
    # 9 h of driving (06:00-15:45 with a break) to a post open 08:00-12:00: 16.25 h closed, then 5 h more
    waited = one_truck([540, 300], 60, hours="Mon-Sun 08:00-12:00")
    assert waited["closed_h"] == pytest.approx(16.25)
    assert waited["rest_h"] == pytest.approx(0.75 + 0.75)  # two breaks, no daily rest
    # the same drive with the post always open: the 11 h daily rest is taken after the post
    straight = one_truck([540, 300], 60, hours="24/7")
    assert straight["closed_h"] == 0
    assert straight["rest_h"] == pytest.approx(0.75 + 11 + 0.75)


def test_a_wait_of_45_minutes_counts_as_a_break():
    # 4.5 h to a post that opens at 11:30: arrives 10:30, waits 1 h, then 4.5 h more with no break
    waited = one_truck([270, 270], 60, hours="Mon-Sun 11:30-23:00")
    assert waited["closed_h"] == pytest.approx(1.0)
    assert waited["rest_h"] == 0
    # a 30 min wait does not: arrives 11:00, waits until 11:30, then must break before driving on
    short = one_truck([240, 300], 60, hours="Mon-Sun 11:30-23:00", depart="2026-01-05T07:00")
    assert short["closed_h"] == pytest.approx(0.5)
    assert short["rest_h"] == pytest.approx(0.75)


def test_a_ferry_crossing_counts_as_rest():
    # 9 h to the port (arrive 15:45), ferry at 18:00 for 5 h, then 4 h: no daily rest on land
    crossed = one_truck([540, 240], 60, ferry_after=1)
    assert crossed["ferry_sail_h"] == pytest.approx(5.0)
    assert crossed["ferry_wait_h"] == pytest.approx(18.0 - 15.75)
    assert crossed["rest_h"] == pytest.approx(0.75)
