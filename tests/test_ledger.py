"""The cost, fuel and emission ledger, component by component, on hand-computed cases.

The worlds are those of the time-component tests (test_model_components.py): a truck spends its
time in one way only, so its ledger must hold exactly what the factors give for those hours and
nothing in the other components. The factors are round numbers chosen for the arithmetic.
"""
from __future__ import annotations

import numpy as np
import pytest

from corridor_sim.measures.ledger import LEDGER_COLUMNS
from corridor_sim.model import simulate
from corridor_sim.results.ledger import COST_COMPONENTS, Ledger
from corridor_sim.results.replication import replication_stats
from corridor_sim.results.tables import replication_frames
from corridor_sim.scenario.loader import build_scenario, merge
from test_model_components import exit_customs, ferry_world, world

COSTS = {
    "countries": {"default": {"diesel": "1.5 usd/L", "driver_wage": "2 usd/h"}},
    "flows": {"default": {"cargo_value": "24000 usd", "cargo_time": "1 %/d", "truck_cost": "10 usd/h",
                          "fuel_driving": "30 L/100km", "fuel_idle": "4 L/h", "engine_on": {"queueing": 0.5, "rest": 0.25},
                          "payload": "20 t", "fleet": {"test": 1.0}}},
    "emissions": {"co2_ttw": "2.5 kg/L", "co2e_wtw": "3 kg/L",
                  "classes": {"test": {"nox": "10 g/L", "pm": "1 g/L", "nox_idle": "50 g/h", "pm_idle": "2 g/h"}}},
}
HOURLY = 12.0          # truck 10 + driver 2 usd an hour
WAITING = 12.0 + 3.0   # and idling half the time at 4 L/h of 1.5 usd/L
CARGO_H = 10.0         # 24,000 usd x 1% a day / 24 h


def costed(data: dict) -> list[dict[str, float]]:
    """Each truck's ledger (in index order) after one replication, as the statistics see it; and
    trucks.csv holds the same to the cent and the thousandth."""
    scenario = build_scenario(merge(data, {"costs": COSTS}))
    result = simulate(scenario, 0, 3)
    Ledger(scenario).add_to(result)
    t = result.trucks
    order = np.argsort(t["index"], kind="stable")
    rows = [{c: float(t[c][i]) for c in LEDGER_COLUMNS} | {"lead_time_h": float(t["arrive_h"][i] - t["depart_h"][i])}
            for i in order]
    written = replication_frames(result)["trucks"].sort_values("index")
    for row, (_, line) in zip(rows, written.iterrows()):
        for c in LEDGER_COLUMNS:
            assert line[c] == np.round(row[c], 2 if c.endswith("_usd") else 3), c
    return rows


def assert_ledger(truck: dict[str, float], **expected: float) -> None:
    """The named columns hold these values; every other cost component and the fuel and emissions
    not named are 0; the total is the sum of the components."""
    for column, value in expected.items():
        assert truck[column] == pytest.approx(value, abs=1e-9), (column, truck)
    for column in (*COST_COMPONENTS, "fuel_drive_l", "fuel_idle_l", "nox_g", "pm_g"):
        if column not in expected and column != "cost_cargo_usd":
            assert abs(truck[column]) < 1e-9, (column, truck)
    assert truck["cost_cargo_usd"] == pytest.approx(truck["lead_time_h"] * CARGO_H, abs=1e-9)
    assert truck["cost_usd"] == pytest.approx(sum(truck[c] for c in COST_COMPONENTS), abs=1e-9)
    assert truck["fuel_l"] == pytest.approx(truck["fuel_drive_l"] + truck["fuel_idle_l"], abs=1e-12)
    assert truck["co2_kg"] == pytest.approx(2.5 * truck["fuel_l"], abs=1e-9)
    assert truck["co2e_wtw_kg"] == pytest.approx(3.0 * truck["fuel_l"], abs=1e-9)


