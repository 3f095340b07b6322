"""The facilitation overlays move the corridor the way each measure should, on paired replications.

One comparison of the bundled scenarios (6 replications on common random numbers, departures
counted for two weeks instead of three). Each check uses a figure whose paired interval is
several half-widths away from zero in the run the README reports, so fewer replications keep the
verdict sound.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import corridor_sim

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
OVERLAYS = ["etir", "aeo_mutual_recognition", "risk_based", "blanket_inspection", "joint_control_red_bridge",
            "kyrgyz_weekends", "facilitated_2030"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def compared() -> corridor_sim.RunResult:
    short = ["clock.horizon=21d"]
    base = corridor_sim.load_scenario(SCENARIOS / "middle_corridor.yaml", short)
    return corridor_sim.compare(base, [corridor_sim.load_scenario(SCENARIOS / f"{o}.yaml", short) for o in OVERLAYS],
                                replications=6, workers=2)


def _difference(result, scenario: str, flow: str = "*", measure: str = "lead_time_h", where: str | None = None) -> pd.Series:
    rows = result.comparison
    rows = rows[(rows["scenario"] == scenario) & (rows["flow"] == flow) & (rows["measure"] == measure)]
    if where is not None:
        rows = rows[rows["where"] == where]
    (row,) = [r for _, r in rows.iterrows()]
    return row


def _summary(result, scenario: str, flow: str = "*") -> pd.Series:
    rows = result.summary
    (row,) = [r for _, r in rows[(rows["scenario"] == scenario) & (rows["flow"] == flow)].iterrows()]
    return row


def test_etir_shortens_document_checks_and_lead_time(compared):
    assert _difference(compared, "etir", measure="document_h")["ci_high"] < 0
    westbound = _difference(compared, "etir", flow="cn-tr-khorgos")
    assert westbound["ci_high"] < 0, westbound.to_dict()


def test_all_measures_together_save_more_than_etir_alone(compared):
    together = _difference(compared, "facilitated-2030", flow="cn-tr-khorgos")
    assert together["ci_high"] < 0
    assert together["difference"] < _difference(compared, "etir", flow="cn-tr-khorgos")["difference"]


def test_aeo_recognition_shortens_queues(compared):
    assert _difference(compared, "aeo-mutual-recognition", measure="queue_h")["ci_high"] < 0
    assert _summary(compared, "aeo-mutual-recognition")["inspections_per_100"] < _summary(compared, "middle-corridor-2024")["inspections_per_100"]


def test_blanket_inspection_costs_time_and_catches_no_more_than_risk_based(compared):
    base, risk, blanket = (_summary(compared, s) for s in ("middle-corridor-2024", "risk-based", "blanket-inspection"))
    assert blanket["inspections_per_100"] > 2 * risk["inspections_per_100"]
    assert risk["inspections_per_100"] < 1.1 * base["inspections_per_100"]
    assert risk["detection_rate"] > blanket["detection_rate"]
    assert _difference(compared, "blanket-inspection")["ci_low"] > 0
    assert _difference(compared, "risk-based")["ci_high"] < 0


def test_joint_control_shortens_the_red_bridge_crossing(compared):
    crossing = _difference(compared, "joint-control-red-bridge", measure="crossing_time_h", where="red_bridge AZ->GE")
    assert crossing["ci_high"] < 0
    assert crossing["relative"] < -0.3


def test_kyrgyz_weekend_opening_helps_the_kyrgyz_branch_only(compared):
    for where in ("torugart CN->KG", "irkeshtam KG->CN"):
        assert _difference(compared, "kyrgyz-weekends", measure="crossing_time_h", where=where)["ci_high"] < 0
    khorgos = _difference(compared, "kyrgyz-weekends", measure="crossing_time_h", where="khorgos CN->KZ")
    assert khorgos["ci_low"] <= 0 <= khorgos["ci_high"] or abs(khorgos["difference"]) < 1.0
