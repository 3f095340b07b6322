"""`calibrate --fit`: the search recovers parameters whose targets were made by a known point."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import corridor_sim
from corridor_sim.calibrate import Targets, evaluate
from corridor_sim.cli import main
from corridor_sim.errors import ScenarioError
from corridor_sim.fit import Parameter, fit, loss_of, parse_parameter
from corridor_sim.scenario.loader import build_scenario, merge

from conftest import tiny

SEED, REPS = 7, 2


def world(document: float = 0.75, lanes: int = 2) -> dict:
    return merge(tiny(), {
        "clock": {"start": "2026-01-05T00:00", "horizon": "6d", "warmup": "1d"},
        "customs": {"default": {"document": {"paper_tir": document}, "document_error": {"paper_tir": 0},
                                "channels": {"low": {"yellow": 0, "red": 0}}}},
        "nodes": {"post": {"lanes": lanes}},
        "traffic": {"main": {"per_day": 40}},
    })


def targets_made_by(data: dict, metric: str) -> Targets:
    """Targets equal to what the scenario gives at the known point (same seed and replications)."""
    truth = corridor_sim.run_many([build_scenario(data)], REPS, SEED)
    proto = Targets.model_validate({"targets": [
        {"metric": metric, "node": "post", "country": c, "direction": d, "value": 1.0, "tolerance": 0.05}
        for c, d in (("AA", "exit"), ("BB", "entry"))]})
    table = evaluate(truth, proto)
    return Targets.model_validate({"targets": [
        {**t.model_dump(by_alias=True, exclude_none=True), "value": float(v)}
        for t, v in zip(proto.targets, table["simulated"])]})


def test_the_search_recovers_a_document_time():
    targets = targets_made_by(world(document=0.75), "control_time")
    start = build_scenario(world(document=2.0))
    fitted = fit(start, targets, [Parameter("customs.default.document.paper_tir", 0.1, 3.0)], REPS, SEED,
                 max_generations=6)
    assert fitted.values["customs.default.document.paper_tir"] == pytest.approx(0.75, abs=0.05)
    assert fitted.table["within"].all() and fitted.loss < 1
    assert fitted.loss == pytest.approx(loss_of(fitted.table)) and fitted.evaluations > 10


def test_the_search_recovers_a_number_of_lanes():
    targets = targets_made_by(world(document=1.0, lanes=2), "queue_wait")
    fitted = fit(build_scenario(world(document=1.0, lanes=5)), targets,
                 [Parameter("nodes.post.lanes", 1, 6, integer=True)], REPS, SEED, max_generations=3)
    assert fitted.values == {"nodes.post.lanes": 2} and fitted.loss == pytest.approx(0.0, abs=1e-9)


def test_parameters_read_from_the_command_line():
    assert parse_parameter("nodes.post.lanes=2:8") == Parameter("nodes.post.lanes", 2, 8, integer=True)
    assert parse_parameter("a.b=0.5:2") == Parameter("a.b", 0.5, 2.0, integer=False)
    for bad in ("nodes.post.lanes", "x=3:1", "=1:2", "x=a:b"):
        with pytest.raises(ScenarioError):
            parse_parameter(bad)


def test_calibrate_fit_writes_an_overlay_marked_derived_that_reproduces_the_fit(tmp_path: Path):
    scenario_file = tmp_path / "s.yaml"
    scenario_file.write_text(yaml.safe_dump(world(document=2.0)), encoding="utf-8")
    targets = targets_made_by(world(document=0.75), "control_time")
    targets_file = tmp_path / "t.yaml"
    data = targets.model_dump(by_alias=True, exclude_none=True)
    data["fit"] = [{"path": "customs.default.document.paper_tir", "min": 0.1, "max": 3.0}]
    targets_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    overlay = tmp_path / "out" / "fit.yaml"
    args = ["calibrate", str(scenario_file), str(targets_file), "-n", str(REPS), "--seed", str(SEED),
            "--fit", "--generations", "4", "--overlay", str(overlay), "--quiet"]
    assert main(args + ["--strict"]) == 0
    text = overlay.read_text(encoding="utf-8")
    assert "DERIVED" in text and text.count("# DERIVED") == 2 and 'extends: "../s.yaml"' in text
    fitted = corridor_sim.load_scenario(overlay)
    assert fitted.name == "tiny-fit"
    assert fitted.policy("AA").document["paper_tir"].mean() == pytest.approx(0.75, abs=0.05)
    assert main(["calibrate", str(overlay), str(targets_file), "-n", str(REPS), "--seed", str(SEED), "--strict",
                 "--quiet"]) == 0
    # nothing is overwritten without --force
    assert main(args) == 2
    assert main(args + ["--force"]) == 0


def test_fit_without_parameters_is_refused(tmp_path: Path, capsys):
    scenario_file = tmp_path / "s.yaml"
    scenario_file.write_text(yaml.safe_dump(world()), encoding="utf-8")
    targets_file = tmp_path / "t.yaml"
    targets_file.write_text(yaml.safe_dump(targets_made_by(world(), "control_time").model_dump(
        by_alias=True, exclude_none=True)), encoding="utf-8")
    assert main(["calibrate", str(scenario_file), str(targets_file), "--fit", "--overlay", str(tmp_path / "o.yaml")]) == 2
    assert "name the values to fit" in capsys.readouterr().err
