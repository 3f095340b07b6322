"""CPMM time to clear a port: its controls plus the wait for a ferry, per flow and over all trucks."""
from __future__ import annotations

import numpy as np
import pytest

import corridor_sim
from corridor_sim.scenario.loader import build_scenario
from corridor_sim.scenario.schema import REGIMES

from conftest import tiny


@pytest.fixture(scope="module")
def hub_result():
    """A hub port with two ferry links of very different frequency; customs take no time."""
    none = {r: 0 for r in REGIMES}
    data = tiny()
    data.update({
        "clock": {"start": "2026-01-05T00:00", "horizon": "40d", "warmup": "0h"},
        "risk_classes": {"low": {"noncompliance": 0}},
        "customs": {"default": {"document": none, "document_error": none, "channels": {"low": {"yellow": 0, "red": 0}}}},
        "nodes": {"hub": {"kind": "port", "country": "AA", "lanes": 100},
                  "east": {"kind": "port", "country": "BB", "lanes": 100},
                  "south": {"kind": "port", "country": "CC", "lanes": 100}},
        "links": {"hub -> east": {"mode": "ferry", "vessels": 1, "capacity": 500, "sailing": "6h", "departs": {"every": "24h"}},
                  "hub -> south": {"mode": "ferry", "vessels": 1, "capacity": 500, "sailing": "6h", "departs": {"every": "96h"}}},
        "traffic": {"to-east": {"route": ["hub", "east"], "per_day": 30},
                    "to-south": {"route": ["hub", "south"], "per_day": 10},
                    "from-east": {"route": ["east", "hub"], "per_day": 30},
                    "from-south": {"route": ["south", "hub"], "per_day": 10}},
    })
    return corridor_sim.run(build_scenario(data), replications=3, seed=5)


def _crossing(section: dict, node: str, crossing: str) -> float:
    (row,) = [c for c in section["crossings"] if c["node"] == node and c["crossing"] == crossing]
    return row["time_h"]["mean"]


def _expected(result, flows: list[str]) -> float:
    """Mean over replications of the trucks' mean ferry wait (customs take no time here)."""
    trucks = result.trucks[result.trucks["flow"].isin(flows)]
    return float(np.mean([rep["ferry_wait_h"].mean() for _, rep in trucks.groupby("replication")]))


def test_a_flows_time_to_clear_a_port_is_its_own_wait_for_its_ferry(hub_result):
    summary = hub_result.summary_dict["scenarios"]["tiny"]
    east = _crossing(summary["flows"]["to-east"], "hub", "AA outbound")
    south = _crossing(summary["flows"]["to-south"], "hub", "AA outbound")
    assert east == pytest.approx(_expected(hub_result, ["to-east"]), abs=1e-6)
    assert south == pytest.approx(_expected(hub_result, ["to-south"]), abs=1e-6)
    assert south > 2 * east  # a sailing every 4 days against every day


def test_over_all_trucks_the_port_wait_is_weighted_by_trucks_not_summed_over_links(hub_result):
    summary = hub_result.summary_dict["scenarios"]["tiny"]
    every = _crossing(summary, "hub", "AA outbound")
    east = _crossing(summary["flows"]["to-east"], "hub", "AA outbound")
    south = _crossing(summary["flows"]["to-south"], "hub", "AA outbound")
    assert east < every < south
    assert every == pytest.approx(_expected(hub_result, ["to-east", "to-south"]), rel=0.02)


def test_calibrate_reads_the_same_crossing_time_as_the_summary(hub_result):
    from corridor_sim.calibrate import Target, per_replication

    summary = hub_result.summary_dict["scenarios"]["tiny"]
    for flow in (None, "to-south"):
        target = Target(metric="crossing_time", node="hub", crossing="AA outbound", flow=flow, value=1.0)
        section = summary if flow is None else summary["flows"][flow]
        assert per_replication(hub_result, "tiny", target).mean() == pytest.approx(_crossing(section, "hub", "AA outbound"))


def test_the_counted_trucks_crossings_add_up_to_their_time_at_borders_and_ports():
    """A comparison's crossing savings are taken over the trucks of its lead-time saving: the
    counted trucks' time at each crossing (its controls and the wait for a ferry), summed over the
    route, is their mean time in the components spent there, replication by replication, and the
    paired crossing savings add up to the paired saving of those components."""
    from corridor_sim.results.summary import crossing_times

    none = {r: 0 for r in REGIMES}
    data = tiny()
    data.update({
        "clock": {"start": "2026-01-05T00:00", "horizon": "6d", "warmup": "1d"},
        "customs": {"default": {"document": {r: {"dist": "exponential", "mean": 0.5} for r in REGIMES},
                                "document_error": none, "channels": {"low": {"yellow": 0.2, "red": 0.1}},
                                "inspection": {"dist": "exponential", "mean": 1.0}}},
        "nodes": {"origin": {"kind": "terminal", "country": "AA"},
                  "post": {"kind": "bcp", "border": ["AA", "BB"], "lanes": 1},
                  "west": {"kind": "port", "country": "BB", "lanes": 2},
                  "east": {"kind": "port", "country": "CC", "lanes": 2}},
        "links": {"origin -> post": {"km": 300}, "post -> west": {"km": 200},
                  "west -> east": {"mode": "ferry", "capacity": 15, "sailing": "5h"}},
        "traffic": {"main": {"route": ["origin", "post", "west", "east"], "per_day": 30},
                    "back": {"route": ["east", "west"], "per_day": 20}},
    })
    base = build_scenario(data)
    faster = build_scenario({**data, "name": "faster", "nodes": {**data["nodes"], "post": {
        "kind": "bcp", "border": ["AA", "BB"], "lanes": 2}}})
    result = corridor_sim.compare(base, [faster], replications=3, seed=2)
    at_borders = ["closed_h", "queue_h", "document_h", "inspection_h", "ferry_wait_h"]
    for name in ("tiny", "faster"):
        trucks = result.trucks[(result.trucks["scenario"] == name) & (result.trucks["flow"] == "main")]
        own = trucks.groupby("replication")[at_borders].mean().sum(axis=1)
        for rep in result.stats[name]:
            crossings = crossing_times(rep, "main", counted=True)
            assert len(crossings) == 3  # post's exit and entry, the port of west with its ferry
            assert sum(crossings.values()) == pytest.approx(own[rep["replication"]], rel=1e-9)
    flow = result.summary_dict["comparison"]["faster"]["flows"]["main"]
    crossing_saving = sum(x["time_h"]["mean"] for x in flow["crossings"])
    component_saving = sum(flow["components_h"][c.removesuffix("_h")]["mean"] for c in at_borders)
    assert crossing_saving == pytest.approx(component_saving, rel=1e-9)
    assert crossing_saving < 0
