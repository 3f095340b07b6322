"""What the demos say, on constructed results: a unit with every difference, inspections per a
journey of controls counted from the route, only the places a violation can end in, what the
model's audit is, a reason for a part of the journey that grows, counts in the right number."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd
import pytest

from conftest import tiny
from corridor_sim.demo import (AEO_FLOW, CARAVAN, DEMOS, audit_found, counted, grown_parts, journey,
                               journey_controls, with_settings)
from corridor_sim.model.truck import COMPONENTS
from corridor_sim.results.keys import ALL
from corridor_sim.scenario.loader import build_scenario, derive

NOISE = (0.0, 0.2, -0.1, 0.1, -0.2)  # a replication's own deviation, so a paired difference has a spread


@cache
def scenarios(name: str) -> tuple:
    return tuple(DEMOS[name].scenarios())


def group_stats(**given: float) -> dict[str, Any]:
    """One group's statistics of a replication, as results/replication.py makes them."""
    g: dict[str, Any] = {"trucks": 100, "lead_time_mean": 300.0, "inspections": 20, "noncompliant": 10,
                         "detected": 5, "audit_detected": 0, "missed": 5, "cost_usd": 9000.0, "co2_kg": 2000.0,
                         **{c: 10.0 for c in COMPONENTS}}
    g.update(given)
    return g


@dataclass
class Constructed:
    """What a takeaway reads of a RunResult: the scenarios, each replication's group statistics,
    the summary's replications and comparison, the trucks table."""

    scenarios: dict[str, Any]
    stats: dict[str, list[dict[str, Any]]]
    summary_dict: dict[str, Any]
    trucks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"scenario": pd.Series(dtype=str), "audit_detected": pd.Series(dtype=bool),
         "audit_delay_h": pd.Series(dtype=float)}))


def constructed(pair, change: dict[str, float], base: dict[str, float] | None = None, reps: int = 5,
                trucks: pd.DataFrame | None = None, per_year: bool = True) -> Constructed:
    """Baseline and measure over `reps` replications: the measure's figures are the baseline's plus
    `change` (and a little noise) in every group a demo speaks of."""
    first, second = pair
    groups = (ALL, "westbound", AEO_FLOW, CARAVAN)
    base = base or {}
    stats: dict[str, list] = {first.name: [], second.name: []}
    for r in range(reps):
        b = group_stats(**base)
        m = dict(b)
        for k, v in b.items():
            if isinstance(v, float):
                m[k] = v + change.get(k, 0.0) + NOISE[r]
            elif k in change:  # a count: the change, give or take one truck
                m[k] = int(v + change[k] + r % 2)
        stats[first.name].append({"groups": dict.fromkeys(groups, b)})
        stats[second.name].append({"groups": dict.fromkeys(groups, m)})
    d = {"mean": -400.0, "ci_low": -500.0, "ci_high": -300.0, "significant": True, "baseline_mean": 1e7,
         "scenario_mean": 1e7 - 400}
    ledger = {"per_year": {"cost_usd": d, "co2_kg": d}, "trucks_per_year": 1000} if per_year else {}
    summary = {"replications": reps,
               "comparison": {second.name: {"flows": {g: {"ledger": ledger} for g in groups}}}}
    result = Constructed({first.name: first, second.name: second}, stats, summary)
    if trucks is not None:
        result.trucks = trucks
    return result


# every difference: an estimate, then its CI, each with its unit
UNIT = r"(h|US\$|kg|t|million US\$|percentage points)"
NUMBER = r"[-+]?[\d.,]+"
WITH_UNITS = re.compile(rf"(?:{NUMBER} {UNIT}, )?95% CI {NUMBER}(?:–| to ){NUMBER} {UNIT}")


