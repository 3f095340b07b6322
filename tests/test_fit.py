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


def _fit_files(tmp_path: Path, name: str = "tiny") -> tuple[Path, Path]:
    data = world(document=2.0)
    data["name"] = name
    data["traffic"]["main"]["hourly"] = [1.0] * 24
    scenario_file = tmp_path / "s.yaml"
    scenario_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    targets_file = tmp_path / "t.yaml"
    targets_file.write_text(yaml.safe_dump(targets_made_by(world(document=0.75), "control_time").model_dump(
        by_alias=True, exclude_none=True)), encoding="utf-8")
    return scenario_file, targets_file


def test_the_overlay_keeps_the_set_values_and_writes_a_fitted_list_item_as_a_list(tmp_path: Path):
    """Loading the overlay gives the scenario the fit ran at its best point: the --set values it
    ran with, and a list item (hourly.8) fitted inside its list, which an overlay can only replace."""
    scenario_file, targets_file = _fit_files(tmp_path)
    overlay = tmp_path / "fit.yaml"
    sets = ["--set", "traffic.main.per_day=30", "--set", "nodes.post={lanes: 3}"]
    assert main(["calibrate", str(scenario_file), str(targets_file), "-n", "1", "--seed", str(SEED), *sets,
                 "--fit", "traffic.main.hourly.8=0.5:2", "--fit", "customs.default.document.paper_tir=0.1:3",
                 "--generations", "1", "--population", "2", "--overlay", str(overlay), "--quiet"]) == 0
    text = overlay.read_text(encoding="utf-8")
    assert "hourly: [" in text and "'8'" not in text and '"8"' not in text
    assert main(["validate", str(overlay)]) == 0
    loaded = corridor_sim.load_scenario(overlay)
    start = corridor_sim.load_scenario(scenario_file, ["traffic.main.per_day=30", "nodes.post={lanes: 3}"])
    hourly = loaded.raw["traffic"]["main"]["hourly"]
    fitted = {"traffic.main.hourly.8": hourly[8],
              "customs.default.document.paper_tir": loaded.raw["customs"]["default"]["document"]["paper_tir"]}
    from corridor_sim.scenario.loader import derive

    expected = derive(start, fitted).raw
    assert {**loaded.raw, "name": ""} == {**expected, "name": ""}
    assert loaded.raw["traffic"]["main"]["per_day"] == 30 and loaded.raw["nodes"]["post"]["lanes"] == 3
    assert hourly[:8] == [1.0] * 8 and 0.5 <= hourly[8] <= 2
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_overlay_of_a_long_name_is_within_the_name_limit(tmp_path: Path):
    scenario_file, targets_file = _fit_files(tmp_path, name="n" * 200)
    overlay = tmp_path / "fit.yaml"
    assert main(["calibrate", str(scenario_file), str(targets_file), "-n", "1", "--seed", str(SEED),
                 "--fit", "customs.default.document.paper_tir=0.1:3", "--generations", "1", "--population", "1",
                 "--overlay", str(overlay), "--quiet"]) == 0
    name = corridor_sim.load_scenario(overlay).name
    assert len(name) == 200 and name.endswith("-fit")


def test_an_overlay_that_would_not_load_is_not_written(tmp_path: Path, capsys, monkeypatch):
    """The overlay is loaded before it is put in place: one that does not give the fitted scenario
    is refused in one line, and no temporary file is left behind."""
    import corridor_sim.fit as fit_module

    scenario_file, targets_file = _fit_files(tmp_path)
    overlay = tmp_path / "fit.yaml"
    monkeypatch.setattr(fit_module, "overlay_tree", lambda resolved, paths: {"traffic": {"main": {"per_day": -1}}})
    capsys.readouterr()
    assert main(["calibrate", str(scenario_file), str(targets_file), "-n", "1", "--seed", str(SEED),
                 "--fit", "customs.default.document.paper_tir=0.1:3", "--generations", "1", "--population", "1",
                 "--overlay", str(overlay), "--quiet"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "does not load" in err[0] and "nothing was written" in err[0], err
    assert not overlay.exists() and not list(tmp_path.glob(".*.tmp"))


def test_fit_bounds_must_be_finite():
    with pytest.raises(ScenarioError, match="finite"):
        parse_parameter("a.b=1:1e999")


def test_the_overlay_path_is_checked_before_the_search(tmp_path: Path, capsys, monkeypatch):
    import corridor_sim.fit as fit_module

    scenario_file, targets_file = _fit_files(tmp_path)

    def no_search(*args, **kwargs):
        raise AssertionError("the search started")

    monkeypatch.setattr(fit_module, "fit", no_search)
    capsys.readouterr()
    assert main(["calibrate", str(scenario_file), str(targets_file), "-n", "1", "--fit",
                 "customs.default.document.paper_tir=0.1:3", "--overlay", str(scenario_file / "fit.yaml"),
                 "--quiet"]) == 2
    assert "cannot write" in capsys.readouterr().err
