"""Customs at a control: priority lanes, transit regimes, the risk engine, detection, joint control.

Expected values come from the scenario's own policy (distribution means, channel shares) and,
for priority queues, from Cobham's formula for M/M/c with non-preemptive priority classes.
Shares are tested with exact binomial tests (scipy), means with their standard errors.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from corridor_sim.model import simulate
from corridor_sim.results.stats import mean_ci
from corridor_sim.results.tables import replication_frames
from corridor_sim.scenario.loader import build_scenario, merge
from corridor_sim.scenario.schema import REGIMES

from conftest import tiny

P_MIN = 1e-3  # a share is wrong when its exact binomial test gives p below this
Z_MAX = 4.0   # a mean is wrong when it lies more than this many standard errors away


def erlang_c(c: int, a: float) -> float:
    erlang_b = stats.poisson.pmf(c, a) / stats.poisson.cdf(c, a)
    return erlang_b / (1 - (a / c) * (1 - erlang_b))


def world(**sections) -> dict:
    """tiny() with no drive time, nothing random at BB's entry, and the sections merged in."""
    none = {r: 0 for r in REGIMES}
    data = merge(tiny(), {
        "risk_classes": {"low": {"noncompliance": 0}},
        "customs": {"default": {"document": none, "document_error": none, "channels": {"low": {"yellow": 0, "red": 0}}}},
        "links": {"origin -> post": {"km": 0}, "post -> destination": {"km": 0}},
    })
    return merge(data, sections)


def trucks(data: dict, replication: int = 0, seed: int = 1) -> pd.DataFrame:
    return replication_frames(simulate(build_scenario(data), replication, seed))["trucks"]


def assert_share(successes: int, trials: int, p: float) -> None:
    test = stats.binomtest(int(successes), int(trials), p)
    assert test.pvalue > P_MIN, f"{successes}/{trials} = {successes / trials:.4f}, expected {p:.4f} (p = {test.pvalue:.2g})"


def assert_mean(values: pd.Series, expected: float) -> None:
    se = values.std(ddof=1) / np.sqrt(len(values))
    assert abs(values.mean() - expected) < Z_MAX * se + 1e-12, f"{values.mean():.4f} vs {expected:.4f} (se {se:.4f})"


# --- priority -------------------------------------------------------------------------------------

def test_recognised_aeo_trucks_wait_as_cobham_predicts():
    lanes, rho, aeo = 2, 0.8, 0.3
    rate = rho * lanes  # an hour; service 1 h
    data = world(
        clock={"horizon": "150d", "warmup": "5d"},
        customs={"AA": {"document": {"paper_tir": {"dist": "exponential", "mean": 1}},
                        "recognises_aeo": True, "aeo_priority_lane": True}},
        nodes={"post": {"lanes": lanes}},
        traffic={"main": {"per_day": rate * 24, "aeo": aeo}},
    )
    base = erlang_c(lanes, rate) / lanes  # Cobham: W_k = W0 / ((1 - sigma_{k-1}) (1 - sigma_k))
    expected = {True: base / (1 - aeo * rho), False: base / ((1 - aeo * rho) * (1 - rho))}
    waits = {True: [], False: []}
    for r in range(12):
        t = trucks(data, r)
        for flag in (True, False):
            waits[flag].append(t.loc[t["aeo"] == flag, "queue_h"].mean())
    for flag in (True, False):
        ci = mean_ci(waits[flag], 0.99)
        assert ci["ci_low"] <= expected[flag] <= ci["ci_high"], (flag, ci, expected[flag])
        assert ci["half_width"] < 0.2 * expected[flag]
    assert np.mean(waits[True]) < 0.4 * np.mean(waits[False])


def test_aeo_without_recognition_or_priority_lane_waits_like_everyone():
    for policy in ({"recognises_aeo": False, "aeo_priority_lane": True}, {"recognises_aeo": True, "aeo_priority_lane": False}):
        data = world(clock={"horizon": "60d"}, nodes={"post": {"lanes": 1}},
                     customs={"AA": {"document": {"paper_tir": {"dist": "exponential", "mean": 1}}, **policy}},
                     traffic={"main": {"per_day": 20, "aeo": 0.5}})
        t = trucks(data)
        aeo, other = t.loc[t["aeo"], "queue_h"], t.loc[~t["aeo"], "queue_h"]
        # same queue discipline: the difference is noise only (Welch test)
        assert stats.ttest_ind(aeo, other, equal_var=False).pvalue > P_MIN, policy


