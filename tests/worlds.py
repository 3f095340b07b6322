"""Random worlds for the engine tests, and the comparisons of what two runs of a world record.

`open_worlds` draws two bcps in a row with what the controls can have; `tie_free_worlds` makes
its times continuous and its links longer than 0 km, so no two trucks reach a server at the same
instant and every engine must give every truck the same times to the last bit (with ties, which
of two simultaneous trucks goes first is the order their events were scheduled in, which may
differ between engines).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st

from corridor_sim.scenario.loader import merge

from conftest import tiny

LEVELS = ("lane_utilisation", "bay_utilisation", "mean_queue_len")

TIMES = st.one_of(
    st.floats(0, 3),
    st.builds(lambda m: {"dist": "exponential", "mean": m}, st.floats(0.05, 2)),
    st.builds(lambda m, cv: {"dist": "lognormal", "mean": m, "cv": cv}, st.floats(0.05, 2), st.floats(0.1, 1.5)),
)


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



def untied(value):
    """A time of the random world made continuous (a fixed time becomes an exponential of that mean)."""
    if isinstance(value, (int, float)):
        return {"dist": "exponential", "mean": max(float(value), 0.05)}
    return value


@st.composite
def tie_free_worlds(draw) -> dict:
    data = draw(open_worlds())
    default = data["customs"]["default"]
    for key in ("inspection", "yellow_check"):
        default[key] = untied(default[key])
    default["document"] = {regime: untied(v) for regime, v in default["document"].items()}
    for link in data["links"].values():
        link["km"] = link["km"] + 1.0
    for name in ("post", "second"):
        scanners = data["nodes"][name].get("scanners")
        if scanners is not None:
            scanners["scan"] = untied(scanners["scan"])
    return data



def _records(a, b, exact: bool) -> None:
    """Two lists of records field by field: integers and strings equal, floats equal (`exact`) or
    to 1e-9 (sums taken in another order), NaN where the other is NaN."""
    assert len(a) == len(b), (a, b)
    for x, y in zip(a, b):
        assert type(x) is type(y)
        for key, vx in vars(x).items():
            vy = vars(y)[key]
            if isinstance(vx, float) and not exact:
                assert vx == pytest.approx(vy, rel=1e-9, abs=1e-12, nan_ok=True), (x, key, vx, vy)
            else:
                assert vx == vy or (vx != vx and vy != vy), (x, key, vx, vy)


def _everything(a, b, exact: bool) -> None:
    """Everything a replication records: trucks to the bit, and every table of records."""
    assert (a.created, a.arrived, a.end_h) == (b.created, b.arrived, b.end_h)
    assert a.trucks.keys() == b.trucks.keys()
    for name in a.trucks:
        np.testing.assert_array_equal(a.trucks[name], b.trucks[name], err_msg=name)
    for part in ("controls", "control_groups", "ferries", "ferry_groups"):
        _records(getattr(a, part), getattr(b, part), exact)
    assert a.tables.keys() == b.tables.keys()
    for name in a.tables:
        _records(a.tables[name], b.tables[name], exact)
    assert a.trace == b.trace


def same(a, b) -> None:
    """Two runs that took the same steps in the same order: everything the same to the bit."""
    _everything(a, b, exact=True)


def close(a, b) -> None:
    """Two engines on a world without ties: trucks, counts and tables the same; sums and levels,
    taken in another order, to 1e-9."""
    _everything(a, b, exact=False)
