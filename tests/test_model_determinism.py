"""Determinism and common random numbers.

A replication is a pure function of (scenario, seed, replication): the same inputs give the
same tables in any process. Streams are named by purpose and owner, so changing one control,
or adding a flow, leaves every other flow's draws where they were.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import corridor_sim
from corridor_sim import derive
from corridor_sim.model import simulate
from corridor_sim.results.tables import TABLES, replication_frames
from corridor_sim.scenario.loader import build_scenario

from conftest import tiny

ATTRIBUTES = ["flow", "depart_h", "aeo", "regime", "risk", "noncompliant"]


def two_flows():
    """Flow `east` crosses post1 into BB, flow `south` crosses post2 into CC; both start at origin."""
    data = tiny()
    data.update({
        "clock": {"start": "2026-01-05T00:00", "horizon": "8d", "warmup": "1d"},
        "drivers": {"rules": "aetr", "speed_kmh": {"dist": "lognormal", "mean": 60, "cv": 0.2}},
        "risk_classes": {"low": {"noncompliance": 0.05}, "high": {"noncompliance": 0.3}},
        "customs": {"default": {"channels": {"low": {"yellow": 0.1, "red": 0.05}, "high": {"yellow": 0.3, "red": 0.3}}}},
        "nodes": {
            "origin": {"kind": "terminal", "country": "AA"},
            "post1": {"kind": "bcp", "border": ["AA", "BB"], "lanes": 2},
            "post2": {"kind": "bcp", "border": ["AA", "CC"], "lanes": 1, "hours": "Mon-Fri 08:00-20:00"},
            "east_end": {"kind": "terminal", "country": "BB"},
            "south_end": {"kind": "terminal", "country": "CC"},
        },
        "links": {"origin -> post1": {"km": 200}, "post1 -> east_end": {"km": 300},
                  "origin -> post2": {"km": 150}, "post2 -> south_end": {"km": 250}},
        "traffic": {
            "east": {"route": ["origin", "post1", "east_end"], "per_day": 25, "aeo": 0.3,
                     "regime": {"paper_tir": 0.6, "etir": 0.4}, "risk": {"low": 0.8, "high": 0.2}},
            "south": {"route": ["origin", "post2", "south_end"], "per_day": 20, "aeo": 0.2,
                      "regime": {"paper_tir": 0.5, "national": 0.5}, "risk": {"low": 0.5, "high": 0.5}},
        },
        "caravans": {"visit": {"route": ["origin", "post1", "east_end"], "depart": "2026-01-07T09:00", "trucks": 3,
                               "convoy": True}},
    })
    return build_scenario(data)


@pytest.fixture(scope="module")
def scenario():
    return two_flows()


def frames(scenario, seed: int = 4, replication: int = 1) -> dict[str, pd.DataFrame]:
    return replication_frames(simulate(scenario, replication, seed, trace=True, record_queues=True))


def test_same_seed_gives_identical_tables(scenario):
    first, second = frames(scenario), frames(scenario)
    assert set(first) == set(TABLES)
    for name in TABLES:
        pd.testing.assert_frame_equal(first[name], second[name], check_exact=True)
    assert len(first["trucks"]) > 100 and len(first["trace"]) > 0 and len(first["queues"]) > 0


def test_another_seed_or_replication_gives_other_draws(scenario):
    base = frames(scenario)["trucks"]["depart_h"]
    assert not base.equals(frames(scenario, seed=5)["trucks"]["depart_h"])
    assert not base.equals(frames(scenario, replication=2)["trucks"]["depart_h"])


def test_one_and_two_workers_give_identical_results(scenario):
    serial = corridor_sim.run(scenario, 4, 9, workers=1)
    pooled = corridor_sim.run(scenario, 4, 9, workers=2)
    assert pooled.meta["workers"] == 2
    for name in ("trucks", "controls", "control_flows", "ferries", "trace"):
        pd.testing.assert_frame_equal(serial.table(name), pooled.table(name), check_exact=True)
    assert json.dumps(serial.summary_dict, sort_keys=True) == json.dumps(pooled.summary_dict, sort_keys=True)


def by_flow(trucks: pd.DataFrame, flow: str, column: str = "flow") -> pd.DataFrame:
    """One flow's (or caravan's) rows in departure order (the table is in order of arrival)."""
    rows = trucks[trucks[column] == flow]
    return rows.sort_values(["depart_h", "truck"]).reset_index(drop=True)


def test_more_lanes_at_one_post_changes_no_other_flow(scenario):
    before = frames(scenario)["trucks"]
    after = frames(derive(scenario, {"nodes.post2.lanes": 3}))["trucks"]
    # the flow that never meets post2: every row, every column, unchanged
    pd.testing.assert_frame_equal(by_flow(before, "east"), by_flow(after, "east"), check_exact=True)
    pd.testing.assert_frame_equal(by_flow(before, "visit", "caravan"), by_flow(after, "visit", "caravan"),
                                  check_exact=True)
    # the flow through post2: the same trucks leave at the same times with the same attributes...
    south_before, south_after = by_flow(before, "south"), by_flow(after, "south")
    pd.testing.assert_frame_equal(south_before[ATTRIBUTES], south_after[ATTRIBUTES], check_exact=True)
    # ...and only what happens at post2 changed
    assert south_after["queue_h"].sum() < south_before["queue_h"].sum()


def test_adding_a_flow_shifts_no_other_stream(scenario):
    data = scenario.raw
    extra = {**data["traffic"], "newcomer": {"route": ["origin", "post2", "south_end"], "per_day": 1, "risk": {"high": 1.0}}}
    grown = frames(build_scenario({**data, "traffic": extra}))["trucks"]
    before = frames(scenario)["trucks"]
    # truck numbers are given in order of departure, so they shift; everything else of `east` stays
    columns = [c for c in before.columns if c != "truck"]
    pd.testing.assert_frame_equal(by_flow(before, "east")[columns], by_flow(grown, "east")[columns], check_exact=True)
    south_before, south_grown = by_flow(before, "south"), by_flow(grown, "south")
    pd.testing.assert_frame_equal(south_before[ATTRIBUTES], south_grown[ATTRIBUTES], check_exact=True)


def two_borders():
    """One flow across two borders: post1 (AA/BB, queues, documents only) then post2 (BB/CC, where
    CC's officers select trucks for yellow checks and inspections with random times)."""
    data = tiny()
    data.update({
        "clock": {"start": "2026-01-05T00:00", "horizon": "20d", "warmup": "2d"},
        "drivers": {"rules": "aetr", "speed_kmh": {"dist": "lognormal", "mean": 60, "cv": 0.2}},
        "risk_classes": {"low": {"noncompliance": 0.05}, "high": {"noncompliance": 0.3}},
        "customs": {
            "default": {"channels": {"low": {"yellow": 0, "red": 0}, "high": {"yellow": 0, "red": 0}},
                        "document": {"paper_tir": {"dist": "exponential", "mean": "50min"},
                                     "etir": {"dist": "exponential", "mean": "10min"},
                                     "national": {"dist": "exponential", "mean": "30min"}}},
            "CC": {"channels": {"low": {"yellow": 0.15, "red": 0.05}, "high": {"yellow": 0.3, "red": 0.3}},
                   "yellow_check": {"dist": "exponential", "mean": "1h"},
                   "inspection": {"dist": "lognormal", "mean": "3h", "cv": 0.5}},
        },
        "nodes": {
            "origin": {"kind": "terminal", "country": "AA"},
            "post1": {"kind": "bcp", "border": ["AA", "BB"], "lanes": 1},
            "post2": {"kind": "bcp", "border": ["BB", "CC"], "lanes": 2},
            "destination": {"kind": "terminal", "country": "CC"},
        },
        "links": {"origin -> post1": {"km": 100}, "post1 -> post2": {"km": 400}, "post2 -> destination": {"km": 100}},
        "traffic": {"main": {"route": ["origin", "post1", "post2", "destination"], "per_day": 26,
                             "regime": {"paper_tir": 0.6, "etir": 0.3, "national": 0.1},
                             "risk": {"low": 0.7, "high": 0.3}}},
    })
    return build_scenario(data)


def test_a_lane_upstream_leaves_every_trucks_draws_downstream_where_they_were():
    """Draws belong to the truck (its flow and its index in the flow), not to its place in a
    queue: one more lane at the first border reorders the arrivals at the second, yet each truck
    gets the same channel, document time and inspection time there."""
    scenario = two_borders()
    before = frames(scenario, seed=11)["trucks"].set_index(["flow", "index"]).sort_index()
    after = frames(derive(scenario, {"nodes.post1.controls": {"AA": {"exit": {"lanes": 2}}}}), seed=11)["trucks"]
    after = after.set_index(["flow", "index"]).sort_index()
    assert before.index.equals(after.index) and len(before) > 300
    # the change did reach the second border: the trucks arrive there in another order
    order_before = (before["depart_h"] + before["drive_h"] + before["rest_h"] + before["queue_h"]).rank()
    order_after = (after["depart_h"] + after["drive_h"] + after["rest_h"] + after["queue_h"]).rank()
    assert (order_before != order_after).mean() > 0.3
    assert after["queue_h"].sum() < 0.5 * before["queue_h"].sum()
    # only CC selects trucks: yellow, inspections and inspection time are the second border's draws,
    # and the document time sums the draws at both borders (each keyed by the truck too); times
    # are booked as differences of clock readings, so they agree to rounding, not bit for bit
    def close(column):
        return np.isclose(before[column], after[column], rtol=0, atol=1e-9)

    same = ((before["yellow"] == after["yellow"]) & (before["inspections"] == after["inspections"])
            & close("inspection_h") & close("document_h"))
    assert same.mean() >= 0.99, f"only {same.mean():.1%} of the trucks kept their draws"
    assert before["inspections"].sum() > 20 and before["yellow"].sum() > 40