def test_pre_notified_caravan_trucks_pass_before_others_that_arrive_with_them():
    data = world(
        clock={"horizon": "12d", "warmup": "0h"},
        customs={"AA": {"document": {"paper_tir": {"dist": "exponential", "mean": 1}}}},
        nodes={"post": {"lanes": 2}},
        traffic={"main": {"per_day": 44}},  # rho 0.92: a long queue when the caravans come
        caravans={name: {"route": ["origin", "post", "destination"], "depart": "2026-01-13T10:00", "trucks": 5,
                         "pre_notified": name == "notified"} for name in ("notified", "plain")},
    )
    gaps = []
    for r in range(4):
        t = trucks(data, r)
        notified = t.loc[t["caravan"] == "notified", "queue_h"]
        plain = t.loc[t["caravan"] == "plain", "queue_h"]
        # same arrival instant: every pre-notified truck starts before any plain one
        assert notified.max() <= plain.min() + 1e-9
        gaps.append(plain.mean() - notified.mean())
    assert np.mean(gaps) > 1.0  # hours saved, on average, by the priority


# --- transit regimes and the risk engine ----------------------------------------------------------

def test_document_time_per_regime_matches_the_policy():
    """Builtin policy at two controls: document + error correction + (not pre-cleared) yellow check."""
    data = tiny()
    data.update({
        "clock": {"start": "2026-01-05T00:00", "horizon": "40d", "warmup": "0h"},
        "risk_classes": {"low": {"noncompliance": 0.0}},
        "nodes": {**data["nodes"], "post": {"kind": "bcp", "border": ["AA", "BB"], "lanes": 80}},
        "traffic": {"main": {"route": ["origin", "post", "destination"], "per_day": 90,
                             "regime": {"paper_tir": 0.4, "etir": 0.3, "national": 0.3}}},
    })
    scenario = build_scenario(data)
    t = trucks(data, seed=3)
    policy = scenario.policy("AA")
    assert policy == scenario.policy("BB")
    channel = policy.channels["low"]
    for regime in REGIMES:
        preclear = policy.etir_preclear if regime == "etir" else 0.0
        per_control = (policy.document[regime].mean() + policy.document_error[regime] * policy.error_delay.mean()
                       + channel.yellow * (1 - preclear) * policy.yellow_check.mean())
        assert_mean(t.loc[t["regime"] == regime, "document_h"], 2 * per_control)
    doc = t.groupby("regime")["document_h"].mean()
    assert doc["etir"] < 0.5 * doc["paper_tir"] < doc["national"]
    # e-TIR's advance data pre-clears half the yellow checks
    yellow = t.groupby("regime")["yellow"].sum() / t.groupby("regime").size() / 2
    assert_share(t.loc[t["regime"] == "etir", "yellow"].sum(), 2 * (t["regime"] == "etir").sum(),
                 channel.yellow * (1 - policy.etir_preclear))
    assert yellow["etir"] < yellow["paper_tir"]


def risk_world(aeo: float = 0.0) -> dict:
    """AA's exit runs the risk engine on two classes; BB's entry clears everyone green."""
    return world(
        clock={"horizon": "40d", "warmup": "2d"},
        risk_classes={"low": {"noncompliance": 0.05}, "high": {"noncompliance": 0.4}},
        customs={"default": {"channels": {"low": {"yellow": 0, "red": 0}, "high": {"yellow": 0, "red": 0}}},
                 "AA": {"channels": {"low": {"yellow": 0.15, "red": 0.05}, "high": {"yellow": 0.3, "red": 0.4}},
                        "detection": 0.7, "recognises_aeo": True, "aeo_factor": 0.25,
                        "inspection": {"dist": "uniform", "min": "30min", "max": "1h"}}},
        nodes={"post": {"lanes": 20, "inspection_bays": 20}},
        traffic={"main": {"per_day": 120, "aeo": aeo, "risk": {"low": 0.6, "high": 0.4}}},
    )


