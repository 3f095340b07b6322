"""Scanners (non-intrusive inspection) before the bay: hit and false-alarm rates come back from
the counts, the scanner queue is an M/M/1 queue, a scan that shows nothing saves the bay, and
scanners that never work change nothing."""
from __future__ import annotations

import numpy as np
import pytest

from corridor_sim.model import simulate
from corridor_sim.scenario.loader import build_scenario, merge
from corridor_sim.scenario.schema import REGIMES

from conftest import tiny
from test_analytic import assert_theory

NONE = {r: 0 for r in REGIMES}


def scanned_world(per_day: float, scanners: dict, red: float = 1.0, noncompliance: float = 0.3, days: int = 60,
                  green: float | None = None) -> dict:
    """BB's entry selects `red` of the trucks and scans them first; nothing else takes time."""
    return merge(tiny(), {
        "clock": {"horizon": f"{days}d", "warmup": "2d"},
        "risk_classes": {"low": {"noncompliance": noncompliance}},
        "customs": {"default": {"document": NONE, "document_error": NONE, "channels": {"low": {"yellow": 0, "red": 0}},
                                "inspection": "1h", "detection": 0.9},
                    "BB": {"channels": {"low": {"yellow": 0, "red": red}}}},
        "nodes": {"post": {"lanes": 50, "inspection_bays": 50, "controls": {"BB": {"scanners": {
            "count": 1, "scan": "10min", "hit_rate": 0.8, "false_alarm": 0.1,
            **({"green_share": green} if green is not None else {}), **scanners}}}}},
        "traffic": {"main": {"per_day": per_day}},
    })


def _within(successes: int, trials: int, p: float) -> None:
    """A binomial share within four standard errors of `p`."""
    share = successes / trials
    assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / trials) + 1e-12, (share, p, trials)


def test_hit_and_false_alarm_rates_come_back_from_the_counts():
    result = simulate(build_scenario(scanned_world(120, {})), 0)
    t = result.trucks
    assert (t["scans"] == 1).all()  # every truck red at BB, every one scanned
    bad = t["noncompliant"]
    sent = t["inspections"] == 1  # an anomaly sends the truck to the bay
    _within(int((sent & bad).sum()), int(bad.sum()), 0.8)
    _within(int((sent & ~bad).sum()), int((~bad).sum()), 0.1)
    # only an inspection can detect: hit rate x the bay's detection
    assert not (t["detected"] & ~sent).any()
    _within(int((t["detected"] & bad).sum()), int(bad.sum()), 0.8 * 0.9)
    control = next(c for c in result.controls if c.country == "BB")
    assert control.scans == control.trucks
    assert control.inspections_avoided == control.scans - control.scan_anomalies
    assert control.red == control.scan_anomalies  # `red`: trucks that went to the bay


def test_the_scanner_queue_is_an_mm1_queue():
    rho, mean_scan = 0.7, 0.25
    rate = rho / mean_scan
    world = scanned_world(rate * 24, {"scan": {"dist": "exponential", "mean": mean_scan}}, noncompliance=0.0, days=200)
    world["customs"]["default"]["inspection"] = 0  # nobody queues for a bay: all the queue is the scanner's
    scenario = build_scenario(world)
    controls = [next(c for c in simulate(scenario, r, 5).controls if c.country == "BB") for r in range(12)]
    assert_theory([c.mean_queue_h for c in controls], rho * mean_scan / (1 - rho))
    assert_theory([c.scanner_utilisation for c in controls], rho)


def test_green_trucks_are_scanned_at_their_share():
    result = simulate(build_scenario(scanned_world(100, {}, red=0.0, green=0.3)), 0)
    t = result.trucks
    _within(int((t["scans"] == 1).sum()), len(t["scans"]), 0.3)
    control = next(c for c in result.controls if c.country == "BB")
    assert control.inspections_avoided == 0  # no red selection to save


def test_scanners_that_never_work_change_nothing():
    base = scanned_world(60, {}, red=0.2)
    del base["nodes"]["post"]["controls"]
    without = simulate(build_scenario(base), 0)
    idle = simulate(build_scenario(scanned_world(60, {"hours": "Mon 00:00-00:01"}, red=0.2)), 0)
    # the scanners open one minute a week (at hour 0, before any truck comes): nobody is scanned,
    # and no draw the trucks take elsewhere moves
    assert idle.trucks["scans"].sum() == 0
    for name in without.trucks:
        np.testing.assert_array_equal(without.trucks[name], idle.trucks[name], err_msg=name)


def test_a_joint_control_scans_with_both_countries_rates():
    world = scanned_world(80, {}, noncompliance=0.5)
    world["nodes"]["post"] = {"kind": "bcp", "border": ["AA", "BB"], "joint_control": True, "lanes": 50,
                              "inspection_bays": 50, "scanners": world["nodes"]["post"]["controls"]["BB"]["scanners"]}
    result = simulate(build_scenario(world), 0)
    t = result.trucks
    assert (t["scans"] == 1).all()
    sent = t["inspections"] == 1
    # sent to the bay, the truck takes the inspection of the country that asked for red (BB: 1 h)
    assert np.allclose(t["inspection_h"][sent], 1.0 + 10 / 60) and np.allclose(t["inspection_h"][~sent], 10 / 60)


@pytest.mark.parametrize("serves", ["own_lanes", "both_directions"])
def test_scanners_serving_both_directions_are_one_mm1_queue(serves):
    # BB scans every truck it selects red (all) in both directions, each direction at half the
    # rate: with a scanner site of its own each control is an M/M/1 queue at rho/2; one site for
    # both directions is one M/M/1 queue at rho, whose wait both sides see, its busy hours
    # reported on both, and its queue counted in each side's queue length (Little's law)
    rho, mean_scan = 0.7, 0.25
    world = scanned_world(rho / mean_scan * 12, {"scan": {"dist": "exponential", "mean": mean_scan}, "serves": serves},
                          noncompliance=0.0, days=200)
    world["customs"]["default"]["inspection"] = 0
    world["traffic"]["back"] = {"route": ["destination", "post", "origin"], "per_day": rho / mean_scan * 12}
    world["links"] |= {"destination -> post": {"km": 60}, "post -> origin": {"km": 60}}
    scenario = build_scenario(world)
    load = rho if serves == "both_directions" else rho / 2
    runs = [[c for c in simulate(scenario, r, 5).controls if c.country == "BB"] for r in range(12)]
    for side in range(2):
        controls = [run[side] for run in runs]
        assert_theory([c.mean_queue_h for c in controls], load * mean_scan / (1 - load))
        assert_theory([c.scanner_utilisation for c in controls], load)
        for c in controls:
            assert c.mean_queue_len == pytest.approx(c.arrivals_per_h * c.mean_queue_h, rel=0.03)
    if serves == "both_directions":
        assert all(a.scanner_utilisation == b.scanner_utilisation for a, b in runs)