def test_driving_costs_time_and_the_fuel_its_km_burn():
    # 120 km at 50 km/h: 2.4 h of the truck and driver, 36 L at 1.5 usd/L; 10 g NOx, 1 g PM a litre
    (truck,) = costed(world(links={"a -> post": {"km": 120}}))
    assert_ledger(truck, cost_drive_usd=2.4 * HOURLY + 36 * 1.5, fuel_drive_l=36.0, nox_g=360.0, pm_g=36.0)


def test_rest_costs_time_and_idling_for_its_engine_on_share():
    # 12 h at the wheel under AETR, 11.75 h of breaks and rest, a quarter of them idling at 4 L/h
    (truck,) = costed(world(drivers={"rules": "aetr", "speed_kmh": 50}, links={"a -> post": {"km": 600}}))
    idle = 11.75 * 0.25
    assert_ledger(truck, cost_drive_usd=12 * HOURLY + 180 * 1.5, cost_rest_usd=11.75 * HOURLY + idle * 4 * 1.5,
                  fuel_drive_l=180.0, fuel_idle_l=idle * 4, nox_g=1800 + idle * 50, pm_g=180 + idle * 2)


def test_waiting_for_a_closed_control_is_queueing_with_the_engine_on_half_the_time():
    # the post opens at 13:00, the truck is there at 10:00: 3 h, 1.5 h of them idling
    (truck,) = costed(world(nodes={"post": {"hours": "13:00-23:00"}}))
    assert_ledger(truck, cost_queue_usd=3 * WAITING, fuel_idle_l=6.0, nox_g=75.0, pm_g=3.0)


def test_waiting_for_the_lane_is_queueing():
    # the second of two trucks waits 1 h for the one lane, then 1 h of document check
    _, second = costed(world(caravans={"pair": {"trucks": 2}}, **exit_customs(document={"paper_tir": "1h"})))
    assert_ledger(second, cost_queue_usd=WAITING, cost_document_usd=WAITING, fuel_idle_l=4.0, nox_g=50.0, pm_g=2.0)


def test_a_document_check_costs_its_time():
    (truck,) = costed(world(**exit_customs(document={"paper_tir": "45min"})))
    assert_ledger(truck, cost_document_usd=0.75 * WAITING, fuel_idle_l=1.5, nox_g=18.75, pm_g=0.75)


def test_an_inspection_costs_its_time():
    (truck,) = costed(world(**exit_customs(channels={"low": {"yellow": 0, "red": 1.0}}, inspection="4h")))
    assert_ledger(truck, cost_inspection_usd=4 * WAITING, fuel_idle_l=8.0, nox_g=100.0, pm_g=4.0)


def test_ferry_wait_idles_and_sailing_does_not():
    # 19 h waiting at the port (half idling), 10 h at sea with the engine off; the tariff per crossing
    data = merge(ferry_world(), {"costs": {"ferries": {"p <-> q": "900 usd"}}})
    (truck,) = costed(data)
    assert_ledger(truck, cost_ferry_usd=19 * WAITING + 10 * HOURLY, cost_ferry_tariff_usd=900.0,
                  fuel_idle_l=19 * 0.5 * 4, nox_g=19 * 0.5 * 50, pm_g=19 * 0.5 * 2)


def test_fees_are_the_official_and_informal_payments_at_each_control():
    data = world(costs={"countries": {"AA": {"fees": {"exit": "40 usd"}, "informal": {"exit": "10 usd"}},
                                      "BB": {"fees": {"entry": "25 usd", "exit": "999 usd"}}}})
    (truck,) = costed(data)
    assert_ledger(truck, cost_fees_usd=75.0)  # AA's exit and BB's entry; BB's exit is not on the route


def test_fees_at_a_node_replace_the_country_s():
    data = world(costs={"countries": {"AA": {"fees": {"exit": "40 usd"}, "at": {"post": {"fees": {"exit": "5 usd"}}}}}})
    (truck,) = costed(data)
    assert_ledger(truck, cost_fees_usd=5.0)


