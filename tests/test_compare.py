"""compare: every scenario on the same replications; paired differences in summary.json and on screen."""
from __future__ import annotations

import json
import math

import pytest
import yaml
from scipy import stats

import corridor_sim
from corridor_sim.cli import main
from corridor_sim.model.truck import COMPONENTS
from corridor_sim.scenario.loader import build_scenario

from conftest import tiny

REPS = 5
CONTRACT_KEYS = {"lead_time_h", "components_h", "swod_kmh", "swd_kmh", "inspections_per_100", "detection_rate",
                 "crossings", "flows"}
PAIRED_KEYS = {"mean", "ci_low", "ci_high", "half_width", "relative", "crn_variance_ratio", "significant",
               "unpaired_half_width", "n"}


def two_flows(name: str = "tiny", lanes: int = 2, bb_red: float = 0.02) -> dict:
    data = tiny()
    data["name"] = name
    data["nodes"]["post"]["lanes"] = lanes
    data["traffic"]["second"] = {"route": ["origin", "post", "destination"], "per_day": 10, "aeo": 1.0}
    data["customs"] = {"default": {"channels": {"low": {"yellow": 0.1, "red": 0.02}}},
                      "BB": {"channels": {"low": {"yellow": 0.1, "red": bb_red}}}}
    return data


@pytest.fixture(scope="module")
def result():
    base = build_scenario(two_flows())
    lanes = build_scenario(two_flows("three-lanes", lanes=3))
    risky = build_scenario(two_flows("more-red", bb_red=0.3))
    return corridor_sim.compare(base, [lanes, risky], REPS, 21)


def test_summary_keeps_the_contract_keys_per_scenario(result):
    summary = result.summary_dict
    assert summary["kind"] == "compare" and summary["baseline"] == "tiny"
    assert list(summary["scenarios"]) == ["tiny", "three-lanes", "more-red"]
    for s in summary["scenarios"].values():
        assert CONTRACT_KEYS <= set(s)
        assert {"mean", "ci_low", "ci_high", "half_width", "median", "p90", "p95"} <= set(s["lead_time_h"])
        assert set(s["flows"]) == {"main", "second"}
        assert s["crossings"][0]["node"] == "post" and s["crossings"][0]["crossing"] == "AA->BB"


def test_comparison_section_per_scenario_and_flow(result):
    comparison = result.summary_dict["comparison"]
    assert set(comparison) == {"three-lanes", "more-red"}
    for entry in comparison.values():
        assert set(entry["flows"]) == {"*", "main", "second"}
        for f in entry["flows"].values():
            assert PAIRED_KEYS <= set(f["lead_time_h"])
            assert set(f["components_h"]) == set(COMPONENTS)
            assert f["crossings"][0]["crossing"] == "AA->BB" and PAIRED_KEYS <= set(f["crossings"][0]["time_h"])
    more_red = comparison["more-red"]["flows"]["*"]
    assert more_red["components_h"]["inspection"]["mean"] > 0 and more_red["components_h"]["inspection"]["significant"]
    assert comparison["three-lanes"]["flows"]["*"]["components_h"]["queue"]["mean"] < 0


def test_paired_interval_matches_scipy_on_the_replication_means(result):
    reps = result.replications
    everyone = reps[reps.flow == "*"].set_index(["scenario", "replication"])["lead_time_mean_h"]
    diff = (everyone["three-lanes"] - everyone["tiny"]).to_numpy()
    ci = stats.ttest_1samp(diff, 0.0).confidence_interval(0.95)
    d = result.summary_dict["comparison"]["three-lanes"]["flows"]["*"]["lead_time_h"]
    assert d["n"] == REPS
    assert d["mean"] == pytest.approx(diff.mean())
    assert (d["ci_low"], d["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert d["relative"] == pytest.approx(diff.mean() / everyone["tiny"].mean())
    # the replication means are the trucks table's means
    trucks = result.trucks
    per_rep = trucks[trucks.scenario == "tiny"].groupby("replication")["lead_time_h"].mean()
    assert per_rep.to_numpy() == pytest.approx(everyone["tiny"].to_numpy())


def test_comparison_table_is_tidy(result):
    table = result.comparison
    lead = table[(table.measure == "lead_time_h") & (table.flow == "*")]
    assert list(lead.scenario) == ["three-lanes", "more-red"]
    assert set(table.measure) >= {"lead_time_h", "queue_h", "crossing_time_h"}
    assert (table.baseline == "tiny").all()
    row = lead.iloc[0]
    assert row.difference == pytest.approx(row.scenario_mean - row.baseline_mean)


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_cli_compare_writes_and_prints_the_comparison(tmp_path, capsys):
    base = write(tmp_path, "base.yaml", tiny())
    overlay = write(tmp_path, "three_lanes.yaml", {"extends": "base.yaml", "nodes": {"post": {"lanes": 3}}})
    out = tmp_path / "cmp"
    assert main(["compare", str(base), str(overlay), "-n", "3", "-o", str(out), "--quiet", "--no-plots"]) == 0
    text = capsys.readouterr().out
    assert "paired difference" in text and "three_lanes" in text and "CRN" in text
    summary = json.loads((out / "summary.json").read_text())
    # the overlay kept its base's name; it is told apart by its file name
    assert list(summary["scenarios"]) == ["tiny", "three_lanes"]
    assert summary["comparison"]["three_lanes"]["flows"]["*"]["lead_time_h"]["n"] == 3
    assert (out / "comparison.csv").exists() and (out / "scenarios" / "three_lanes.yaml").exists()
    loaded = corridor_sim.load_results(out)
    assert loaded.kind == "compare" and loaded.baseline == "tiny"
    assert not loaded.comparison.empty
    for value in (loaded.comparison.difference, loaded.comparison.ci_low):
        assert all(math.isfinite(v) for v in value)


def test_cli_compare_needs_two_scenarios(tmp_path, capsys):
    base = write(tmp_path, "base.yaml", tiny())
    assert main(["compare", str(base), "-n", "2", "-o", str(tmp_path / "x")]) == 2
    assert "at least one other scenario" in capsys.readouterr().err
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.partial").exists()


@pytest.mark.parametrize("dof", [1, 2, 3, 4, 9, 19, 29, 99, 999, 2.5, 17.3])
def test_the_t_quantile_is_scipy_stats_one(dof):
    from corridor_sim.results.stats import _t_quantile

    for q in (0.9, 0.95, 0.975, 0.995):
        assert _t_quantile(q, dof) == float(stats.t.ppf(q, dof))