@pytest.mark.parametrize("clear", [True, False], ids=["clear", "unclear"])
@pytest.mark.parametrize("name", list(DEMOS))
def test_every_difference_in_a_takeaway_carries_its_unit(name, clear):
    """The audit demo said "Violations missed: not a clear difference (-8, 95% CI -16 to +1)":
    points of what? Every bracket with a CI names the unit of its estimate and of its bounds."""
    scale = 1.0 if clear else 0.0
    change = {"lead_time_mean": -6 * scale, "queue": -3 * scale, "document": -2 * scale, "inspection": -1 * scale,
              "rest": 1 * scale, "cost_usd": -300 * scale, "co2_kg": -20 * scale, "inspections": -8,
              "detected": 2 if clear else 0, "missed": -2 if clear else 0}
    text = " ".join(DEMOS[name].takeaway(constructed(scenarios(name), change)))
    brackets = re.findall(r"\(([^()]*95% CI[^()]*)\)", text)
    assert brackets, text
    for inside in brackets:
        assert WITH_UNITS.fullmatch(inside), f"{inside!r} in: {text}"
    assert "points fewer" not in text and "points more" not in text  # "percentage points" says of what


def test_a_difference_of_shares_is_in_percentage_points():
    result = constructed(scenarios("risk"), {"detected": 2, "missed": -2, "lead_time_mean": -5})
    text = " ".join(DEMOS["risk"].takeaway(result))
    assert re.search(r"Share of non-compliant trucks caught: 50% under blanket selection, 7\d% risk-based, "
                     r"2\d percentage points higher \(95% CI \d+–\d+ percentage points\)", text), text


# --- inspections per a journey of controls ------------------------------------------------------

def test_the_controls_of_a_journey_are_counted_from_its_route():
    """A border of two controls (exit, entry), or one where the control is joint; the demo
    corridor: Khorgos, Red Bridge and Sarp (two each), Kuryk out and Alat in by ferry (one each)."""
    assert journey_controls(build_scenario(tiny()), ALL) == (2, 2)
    joint = tiny()
    joint["nodes"]["post"]["joint_control"] = True
    assert journey_controls(build_scenario(joint), ALL) == (1, 1)
    corridor, _ = scenarios("etir")
    assert journey_controls(corridor, "westbound") == (8, 8) == journey_controls(corridor, ALL)
    shorter = derive(corridor, {"traffic.westbound.route": ["urumqi", "khorgos", "almaty"]})
    assert journey_controls(shorter, "westbound") == (2, 2)
    assert journey_controls(shorter, ALL) == (2, 8)
    assert journey_controls(corridor, "no-such-flow") == (0, 0)


def test_journey_says_one_count_or_the_range_in_words():
    joint = tiny(name="tiny-joint")
    joint["nodes"]["post"]["joint_control"] = True
    one = build_scenario(joint)
    two = build_scenario(tiny(name="tiny-two"))
    assert journey(constructed((one, one), {}), ALL) == "over a journey of 1 control"
    assert journey(constructed((two, two), {}), ALL) == "over a journey of 2 controls"
    assert journey(constructed((one, two), {}), ALL) == "over journeys of 1 to 2 controls"


@pytest.mark.parametrize("name", ["aeo", "risk", "audit", "scanners"])
def test_inspection_rates_say_over_how_many_controls(name):
    """"23.3 inspections per 100 trucks" was per journey over eight controls, not said."""
    text = " ".join(DEMOS[name].takeaway(constructed(scenarios(name), {"inspections": -8})))
    assert re.search(r"physical inspections per 100 (AEO )?trucks over a journey of 8 controls", text, re.I), text


# --- where the violations end -------------------------------------------------------------------

def test_without_an_audit_on_either_side_no_audit_share_is_given():
    text = " ".join(DEMOS["exchange"].takeaway(constructed(scenarios("exchange"), {"missed": -1, "detected": 1})))
    assert "Of the non-compliant trucks: 50% found at a border, 50% missed before;" in text
    assert "audit" not in text


def test_the_audit_share_is_given_only_where_there_is_an_audit():
    result = constructed(scenarios("audit"), {"audit_detected": 2, "missed": -2})
    text = " ".join(DEMOS["audit"].takeaway(result))
    before, after = re.search(r"Of the non-compliant trucks: (.*) before; (.*) with the measure\.", text).groups()
    assert before == "50% found at a border, 50% missed"
    assert re.fullmatch(r"50% found at a border, 2\d% found in a post-clearance audit, 3\d% missed", after), after