def test_channel_shares_match_the_policy_per_risk_class():
    data = risk_world()
    t = trucks(data, seed=7)
    scenario = build_scenario(data)
    channels = scenario.policy("AA").channels
    for cls in ("low", "high"):
        rows = t[t["risk"] == cls]
        assert_share(rows["inspections"].sum(), len(rows), channels[cls].red)
        assert_share(rows["yellow"].sum(), len(rows), channels[cls].yellow)
    # the controls table tallies the same shares, mixed by the flow's risk mix
    controls = simulate(scenario, 0, 7).controls
    aa = next(c for c in controls if c.country == "AA")
    mix = scenario.traffic["main"].risk
    assert_share(aa.red, aa.trucks, sum(mix[c] * channels[c].red for c in mix))
    assert_share(aa.yellow, aa.trucks, sum(mix[c] * channels[c].yellow for c in mix))
    bb = next(c for c in controls if c.country == "BB")
    assert bb.red == bb.yellow == 0


def test_recognised_aeo_trucks_are_inspected_less_by_the_aeo_factor():
    data = risk_world(aeo=0.5)
    t = trucks(data, seed=8)
    scenario = build_scenario(data)
    policy = scenario.policy("AA")
    for cls in ("low", "high"):
        for aeo, factor in ((True, policy.aeo_factor), (False, 1.0)):
            rows = t[(t["risk"] == cls) & (t["aeo"] == aeo)]
            assert_share(rows["inspections"].sum(), len(rows), policy.channels[cls].red * factor)
            assert_share(rows["yellow"].sum(), len(rows), policy.channels[cls].yellow * factor)
    assert t.loc[t["aeo"], "inspections"].mean() < 0.5 * t.loc[~t["aeo"], "inspections"].mean()


def test_detection_rate_among_inspected_noncompliant_trucks():
    data = risk_world()
    t = trucks(data, seed=9)
    inspected_bad = t[(t["inspections"] > 0) & t["noncompliant"]]
    assert len(inspected_bad) > 300
    assert_share(inspected_bad["detected"].sum(), len(inspected_bad), build_scenario(data).policy("AA").detection)
    # nobody else is ever detected
    assert not t.loc[(t["inspections"] == 0) | ~t["noncompliant"], "detected"].any()
    # and non-compliance follows each class's rate
    for cls, spec in build_scenario(data).risk_classes.items():
        rows = t[t["risk"] == cls]
        assert_share(rows["noncompliant"].sum(), len(rows), spec.noncompliance)


# --- joint control --------------------------------------------------------------------------------

def joint_world(joint: bool) -> dict:
    return world(
        clock={"horizon": "5d", "warmup": "0h"},
        customs={"AA": {"document": {"paper_tir": "1h"}, "channels": {"low": {"yellow": 0, "red": 1}},
                        "inspection": "3h"},
                 "BB": {"document": {"paper_tir": "2h"}, "channels": {"low": {"yellow": 1, "red": 0}},
                        "yellow_check": "30min"}},
        nodes={"post": {"lanes": 50, "inspection_bays": 50, "joint_control": joint}},
        traffic={"main": {"per_day": 10}},
    )


def test_joint_control_is_one_stop_with_the_slower_check_and_the_more_severe_channel():
    joint = simulate(build_scenario(joint_world(True)), 0)
    assert [(c.country, c.direction) for c in joint.controls] == [("AA+BB", "joint")]
    t = joint.trucks
    assert len(t["truck"]) > 20
    np.testing.assert_allclose(t["document_h"], 2.0)   # max(1 h, 2 h); BB's yellow check is not added to red
    np.testing.assert_allclose(t["inspection_h"], 3.0)
    assert (t["inspections"] == 1).all() and (t["yellow"] == 0).all()
    # two separate controls: both checks, one after the other, and both channels
    apart = simulate(build_scenario(joint_world(False)), 0).trucks
    np.testing.assert_allclose(apart["document_h"], 1.0 + 2.0 + 0.5)
    assert (apart["inspections"] == 1).all() and (apart["yellow"] == 1).all()