def test_cargo_time_is_the_value_times_the_share_a_day_over_the_lead_time():
    (truck,) = costed(world(nodes={"post": {"hours": "13:00-23:00"}}))
    assert truck["lead_time_h"] == pytest.approx(3.0) and truck["cost_cargo_usd"] == pytest.approx(30.0)


def test_fuel_is_priced_at_the_route_s_diesel_weighted_by_km():
    # 60 km in AA at 2 usd/L, 20 km in BB at 1 usd/L: 24 L at (120 + 20) / 80 usd/L
    data = world(links={"a -> post": {"km": 60}, "post -> b": {"km": 20}},
                 costs={"countries": {"AA": {"diesel": "2 usd/L"}, "BB": {"diesel": "1 usd/L"}}})
    (truck,) = costed(data)
    assert truck["fuel_drive_l"] == pytest.approx(24.0)
    assert truck["cost_drive_usd"] == pytest.approx(1.6 * HOURLY + 24 * 1.75)


def test_the_driver_is_paid_at_the_rate_of_the_country_the_truck_is_registered_in():
    data = world(links={"a -> post": {"km": 120}}, costs={"countries": {"BB": {"driver_wage": "7 usd/h"}}},
                 caravans={"pair": {"registered": "BB"}})
    (truck,) = costed(data)
    assert truck["cost_drive_usd"] == pytest.approx(2.4 * (10 + 7) + 36 * 1.5)


def test_a_fleet_mix_weights_the_class_factors():
    mix = {"costs": {"flows": {"pair": {"fleet": {"test": 0.5, "clean": 0.5}}},
                     "emissions": {"classes": {"clean": {"nox": "2 g/L", "pm": "0 g/L", "nox_idle": "10 g/h",
                                                         "pm_idle": "0 g/h"}}}}}
    (truck,) = costed(merge(world(links={"a -> post": {"km": 120}}), mix))
    assert truck["nox_g"] == pytest.approx(36 * 6.0) and truck["pm_g"] == pytest.approx(36 * 0.5)


def test_replication_statistics_carry_the_means_the_indicators_and_the_volume():
    data = merge(world(costs={"countries": {"AA": {"fees": {"exit": "40 usd"}}}}),
                 {"traffic": {"main": {"route": ["a", "post", "b"], "per_day": 4, "weekly": {"Sun": 0}}}})
    scenario = build_scenario(merge(data, {"costs": COSTS}))
    result = simulate(scenario, 0, 3)
    ledger = Ledger(scenario)
    ledger.add_to(result)
    stats = replication_stats(result, ledger)
    main = stats["groups"]["main"]
    assert main["cost_fees_usd"] == 40.0
    assert main["trucks_per_year"] == pytest.approx(4 * 365 * 6 / 7)
    assert stats["groups"]["*"]["trucks_per_year"] == main["trucks_per_year"]  # the caravan departs once
    (exit_,) = [c for c in stats["costs"]["controls"] if c["direction"] == "exit"]
    assert (exit_["node"], exit_["country"], exit_["cost_usd"]) == ("post", "AA", 40.0)


# --- CPMM indicators: TFI2 and TFI3, and the calibration metrics on them -----------------------

def indicators_world() -> dict:
    """120 km in AA, a 1 h document check at AA's exit ($40 fee, $5 informal), 60 km in BB ($8 entry)."""
    data = world(links={"a -> post": {"km": 120}, "post -> b": {"km": 60}}, **exit_customs(document={"paper_tir": "1h"}))
    return merge(data, {"costs": merge(COSTS, {"countries": {
        "AA": {"fees": {"exit": "40 usd"}, "informal": {"exit": "5 usd"}}, "BB": {"fees": {"entry": "8 usd"}}}})})