# --- the model's audit --------------------------------------------------------------------------

def audit_trucks(name: str, delays: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"scenario": [name] * len(delays) + ["demo-corridor"],
                         "audit_detected": [True] * len(delays) + [False],
                         "audit_delay_h": [*delays, float("nan")]})


def test_the_audit_sentence_says_what_the_model_audit_is_and_its_delay():
    pair = scenarios("audit")
    [line] = audit_found(constructed(pair, {}, trucks=audit_trucks(pair[1].name, [3.0, 4.0])))
    assert line.startswith("The model's post-clearance audit is a desk check of the truck's declaration (4 h of an "
                           "auditor's time on average), started as soon as an auditor is free after the release")
    assert "found a violation 3.5 h after the release on average (2 cases over all replications)" in line
    assert "Real audits come weeks or months after the release: the model counts which violations an audit " \
           "finds, not when." in line


def test_one_case_is_one_case_and_long_delays_are_in_days():
    pair = scenarios("audit")
    [line] = audit_found(constructed(pair, {}, trucks=audit_trucks(pair[1].name, [72.0])))
    assert "3.0 days after the release on average (1 case over all replications)" in line
    assert "1 cases" not in line
    assert audit_found(constructed(pair, {}, trucks=audit_trucks(pair[1].name, []))) == []


def test_audit_hours_differ_by_country():
    base, audit = scenarios("audit")
    slower = derive(audit, {"post_clearance_audit.TR.duration": "6h"})
    [line] = audit_found(constructed((base, slower), {}, trucks=audit_trucks(slower.name, [5.0])))
    assert "(4–6 h of an auditor's time on average)" in line


# --- a part of the journey that grows -----------------------------------------------------------

def test_rest_that_grows_while_the_journey_shortens_is_explained():
    text = grown_parts(constructed(scenarios("etir"), {"lead_time_mean": -6, "queue": -4, "rest": 1.5}), ALL)
    [line] = text
    assert re.fullmatch(r"Rest \(AETR\): 1\.\d h more a truck \(95% CI [\d.]+–[\d.]+ h\), although the journey is "
                        r"shorter: a wait at a border, a port or the ferry long enough for the driver's break or daily "
                        r"rest counts as one \(AETR rules\), so with shorter waits more of the rest is taken on the "
                        r"road\.", line), line


def test_a_part_that_grows_without_a_known_reason_is_said_without_one():
    [line] = grown_parts(constructed(scenarios("etir"), {"lead_time_mean": -6, "drive": 1.0}), ALL)
    assert line.startswith("Driving: 1.0 h more a truck (95% CI") and line.endswith(", although the journey is shorter.")


def test_nothing_is_said_of_growing_parts_when_the_journey_did_not_shorten():
    assert grown_parts(constructed(scenarios("etir"), {"lead_time_mean": 0.0, "rest": 1.5}), ALL) == []
    assert grown_parts(constructed(scenarios("etir"), {"lead_time_mean": 5.0, "rest": 1.5}), ALL) == []
    assert grown_parts(constructed(scenarios("etir"), {"lead_time_mean": -5.0, "rest": -1.0}), ALL) == []


# --- counts and settings ------------------------------------------------------------------------

def test_counts_take_the_right_number():
    assert counted(1, "case") == "1 case" and counted(7, "case") == "7 cases" and counted(0, "case") == "0 cases"
    assert counted(1200, "replication") == "1,200 replications"


def test_the_footnote_says_one_replication_not_one_replications():
    text = DEMOS["etir"].takeaway(constructed(scenarios("etir"), {}, reps=1))
    assert text[-1].startswith("Means over 1 replication of both scenarios")


def test_a_demo_run_with_set_says_so_before_its_footnote():
    lines = ["A.", "B.", "Means over 10 replications."]
    assert with_settings(lines, []) == lines
    assert with_settings(lines, ["clock.horizon=9d", "traffic.westbound.per_day=20"]) == [
        "A.", "B.", "Both scenarios were run with --set clock.horizon=9d, traffic.westbound.per_day=20.",
        "Means over 10 replications."]
