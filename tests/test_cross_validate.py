"""`calibrate --fit --cross-validate`: each fold refitted without its targets, which are then
predicted. The world is deterministic (fixed document times, every truck green, more lanes than
trucks at once), so each figure is exact: a control takes the document time d, a lead time 2d
plus the driving, and the fitted d (a whole number of hours) follows from the tolerances."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from corridor_sim.calibrate import Targets, load_targets
from corridor_sim.cli import main
from corridor_sim.cli.common import console
from corridor_sim.errors import ScenarioError
from corridor_sim.scenario.loader import build_scenario, merge

from conftest import tiny

DOC = "customs.default.document.paper_tir"
FIT = [{"path": DOC, "min": 1, "max": 3, "integer": True}]
SHORT = ["-n", "2", "--seed", "3", "--generations", "2", "--population", "3", "--quiet"]


def world(km: float = 60) -> dict:
    """origin -> post -> destination, `km` a link at 60 km/h, the documents 3 h at both controls."""
    return merge(tiny(), {
        "clock": {"horizon": "3d", "warmup": "1d"},
        "risk_classes": {"low": {"noncompliance": 0}},
        "customs": {"default": {"document": {"paper_tir": 3}, "document_error": {"paper_tir": 0},
                                "channels": {"low": {"yellow": 0, "red": 0}}}},
        "nodes": {"post": {"lanes": 30}},
        "links": {"origin -> post": {"km": km}, "post -> destination": {"km": km}},
        "traffic": {"main": {"per_day": 10}},
    })


# Both controls say d = 1 h (loosely, ±50%); the lead time (2d + 2 h of driving) says d = 2 h
# (tightly, ±5%). On all three, d = 2: error (1/0.5)² twice = 8 against (2/0.3)² = 44 at d = 1.
# Without the lead time, d = 1, which predicts a lead time of 4 h: -1/3 out of sample.
KNOWN = [
    {"metric": "control_time", "node": "post", "country": "AA", "direction": "exit", "value": 1, "tolerance": 0.5},
    {"metric": "control_time", "node": "post", "country": "BB", "direction": "entry", "value": 1, "tolerance": 0.5},
    {"metric": "lead_time", "value": 6, "tolerance": 0.05},
]


def files(tmp_path: Path, targets: list[dict], **extra) -> tuple[Path, Path]:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump(world()), encoding="utf-8")
    data = {"name": "known", "targets": targets, "fit": FIT, **extra}
    targets_file = tmp_path / "t.yaml"
    targets_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return scenario, targets_file


def test_the_api_reports_a_left_out_target_the_refit_cannot_reach():
    from corridor_sim.cross_validate import cross_validate, make_folds
    from corridor_sim.fit import Parameter, fit

    scenario = build_scenario(world())
    targets = Targets.model_validate({"targets": KNOWN})
    parameters = [Parameter(DOC, 1, 3, integer=True)]
    cache: dict = {}
    full = fit(scenario, targets, parameters, 2, 3, max_generations=2, population=3, cache=cache)
    assert full.values == {DOC: 2}
    folds, kept = make_folds(targets, "target")
    assert [f.left_out for f in folds] == [(0,), (1,), (2,)] and kept == []
    validation = cross_validate(scenario, targets, parameters, full, folds, kept, "target", 2, 3,
                                max_generations=2, population=3, cache=cache)
    assert [r.fitted.values[DOC] for r in validation.folds] == [2, 2, 1]
    assert len(cache) == 3  # one simulation a point: the refits ran nothing new
    rows = validation.rows().set_index("target_index")
    assert rows.loc[2, "in_sample"] == pytest.approx(6.0) and rows.loc[2, "in_sample_error"] == pytest.approx(0.0)
    assert rows.loc[2, "out_of_sample"] == pytest.approx(4.0)
    assert rows.loc[2, "out_of_sample_error"] == pytest.approx(-1 / 3)
    assert not rows.loc[2, "out_of_sample_within"] and rows.loc[2, "in_sample_within"]
    # a control left out: the other control and the lead time still make d = 2, as in sample
    assert rows.loc[0, "out_of_sample"] == pytest.approx(2.0) and rows.loc[0, "out_of_sample_error"] == pytest.approx(1.0)
    summary = validation.summary()
    assert list(summary["out_of_sample_within"]) == [0, 0, 0] and list(summary["in_sample_within"]) == [0, 0, 1]
    assert summary.loc[2, "out_of_sample_mean_abs_error"] == pytest.approx(1 / 3)


def test_the_command_prints_one_table_a_fold_and_a_summary_and_writes_the_section(tmp_path: Path, capsys,
                                                                                   monkeypatch):
    monkeypatch.setattr(console, "_width", 80)
    scenario, targets_file = files(tmp_path, KNOWN)
    out_csv, out_json = tmp_path / "cv.csv", tmp_path / "cv.json"
    code = main(["calibrate", str(scenario), str(targets_file), *SHORT, "--fit", "--cross-validate",
                 "--overlay", str(tmp_path / "o.yaml"), "--csv", str(out_csv), "--json", str(out_json)])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert "3 folds, so 4 fits" in out and "at most 24 points a fit, 96 in all, 2 replications a point" in out
    assert [line.split(" (")[0] for line in lines if line.startswith("fold ")] == [
        "fold 1 of 3", "fold 2 of 3", "fold 3 of 3"]
    assert sum(line.startswith("cross-validation by target: in sample") for line in lines) == 1
    assert "0 of 3 left-out targets within tolerance out of sample (1 in sample)" in out
    lead = [line for line in lines if line.startswith("lead time ")]
    assert lead[-1].split()[2:] == ["6.0", "4.0", "[4.0,", "4.0]", "+0%", "-33%", "no"]  # fold 3's table
    # at 80 columns: every line but the first (the parameters' paths) and the last (the overlay's)
    assert all(len(line.rstrip()) <= 80 for line in lines[1:-1]), max(lines[1:-1], key=len)
    table = __import__("pandas").read_csv(out_csv)
    assert list(table["cross_validation.out_of_sample"]) == pytest.approx([2.0, 2.0, 4.0])
    assert list(table["simulated"]) == pytest.approx([2.0, 2.0, 6.0])
    assert list(table[f"cross_validation.fit.{DOC}"]) == [2, 2, 1] and list(table["cross_validation.fold"]) == [1, 2, 3]
    document = json.loads(out_json.read_text(encoding="utf-8"))
    section = document["cross_validation"]
    assert section["folds_by"] == "target" and section["fits"] == 4 and document["fit"]["values"] == {DOC: 2}
    assert [f["fitted"] for f in section["folds"]] == [{DOC: 2}, {DOC: 2}, {DOC: 1}]
    assert section["folds"][2]["targets"][0]["out_of_sample_error"] == pytest.approx(-1 / 3)
    assert [s["out_of_sample_within"] for s in section["summary"]] == [0, 0, 0]


def test_folds_by_direction_keep_the_targets_that_name_none(tmp_path: Path, capsys):
    """Outbound (AA exit) and inbound (BB entry) are left out in turn; the lead time, in no
    direction, stays in both fits, so each refit still finds d = 2."""
    scenario, targets_file = files(tmp_path, KNOWN)
    out_json = tmp_path / "cv.json"
    assert main(["calibrate", str(scenario), str(targets_file), *SHORT, "--fit", "--cross-validate",
                 "--folds", "direction", "--overlay", str(tmp_path / "o.yaml"), "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    assert "2 folds, so 3 fits" in out and "in every fit (no direction to leave out): target 3" in out
    section = json.loads(out_json.read_text(encoding="utf-8"))["cross_validation"]
    assert [(f["name"], f["left_out"], f["fitted"][DOC]) for f in section["folds"]] == [
        ("outbound", [1], 2), ("inbound", [2], 2)]
    assert section["always_fitted"] == [3]
    assert [f["targets"][0]["out_of_sample_error"] for f in section["folds"]] == pytest.approx([1.0, 1.0])


def test_folds_by_year_refit_on_the_other_years_scenario(tmp_path: Path, capsys):
    """2022's AA exit says d = 2 (±5%); 2021, whose links are twice as long, has a lead time of
    2d + 4 h = 10 h, which says d = 3 (±5%). On both, d = 2 ((8 - 10)/0.5)² = 16 against
    (1/0.1)² = 100 at d = 3); leaving out 2022 fits d = 3, which puts its control at 3 h (+50%);
    leaving out 2021 fits d = 2, a lead time of 8 h (-20%)."""
    s2022 = tmp_path / "s2022.yaml"
    s2022.write_text(yaml.safe_dump(world()), encoding="utf-8")
    (tmp_path / "y").mkdir()
    (tmp_path / "y" / "s2021.yaml").write_text(yaml.safe_dump(world(km=120)), encoding="utf-8")
    targets_file = tmp_path / "t.yaml"
    targets_file.write_text(yaml.safe_dump({
        "scenarios": {2021: "y/s2021.yaml", 2022: "s2022.yaml"}, "fit": FIT, "targets": [
            {**KNOWN[0], "value": 2, "tolerance": 0.05, "year": 2022},
            {"metric": "lead_time", "value": 10, "tolerance": 0.05, "year": 2021}]}), encoding="utf-8")
    # without --fit, each year's targets are taken from its own scenario (documents 3 h)
    csv = tmp_path / "plain.csv"
    assert main(["calibrate", str(s2022), str(targets_file), "-n", "2", "--quiet", "--csv", str(csv)]) == 0
    plain = __import__("pandas").read_csv(csv)
    assert list(plain["simulated"]) == pytest.approx([3.0, 10.0]) and list(plain["year"]) == [2022, 2021]
    out_json = tmp_path / "cv.json"
    assert main(["calibrate", str(s2022), str(targets_file), *SHORT, "--fit", "--cross-validate", "--folds", "year",
                 "--overlay", str(tmp_path / "o.yaml"), "--json", str(out_json)]) == 0
    document = json.loads(out_json.read_text(encoding="utf-8"))
    assert document["fit"]["values"] == {DOC: 2}
    folds = document["cross_validation"]["folds"]
    assert [(f["name"], f["fitted"][DOC]) for f in folds] == [("2022", 3), ("2021", 2)]
    assert folds[0]["targets"][0]["out_of_sample"] == pytest.approx(3.0)
    assert folds[0]["targets"][0]["out_of_sample_error"] == pytest.approx(0.5)
    assert folds[1]["targets"][0]["out_of_sample"] == pytest.approx(8.0)
    assert folds[1]["targets"][0]["in_sample_error"] == pytest.approx(-0.2)
    assert "2022" in capsys.readouterr().out


@pytest.mark.parametrize(("extra", "message"), [
    (["--cross-validate"], "--cross-validate refits the search of --fit: give --fit too"),
    (["--fit", "--folds", "crossing"], "--folds chooses what --cross-validate leaves out"),
    (["--fit", "--cross-validate", "--folds", "crossing"],
     "--folds: crossing needs at least two groups of targets that name a node to leave out in turn; "
     "the targets file makes 1"),
    (["--fit", "--cross-validate", "--folds", "year"],
     "--folds: year needs at least two groups of targets that name a year"),
])
def test_bad_options_are_one_line_and_exit_2(tmp_path: Path, capsys, monkeypatch, extra, message):
    import corridor_sim.fit as fit_module

    def no_search(*args, **kwargs):
        raise AssertionError("the search started")

    monkeypatch.setattr(fit_module, "fit", no_search)
    scenario, targets_file = files(tmp_path, KNOWN)
    capsys.readouterr()
    assert main(["calibrate", str(scenario), str(targets_file), *SHORT, "--overlay", str(tmp_path / "o.yaml"),
                 *extra]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and message in err[0], err
    assert not (tmp_path / "o.yaml").exists()


def test_fewer_than_two_folds_is_refused(tmp_path: Path, capsys):
    scenario, targets_file = files(tmp_path, KNOWN[:1])
    assert main(["calibrate", str(scenario), str(targets_file), *SHORT, "--fit", "--cross-validate",
                 "--overlay", str(tmp_path / "o.yaml")]) == 2
    assert "--folds: target needs at least two groups of targets" in capsys.readouterr().err


def test_an_interrupted_cross_validation_writes_nothing(tmp_path: Path, capsys, monkeypatch):
    import corridor_sim.cross_validate as cv_module

    real = cv_module.fit
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(cv_module, "fit", interrupted)
    scenario, targets_file = files(tmp_path, KNOWN)
    outputs = [tmp_path / "o.yaml", tmp_path / "cv.csv", tmp_path / "cv.json"]
    assert main(["calibrate", str(scenario), str(targets_file), *SHORT, "--fit", "--cross-validate",
                 "--overlay", str(outputs[0]), "--csv", str(outputs[1]), "--json", str(outputs[2])]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "nothing was written" in err
    assert not any(p.exists() for p in outputs) and not list(tmp_path.glob(".*.tmp"))


def test_a_year_must_have_its_scenario(tmp_path: Path):
    targets_file = tmp_path / "t.yaml"
    targets_file.write_text("scenarios: {2021: a.yaml}\ntargets:\n  - {metric: lead_time, value: 1, year: 2020}\n",
                            encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_targets(targets_file)
    problem = info.value.problems[0]
    assert (problem.path, problem.line) == ("targets[0].year", 3)
    assert problem.message == "year 2020 is not a year of `scenarios` (years: 2021)"
    from corridor_sim.calibrate import load_year_scenarios

    targets_file.write_text(yaml.safe_dump({"scenarios": {2021: "a.yaml"}, "targets": [
        {"metric": "lead_time", "value": 1, "year": 2021}]}), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"scenarios\.2021: no scenario file"):
        load_year_scenarios(load_targets(targets_file), targets_file)


def test_the_cli_offers_every_kind_of_fold():
    from corridor_sim.cli.calibrate_cmd import FOLD_CHOICES
    from corridor_sim.cross_validate import FOLD_KINDS

    assert FOLD_CHOICES == FOLD_KINDS


def test_the_saving_card_refuses_targets_of_several_years(tmp_path: Path, capsys):
    from test_uncertainty import files as card_files
    from test_uncertainty import write

    base, measure, assumptions = card_files(tmp_path)
    (tmp_path / "y.yaml").write_text(yaml.safe_dump(world()), encoding="utf-8")
    targets = write(tmp_path / "targets.yaml", {"scenarios": {2021: "y.yaml"}, "targets": [
        {"metric": "lead_time", "value": 2.4, "year": 2021}]})
    assert main(["uncertainty", base, measure, "--assumptions", assumptions, "--targets", targets, "--quiet",
                 "--no-plots", "-o", str(tmp_path / "card")]) == 2
    err = capsys.readouterr().err
    assert "holds targets of several years" in err and not (tmp_path / "card").exists()


def test_the_number_of_points_announced_is_what_the_search_can_take():
    """SciPy's population: `population` a parameter, at least 5, rounded up to a power of 2 (its
    Sobol start); a point a candidate, each generation and the first. A parameter of real values
    never meets a point twice, so the search takes them all."""
    from corridor_sim.fit import Parameter, fit, max_points

    one, two = [Parameter(DOC, 0.5, 3.0)], [Parameter(DOC, 0.5, 3.0), Parameter("traffic.main.per_day", 5, 15)]
    assert [max_points(one, 1, 1), max_points(one, 2, 3), max_points(two, 1, 3), max_points(two, 10, 6)] == [
        16, 24, 16, 176]
    fitted = fit(build_scenario(world()), Targets.model_validate({"targets": KNOWN}), one, 1, 3,
                 max_generations=1, population=1)
    assert fitted.evaluations == fitted.runs == 16


# --- the reference's command -------------------------------------------------------------------

def _readme_command() -> list[str]:
    import re
    import shlex

    from conftest import doc_section

    text = doc_section("scenarios")
    (command,) = [line for block in re.findall(r"```bash\n(.*?)```", text, re.S) for line in block.splitlines()
                  if line.startswith("corridor-sim calibrate ") and "--cross-validate" in line]
    return shlex.split(command)[1:]


def test_the_readme_command_names_folds_the_bundled_targets_make():
    from corridor_sim.cli import build_parser
    from corridor_sim.cross_validate import make_folds

    from conftest import ROOT

    args = build_parser().parse_args(_readme_command())
    assert args.cross_validate and args.fit == [""] and args.folds == "direction"
    targets = load_targets(ROOT / args.targets)
    folds, kept = make_folds(targets, args.folds)
    assert [f.name for f in folds] == ["inbound", "outbound"]
    # Khorgos's CN->KZ crossing time (both controls) and the Kazakh channel shares name no direction
    assert {targets.targets[i].metric for i in kept} >= {"crossing_time", "yellow_share", "red_share", "swod"}
    assert all(targets.targets[i].direction is None for i in kept)


@pytest.mark.slow
def test_the_readme_command_runs_cut_short(tmp_path: Path, monkeypatch):
    from conftest import ROOT

    monkeypatch.chdir(ROOT)
    argv = _readme_command()
    argv = argv[:argv.index("-n")]  # the reference's -n 4 --workers 2 and its output, cut short
    out = tmp_path / "cv.json"
    assert main([*argv, "-n", "1", "--set", "clock.horizon=2d", "--set", "clock.warmup=1d", "--generations", "1",
                 "--population", "1", "--quiet", "--overlay", str(tmp_path / "fit.yaml"), "--json", str(out)]) in (0, 1)
    section = json.loads(out.read_text(encoding="utf-8"))["cross_validation"]
    assert [f["name"] for f in section["folds"]] == ["inbound", "outbound"] and section["fits"] == 3


def test_validate_loads_each_years_scenario_and_checks_its_targets(tmp_path: Path, capsys):
    (tmp_path / "s2021.yaml").write_text(yaml.safe_dump(world()), encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump({"name": "two-years", "scenarios": {2021: "s2021.yaml", 2022: "s2022.yaml"},
                                    "targets": [{"metric": "lead_time", "value": 1, "year": 2021}]}), encoding="utf-8")
    assert main(["validate", str(good)]) == 0  # 2022 names no target: its file is not needed
    assert capsys.readouterr().out.strip() == "ok: two-years (calibration targets, 1 targets, years 2021)"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"scenarios": {2021: "s2021.yaml"}, "targets": [
        {"metric": "control_time", "node": "post", "value": 1}, {"metric": "queue_wait", "node": "gate", "value": 1,
                                                                 "year": 2021}]}), encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "targets[1].node: scenario 'tiny' has no node 'gate'" in err[0], err


def test_the_refits_show_the_time_left(tmp_path: Path, capsys):
    import re

    scenario, targets_file = files(tmp_path, KNOWN)
    assert main(["calibrate", str(scenario), str(targets_file), *[a for a in SHORT if a != "--quiet"], "--fit",
                 "--cross-validate", "--folds", "direction", "--overlay", str(tmp_path / "o.yaml")]) == 0
    lines = capsys.readouterr().out.splitlines()
    progress = [line for line in lines if line.startswith("fold ") and " leaving out " in line]
    assert len(progress) == 2 and all(re.fullmatch(r"fold \d of 2, leaving out (out|in)bound \(1 target\); "
                                                   r"about \d+ s left", line) for line in progress), progress
    assert "  in every fit (no direction to leave out): target 3" in lines


def test_each_years_scenario_is_held_to_the_run_budget(tmp_path: Path, capsys, monkeypatch):
    import corridor_sim.scenario.budget as budget

    monkeypatch.setattr(budget, "default_max_trucks", lambda at_once: 100)  # the given scenario's 30 fit
    big = merge(world(), {"name": "big", "traffic": {"main": {"per_day": 1000}}})
    (tmp_path / "big.yaml").write_text(yaml.safe_dump(big), encoding="utf-8")
    scenario, targets_file = files(tmp_path, [*KNOWN, {"metric": "lead_time", "value": 6, "year": 2021}],
                                   scenarios={2021: "big.yaml"})
    assert main(["calibrate", str(scenario), str(targets_file), *SHORT, "--fit", "--cross-validate",
                 "--overlay", str(tmp_path / "o.yaml")]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "big: about 3,000 trucks a replication" in err[0], err


def test_a_figure_no_truck_makes_is_null_in_the_json_and_a_dash_on_the_terminal(tmp_path: Path, capsys):
    """A ferry wait at a border post: no ferry, no figure, in sample or out of it."""
    scenario, targets_file = files(tmp_path, [*KNOWN, {"metric": "ferry_wait", "node": "post", "value": 1}])
    out_json = tmp_path / "cv.json"
    assert main(["calibrate", str(scenario), str(targets_file), *SHORT, "--fit", "--cross-validate",
                 "--overlay", str(tmp_path / "o.yaml"), "--json", str(out_json)]) == 0
    document = json.loads(out_json.read_text(encoding="utf-8"))
    assert document["table"][3]["simulated"] is None and document["table"][3]["within"] is False
    (ferry,) = document["cross_validation"]["folds"][3]["targets"]
    assert ferry["out_of_sample"] is None and ferry["out_of_sample_error"] is None
    assert document["cross_validation"]["summary"][3]["out_of_sample_mean_abs_error"] is None
    line = [line for line in capsys.readouterr().out.splitlines() if line.startswith("ferry wait post")][-1]
    assert line.split()[3:] == ["1.0", "–", "[–,", "–]", "–", "–", "no"]


def test_a_year_whose_scenario_is_the_one_given_shares_its_run(tmp_path: Path, monkeypatch):
    import corridor_sim.experiment as experiment

    real, ran = experiment.run_many, []

    def recording(scenarios, *args, **kwargs):
        ran.append([s.name for s in scenarios])
        return real(scenarios, *args, **kwargs)

    monkeypatch.setattr(experiment, "run_many", recording)
    (tmp_path / "s2021.yaml").write_text(yaml.safe_dump(world(km=120)), encoding="utf-8")
    (tmp_path / "again.yaml").write_text(yaml.safe_dump(world()), encoding="utf-8")
    scenario, targets_file = files(tmp_path, [
        {**KNOWN[0], "year": 2022}, {"metric": "lead_time", "value": 10, "year": 2021}, KNOWN[2]],
        scenarios={2021: "s2021.yaml", 2022: "again.yaml"})
    csv = tmp_path / "plain.csv"
    assert main(["calibrate", str(scenario), str(targets_file), "-n", "2", "--quiet", "--csv", str(csv)]) == 0
    assert ran == [["tiny", "tiny-2021"]]  # 2022 is the given scenario: one run for both
    table = __import__("pandas").read_csv(csv, dtype={"year": str}, keep_default_na=False)
    assert list(table["simulated"]) == pytest.approx([3.0, 10.0, 8.0])
    assert list(table["year"]) == ["2022", "2021", ""]


def test_on_the_contract_tandem_the_lanes_fitted_without_a_target_predict_it_by_erlang_c():
    """Two M/M/c controls in series (λ = 2.5 trucks/h, μ = 1/h, each control on the post's lanes):
    both queue waits say 3 lanes (loosely), the BB control time says 4 (tightly), so the fit on all
    three takes 4 lanes; without the control time it takes 3, which predicts Wq(3) + 1 h there,
    about twice the observed Wq(4) + 1 h: Erlang C gives the out-of-sample error."""
    from corridor_sim.cross_validate import cross_validate, make_folds
    from corridor_sim.fit import Parameter, fit
    from corridor_sim.scenario import load_scenario

    from conftest import CONTRACT
    from test_calibrate import _erlang_c_wait

    wq = {c: _erlang_c_wait(2.5, 1.0, c) for c in (3, 4)}
    targets = Targets.model_validate({"targets": [
        {"metric": "queue_wait", "node": "post", "country": "AA", "direction": "exit", "value": wq[3], "tolerance": 0.5},
        {"metric": "queue_wait", "node": "post", "country": "BB", "direction": "entry", "value": wq[3], "tolerance": 0.5},
        {"metric": "control_time", "node": "post", "country": "BB", "direction": "entry", "value": wq[4] + 1,
         "tolerance": 0.02}]})
    scenario = load_scenario(CONTRACT / "tandem_mmc.yaml", ["clock.horizon=100d", "clock.warmup=10d"])
    parameters = [Parameter("nodes.post.lanes", 3, 5, integer=True)]
    cache: dict = {}
    full = fit(scenario, targets, parameters, 4, 11, max_generations=1, population=3, cache=cache)
    assert full.values == {"nodes.post.lanes": 4}
    folds, kept = make_folds(targets, "target")
    validation = cross_validate(scenario, targets, parameters, full, folds, kept, "target", 4, 11,
                                max_generations=1, population=3, cache=cache)
    assert [r.fitted.values["nodes.post.lanes"] for r in validation.folds] == [4, 4, 3]
    row = validation.rows().set_index("target_index").loc[2]
    predicted = wq[3] + 1
    assert row.out_of_sample_ci_low <= predicted <= row.out_of_sample_ci_high or \
        row.out_of_sample == pytest.approx(predicted, rel=0.05)
    analytic_error = (predicted - (wq[4] + 1)) / (wq[4] + 1)  # about +99%
    assert row.out_of_sample_error == pytest.approx(analytic_error, abs=0.1)
    assert not row.out_of_sample_within and row.in_sample == full.table.loc[2, "simulated"]
    assert full.table.loc[2, "ci_low"] <= wq[4] + 1 <= full.table.loc[2, "ci_high"]  # in sample: Wq(4) + 1 h
    assert len(cache) <= 3  # three numbers of lanes, each run once for all four searches


def test_long_paths_put_a_folds_values_one_a_line_within_80_columns(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setattr(console, "_width", 80)
    scenario, targets_file = files(tmp_path, KNOWN)
    assert main(["calibrate", str(scenario), str(targets_file), *SHORT, "--fit", f"{DOC}=1:3", "--fit",
                 "traffic.main.per_day=9:11", "--cross-validate", "--folds", "direction",
                 "--overlay", str(tmp_path / "o.yaml")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines.count("  fitted without it:") == 2
    assert sum(re.fullmatch(rf"    {re.escape(DOC)}=[123]", line) is not None for line in lines) == 2
    assert all(len(line.rstrip()) <= 80 for line in lines[1:-1]), max(lines[1:-1], key=len)


def test_a_candidate_over_the_run_budget_is_refused_before_it_runs(tmp_path: Path, capsys, monkeypatch):
    """The scenario's 10 trucks a day for 3 days fit a budget of 100 trucks; a refit that tries
    40 a day or more would not, and is refused in one line naming the point, nothing written."""
    import corridor_sim.scenario.budget as budget

    monkeypatch.setattr(budget, "default_max_trucks", lambda at_once: 100)
    scenario, targets_file = files(tmp_path, KNOWN)
    capsys.readouterr()
    assert main(["calibrate", str(scenario), str(targets_file), *SHORT, "--fit", "traffic.main.per_day=10:1000",
                 "--cross-validate", "--overlay", str(tmp_path / "o.yaml"), "--json", str(tmp_path / "cv.json")]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and re.search(r"--fit at traffic\.main\.per_day=\d+: tiny: about [\d,]+ trucks", err[0]), err
    assert not (tmp_path / "o.yaml").exists() and not (tmp_path / "cv.json").exists()
