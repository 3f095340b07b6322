"""The JSON Schema of the scenario format, for editors (completion, hover text, red squiggles).

pydantic writes the models' schema; this module adds what editors need and pydantic cannot
infer: durations with units, the seven distributions, opening hours, holidays and date-times,
each described once in `$defs` and referred to from every field that uses it. The schema is also
shipped as `corridor_sim/scenario.schema.json`; regenerate it with
`corridor-sim schema > corridor_sim/scenario.schema.json` (a test fails when it is stale).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from .dists import DIST_KEYS, Dist
from .hours import WeeklyHours
from .schema import MAX_LINK_KM, Scenario, _dist_to_plain
import re

from .units import HOURS_PER_UNIT, QUANTITIES

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "scenario.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"

_NUMBER = r"(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
_UNITS = "|".join(sorted(HOURS_PER_UNIT, key=len, reverse=True))
DURATION_PATTERN = rf"^\s*\+?{_NUMBER}\s*({_UNITS})?\s*$"
_DAY = r"[A-Za-z]{3,}"
_DAYS = rf"{_DAY}(\s*-\s*{_DAY})?(\s*,\s*{_DAY}(\s*-\s*{_DAY})?)*"
_RANGE = rf"({_DAYS}\s+)?\d{{1,2}}:\d{{2}}-\d{{1,2}}:\d{{2}}"
HOURS_PATTERN = rf"^\s*(24/7|[Aa][Ll][Ww][Aa][Yy][Ss]|{_RANGE}(\s*;\s*{_RANGE})*\s*;?)\s*$"
_DATE = r"\d{4}-\d{2}-\d{2}"
HOLIDAY_PATTERN = rf"^\s*{_DATE}(\s*\.\.\s*{_DATE})?\s*$"
DATETIME_PATTERN = rf"^\s*{_DATE}([T ]\d{{2}}:\d{{2}}(:\d{{2}}(\.\d+)?)?)?\s*$"

# the costs section's quantities (schema.py), each a string with its unit
QUANTITY_DEFS = {"Money": "money", "FuelPrice": "fuel_price", "HourlyCost": "hourly_cost",
                 "FuelPerDistance": "fuel_per_distance", "FuelPerHour": "fuel_per_hour", "SharePerDay": "share_per_day",
                 "KgPerLitre": "kg_per_litre", "GramsPerLitre": "g_per_litre", "GramsPerHour": "g_per_hour",
                 "Tonnes": "tonnes"}

_DIST_DOC = {
    "fixed": "always the same value",
    "exponential": "exponential with this mean",
    "lognormal": "lognormal with this mean and coefficient of variation (cv = sd / mean)",
    "gamma": "gamma with this mean and coefficient of variation (cv = sd / mean)",
    "triangular": "triangular between min and max, most likely at mode",
    "uniform": "uniform between min and max",
    "empirical": "one of these values, each equally likely",
}


def _dist_defs(name: str, value_ref: str, what: str) -> dict[str, Any]:
    """A scalar, or one `{dist: ...}` mapping per distribution kind, each with its own keys."""
    value = {"$ref": f"#/$defs/{value_ref}"}
    variants: list[dict[str, Any]] = [value]
    for kind, keys in DIST_KEYS.items():
        props: dict[str, Any] = {"dist": {"const": kind}}
        for key in keys:
            if key == "cv":
                props[key] = {"type": "number", "minimum": 0, "description": "coefficient of variation, sd / mean"}
            elif key == "values":
                props[key] = {"type": "array", "items": value, "minItems": 1}
            else:
                props[key] = value
        variants.append({"type": "object", "description": f"{_DIST_DOC[kind]}; keys: dist, {', '.join(keys)}",
                         "properties": props, "additionalProperties": False})
    return {name: {"description": f"{what}: a scalar, or {{dist: exponential | lognormal | gamma | triangular | "
                                  f"uniform | empirical | fixed, ...}}", "anyOf": variants}}


def _type_defs() -> dict[str, Any]:
    defs: dict[str, Any] = {
        "Duration": {
            "description": "a duration: a number of hours, or a number with a unit: s, min, h, d, w (e.g. 45min, 2h, 1.5d)",
            "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": DURATION_PATTERN}],
        },
        "Number": {"type": "number", "minimum": 0, "description": "a number of at least 0"},
        "Distance": {
            "description": f"a length in km (a number), or with its unit: km or m (e.g. 50 km, 800 m); at most "
                          f"{MAX_LINK_KM:,} km",
            "anyOf": [{"type": "number", "minimum": 0, "maximum": MAX_LINK_KM},
                      {"type": "string", "pattern": rf"^\s*\+?{_NUMBER}\s*(km|m)\s*$"}],
        },
        "OpeningHours": {
            "type": "string", "pattern": HOURS_PATTERN,
            "description": "'24/7', or days and times such as 'Mon-Fri 09:00-18:00'; several ranges separated "
                           "by ';' ('Mon-Fri 08:00-20:00; Sat 09:00-13:00'); 22:00-06:00 runs overnight",
        },
        "Holiday": {"type": "string", "pattern": HOLIDAY_PATTERN,
                    "description": "a closed day 2024-10-01, or an inclusive range 2024-10-01..2024-10-06"},
        "DateTime": {"type": "string", "pattern": DATETIME_PATTERN,
                     "description": "a local date-time such as 2024-03-04T08:00, or a date (midnight); no time zone"},
    }
    for name, kind in QUANTITY_DEFS.items():
        quantity = QUANTITIES[kind]
        units = "|".join(re.escape(u).replace("/", r"\s*/\s*") for u in sorted(quantity.units, key=len, reverse=True))
        defs[name] = {"type": "string", "pattern": rf"^\s*\+?{_NUMBER}\s*({units})\s*$",
                      "description": f"{quantity.what} with its unit ({', '.join(quantity.units)}), e.g. {quantity.example}"}
    defs |= _dist_defs("DurationDist", "Duration", "a duration or a distribution of durations")
    defs |= _dist_defs("NumberDist", "Number", "a number or a distribution of numbers")
    return defs


class _Generator(GenerateJsonSchema):
    """pydantic's generator, with defaults written as a user would write them in YAML."""

    def encode_default(self, dft: Any) -> Any:
        if isinstance(dft, Dist):
            return _dist_to_plain(dft)
        if isinstance(dft, WeeklyHours):
            return dft.text
        return super().encode_default(dft)


