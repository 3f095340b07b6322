"""Queueing theory checks: Erlang C (M/M/c), Pollaczek-Khinchine (M/G/1), Little's law.

Every expected value is computed here from the scenario's own parameters (scipy.stats for the
Poisson terms of Erlang C and the moments of the service distributions). A simulated mean is
right when the 99% t interval over replications contains the theory; the interval must also be
narrow (within 10% of the answer), so a wrong queue cannot pass on a wide interval.
"""
from __future__ import annotations

import pytest
from scipy import stats

from corridor_sim.model import simulate
from corridor_sim.model.records import record_dict
from corridor_sim.results.stats import mean_ci
from corridor_sim.scenario.dists import Dist
from corridor_sim.scenario.loader import build_scenario, merge
from corridor_sim.scenario.schema import REGIMES

from conftest import tiny

LEVEL = 0.99
POWER = 0.10  # the interval's half-width must be under this share of the answer


def erlang_c(c: int, a: float) -> float:
    """P(wait) in M/M/c with offered load a (Erlang B from Poisson terms, then Erlang C)."""
    erlang_b = stats.poisson.pmf(c, a) / stats.poisson.cdf(c, a)
    return erlang_b / (1 - (a / c) * (1 - erlang_b))


def single_control(lanes: int, per_day: float, service: dict | float, days: int, warmup_days: int = 5):
    """Poisson trucks through one control (AA's exit) of `lanes` servers; BB's entry takes no time."""
    none = {r: 0 for r in REGIMES}
    return build_scenario(merge(tiny(), {
        "clock": {"horizon": f"{days}d", "warmup": f"{warmup_days}d"},
        "risk_classes": {"low": {"noncompliance": 0}},
        "customs": {
            "default": {"document": none, "document_error": none, "channels": {"low": {"yellow": 0, "red": 0}}},
            "AA": {"document": {"paper_tir": service}},
        },
        "nodes": {"post": {"lanes": lanes}},
        "links": {"origin -> post": {"km": 0}, "post -> destination": {"km": 0}},
        "traffic": {"main": {"per_day": per_day}},
    }))


def control_rows(scenario, replications: int, seed: int = 1) -> list[dict[tuple[str, str], dict]]:
    """Per replication: the controls table keyed by (node, control)."""
    out = []
    for r in range(replications):
        result = simulate(scenario, r, seed)
        out.append({(c.node, f"{c.country} {c.direction}"): record_dict(c) for c in result.controls})
    return out


def assert_theory(values: list[float], answer: float) -> None:
    ci = mean_ci(values, LEVEL)
    assert ci["ci_low"] <= answer <= ci["ci_high"], (
        f"theory {answer:.4f} outside the {LEVEL:.0%} interval [{ci['ci_low']:.4f}, {ci['ci_high']:.4f}]")
    assert ci["half_width"] < POWER * answer, f"interval too wide to test anything: +-{ci['half_width']:.4f}"


REPLICATIONS, DAYS = 20, 200  # about 3,000 to 12,000 trucks a replication: intervals of +-5-8%


@pytest.mark.parametrize("lanes, rho", [(1, 0.5), (2, 0.7), pytest.param(3, 0.7, marks=pytest.mark.slow)])
def test_mmc_mean_wait_is_erlang_c(lanes, rho):
    mean_service = 1.0
    rate = rho * lanes / mean_service  # trucks an hour
    scenario = single_control(lanes, rate * 24, {"dist": "exponential", "mean": mean_service}, DAYS)
    expected = erlang_c(lanes, rate * mean_service) * mean_service / (lanes - rate * mean_service)
    rows = control_rows(scenario, REPLICATIONS)
    assert_theory([r[("post", "AA exit")]["mean_queue_h"] for r in rows], expected)
    # the other control never queues, and service is what the scenario says
    assert all(r[("post", "BB entry")]["mean_queue_h"] == 0 for r in rows)
    assert_theory([r[("post", "AA exit")]["lane_utilisation"] for r in rows], rho)


@pytest.mark.parametrize("service", [
    {"dist": "lognormal", "mean": 1.0, "cv": 0.5},
    {"dist": "triangular", "min": 0.2, "mode": 0.5, "max": 1.7},
])
def test_mg1_mean_wait_is_pollaczek_khinchine(service):
    dist = Dist(service["dist"], tuple(v for k, v in service.items() if k != "dist"))
    rho = 0.7
    rate = rho / dist.mean()
    second_moment = dist.scipy().moment(2)
    expected = rate * second_moment / (2 * (1 - rho))
    scenario = single_control(1, rate * 24, service, DAYS)
    rows = control_rows(scenario, REPLICATIONS)
    assert_theory([r[("post", "AA exit")]["mean_queue_h"] for r in rows], expected)


def multi_control():
    """Four controls with queues of every kind: lanes, a red inspection bay, opening hours, a joint post."""
    data = merge(tiny(), {
        "clock": {"horizon": "90d", "warmup": "3d"},
        "risk_classes": {"low": {"noncompliance": 0.1}},
        "customs": {"default": {
            "document": {"paper_tir": {"dist": "lognormal", "mean": "40min", "cv": 0.8}},
            "channels": {"low": {"yellow": 0.2, "red": 0.1}},
            "inspection": {"dist": "triangular", "min": "1h", "mode": "2h", "max": "4h"},
        }},
        "nodes": {
            "post": {"lanes": 2, "inspection_bays": 1},
            "gate": {"kind": "bcp", "border": ["BB", "CC"], "lanes": 3, "hours": "Mon-Sun 06:00-22:00"},
            "joint": {"kind": "bcp", "border": ["CC", "DD"], "lanes": 3, "joint_control": True},
            "destination": {"country": "DD"},
        },
        "traffic": {"main": {"route": ["origin", "post", "gate", "joint", "destination"], "per_day": 28}},
    })
    data["links"] = {"origin -> post": {"km": 60}, "post -> gate": {"km": 100}, "gate -> joint": {"km": 100},
                     "joint -> destination": {"km": 50}}
    return build_scenario(data)


def test_littles_law_at_every_control():
    rows = control_rows(multi_control(), 3)
    assert len(rows[0]) == 5  # post AA exit, post BB entry, gate BB exit, gate CC entry, joint CC+DD
    for rep in rows:
        for key, c in rep.items():
            assert c["trucks"] > 1000
            little = c["arrivals_per_h"] * c["mean_queue_h"]
            assert c["mean_queue_len"] == pytest.approx(little, rel=0.03, abs=1e-3), key
    # the check is not vacuous: the busiest controls do queue
    assert max(c["mean_queue_len"] for c in rows[0].values()) > 0.5
