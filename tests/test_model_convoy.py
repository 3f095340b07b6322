"""Caravans: a convoy's members leave every node together; the wait for the others is queue time."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corridor_sim.model import COMPONENTS, simulate
from corridor_sim.scenario.loader import build_scenario

from conftest import tiny

ROUTE = ["origin", "post", "west", "east", "destination"]


def caravan_world(convoy: bool) -> dict:
    """A varied road (speeds drawn per truck and link), a one-lane post with red checks, and a
    ferry too small for the whole caravan."""
    data = tiny()
    data.update({
        "clock": {"start": "2026-01-05T00:00", "horizon": "6d", "warmup": "0h"},
        "drivers": {"rules": "aetr", "speed_kmh": {"dist": "lognormal", "mean": 60, "cv": 0.25}},
        "customs": {"default": {"channels": {"low": {"yellow": 0.3, "red": 0.3}}}},
        "nodes": {
            "origin": {"kind": "terminal", "country": "AA"},
            "post": {"kind": "bcp", "border": ["AA", "BB"], "lanes": 1},
            "west": {"kind": "port", "country": "BB", "lanes": 2},
            "east": {"kind": "port", "country": "CC", "lanes": 2},
            "destination": {"kind": "terminal", "country": "CC"},
        },
        "links": {"origin -> post": {"km": 300}, "post -> west": {"km": 250},
                  "west <-> east": {"mode": "ferry", "vessels": 2, "capacity": 4, "sailing": "9h",
                                    "departs": {"every": "12h"}},
                  "east -> destination": {"km": 400}},
        "traffic": {"main": {"route": ROUTE, "per_day": 10}},
        "caravans": {"silk": {"route": ROUTE, "depart": "2026-01-06T08:00", "trucks": 7, "convoy": convoy}},
    })
    return data


def caravan_trace(convoy: bool, replication: int = 0) -> tuple[pd.DataFrame, object]:
    result = simulate(build_scenario(caravan_world(convoy)), replication)  # caravans are always traced
    trace = pd.DataFrame(result.trace, columns=["truck", "node", "event", "time_h", "km"])
    members = set(trace["truck"])
    assert len(members) == 7
    return trace, result


@pytest.mark.parametrize("replication", [0, 1, 2])
def test_convoy_members_leave_each_node_together(replication):
    trace, result = caravan_trace(True, replication)
    leaves = trace[trace["event"] == "leave"]
    assert list(leaves["node"].unique()) == ROUTE[:-1]
    for node, group in leaves.groupby("node"):
        assert len(group) == 7, node
        assert group["time_h"].max() - group["time_h"].min() < 1e-9, node


def test_without_convoy_the_members_drift_apart():
    trace, _ = caravan_trace(False)
    leaves = trace[trace["event"] == "leave"]
    spread = leaves.groupby("node")["time_h"].agg(lambda s: s.max() - s.min())
    assert spread.loc["post"] > 0.5 and spread.loc["west"] > 1.0


def test_the_wait_for_the_convoy_is_queue_time():
    together, convoy_result = caravan_trace(True)
    apart, free_result = caravan_trace(False)
    members = convoy_result.trucks["group"] == 1
    convoy_queue = convoy_result.trucks["queue_h"][members]
    free_queue = free_result.trucks["queue_h"][free_result.trucks["group"] == 1]
    # the same replication: the convoy adds waiting for the slowest, booked as queue time
    assert convoy_queue.sum() > free_queue.sum() + 1.0
    lead = convoy_result.trucks["arrive_h"][members] - convoy_result.trucks["depart_h"][members]
    parts = sum(convoy_result.trucks[f"{c}_h"][members] for c in COMPONENTS)
    np.testing.assert_allclose(parts, lead, rtol=1e-9)
