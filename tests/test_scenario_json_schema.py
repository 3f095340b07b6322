"""The JSON Schema editors use: current, valid 2020-12, accepting every real scenario, flagging mistakes."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from corridor_sim.scenario.json_schema import (
    DURATION_PATTERN, HOLIDAY_PATTERN, HOURS_PATTERN, SCHEMA_FILE, scenario_json_schema, schema_text,
)
from conftest import CONTRACT, ROOT



def is_scenario(path: Path) -> bool:
    """Bundled scenarios (a base has nodes, an overlay extends one), not other YAML such as targets."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return isinstance(data, dict) and ("nodes" in data or "extends" in data)


SCENARIO_FILES = sorted(CONTRACT.glob("*.yaml")) + sorted(p for p in (ROOT / "scenarios").glob("*.yaml") if is_scenario(p))


def as_json(value):
    """YAML data as an editor sees it: dates and times are strings."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = scenario_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors(validator, data) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(as_json(data))]


def test_the_shipped_file_is_current():
    # regenerate with: corridor-sim schema > corridor_sim/scenario.schema.json
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text()


def test_the_shipped_file_is_package_data():
    import corridor_sim

    assert SCHEMA_FILE == Path(corridor_sim.__file__).parent / "scenario.schema.json"
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_bundled_scenarios_say_where_the_schema_is():
    line = (ROOT / "scenarios" / "middle_corridor.yaml").read_text(encoding="utf-8").splitlines()[0]
    target = line.split("$schema=", 1)[1].strip()
    assert (ROOT / "scenarios" / target).resolve() == SCHEMA_FILE


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_scenario_file_passes_the_schema(validator, path):
    assert errors(validator, yaml.safe_load(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("mistake, where", [
    ({"nodes": {"a": {"kind": "terminal", "country": "AA", "lanse": 2}}}, "nodes.a"),
    ({"clock": {"horizon": "3 parsecs"}}, "clock.horizon"),
    ({"nodes": {"a": {"kind": "bcp", "border": ["AA", "BB"], "hours": "Mon-Fri 9-18"}}}, "nodes.a.hours"),
    ({"nodes": {"a": {"kind": "bcp", "border": ["AA", "BB"], "holidays": ["1 May"]}}}, "nodes.a.holidays.0"),
    ({"drivers": {"speed_kmh": {"dist": "lognorm", "mean": 50, "cv": 0.1}}}, "drivers.speed_kmh"),
    ({"drivers": {"speed_kmh": {"dist": "lognormal", "mean": 50, "sd": 5}}}, "drivers.speed_kmh"),
    ({"links": {"a => b": {"km": 5}}}, "links"),
    ({"links": {"a -> b": {"km": "50 mi"}}}, "links.a -> b.km"),
    ({"links": {"a -> b": {"km": 30000}}}, "links.a -> b.km"),
    ({"customs": {"kz": {}}}, "customs"),
    ({"traffic": {"f": {"route": ["a", "b"], "per_day": 5, "aeo": 2}}}, "traffic.f.aeo"),
    ({"caravans": {"c": {"route": ["a", "b"], "depart": "next week", "trucks": 2}}}, "caravans.c.depart"),
])
def test_editors_flag_common_mistakes(validator, mistake, where):
    data = {"name": "x", "nodes": {"a": {"kind": "terminal", "country": "AA"}}} | mistake
    found = errors(validator, data)
    assert found and all(e.startswith(where) for e in found), found


def test_a_road_length_with_its_unit_passes_as_the_loader_accepts_it(validator):
    for km in (50, "50 km", "800 m", "1.5km"):
        assert errors(validator, {"extends": "base.yaml", "links": {"a -> b": {"km": km}}}) == [], km


def test_a_base_needs_name_and_nodes_but_an_overlay_does_not(validator):
    assert any("'nodes' is a required property" in e for e in errors(validator, {"name": "x"}))
    assert errors(validator, {"extends": "base.yaml", "nodes": {"post": {"lanes": 4}}}) == []


def test_the_schema_describes_units_distributions_and_hours():
    schema = scenario_json_schema()
    defs = schema["$defs"]
    assert "45min" in defs["Duration"]["description"]
    kinds = {v["properties"]["dist"]["const"] for v in defs["DurationDist"]["anyOf"] if "properties" in v}
    assert kinds == {"fixed", "exponential", "lognormal", "gamma", "triangular", "uniform", "empirical"}
    assert "Mon-Fri 09:00-18:00" in defs["OpeningHours"]["description"]
    assert schema["$defs"]["Node"]["properties"]["hours"] == {
        "$ref": "#/$defs/OpeningHours", "default": "24/7", "description": "opening hours of every control"}
    assert "built-in default" in defs["CustomsSpec"]["properties"]["detection"]["description"]
    assert "(required)" in defs["Node"]["properties"]["kind"]["description"]


@pytest.mark.parametrize("text", ["45min", "2h", "1.5d", " 3 ", "1e3s", ".5w", "90 minutes"])
def test_duration_pattern_accepts_what_the_loader_accepts(text):
    import re

    assert re.match(DURATION_PATTERN, text)


@pytest.mark.parametrize("text", ["24/7", "always", "Mon-Fri 09:00-18:00", "Mon-Fri 08:00-20:00; Sat 09:00-13:00",
                                  "Sat,Sun 10:00-14:00", "22:00-06:00", "Mon - Fri 09:00-18:00;"])
def test_hours_pattern_accepts_what_the_loader_accepts(text):
    import re

    from corridor_sim.scenario.hours import parse_hours

    parse_hours(text)
    assert re.match(HOURS_PATTERN, text)
    assert re.match(HOLIDAY_PATTERN, "2024-10-01..2024-10-06")