def test_tfi2_and_tfi3_are_what_the_hand_computation_gives():
    from corridor_sim.calibrate import Targets, evaluate
    from corridor_sim.experiment import run

    result = run(build_scenario(indicators_world()), 2)
    summary = result.scenario()
    (crossing,) = summary["crossings"]
    assert crossing["cost_usd"]["mean"] == 53.0  # TFI2 of AA->BB: AA's 40 + 5 and BB's 8, beside its time
    sections = {s["country"]: s["usd_per_500km_20t"]["mean"] for s in summary["cost_indicators"]["sections"]}
    # AA: 2/3 of the 3.6 h driving at 12 usd/h, 36 L at 1.5 usd/L, 1 h at the control at 15 usd/h, 45 usd
    aa = 2.4 * 12 + 36 * 1.5 + 15 + 45
    bb = 1.2 * 12 + 18 * 1.5 + 8
    assert sections == pytest.approx({"AA": aa / 120 * 500, "BB": bb / 60 * 500, "*": (aa + bb) / 180 * 500})
    targets = Targets.model_validate({"targets": [
        {"metric": "bcp_cost", "node": "post", "country": "AA", "direction": "exit", "value": 45},
        {"metric": "bcp_cost", "node": "post", "crossing": "AA->BB", "value": 53},
        {"metric": "bcp_cost", "country": "BB", "value": 8},
        {"metric": "section_cost", "flow": "pair", "country": "AA", "value": aa / 120 * 500},
        {"metric": "section_cost", "flow": "pair", "value": 100, "tolerance": 0.1}]})
    table = evaluate(result, targets)
    assert table["simulated"].tolist()[:4] == pytest.approx([45, 53, 8, aa / 120 * 500])
    assert table["within"].tolist() == [True, True, True, True, False]


def test_a_cost_target_needs_what_it_names():
    from pydantic import ValidationError

    from corridor_sim.calibrate import Target

    with pytest.raises(ValidationError, match="section_cost needs flow"):
        Target.model_validate({"metric": "section_cost", "value": 900})
    with pytest.raises(ValidationError, match="with a crossing needs node"):
        Target.model_validate({"metric": "bcp_cost", "crossing": "AA->BB", "value": 9})


# --- savings in compare ---------------------------------------------------------------------------

def test_compare_pairs_money_fuel_and_co2_and_scales_them_to_a_year(tmp_path, capsys):
    import json

    import yaml

    from corridor_sim.cli import main
    from corridor_sim.report import render_report
    from corridor_sim.results.run_result import load_results
    from conftest import tiny

    base = tiny(costs={"countries": {"AA": {"fees": {"exit": "40 usd"}}}})
    base["clock"] = {"start": "2026-01-05T00:00", "horizon": "4d", "warmup": "1d"}
    other = merge(base, {"name": "cheaper", "costs": {"countries": {"AA": {"fees": {"exit": "10 usd"}}}}})
    files = []
    for data in (base, other):
        files.append(tmp_path / f"{data['name']}.yaml")
        files[-1].write_text(yaml.safe_dump(data), encoding="utf-8")
    code = main(["compare", *map(str, files), "-n", "3", "-o", str(tmp_path / "out"), "--quiet", "--no-plots"])
    out = capsys.readouterr().out
    assert code == 0 and "cheaper − tiny: money, fuel and emissions" in out and "US$ M a year" in out
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    ledger = summary["comparison"]["cheaper"]["flows"]["*"]["ledger"]
    # the same trucks in the same times, 30 usd less in fees each: exactly, in every replication
    assert ledger["cost_fees_usd"]["mean"] == pytest.approx(-30.0) and ledger["cost_usd"]["mean"] == pytest.approx(-30.0)
    assert ledger["cost_usd"]["half_width"] == pytest.approx(0.0, abs=1e-9)
    assert ledger["co2_kg"]["mean"] == pytest.approx(0.0, abs=1e-9)
    assert ledger["trucks_per_year"] == 20 * 365
    assert ledger["per_year"]["cost_usd"]["mean"] == pytest.approx(-30.0 * 20 * 365)
    html = render_report(load_results(tmp_path / "out"), figures=[])
    assert 'id="comparison-savings"' in html and "cost, US$ a year" in html and 'id="cpmm-sections"' in html


