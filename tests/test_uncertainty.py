"""The saving card: the assumptions file's checks, resume byte for byte, and analytic answers.

The analytic checks: an M/M/c control whose mean service time is uncertain gives, at the ends
of its range, the mean time Erlang C gives there; the Sobol pipeline (SALib on a function of the
unit cube, and on the Gaussian-process emulator fitted to a sample of it) gives the first-order
and total indices of a two-station tandem that numerical integration of Erlang C gives; a
measure that changes nothing but the random draws gets a range around zero and a probability
near one half.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate

from corridor_sim.assumptions import Assumptions
from corridor_sim.cli import main
from corridor_sim.results.stats import mean_ci
from corridor_sim.saving_card import baseline_range, fit_emulator, saving_card, sobol_indices
from corridor_sim.scenario.loader import build_scenario
from corridor_sim.uncertainty import Design, Inputs, make_design, run_design, run_point

from conftest import tiny
from test_analytic import erlang_c, single_control

pytest.importorskip("SALib")
pytest.importorskip("sklearn")


def write(path, data) -> str:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


def files(tmp_path, groups=None):
    base = write(tmp_path / "base.yaml", tiny(experiment={"replications": 2, "seed": 1}))
    measure = write(tmp_path / "measure.yaml", {"extends": "base.yaml", "name": "more-lanes",
                                                "nodes": {"post": {"lanes": 3}}})
    groups = groups if groups is not None else [
        {"name": "volume", "paths": ["traffic.main.per_day"], "range": [30, 40, 50], "reasoning": "a test"},
        {"name": "violations", "paths": ["risk_classes.low.noncompliance"], "range": [0.5, 1, 2], "mode": "factor",
         "reasoning": "a test"}]
    assumptions = write(tmp_path / "assumptions.yaml", {"assumptions": groups})
    return base, measure, assumptions


# --- a group's values: quantiles of its distribution ----------------------------------------------

@given(low=st.floats(-1e3, 1e3), width=st.floats(1e-3, 1e3), cut=st.floats(0, 1), u=st.floats(0, 1),
       distribution=st.sampled_from(["uniform", "triangular"]))
def test_a_groups_value_is_its_distributions_quantile(low, width, cut, u, distribution):
    from scipy import stats

    high = low + width
    central = low + cut * width
    group = Assumptions.model_validate({"assumptions": [{"name": "g", "paths": ["x"], "range": [low, central, high],
                                                         "distribution": distribution, "reasoning": "r"}]}).assumptions[0]
    dist = stats.uniform(low, width) if distribution == "uniform" else stats.triang((central - low) / width, low, width)
    value = group.value_at(u)
    assert low - 1e-9 * width <= value <= high + 1e-9 * width
    assert value == pytest.approx(dist.ppf(u), abs=1e-7 * (width + abs(low)))
    assert group.u_of(value) == pytest.approx(u, abs=1e-6)


# --- bad input: one line with the YAML path, exit 2, nothing written ------------------------------

@pytest.mark.parametrize("group, where, says", [
    ({"name": "g", "paths": ["traffic.main.per_dya"], "range": [1, 2, 3], "reasoning": "r"},
     "assumptions[0].paths[0]", "no value at traffic.main.per_dya"),
    ({"name": "g", "paths": ["traffic.main.per_day"], "range": [10, 60, 50], "reasoning": "r"},
     "assumptions[0]", "central value 60 lies outside [10, 50]"),
    ({"name": "g", "paths": ["nodes.post.lanes"], "range": [0, 2, 3], "integer": True, "reasoning": "r"},
     "assumptions[0].range", "at its low end (0)"),
    ({"name": "g", "paths": ["traffic.main.per_day"], "range": [10, 20, 30]},
     "assumptions[0]", "give a `source` or the `reasoning`"),
])
def test_a_bad_group_is_one_line_with_its_yaml_path(tmp_path, capsys, group, where, says):
    base, measure, assumptions = files(tmp_path, [group])
    out = tmp_path / "card"
    assert main(["uncertainty", base, measure, "--assumptions", assumptions, "-o", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert f"{where}: " in err[0] and says in err[0] and "assumptions.yaml:" in err[0]
    assert not out.exists() and not (tmp_path / "card.partial").exists()


def test_two_groups_of_one_name_are_refused_where_the_second_stands(tmp_path, capsys):
    group = {"name": "volume", "paths": ["traffic.main.per_day"], "range": [10, 20, 30], "reasoning": "r"}
    base, measure, assumptions = files(tmp_path, [group, group])
    assert main(["uncertainty", base, measure, "--assumptions", assumptions, "--quiet", "-o",
                 str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "assumptions.yaml:" in err[0] and "assumptions[1].name: another group" in err[0]


def test_an_empty_design_is_refused(tmp_path, capsys):
    base, measure, assumptions = files(tmp_path, [])
    assert main(["uncertainty", base, measure, "--assumptions", assumptions, "--quiet", "-o",
                 str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "assumptions" in err[0] and "empty" in err[0]


def test_the_bundled_assumptions_fit_the_base_and_the_2022_calibration():
    from pathlib import Path

    from corridor_sim.assumptions import check_assumptions, load_assumptions, paths_in
    from corridor_sim.scenario import load_scenario

    root = Path(__file__).resolve().parent.parent / "scenarios"
    assumptions = load_assumptions(root / "assumptions.yaml")
    assert 10 <= len(assumptions.assumptions) <= 15
    base = load_scenario(root / "middle_corridor.yaml")
    check_assumptions(base, assumptions)
    every = {p for a in assumptions.assumptions for p in a.paths}
    assert paths_in(load_scenario(root / "middle_corridor_2022.yaml"), assumptions) == every
    assert all(a.source or a.reasoning for a in assumptions.assumptions)


# --- the command, and resume byte for byte -----------------------------------------------------------

def test_the_card_resumes_byte_for_byte(tmp_path, monkeypatch, capsys):
    import corridor_sim.uncertainty as unc
    from corridor_sim.cli.common import console

    monkeypatch.setattr(console, "_width", 80)  # the card is laid out for 80 columns, whatever the terminal

    base, measure, assumptions = files(tmp_path)
    args = ["uncertainty", base, measure, "--assumptions", assumptions, "--samples", "10", "--trajectories", "2",
            "--threshold", "0.5", "--quiet", "--no-plots"]
    assert main([*args, "-o", str(tmp_path / "whole")]) == 0
    real, calls = unc.run_point, []

    def cut(*a, **k):
        calls.append(1)
        if len(calls) == 6:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(unc, "run_point", cut)
    assert main([*args, "-o", str(tmp_path / "cut")]) == 130
    assert "5 of 17 design points are kept" in capsys.readouterr().err
    monkeypatch.setattr(unc, "run_point", real)
    with open(tmp_path / "cut.partial" / "points.jsonl", "a", encoding="utf-8") as f:
        f.write('{"index": 5, "values": {"vol')  # a line a killed process left half-written
    assert main(["uncertainty", "--resume", str(tmp_path / "cut"), "--quiet", "--no-plots"]) == 0
    for name in ("summary.json", "points.csv", "points.jsonl", "design.json"):
        assert (tmp_path / "cut" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    card = json.loads((tmp_path / "whole" / "summary.json").read_text())["uncertainty"]["measures"]["more-lanes"]
    assert card["range"]["n"] == 10 and card["range"]["min"] <= card["range"]["p05"] <= card["range"]["p95"]
    assert card["central"]["n"] == 2 and card["model_runs"] == 17 * 2 * 2
    # a saving that lanes buy grows with the volume: Morris finds it, and it drives the range
    screening = {r["group"]: r for r in card["screening"]}
    assert screening["volume"]["mu_star"] > screening["violations"]["mu_star"]
    assert card["drivers"][0] == "volume"
    out = capsys.readouterr().out
    long = [line for line in out.splitlines()[:-1] if len(line) > 80]  # the last names the directory
    assert not long, long
    assert main([*args, "-o", str(tmp_path / "whole")]) == 2  # never over a card without --force


def test_targets_score_each_point_and_the_card_gives_the_plausible_range(tmp_path, capsys):
    base, measure, assumptions = files(tmp_path)
    targets = write(tmp_path / "targets.yaml", {"targets": [
        {"metric": "lead_time", "value": 2.4, "tolerance": 0.1}]})
    out = tmp_path / "card"
    assert main(["uncertainty", base, measure, "--assumptions", assumptions, "--samples", "10", "--trajectories",
                 "0", "--targets", targets, "--flow", "main", "--quiet", "--no-plots", "-o", str(out)]) == 0
    assert json.loads((out / "summary.json").read_text())["flow"] == "main"
    summary = json.loads((out / "summary.json").read_text())["uncertainty"]
    card = summary["measures"]["more-lanes"]
    counts = summary["plausible"]
    assert counts["sampled"] == 10 and 0 <= counts["plausible"] <= 10
    assert card["range_plausible"]["n"] == counts["plausible"]
    assert "plausible" in (out / "points.csv").read_text().splitlines()[0]
    # the one target rules out exactly the points that are not plausible
    missed = 10 - counts["plausible"]
    assert counts["ruled_out_by"] == ([{"target": "lead_time mean", "points": missed}] if missed else [])


def test_the_targets_that_rule_out_most_points_are_said_in_words():
    from corridor_sim.saving_card import plausible_words

    counts = {"sampled": 40, "plausible": 3, "ruled_out_by": [
        {"target": "crossing_time khorgos CN->KZ", "points": 30}, {"target": "swod KZ", "points": 12},
        {"target": "queue_wait alat", "points": 5}, {"target": "red_share AZ", "points": 1}]}
    assert plausible_words(counts) == ("3 of 40 sampled points meet every target; missed most often: crossing_time "
                                       "khorgos CN->KZ (30 points), swod KZ (12 points), queue_wait alat (5 points)")
    assert plausible_words({"sampled": 2, "plausible": 2, "ruled_out_by": []}) == "2 of 2 sampled points meet every target"
    assert plausible_words(None) is None


# --- analytic checks -----------------------------------------------------------------------------------

def test_an_uncertain_service_time_gives_erlang_c_at_the_ends_of_its_range():
    lanes, rate = 2, 1.2  # trucks an hour; utilisation 0.48 to 0.72 over the range
    service = {"dist": "exponential", "mean": 1.0}
    scenario = single_control(lanes, rate * 24, service, 100)
    assumptions = Assumptions.model_validate({"assumptions": [
        {"name": "service", "paths": ["customs.AA.document.paper_tir.mean"], "range": [0.8, 1.0, 1.2],
         "reasoning": "a test"}]})
    design = Design(("service",), ((0.5,), (0.0,), (1.0,)), ("central", "sample", "sample"))
    inputs = Inputs(scenario, [], assumptions, 12, 3, design)
    points = run_design(inputs)
    ends = baseline_range(points)
    for key, mean in (("lowest", 0.8), ("highest", 1.2)):
        a = rate * mean
        expected = erlang_c(lanes, a) * mean / (lanes - a) + mean  # queue + service: the roads take no time
        got = ends[key]
        assert got["values"]["service"] == pytest.approx(mean)
        ci = mean_ci(points[got["point"]].lead["base"], 0.99)
        assert ci["ci_low"] <= expected <= ci["ci_high"], (key, expected, ci)
        assert ci["half_width"] < 0.1 * expected


def tandem():
    """Two stations in tandem (Poisson arrivals, 1 truck an hour): M/M/1 then M/M/2, with mean
    service times uniform over [0.5, 0.8] and [0.8, 1.6] h; the mean time through both."""
    rate = 1.0

    def sojourn(c: int, mean: float) -> float:
        a = rate * mean
        return erlang_c(c, a) * mean / (c - a) + mean

    ranges = ((0.5, 0.8), (0.8, 1.6))

    def f(u: np.ndarray) -> np.ndarray:
        m1 = ranges[0][0] + u[:, 0] * (ranges[0][1] - ranges[0][0])
        m2 = ranges[1][0] + u[:, 1] * (ranges[1][1] - ranges[1][0])
        return np.asarray([sojourn(1, a) + sojourn(2, b) for a, b in zip(m1, m2)])

    def variance(c: int, low: float, high: float) -> float:
        first = integrate.quad(lambda m: sojourn(c, m), low, high)[0] / (high - low)
        second = integrate.quad(lambda m: sojourn(c, m) ** 2, low, high)[0] / (high - low)
        return second - first ** 2

    v1, v2 = variance(1, *ranges[0]), variance(2, *ranges[1])
    return f, (v1 / (v1 + v2), v2 / (v1 + v2))  # additive: first-order and total indices are equal


def test_sobol_indices_of_a_tandem_match_numerical_integration():
    f, exact = tandem()
    rows = sobol_indices(f, ["station 1", "station 2"], seed=5)
    for row, s in zip(rows, exact):
        for key in ("S1", "ST"):
            assert abs(row[key] - s) <= row[f"{key}_conf"] + 0.01, (row, s)


def test_sobol_indices_on_the_emulator_of_a_noisy_tandem_match_too():
    f, exact = tandem()
    rng = np.random.default_rng(2)
    u = rng.uniform(size=(40, 2))
    y = f(u) + rng.normal(0, 0.05, len(u))  # simulation noise on each point
    model, check = fit_emulator(u, y, seed=1)
    assert check["r2"] > 0.9
    rows = sobol_indices(model.predict, ["station 1", "station 2"], seed=5)
    for row, s in zip(rows, exact):
        for key in ("S1", "ST"):
            assert abs(row[key] - s) <= row[f"{key}_conf"] + 0.05, (row, s)


def test_a_measure_with_no_effect_gets_a_range_around_zero_and_a_probability_near_one_half():
    base = build_scenario(tiny(experiment={"replications": 2, "seed": 1}))
    renamed = build_scenario(tiny(name="renamed", traffic={
        "other": {"route": ["origin", "post", "destination"], "per_day": 20}}))  # the same trucks, other draws
    assumptions = Assumptions.model_validate({"assumptions": [
        {"name": "lanes", "paths": ["nodes.post.lanes"], "range": [1, 2, 3], "integer": True, "reasoning": "a test"}]})
    design = make_design(assumptions, 0, 40, seed=4)
    inputs = Inputs(base, [renamed], assumptions, 3, 7, design)
    points = run_design(inputs)
    card = saving_card(design, points, "renamed", 0.0, {"lanes": (1, 3)}, seed=1)
    assert card["range"]["min"] < 0 < card["range"]["max"]
    assert card["range"]["p05"] < 0 < card["range"]["p95"]
    assert 0.3 <= card["probability"]["above_zero"] <= 0.7
    assert card["central"]["ci_low"] < 0 < card["central"]["ci_high"]


def test_one_point_runs_the_base_and_each_measure_on_the_same_seeds():
    base = build_scenario(tiny(experiment={"replications": 2, "seed": 1}))
    same = build_scenario(tiny(name="same"))
    assumptions = Assumptions.model_validate({"assumptions": [
        {"name": "volume", "paths": ["traffic.main.per_day"], "range": [10, 20, 30], "reasoning": "a test"}]})
    inputs = Inputs(base, [same], assumptions, 3, 9, make_design(assumptions, 0, 2, seed=1))
    point = run_point(inputs, 1)
    assert point.lead["base"] == point.lead["same"]  # common random numbers: nothing differs, nothing is saved
    assert point.values["volume"] == pytest.approx(assumptions.assumptions[0].value_at(inputs.design.u[1][0]))


# --- the reference's section ------------------------------------------------------------------------

def _readme_section() -> str:
    from conftest import doc_section

    return doc_section("uncertainty")


def _readme_command() -> list[str]:
    import re
    import shlex

    (block,) = re.findall(r"```bash\n(.*?)```", _readme_section(), re.S)
    return shlex.split(block.replace("\\\n", " "))


def test_the_readme_assumptions_example_is_a_valid_group_of_the_base():
    import re
    from pathlib import Path

    from corridor_sim.assumptions import check_assumptions
    from corridor_sim.scenario import load_scenario

    (block,) = re.findall(r"```yaml\n(.*?)```", _readme_section(), re.S)
    assumptions = Assumptions.model_validate(yaml.safe_load(block))
    root = Path(__file__).resolve().parent.parent
    check_assumptions(load_scenario(root / "scenarios" / "middle_corridor.yaml"), assumptions)
    argv = _readme_command()
    assert argv[:2] == ["corridor-sim", "uncertainty"] and "--assumptions" in argv and "--targets" in argv


@pytest.mark.slow
def test_the_readme_command_runs_cut_short(tmp_path, monkeypatch):
    from pathlib import Path

    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    argv = _readme_command()[1:]
    argv = argv[:argv.index("-n")]  # the reference's -n 4 --workers 2, cut short
    out = tmp_path / "card"
    assert main([*argv, "-n", "1", "--trajectories", "0", "--samples", "2", "--quiet", "--no-plots",
                 "-o", str(out)]) == 0
    card = json.loads((out / "summary.json").read_text())["uncertainty"]
    assert card["design"]["model_runs"] == 3 * 3 and card["plausible"]["sampled"] == 2
    assert card["measures"]["etir"]["central"]["mean"] > 0


def test_without_the_extra_the_command_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    import importlib.util

    base, measure, assumptions = files(tmp_path)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "SALib" else real(name, *a))
    assert main(["uncertainty", base, measure, "--assumptions", assumptions, "--quiet", "-o",
                 str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "SALib" in err[0] and "corridor-sim[uncertainty]" in err[0]


@pytest.mark.slow
def test_simulated_tandem_indices_match_numerical_integration():
    """The same tandem simulated: AA's exit (1 lane) then BB's entry (2 lanes) at one post, each
    with exponential service of an uncertain mean, Poisson arrivals of 1 truck an hour (the exit's
    departures are Poisson again, Burke's theorem): the emulator fitted on the simulated design
    gives the indices numerical integration gives, within its bootstrap CIs and the emulator's error."""
    f, exact = tandem()
    scenario = single_control(1, 24, {"dist": "exponential", "mean": 0.65}, 60)
    scenario = build_scenario({**scenario.raw, "customs": {**scenario.raw["customs"], "BB": {"document": {
        "paper_tir": {"dist": "exponential", "mean": 1.2}}}}, "nodes": {**scenario.raw["nodes"], "post": {
            **scenario.raw["nodes"]["post"], "controls": {"BB": {"entry": {"lanes": 2}}}}}})
    assumptions = Assumptions.model_validate({"assumptions": [
        {"name": "station 1", "paths": ["customs.AA.document.paper_tir.mean"], "range": [0.5, 0.65, 0.8],
         "reasoning": "a test"},
        {"name": "station 2", "paths": ["customs.BB.document.paper_tir.mean"], "range": [0.8, 1.2, 1.6],
         "reasoning": "a test"}]})
    design = make_design(assumptions, 0, 24, seed=3)
    points = run_design(Inputs(scenario, [], assumptions, 4, 11, design))
    u = np.asarray(design.u[1:])
    y = np.asarray([np.mean(p.lead["base"]) for p in points[1:]])
    assert np.corrcoef(y, f(u))[0, 1] > 0.95  # the simulated tandem is the analytic one
    model, check = fit_emulator(u, y, seed=1)
    rows = sobol_indices(model.predict, ["station 1", "station 2"], seed=5)
    for row, s in zip(rows, exact):
        for key in ("S1", "ST"):
            assert abs(row[key] - s) <= row[f"{key}_conf"] + 0.1, (row, s)


def test_a_groups_name_is_text_in_the_report_and_on_the_terminal(tmp_path, capsys):
    name = "<script>alert(1)</script> [bold]volume[/bold]"
    base, measure, assumptions = files(tmp_path, [
        {"name": name, "paths": ["traffic.main.per_day"], "range": [30, 40, 50], "reasoning": "a test"}])
    out = tmp_path / "card"
    assert main(["uncertainty", base, measure, "--assumptions", assumptions, "--samples", "8", "--trajectories",
                 "1", "-o", str(out), "--quiet"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "data:image/png;base64," in page and (out / "plots" / "range-more-lanes.png").is_file()
    assert "[bold]volume[/bold]" in capsys.readouterr().out
    # the files in the formats asked for; the report still embeds its PNGs
    svg = tmp_path / "svg"
    assert main(["uncertainty", base, measure, "--assumptions", assumptions, "--samples", "8", "--trajectories",
                 "1", "-o", str(svg), "--quiet", "--plot-format", "svg", "--dpi", "150"]) == 0
    assert {p.suffix for p in (svg / "plots").iterdir()} == {".svg"}
    assert "data:image/png;base64," in (svg / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("extra, says", [
    (["--threshold", "nan"], "--threshold must be a finite number"),
    (["--samples", "-1"], "--samples must be between 0 and 10,000"),
    (["--samples", "0", "--trajectories", "0"], "the design is empty"),
    (["--calibration", "x.yaml"], "give --targets too"),
    (["--executor", "serial", "--dask-address", "tcp://x:1"], "--dask-address needs --executor dask"),
    (["--flow", "mian"], "--flow: scenario 'tiny' has no flow or caravan 'mian' (did you mean 'main'?)"),
    (["--plot-format", "tiff"], "unknown plot format tiff"),
    (["--dpi", "0"], "--dpi must be between 30 and 600, got 0"),
])
def test_bad_options_are_one_line(tmp_path, capsys, extra, says):
    base, measure, assumptions = files(tmp_path)
    out = tmp_path / "card"
    assert main(["uncertainty", base, measure, "--assumptions", assumptions, "--quiet", "-o", str(out), *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and says in err[0], err
    assert not out.exists() and not (tmp_path / "card.partial").exists()


def test_an_interrupted_design_is_neither_overwritten_nor_mixed_with_other_inputs(tmp_path, monkeypatch, capsys):
    import corridor_sim.uncertainty as unc

    base, measure, assumptions = files(tmp_path)
    args = ["uncertainty", base, measure, "--assumptions", assumptions, "--samples", "2", "--trajectories", "0",
            "--quiet", "--no-plots", "-o", str(tmp_path / "card")]

    def stop(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(unc, "run_point", stop)
    assert main(args) == 130
    monkeypatch.undo()
    capsys.readouterr()
    assert main([*args, "--threshold", "1"]) == 2
    assert "holds an interrupted design" in capsys.readouterr().err
    assert main(["uncertainty", base, "--resume", str(tmp_path / "card")]) == 2
    assert "give no scenario files" in capsys.readouterr().err
    assert main(["uncertainty", "--resume", str(tmp_path / "card"), "--quiet", "--no-plots"]) == 0
    assert json.loads((tmp_path / "card" / "summary.json").read_text())["uncertainty"]["design"]["points"] == 3


def test_the_card_finds_what_drives_a_known_saving_and_where_it_fails():
    """Points made up from a known saving (1 h + 2 h per unit of s1 above 0.5, s2 and junk doing
    nothing) with paired noise: the drivers, the failure box (s1 below 0.65 for a 1.3 h threshold)
    and the value of learning s1 come out as they must."""
    from corridor_sim.uncertainty import PointResult

    assumptions = Assumptions.model_validate({"assumptions": [
        {"name": "s1", "paths": ["x"], "range": [0.5, 0.6, 0.8], "reasoning": "r"},
        {"name": "s2", "paths": ["y"], "range": [0.3, 0.5, 0.7], "reasoning": "r"},
        {"name": "junk", "paths": ["z"], "range": [0, 1, 2], "reasoning": "r"}]})
    design = make_design(assumptions, 6, 40, seed=1)
    rng = np.random.default_rng(0)
    points = []
    for i, u in enumerate(design.u):
        values = {g.name: g.value_at(x) for g, x in zip(assumptions.assumptions, u)}
        base = list(10 + rng.normal(0, 1, 5))
        measure = [b - 1 - 2 * (values["s1"] - 0.5) + rng.normal(0, 0.05) for b in base]
        points.append(PointResult(i, values, {"base": base, "m": measure}))
    card = saving_card(design, points, "m", 1.3, {g.name: (g.range[0], g.range[2]) for g in assumptions.assumptions},
                       seed=1)
    assert card["drivers"] == ["s1"]
    s1 = next(r for r in card["indices"] if r["group"] == "s1")
    assert s1["ST"] > 0.9
    box = card["failure"]["box"]
    assert [lim["group"] for lim in box["limits"]] == ["s1"] and 0.6 < box["limits"][0]["high"] < 0.7
    assert box["coverage"] > 0.8 and box["density"] > 0.8
    assert "m saves less than 1.3 h when s1 is below" in card["failure"]["words"]
    assert card["evppi"]["groups"]["s1"] > 0.05 > max(card["evppi"]["groups"]["s2"], card["evppi"]["groups"]["junk"])
    assert 0.3 < card["probability"]["above_threshold"] < 0.7 and card["probability"]["above_zero"] == 1.0
    assert card["spread"]["noise_share"] < 0.1


def test_a_calibration_scenario_takes_the_groups_it_shares(tmp_path):
    base, measure, assumptions = files(tmp_path)
    calibration = write(tmp_path / "year.yaml", tiny(name="year", traffic={  # no flow `main`: the volume is not shared
        "other": {"route": ["origin", "post", "destination"], "per_day": 30}}))
    targets = write(tmp_path / "targets.yaml", {"targets": [{"metric": "lead_time", "value": 2.4, "tolerance": 0.5}]})
    out = tmp_path / "card"
    assert main(["uncertainty", base, measure, "--assumptions", assumptions, "--samples", "2", "--trajectories", "0",
                 "--targets", targets, "--calibration", calibration, "--quiet", "--no-plots", "-o", str(out)]) == 0
    section = json.loads((out / "summary.json").read_text())["uncertainty"]
    assert section["design"]["model_runs"] == 3 * 3 * 2 and section["plausible"]["sampled"] == 2


def test_the_readme_table_shows_the_cards_once_the_figures_hold_them():
    """docs/readme_figures.py --only cards keeps each measure's range and drivers in figures.json;
    the headline table then has two more columns (made-up card figures here)."""
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("readme_figures", root / "docs" / "readme_figures.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)  # type: ignore[union-attr]
    text = (root / "README.md").read_text(encoding="utf-8")
    figures = json.loads((root / "docs" / "figures.json").read_text(encoding="utf-8"))
    assert "range over the assumptions" not in script.render_facilitation(figures["facilitation"])
    figures["cards"] = {"replications": 4, "seconds": 3600.0, "machine": "2 cores", "points": 101, "sampled": 40,
                        "model_runs": 4040, "cards": {f"{o}.yaml": {
                            "scenario": o, "p05": 1.25, "p95": 7.5, "plausible_n": 12, "plausible_p05": 2.0,
                            "plausible_p95": 6.5, "drivers": ["paper document times", "storm frequency"]}
                            for o in script.OVERLAYS}}
    rendered = script.rendered_readme(text, figures)
    block = rendered.split("<!-- figures: facilitation -->", 1)[1].split("<!-- /figures: facilitation -->", 1)[0]
    table = [line for line in block.splitlines() if line.startswith("| `")]
    assert len(table) == 1 + len(script.OVERLAYS)
    assert all(line.count("|") == 8 for line in table)
    assert "| 1.2–7.5; 2.0–6.5 at the 12 plausible | paper document times, storm frequency |" in rendered


def test_points_run_together_on_several_workers_give_the_same_card():
    """On more than one worker the points' replications run side by side (here on two threads,
    which have the pool's interface): every point, and so the card, is the serial one."""
    from concurrent.futures import ThreadPoolExecutor

    from corridor_sim.saving_card import card_summary

    base = build_scenario(tiny(experiment={"replications": 2, "seed": 1}))
    more = build_scenario(tiny(name="more-lanes", nodes={**base.raw["nodes"], "post": {
        **base.raw["nodes"]["post"], "lanes": 3}}))
    assumptions = Assumptions.model_validate({"assumptions": [
        {"name": "volume", "paths": ["traffic.main.per_day"], "range": [10, 20, 40], "reasoning": "a test"}]})
    from corridor_sim.calibrate import Targets

    targets = Targets.model_validate({"targets": [{"metric": "lead_time", "value": 2.4, "tolerance": 0.1},
                                                  {"metric": "control_time", "node": "post", "value": 0.5}]})
    inputs = Inputs(base, [more], assumptions, 3, 5, make_design(assumptions, 2, 8, seed=2), targets=targets)
    serial = run_design(inputs)
    assert {p.targets_met for p in serial} - {None} and all(p.target_loss is not None for p in serial)
    kept = []
    with ThreadPoolExecutor(2) as pool:
        together = run_design(inputs, executor=pool, progress=lambda done, total: kept.append(done))
    assert [p.line() for p in together] == [p.line() for p in serial]
    assert kept[-1] == len(serial) == len(inputs.design.u)
    assert json.dumps(card_summary(inputs, together)) == json.dumps(card_summary(inputs, serial))