def _link_types(node: Any) -> Any:
    """Replace each `{"x-scenario-type": T, ...}` marker by a `$ref` to T (siblings kept)."""
    if isinstance(node, dict):
        out = {k: _link_types(v) for k, v in node.items()}
        kind = out.pop("x-scenario-type", None)
        if kind is not None:
            out = {"$ref": f"#/$defs/{kind}", **out}
        return out
    if isinstance(node, list):
        return [_link_types(v) for v in node]
    return node


def _required_in_words(model: dict[str, Any]) -> None:
    """Move `required` into the descriptions: an overlay (`extends:`) may leave any key out."""
    for key in model.pop("required", []):
        prop = model["properties"][key]
        prop["description"] = (prop.get("description", "") + " (required)").strip()


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file.

    Required keys are enforced only at the top of a file without `extends:`; deeper down they are
    named in the descriptions, since an overlay gives only what differs from its base (and
    `corridor-sim validate` checks the merged scenario).
    """
    body = _link_types(Scenario.model_json_schema(schema_generator=_Generator))
    defs = body.pop("$defs", {})
    for model in defs.values():
        _required_in_words(model)
    top_required = body.pop("required", [])
    for section in ("traffic", "caravans"):  # an overlay may remove a flow or a caravan of its base: null
        entries = body["properties"][section]
        entries["additionalProperties"] = {"if": {"not": {"type": "null"}}, "then": entries["additionalProperties"]}
        entries["description"] += " (in an overlay, null removes one of the base's)"
    defs |= _type_defs()
    body.pop("title", None)
    return {
        "$schema": DIALECT,
        "title": "corridor-sim scenario",
        **body,
        "if": {"not": {"required": ["extends"]}},
        "then": {"required": top_required},
        "description": "A corridor-sim scenario (YAML). Durations are hours or carry a unit (45min, 2h, 1.5d); "
                       "unknown keys are errors. Reference: docs/reference/scenario-format.md.",
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    """The schema as written to `scenario.schema.json` and printed by `corridor-sim schema`."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