def test_a_sweep_row_carries_cost_and_co2_per_truck_paired_with_the_first_point():
    from corridor_sim.experiment import sweep
    from conftest import tiny

    data = tiny(costs={"countries": {"AA": {"fees": {"exit": "40 usd"}}}})
    data["clock"] = {"start": "2026-01-05T00:00", "horizon": "3d", "warmup": "1d"}
    result = sweep(build_scenario(data), {"costs.countries.AA.fees.exit": ["40 usd", "25 usd"]}, replications=2)
    first, second = result.sweep.to_dict("records")
    assert first["difference_cost_usd"] == 0.0
    assert second["difference_cost_usd"] == pytest.approx(-15.0) and second["difference_co2_kg"] == pytest.approx(0.0)
    assert second["cost_usd_mean"] == pytest.approx(first["cost_usd_mean"] - 15.0)


def test_a_demo_takeaway_states_the_money_and_co2_per_truck_and_a_year():
    from corridor_sim.demo import money_and_co2
    from corridor_sim.experiment import compare
    from corridor_sim.results.keys import ALL
    from conftest import tiny

    base = tiny(costs={"countries": {"AA": {"fees": {"exit": "40 usd"}}}})
    base["clock"] = {"start": "2026-01-05T00:00", "horizon": "3d", "warmup": "1d"}
    cheaper = merge(base, {"name": "cheaper", "costs": {"countries": {"AA": {"fees": {"exit": "10 usd"}}}}})
    result = compare(build_scenario(base), [build_scenario(cheaper)], replications=2)
    cost, co2, year = money_and_co2(result, ALL)
    assert cost.endswith("each truck cost 30 US$ less (95% CI 30–30 US$).")
    assert co2 == "The CO2 per truck did not clearly change (+0.0 kg, 95% CI +0.0 to +0.0 kg)."
    assert year.startswith("A year, at the 7,300 trucks these flows carry: 0.22 million US$ less")


# --- the reference's costs section and its compare example are run -----------------------------------

def _readme_section(name: str) -> str:
    from conftest import doc_section

    return doc_section(name)


def test_the_readme_costs_overlay_validates_and_changes_what_it_says(tmp_path):
    import re

    from conftest import ROOT
    from corridor_sim.scenario.costs import resolve_costs
    from corridor_sim.scenario.loader import load_scenario

    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", _readme_section("scenario-format"), re.S) if "costs:" in b]
    path = tmp_path / "overlay.yaml"
    path.write_text(block.replace("extends: middle_corridor.yaml", f"extends: {ROOT / 'scenarios' / 'middle_corridor.yaml'}"),
                    encoding="utf-8")
    costs = resolve_costs(load_scenario(path))
    assert costs.diesel["KZ"] == 0.80 and costs.ferries["kuryk <-> alat"] == 1500.0
    assert costs.flows["cn-tr-khorgos"].fleet == {"euro_6": 1} and costs.flows["tr-cn-khorgos"].cargo_value == 80000.0
    from corridor_sim.scenario.network import ControlKey

    assert costs.fee(ControlKey("khorgos", ("KZ",), "entry")) == (317.0, 50.0)


