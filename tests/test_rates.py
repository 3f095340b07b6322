"""Shares of a few trucks: Wilson intervals on pooled counts, the count shown, "–" below the minimum."""
from __future__ import annotations

import copy

import pytest
from scipy import stats

import corridor_sim as cs
from corridor_sim.report import render_report
from corridor_sim.results.keys import ALL
from corridor_sim.results.rates import MIN_TRIALS, share_text, wilson
from corridor_sim.results.run_result import RunResult
from corridor_sim.scenario.loader import build_scenario

from conftest import tiny
from test_report import Page


def test_wilson_by_hand():
    # z = 1.959964, z^2 = 3.841459; 5 of 10: centre 0.5, half 1.959964 / 1.384146 * sqrt(0.025 + 0.0096037)
    five = wilson(5, 10)
    assert five["mean"] == 0.5 and five["k"] == 5 and five["n"] == 10
    assert five["ci_low"] == pytest.approx(0.236593, abs=1e-5) and five["ci_high"] == pytest.approx(0.763407, abs=1e-5)
    # 0 of 4: from 0 to 2 * (z^2 / 8) / (1 + z^2 / 4) = 0.480182 / 0.980183
    none = wilson(0, 4)
    assert none["ci_low"] == 0 and none["ci_high"] == pytest.approx(0.489891, abs=1e-5)
    assert wilson(4, 4)["ci_high"] == 1 and wilson(4, 4)["ci_low"] == pytest.approx(1 - 0.489891, abs=1e-5)


@pytest.mark.parametrize("k, n", [(0, 1), (0, 4), (1, 4), (3, 17), (40, 41), (250, 1000), (1000, 1000)])
def test_wilson_is_scipy_s(k, n):
    low, high = stats.binomtest(k, n).proportion_ci(method="wilson")
    d = wilson(k, n)
    assert d["ci_low"] == pytest.approx(low, abs=1e-9) and d["ci_high"] == pytest.approx(high, abs=1e-9)


def test_wilson_refuses_impossible_counts():
    for k, n in ((1, 0), (5, 4), (-1, 3)):
        with pytest.raises(ValueError):
            wilson(k, n)


def test_zero_of_four_is_a_dash_with_its_count_and_zero_of_many_an_interval():
    assert share_text(wilson(0, 4)) == "– (n 4)"
    assert share_text(wilson(0, MIN_TRIALS)) == f"0.00 (0.00 to 0.28, n {MIN_TRIALS})"
    assert share_text(wilson(3, 12), interval=False) == "0.25 (n 12)"
    assert share_text(None) == "–"
    assert share_text(wilson(3, 12), interval=False, count="") == "0.25 (12)"  # the terminal's compare table
    assert share_text(wilson(0, 4), interval=False, count="") == "– (4)"


def _few(result: RunResult, noncompliant: int, detected: int) -> RunResult:
    """The result with every replication's counted trucks holding `noncompliant` non-compliant
    trucks spread over the replications, `detected` of them found at the border."""
    stats = copy.deepcopy(result.stats)
    reps = [rep for scenario in stats.values() for rep in scenario]
    for i, rep in enumerate(reps):
        for g in rep["groups"].values():
            g["noncompliant"] = noncompliant // len(reps) + (i < noncompliant % len(reps))
            g["detected"] = min(g["noncompliant"], detected // len(reps) + (i < detected % len(reps)))
            g["missed"] = g["noncompliant"] - g["detected"]
    return RunResult(list(result.scenarios.values()), stats=stats, meta=result.meta)


@pytest.fixture(scope="module")
def run():
    return cs.run(build_scenario(tiny()), replications=2)


def test_the_summary_pools_the_trucks_over_replications(run):
    few = _few(run, 4, 0).summary_dict["scenarios"]["tiny"]
    share = few["detection_rate"]
    assert (share["k"], share["n"], share["mean"], share["ci_low"]) == (0, 4, 0.0, 0.0)
    assert share["ci_high"] == pytest.approx(0.4899, abs=1e-4)  # not [0, 0]
    assert few["missed_rate"]["k"] == 4
    row = _few(run, 30, 9).summary.set_index("flow").loc[ALL]
    assert row["detection_rate"] == pytest.approx(0.3) and row["detection_rate_n"] == 30
    assert (row["detection_rate_ci_low"], row["detection_rate_ci_high"]) == pytest.approx(
        tuple(stats.binomtest(9, 30).proportion_ci(method="wilson")))


def test_the_report_shows_a_share_of_four_trucks_as_a_dash_with_its_count(run):
    rows = Page(render_report(_few(run, 4, 0), figures=[])).tables["rates"]
    assert rows[0] == ["scenario", "flow", "figure", "value", "95% CI", "n", "interval"]
    found = [r for r in rows if r[1] == "all counted" and r[2] == "share of non-compliant trucks found at a border"]
    assert found == [["tiny", "all counted", "share of non-compliant trucks found at a border", "–", "–", "4",
                      "Wilson, pooled"]]
    rows = Page(render_report(_few(run, 40, 10), figures=[])).tables["rates"]
    found = [r for r in rows if r[1] == "all counted" and r[2] == "share of non-compliant trucks found at a border"]
    assert found[0][3:6] == ["0.25", "0.14 to 0.40", "40"]
    assert "0.00 to 0.00" not in " ".join(" ".join(r) for r in rows)


def test_a_compared_share_of_few_trucks_is_not_shown(run):
    base = build_scenario(tiny())
    other = build_scenario(tiny(name="other"))
    compared = cs.compare(base, [other], replications=2)
    stats = copy.deepcopy(compared.stats)
    for reps in stats.values():
        for rep in reps:
            for g in rep["groups"].values():
                g.update(noncompliant=2, detected=0, missed=2)
    few = RunResult(list(compared.scenarios.values()), stats=stats, meta=compared.meta)
    d = few.summary_dict["comparison"]["other"]["flows"][ALL]["violations"]["detection_rate"]
    assert (d["baseline_n"], d["scenario_n"]) == (4, 4)
    rows = Page(render_report(few, figures=[])).tables["comparison-rates"]
    found = [r for r in rows if r[1] == "share of non-compliant trucks found at a border"]
    assert found == [["other", "share of non-compliant trucks found at a border", "–", "–", "–", "–", "4 / 4"]]
