"""The `costs` section: units checked at their YAML path, cited package defaults, and precedence."""
from __future__ import annotations

import re

import pytest
import yaml

from corridor_sim.cli import main
from corridor_sim.errors import ScenarioError
from corridor_sim.scenario.costs import DEFAULTS_FILE, package_costs, package_sources, resolve_costs
from corridor_sim.scenario.loader import build_scenario
from corridor_sim.scenario.network import ControlKey
from corridor_sim.scenario.units import QUANTITIES, parse_quantity
from conftest import tiny


# --- units ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, text, value", [
    ("fuel_price", "0.65 usd/L", 0.65), ("fuel_price", " 1.2 USD/l ", 1.2), ("hourly_cost", "240 usd/d", 10.0),
    ("fuel_per_distance", "0.33 L/km", 33.0), ("fuel_per_distance", "33 L / 100 km", 33.0),
    ("share_per_day", "7 %/w", 1.0), ("g_per_hour", "1.416 g/min", 84.96), ("kg_per_litre", "2690 g/L", 2.69),
    ("tonnes", "20000 kg", 20.0), ("money", "1861 usd", 1861.0),
])
def test_quantities_become_canonical_units(kind, text, value):
    assert parse_quantity(kind, text) == pytest.approx(value)


@pytest.mark.parametrize("kind, bad, words", [
    ("fuel_price", 0.65, "give the unit"), ("fuel_price", "0.65", "give the unit"),
    ("fuel_price", "3 usd/h", "'usd/h' is not a unit of a fuel price (usd/h is a unit of a cost per hour)"),
    ("fuel_per_hour", "3 parsecs", "'parsecs' is not a unit"), ("money", "-5 usd", "at least 0"),
    ("money", True, "expected an amount of money"), ("money", "1e400 usd", "finite"), ("tonnes", "t", "expected a mass"),
])
def test_a_figure_without_its_unit_or_in_another_unit_is_refused(kind, bad, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        parse_quantity(kind, bad)


def test_every_canonical_unit_reads_back():
    for quantity in QUANTITIES.values():
        assert quantity.parse(quantity.format(12.5)) == 12.5


def test_a_wrong_unit_in_a_scenario_is_one_line_with_its_yaml_path_and_exit_2(tmp_path, capsys):
    data = tiny(costs={"countries": {"AA": {"diesel": 0.65}}, "flows": {"main": {"fuel_idle": "3 usd/h"}}})
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in err
    assert "costs.countries.AA.diesel: give the unit: expected a fuel price with its unit, e.g. 0.65 usd/L" in err
    assert "costs.flows.main.fuel_idle: 'usd/h' is not a unit of a fuel use per hour" in err


@pytest.mark.parametrize("costs, path, words", [
    ({"flows": {"mian": {"payload": "20 t"}}}, "costs.flows.mian", "no flow or caravan 'mian' (did you mean 'main'?)"),
    ({"ferries": {"origin -> post": "10 usd"}}, 'costs.ferries["origin -> post"]', "no ferry link"),
    ({"countries": {"AA": {"at": {"destination": {"fees": {"exit": "1 usd"}}}}}}, "costs.countries.AA.at.destination",
     "a terminal"),
    ({"countries": {"CC": {"at": {"post": {"fees": {"exit": "1 usd"}}}}}}, "costs.countries.CC.at.post", "CC has no control"),
    ({"flows": {"main": {"fleet": {"euro_7": 1}}}}, "costs.flows.main.fleet.euro_7", "no emission class 'euro_7'"),
    ({"flows": {"main": {"fleet": {"euro_6": 0.5}}}}, "costs.flows.main.fleet", "must sum to 1"),
    ({"emissions": {"classes": {"new": {"nox": "1 g/L"}}}}, "costs.emissions.classes.new", "needs pm, nox_idle, pm_idle"),
])
def test_what_the_costs_name_must_exist(costs, path, words):
    with pytest.raises(ScenarioError) as info:
        build_scenario(tiny(costs=costs))
    assert any(p.path == path and words in p.message for p in info.value.problems), info.value.problems


# --- the package defaults ---------------------------------------------------------------------

def _cited(comment: str, keys: set[str]) -> bool:
    """A source key, or DERIVED or ASSUMPTION followed by its computation or reasoning."""
    words = set(re.findall(r"[A-Za-z0-9_]+", comment))
    if keys & words:
        return True
    match = re.search(r"\b(ASSUMPTION|DERIVED)\b(.*)", comment)
    return bool(match and len(re.findall(r"[A-Za-z]{3,}", match.group(2) + comment[:match.start()])) >= 3)


def test_every_default_figure_cites_its_source_or_says_why():
    keys = set(package_sources())
    text = DEFAULTS_FILE.read_text(encoding="utf-8")
    in_sources, uncited, figures = False, [], 0
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if line.startswith("sources:"):
            in_sources = True
            continue
        if in_sources and line and not line.startswith(" "):
            in_sources = False
        if in_sources or not stripped or stripped.startswith("#"):
            continue
        code, _, comment = stripped.partition("#")
        if not re.search(r"\d", code.partition(":")[2]):  # a name such as euro_4_5 is not a figure
            continue
        figures += 1
        # a comment block just above a figure may give its reasoning: `ASSUMPTION (see above)`
        above = "see above" in comment and text.splitlines()[number - 2].strip().startswith("#")
        if not (_cited(comment, keys) or above):
            uncited.append(f"{number}: {stripped}")
    assert figures > 40 and uncited == []


def test_every_cited_key_is_a_source_and_every_source_is_used():
    keys = set(package_sources())
    text = DEFAULTS_FILE.read_text(encoding="utf-8").split("\ncountries:", 1)[1]
    used = set(re.findall(r"\[([a-z0-9_]+)\]", text)) | set(re.findall(r"#\s*([a-z]+[0-9_][a-z0-9_]*)", text))
    assert used - keys - {"see"} == set()
    assert keys - set(re.findall(r"[a-z0-9_]+", text)) == set()


def test_the_defaults_are_complete():
    costs = package_costs()
    default = costs.countries["default"]
    assert None not in (default.diesel, default.driver_wage, default.fees, default.informal)
    flow = costs.flows["default"]
    assert all(getattr(flow, f) is not None for f in type(flow).model_fields)
    assert costs.emissions is not None and costs.emissions.co2_ttw == 2.69
    assert set(flow.fleet or {}) <= set(costs.emissions.classes)


# --- precedence ---------------------------------------------------------------------------------

def test_the_scenario_s_country_then_its_default_then_the_package_s_country_then_its_default():
    kz = package_costs().countries["KZ"].diesel
    scenario = build_scenario(tiny(
        nodes={"origin": {"kind": "terminal", "country": "KZ"}, "post": {"kind": "bcp", "border": ["KZ", "AA"]},
               "destination": {"kind": "terminal", "country": "AA"}},
        costs={"countries": {"AA": {"diesel": "0.9 usd/L"}}}))
    resolved = resolve_costs(scenario)
    assert resolved.diesel == {"KZ": kz, "AA": 0.9}
    assert resolved.driver_wage["AA"] == package_costs().countries["default"].driver_wage
    everywhere = build_scenario(tiny(costs={"countries": {"default": {"diesel": "3 usd/L"}}}))
    assert resolve_costs(everywhere).diesel == {"AA": 3.0, "BB": 3.0}


def test_a_flow_s_fleet_replaces_the_default_mix_as_a_whole():
    scenario = build_scenario(tiny(costs={"flows": {"main": {"fleet": {"euro_6": 1.0}, "payload": "18 t"}}}))
    flow = resolve_costs(scenario).flows["main"]
    assert flow.fleet == {"euro_6": 1.0} and flow.payload == 18.0
    assert flow.cargo_value == package_costs().flows["default"].cargo_value


def test_a_joint_control_charges_the_exit_side_s_exit_fee_and_the_entry_side_s_entry_fee():
    data = tiny()
    data["nodes"]["post"]["joint_control"] = True
    scenario = build_scenario({**data, "costs": {"countries": {"AA": {"fees": {"exit": "3 usd", "entry": "100 usd"}},
                                                        "BB": {"fees": {"entry": "4 usd"}, "informal": {"entry": "1 usd"}}}}})
    assert resolve_costs(scenario).fee(ControlKey("post", ("AA", "BB"), "joint")) == (7.0, 1.0)
