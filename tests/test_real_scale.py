"""The bundled corridor at real scale: the answer does not rest on the model's scale.

Doubling every border crossing (its lanes, shifts, bays, quotas and neutral zone, and every
background flow that does not touch a ferry port) keeps each crossing's utilisation, and at real
scale each crossing's queue comes from its clock (daily peaks, night shifts, weekends, outages),
not from how few servers it has: so the e-TIR saving of the westbound Khorgos trucks must move
by less than its own confidence interval.
"""
from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

from corridor_sim.experiment import run_many
from corridor_sim.scenario.loader import build_scenario
from corridor_sim.scenario.overlay import merge

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
FLOW = "cn-tr-khorgos"
REPLICATIONS = 4
CAPACITY_KEYS = ("lanes", "inspection_bays", "admissions_per_day", "neutral_zone")


def _scale_settings(spec: dict, k: int) -> None:
    """Multiply the capacities set directly in a node, a country or a direction by k, in place."""
    for key in CAPACITY_KEYS:
        if isinstance(spec.get(key), int):
            spec[key] *= k
    if isinstance(spec.get("shifts"), dict):
        spec["shifts"] = {when: lanes * k for when, lanes in spec["shifts"].items()}
    outages = spec.get("outages") or {}
    for outage in [*(outages.get("dated") or []), outages.get("random") or {}]:
        if "lanes" in outage:
            outage["lanes"] *= k


def _scale_node(spec: dict, k: int) -> None:
    _scale_settings(spec, k)
    for country in (spec.get("controls") or {}).values():
        for part in (country, country.get("exit") or {}, country.get("entry") or {}):
            _scale_settings(part, k)


def scaled(data: dict, k: int) -> dict:
    """The scenario with every bcp and every background flow away from the ports times k."""
    data = copy.deepcopy(data)
    nodes = data["nodes"]
    for spec in nodes.values():
        if spec["kind"] == "bcp":
            _scale_node(spec, k)
    for flow in data["traffic"].values():
        if flow.get("background") and not any(nodes[n]["kind"] == "port" for n in flow["route"]):
            flow["per_day"] *= k
    return data


def raw(name: str) -> dict:
    return yaml.safe_load((SCENARIOS / name).read_text(encoding="utf-8"))


def etir_saving(base: dict) -> tuple[float, float]:
    """Mean and 95% half-width of the paired e-TIR saving for FLOW (hours), common random numbers."""
    overlay = {k: v for k, v in raw("etir.yaml").items() if k not in ("extends",)}
    scenarios = [build_scenario(base), build_scenario(merge(base, overlay))]
    result = run_many(scenarios, REPLICATIONS, 2024, workers=2)
    trucks = result.trucks
    flow = trucks[trucks["flow"] == FLOW]
    means = flow.groupby(["scenario", "replication"])["lead_time_h"].mean().unstack("scenario")
    saving = (means[scenarios[0].name] - means[scenarios[1].name]).to_numpy()
    half = stats.t.ppf(0.975, len(saving) - 1) * saving.std(ddof=1) / np.sqrt(len(saving))
    return float(saving.mean()), float(half)


def test_scaling_doubles_capacity_and_background_volume_only():
    base = raw("middle_corridor.yaml")
    double = scaled(base, 2)
    assert double["nodes"]["khorgos"]["lanes"] == 2 * base["nodes"]["khorgos"]["lanes"]
    az = double["nodes"]["red_bridge"]["controls"]["AZ"]["exit"]
    assert az["shifts"] == {w: 2 * n for w, n in base["nodes"]["red_bridge"]["controls"]["AZ"]["exit"]["shifts"].items()}
    assert double["traffic"]["bg-kapikule-west"]["per_day"] == 2 * base["traffic"]["bg-kapikule-west"]["per_day"]
    assert double["traffic"]["bg-kuryk-west"] == base["traffic"]["bg-kuryk-west"]  # ferry-borne: unchanged
    assert double["traffic"][FLOW] == base["traffic"][FLOW]  # headline flows: unchanged
    assert double["nodes"]["kuryk"] == base["nodes"]["kuryk"]  # ports: unchanged
    build_scenario(double)  # still a valid scenario


@pytest.mark.slow
def test_the_etir_saving_does_not_rest_on_the_models_scale():
    base = raw("middle_corridor.yaml")
    one, one_half = etir_saving(base)
    two, two_half = etir_saving(scaled(base, 2))
    assert one > 0 and two > 0, (one, two)
    assert abs(two - one) < one_half, f"saving {one:.1f} ± {one_half:.1f} h at scale 1, {two:.1f} ± {two_half:.1f} h at scale 2"
