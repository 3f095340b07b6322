"""Calibration targets: loading, metric computation against known answers, CLI verdicts."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

import corridor_sim
from corridor_sim.calibrate import Targets, evaluate, load_targets
from corridor_sim.cli import main
from corridor_sim.errors import ScenarioError

from conftest import CONTRACT


def _erlang_c_wait(lam: float, mu: float, c: int) -> float:
    a = lam / mu
    rho = a / c
    tail = a ** c / math.factorial(c) / (1 - rho)
    p_wait = tail / (sum(a ** k / math.factorial(k) for k in range(c)) + tail)
    return p_wait / (c * mu - lam)


@pytest.fixture(scope="module")
def tandem_result():
    scenario = corridor_sim.load_scenario(CONTRACT / "tandem_mmc.yaml", ["clock.horizon=150d", "clock.warmup=10d"])
    return corridor_sim.run_many([scenario], 4, 11, trace=True)


def test_metrics_match_analytic_tandem(tandem_result):
    wq = _erlang_c_wait(60 / 24, 1.0, 3)
    targets = Targets.model_validate({"targets": [
        {"metric": "queue_wait", "node": "post", "country": "AA", "direction": "exit", "value": wq},
        {"metric": "control_time", "node": "post", "country": "BB", "value": wq + 1},
        {"metric": "crossing_time", "node": "post", "crossing": "AA->BB", "value": 2 * (wq + 1)},
        {"metric": "crossing_time", "node": "post", "crossing": "AA->BB", "flow": "main", "value": 2 * (wq + 1)},
        {"metric": "lead_time", "value": 2 * (wq + 1)},
        {"metric": "lead_time", "from": "origin", "to": "destination", "value": 2 * (wq + 1)},
        {"metric": "red_share", "value": 0.0, "abs_tolerance": 1e-9},
    ]})
    table = evaluate(tandem_result, targets)
    assert len(table) == 7
    # every metric's CI must hold the analytic answer (or the mean lie within 5%)
    for row in table.itertuples():
        assert row.ci_low <= row.target <= row.ci_high or abs(row.relative_error) < 0.05 or row.target == 0, row
    assert table["within"].all()
    # with no driving and one border, the crossing is the whole journey: the two figures differ
    # only in which trucks they count (arrival at the control vs departure after the warm-up)
    assert table.loc[2, "simulated"] == pytest.approx(table.loc[4, "simulated"], rel=0.01)


def test_spans_belong_to_the_counted_trucks_of_their_own_replication(tandem_result):
    """Truck numbers restart in every replication: the span between origin and destination is each
    counted truck's own lead time (no driving here), replication by replication, never mixed with a
    warm-up truck of another replication that happens to share a counted truck's number."""
    from corridor_sim.calibrate import per_replication

    target = Targets.model_validate({"targets": [
        {"metric": "lead_time", "from": "origin", "to": "destination", "value": 1.0}]}).targets[0]
    spans = per_replication(tandem_result, next(iter(tandem_result.scenarios)), target)
    own = tandem_result.trucks.groupby("replication")["lead_time_h"].mean()
    assert len(spans) == len(own) == 4
    assert spans.to_numpy() == pytest.approx(own.to_numpy(), rel=1e-12)


def test_verdict_uses_tolerance(tandem_result):
    targets = Targets.model_validate({"targets": [
        {"metric": "lead_time", "value": 100.0, "tolerance": 0.1},
        {"metric": "lead_time", "value": 100.0, "tolerance": 0.1, "abs_tolerance": "4d"},
    ]})
    table = evaluate(tandem_result, targets)
    assert list(table["within"]) == [False, True]
    assert table.loc[0, "relative_error"] < -0.9


def test_bad_targets_file_is_located(tmp_path: Path):
    bad = tmp_path / "t.yaml"
    bad.write_text("targets:\n  - metric: queue_wiat\n    node: post\n    value: 1\n  - {metric: control_time, value: 2, nod: x}\n")
    with pytest.raises(ScenarioError) as info:
        load_targets(bad)
    text = str(info.value)
    assert "targets[0].metric" in text and ":2:" in text
    assert "targets[1].nod" in text and "did you mean 'node'" in text


def test_cli_calibrate_strict_exit_codes(tmp_path: Path, capsys):
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump({"targets": [{"metric": "lead_time", "value": 4.8, "tolerance": 0.5}]}))
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"targets": [{"metric": "lead_time", "value": 40.0, "tolerance": 0.1}]}))
    args = [str(CONTRACT / "tandem_mmc.yaml"), "-n", "2", "--set", "clock.horizon=60d", "--quiet"]
    assert main(["calibrate", args[0], str(good), *args[1:], "--strict"]) == 0
    assert main(["calibrate", args[0], str(bad), *args[1:]]) == 0
    assert main(["calibrate", args[0], str(bad), *args[1:], "--strict"]) == 1
    out = capsys.readouterr().out
    assert "1 of 1 targets within tolerance" in out and "0 of 1 targets within tolerance" in out
    assert main(["calibrate", args[0], str(tmp_path / "missing.yaml")]) == 2