def test_the_readme_compare_example_runs_and_prints_the_co2_saved_a_year(tmp_path, monkeypatch, capsys):
    import re
    import ast
    import shlex
    import subprocess
    import sys

    from conftest import ROOT
    from corridor_sim.cli import main

    (block,) = [b for b in re.findall(r"```bash\n(.*?)```", _readme_section("experiments"), re.S) if "etir-costs" in b]
    compare_line, python_line = block.strip().splitlines()
    argv = shlex.split(compare_line)[1:]
    argv = [str(ROOT / a) if a.endswith(".yaml") else a for a in argv]
    argv[argv.index("-n") + 1] = "2"  # the reference's 10, cut short with the horizon
    monkeypatch.chdir(tmp_path)
    assert main([*argv, "--set", "clock.horizon=9d", "--quiet", "--no-plots"]) == 0
    assert "money, fuel and emissions" in capsys.readouterr().out
    done = subprocess.run([sys.executable, *shlex.split(python_line)[1:]], cwd=tmp_path, capture_output=True, text=True,
                          check=True)
    assert set(ast.literal_eval(done.stdout)) >= {"mean", "ci_low", "ci_high", "significant"}


def test_run_prints_what_the_time_costs_and_cpmm_s_indicators_by_crossing(tmp_path, capsys):
    import yaml

    from corridor_sim.cli import main

    data = indicators_world()
    data["nodes"]["post"]["label"] = "Red Bridge"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["run", str(path), "-n", "2", "--quiet", "--no-plots", "-o", str(tmp_path / "out")]) == 0
    lines = [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()]
    assert "of which fees, US$ 53 0" in lines  # the same every replication: a CI of 0
    assert any(line.startswith("Red Bridge AA->BB 1.0") and line.endswith(" 53") for line in lines), lines


# --- the cost-distance chart ----------------------------------------------------------------------

def test_the_cost_distance_chart_ends_at_the_truck_s_ledger_cost():
    """A traced truck through a post (1 h check, fees), by ferry (wait, tariff) and on: without
    rests the chart's last point is the truck's cost in the ledger, exactly."""
    from corridor_sim.experiment import run
    from corridor_sim.plots.cost_distance import cost_distance, journey_costs
    from corridor_sim.plots.time_distance import median_journey

    data = merge(ferry_world(), {
        "nodes": {"a": {"kind": "terminal", "country": "KZ"}},
        "links": {"a -> p": {"km": 100}},
        "caravans": {"one": {"route": ["a", "p", "q"], "depart": "2026-01-05T02:00"}},
        "customs": {"KZ": {"document": {"paper_tir": "1h"}}},
        "costs": merge(COSTS, {"countries": {"KZ": {"fees": {"exit": "30 usd"}}}, "ferries": {"p <-> q": "900 usd"}})})
    scenario = build_scenario(data)
    result = run(scenario, 1)
    journey = median_journey(result, scenario.name, "one")
    costs = journey_costs(scenario, "one", journey)
    (truck,) = result.trucks.to_dict("records")
    assert truck["cost_fees_usd"] == 30.0 and truck["cost_ferry_tariff_usd"] == 900.0
    assert costs[-1] == pytest.approx(truck["cost_usd"], abs=1e-9)
    assert list(costs) == sorted(costs)  # money is only ever spent
    fig = cost_distance(result)
    assert "Cost–distance: median truck of one" in fig.axes[0].get_title(loc="left")


def test_a_truck_registered_where_the_route_does_not_go_is_paid_that_country_s_wage():
    data = world(links={"a -> post": {"km": 120}}, caravans={"pair": {"registered": "TR"}})
    (truck,) = costed(merge(data, {"costs": {"countries": {"TR": {"driver_wage": "5 usd/h"}}}}))
    assert truck["cost_drive_usd"] == pytest.approx(2.4 * (10 + 5) + 36 * 1.5)


def test_summary_csv_carries_the_ledger_s_means():
    from corridor_sim.experiment import run

    result = run(build_scenario(indicators_world()), 2)
    row = result.summary[result.summary["flow"] == "*"].iloc[0]
    assert row["cost_usd"] == pytest.approx(result.scenario()["ledger"]["cost_usd"]["mean"])
    assert row["co2_kg"] == pytest.approx(2.5 * (36 + 18 + 0.5 * 4))  # 180 km at 30 L/100km, 1 h at the post half idling
