"""The contract scenarios give their known answers, through the API and through `corridor-sim run`.

Each answer is derived here from queueing theory or the driving rules, and checked against the
figure published in the contract's README. The rule (contract README): the 95% confidence
interval over replications contains the answer, or the mean is within 2% of it; deterministic
answers must match exactly.
"""
from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from scipy import stats

import corridor_sim
from corridor_sim.scenario.loader import load_scenario

from conftest import CONTRACT

REL = 0.02  # the contract's "within 2%"


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits in M/M/c with offered load a = lambda / mu."""
    erlang_b = stats.poisson.pmf(c, a) / stats.poisson.cdf(c, a)
    return erlang_b / (1 - (a / c) * (1 - erlang_b))


def mmc_wait(c: int, arrivals_per_h: float, mean_service_h: float) -> float:
    a = arrivals_per_h * mean_service_h
    return erlang_c(c, a) * mean_service_h / (c - a)


def aetr_single_crew(drive_h: float) -> tuple[float, float]:
    """(rest, lead time) of one uninterrupted drive: 45 min after each 4.5 h, 11 h after each 9 h day."""
    rest = 0.0
    left = drive_h
    while left > 1e-9:
        today = min(left, 9.0)
        left -= today
        rest += 0.75 * (math.ceil(today / 4.5 - 1e-9) - 1)
        if left > 1e-9:
            rest += 11.0
    return rest, drive_h + rest


def answers() -> dict[str, dict[str, tuple[float, bool]]]:
    """Per contract file: figure -> (answer, exact?). Figures: `lead`, or a component name."""
    tandem = load_scenario(CONTRACT / "tandem_mmc.yaml")
    lanes = tandem.nodes["post"].lanes
    rate = tandem.traffic["main"].per_day / 24
    service = tandem.policy("AA").document["paper_tir"].mean()
    wait = mmc_wait(lanes, rate, service)

    hours = load_scenario(CONTRACT / "opening_hours.yaml").nodes["post"].hours
    open_share = hours.open_hours_per_week() / 168
    closed_gap = (168 - hours.open_hours_per_week()) / 7  # one closed spell a day
    closed = (1 - open_share) * closed_gap / 2

    driving = load_scenario(CONTRACT / "driving_rules.yaml")
    drive = driving.links["start -> finish"].km / driving.drivers.speed_kmh.mean()
    rest, lead = aetr_single_crew(drive)

    ferry = load_scenario(CONTRACT / "ferry_schedule.yaml").links["west_port -> east_port"]
    ferry_wait = ferry.departure.every / 2
    sail = ferry.sailing.mean()
    return {
        "tandem_mmc": {"lead": (2 * (wait + service), False), "queue": (2 * wait, False), "document": (2 * service, False)},
        "opening_hours": {"closed": (closed, False), "lead": (closed, False)},
        "driving_rules": {"lead": (lead, True), "drive": (drive, True), "rest": (rest, True)},
        "ferry_schedule": {"ferry_wait": (ferry_wait, False), "ferry_sail": (sail, True), "lead": (ferry_wait + sail, False)},
    }


PUBLISHED = {  # the contract README's table
    "tandem_mmc": {"lead": 4.809, "queue": 2 * 1.404},
    "opening_hours": {"closed": 3.0},
    "driving_rules": {"lead": 65.25, "drive": 30.0, "rest": 35.25},
    "ferry_schedule": {"ferry_wait": 12.0, "ferry_sail": 10.0, "lead": 22.0},
}


def test_derived_answers_are_the_published_ones():
    derived = answers()
    for name, figures in PUBLISHED.items():
        for figure, published in figures.items():
            assert derived[name][figure][0] == pytest.approx(published, abs=1e-3), (name, figure)


def check_figure(name: str, figure: str, ci: dict, answer: float, exact: bool) -> None:
    mean = ci["mean"]
    if exact:
        assert mean == pytest.approx(answer, rel=1e-9, abs=1e-9), f"{name} {figure}: {mean} != {answer}"
        return
    inside = ci["ci_low"] is not None and ci["ci_low"] <= answer <= ci["ci_high"]
    close = abs(mean - answer) <= REL * answer
    assert inside or close, f"{name} {figure}: mean {mean:.4f}, CI [{ci['ci_low']}, {ci['ci_high']}], answer {answer:.4f}"


def check_summary(name: str, scenario_summary: dict) -> None:
    lead = scenario_summary["lead_time_h"]
    assert set(lead) >= {"mean", "ci_low", "ci_high", "median", "p90", "p95"}
    for figure, (answer, exact) in answers()[name].items():
        if figure == "lead":
            ci = lead
        else:
            ci = {**scenario_summary["components_ci_h"][figure], "mean": scenario_summary["components_h"][figure]}
        check_figure(name, figure, ci, answer, exact)


def check_quantiles(name: str, lead: dict) -> None:
    """Where the lead-time distribution is known: uniform waits (ferry slots, a closed post), one truck."""
    if name == "ferry_schedule":  # 10 h + U(0, 24 h)
        expected = {"median": 10 + 12, "p90": 10 + 0.9 * 24, "p95": 10 + 0.95 * 24}
    elif name == "opening_hours":  # 0 with probability 1/2, else U(0, 12 h)
        expected = {"p90": 12 * (0.9 - 0.5) / 0.5, "p95": 12 * (0.95 - 0.5) / 0.5}
    elif name == "driving_rules":
        expected = {q: aetr_single_crew(30.0)[1] for q in ("median", "p90", "p95")}
    else:
        assert lead["mean"] < lead["p90"] < lead["p95"]  # right-skewed sojourn times
        return
    for q, value in expected.items():
        assert lead[q] == pytest.approx(value, rel=REL), (name, q)


@pytest.mark.parametrize("name", ["opening_hours", "driving_rules", "ferry_schedule",
                                  pytest.param("tandem_mmc", marks=pytest.mark.slow)])
def test_contract_through_the_api(name):
    result = corridor_sim.run(CONTRACT / f"{name}.yaml")
    scenario = load_scenario(CONTRACT / f"{name}.yaml")
    summary = result.summary_dict["scenarios"][scenario.name]
    assert summary["replications"] == scenario.experiment.replications
    check_summary(name, summary)
    check_quantiles(name, summary["lead_time_h"])


# Through the command line, as a user runs it: each file as it is, with its own replications.
@pytest.mark.parametrize("name", ["opening_hours", "driving_rules", "ferry_schedule",
                                  pytest.param("tandem_mmc", marks=pytest.mark.slow)])
def test_contract_through_the_command_line(name, tmp_path):
    command = shutil.which("corridor-sim", path=str(Path(sys.executable).parent)) or "corridor-sim"
    out = tmp_path / "run"
    proc = subprocess.run([command, "run", str(CONTRACT / f"{name}.yaml"), "-o", str(out), "--quiet", "--no-plots"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((out / "summary.json").read_text())
    scenario = load_scenario(CONTRACT / f"{name}.yaml")
    check_summary(name, summary["scenarios"][scenario.name])
    lead = summary["scenarios"][scenario.name]["lead_time_h"]
    if lead["ci_low"] is not None:
        assert lead["ci_low"] <= lead["mean"] <= lead["ci_high"]
        assert lead["ci_high"] - lead["ci_low"] < 0.1 * lead["mean"]  # a CI narrow enough to mean something
