"""The `costs` section resolved: package defaults, then the scenario, down to the figures a ledger uses.

The package defaults (`corridor_sim/data/costs.yaml`, every number cited) are read once, when a
scenario's costs are first resolved; a scenario's `costs:` says what differs. Precedence, field
by field: the scenario's entry for the country (or flow), the scenario's `default`, the package's
entry, the package's `default`. A flow's `fleet` mix is taken as a whole from the first place that
gives one. Everything here is plain numbers in canonical units: usd, usd/L, usd/h, L/km, L/h,
a fraction of the value a day, kg/L, g/L, g/h, t.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import Problem, ScenarioError
from .network import ControlKey
from .schema import Caravan, Costs, CountryCosts, EmissionClass, Flow, FlowCosts, Scenario

DEFAULTS_FILE = Path(str(resources.files("corridor_sim") / "data" / "costs.yaml"))
EMISSION_FIELDS = ("nox", "pm", "nox_idle", "pm_idle")


@functools.cache
def package_costs() -> Costs:
    """The package defaults, validated as a scenario's `costs` section is (and cited: tests)."""
    from .problems import locate, problems_from_validation
    from .yamlfile import read_yaml

    doc = read_yaml(DEFAULTS_FILE)
    data = {k: v for k, v in doc.data.items() if k != "sources"}
    try:
        return Costs.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(locate(problems_from_validation(exc, Costs), [doc], [])) from None


def package_sources() -> dict[str, str]:
    from .yamlfile import read_yaml

    return dict(read_yaml(DEFAULTS_FILE).data.get("sources") or {})


@dataclass(frozen=True)
class FlowFactors:
    """A flow's trucks and cargo (canonical units)."""

    cargo_value: float       # usd
    cargo_time: float        # share of the value a day (0.0135 for 1.35 %/d)
    truck_cost: float        # usd/h
    fuel_driving: float      # L/km
    fuel_idle: float         # L/h
    engine_on_queueing: float
    engine_on_rest: float
    payload: float           # t
    fleet: dict[str, float]


@dataclass(frozen=True)
class ClassFactors:
    nox: float       # g/L
    pm: float        # g/L
    nox_idle: float  # g/h
    pm_idle: float   # g/h


@dataclass(frozen=True)
class ResolvedCosts:
    """A scenario's costs with every figure filled in."""

    diesel: dict[str, float]          # country -> usd/L
    driver_wage: dict[str, float]     # country -> usd/h
    flows: dict[str, FlowFactors]     # every flow and caravan
    ferries: dict[str, float]         # every ferry link key -> usd per truck and crossing
    co2_ttw: float                    # kg/L
    co2e_wtw: float                   # kg/L
    classes: dict[str, ClassFactors]
    _fees: dict[tuple[str, str, str], tuple[float, float]]  # (node, country, direction) -> (official, informal)

    def fee(self, control: ControlKey) -> tuple[float, float]:
        """(official, informal) a truck pays at `control`; at a joint control, the exit side's exit
        fee and the entry side's entry fee."""
        if control.direction == "joint":
            a, b = control.countries
            out, into = self._fees[(control.node, a, "exit")], self._fees[(control.node, b, "entry")]
            return out[0] + into[0], out[1] + into[1]
        return self._fees[(control.node, control.countries[0], control.direction)]

    def class_mix(self, flow: str) -> ClassFactors:
        """The flow's fleet-weighted pollutant factors."""
        mix = self.flows[flow].fleet
        return ClassFactors(*(sum(share * getattr(self.classes[k], f) for k, share in mix.items())
                              for f in EMISSION_FIELDS))


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _country_layers(costs: list[Costs], country: str) -> list[CountryCosts]:
    """The places a country's figures come from, first wins."""
    out = []
    for c in costs:
        for key in (country, "default"):
            if key in c.countries:
                out.append(c.countries[key])
    return out


def _fee(layers: list[CountryCosts], node: str, kind: str, direction: str) -> float:
    values = []
    for layer in layers:
        at = layer.at.get(node)
        values.append(getattr(getattr(at, kind), direction) if at is not None and getattr(at, kind) is not None else None)
        values.append(getattr(getattr(layer, kind), direction) if getattr(layer, kind) is not None else None)
    return float(_first(*values, 0.0))


def _flow_layers(costs: list[Costs], name: str) -> list[FlowCosts]:
    return [c.flows[key] for c in costs for key in (name, "default") if key in c.flows]


def _flow_factors(layers: list[FlowCosts]) -> FlowFactors:
    def get(field: str) -> Any:
        return _first(*(getattr(layer, field) for layer in layers))

    def engine(field: str) -> Any:
        return _first(*(getattr(layer.engine_on, field) for layer in layers if layer.engine_on is not None))

    return FlowFactors(cargo_value=get("cargo_value"), cargo_time=get("cargo_time") / 100.0,
                       truck_cost=get("truck_cost"), fuel_driving=get("fuel_driving") / 100.0,
                       fuel_idle=get("fuel_idle"), engine_on_queueing=engine("queueing"), engine_on_rest=engine("rest"),
                       payload=get("payload"), fleet=dict(get("fleet")))


def _classes(costs: list[Costs]) -> dict[str, dict[str, float | None]]:
    names: dict[str, None] = {}
    for c in reversed(costs):
        if c.emissions is not None:
            names.update(dict.fromkeys(c.emissions.classes))
    out = {}
    for name in names:
        layers: list[EmissionClass] = [c.emissions.classes[name] for c in costs
                                       if c.emissions is not None and name in c.emissions.classes]
        out[name] = {f: _first(*(getattr(layer, f) for layer in layers)) for f in EMISSION_FIELDS}
    return out


def cost_problems(scenario: Scenario) -> list[Problem]:
    """What the merged costs lack or name wrongly, at the scenario's YAML paths."""
    from .problems import with_loc
    from .dists import did_you_mean

    problems: list[Problem] = []
    spec = scenario.costs
    groups = [*scenario.traffic, *scenario.caravans]
    for name in spec.flows:
        if name != "default" and name not in groups:
            problems.append(with_loc(("costs", "flows", name), f"the scenario has no flow or caravan {name!r}"
                                     f"{did_you_mean(name, groups)} (or give `default`)"))
    ferries = [key for key, link in scenario.links.items() if link.mode == "ferry"]
    for key in spec.ferries:
        if key != "default" and key not in ferries:
            problems.append(with_loc(("costs", "ferries", key), f"the scenario has no ferry link {key!r}"
                                     f"{did_you_mean(key, ferries)}; keys are written as in `links`"))
    for country, entry in spec.countries.items():
        for node in entry.at:
            if node not in scenario.nodes:
                problems.append(with_loc(("costs", "countries", country, "at", node),
                                         f"the scenario has no node {node!r}{did_you_mean(node, list(scenario.nodes))}"))
            elif scenario.nodes[node].kind == "terminal":
                problems.append(with_loc(("costs", "countries", country, "at", node),
                                         f"{node} is a terminal: it has no controls and no fees"))
            elif country != "default" and country not in scenario.nodes[node].countries:
                problems.append(with_loc(("costs", "countries", country, "at", node),
                                         f"{country} has no control at {node} (its countries: "
                                         f"{', '.join(scenario.nodes[node].countries)})"))
    classes = _classes([spec, package_costs()])
    if spec.emissions is not None:
        for name, values in classes.items():
            missing = [f for f, v in values.items() if v is None]
            if missing and name in spec.emissions.classes:
                problems.append(with_loc(("costs", "emissions", "classes", name),
                                         f"a new emission class needs {', '.join(missing)}"))
    for name, flow in spec.flows.items():
        for cls in flow.fleet or {}:
            if cls not in classes:
                problems.append(with_loc(("costs", "flows", name, "fleet", cls),
                                         f"no emission class {cls!r}{did_you_mean(cls, list(classes))} "
                                         f"(classes: {', '.join(classes)})"))
    return problems


def resolve_costs(scenario: Scenario) -> ResolvedCosts:
    """Every figure the ledger needs for `scenario` (a validated one: `cost_problems` found nothing)."""
    from .network import build_graph, controls_at, resolve_route

    costs = [scenario.costs, package_costs()]
    items: dict[str, Flow | Caravan] = {**scenario.traffic, **scenario.caravans}
    # the countries of the nodes, and those trucks are registered in (a driver's wage) though no node is there
    countries = list(dict.fromkeys([*scenario.countries, *(i.registered for i in items.values() if i.registered)]))
    diesel, wage = {}, {}
    for country in countries:
        layers = _country_layers(costs, country)
        diesel[country] = float(_first(*(layer.diesel for layer in layers)))
        wage[country] = float(_first(*(layer.driver_wage for layer in layers)))
    flows = {name: _flow_factors(_flow_layers(costs, name)) for name in items}
    graph = build_graph(scenario)
    fees: dict[tuple[str, str, str], tuple[float, float]] = {}
    for item in items.values():
        route = resolve_route(graph, item.route, item.from_, item.to)
        for i in range(len(route)):
            for key in controls_at(scenario, graph, route, i):
                sides = [(key.countries[0], "exit"), (key.countries[1], "entry")] if key.direction == "joint" \
                    else [(key.countries[0], key.direction)]
                for country, direction in sides:
                    layers = _country_layers(costs, country)
                    fees[(key.node, country, direction)] = (_fee(layers, key.node, "fees", direction),
                                                            _fee(layers, key.node, "informal", direction))
    tariffs = {key: float(_first(scenario.costs.ferries.get(key), scenario.costs.ferries.get("default"),
                                 package_costs().ferries.get(key), package_costs().ferries.get("default"), 0.0))
               for key, link in scenario.links.items() if link.mode == "ferry"}
    emissions = [c.emissions for c in costs if c.emissions is not None]
    classes = {name: ClassFactors(**{f: float(v) for f, v in values.items()})  # type: ignore[arg-type]
               for name, values in _classes(costs).items()}
    return ResolvedCosts(diesel=diesel, driver_wage=wage, flows=flows, ferries=tariffs,
                         co2_ttw=float(_first(*(e.co2_ttw for e in emissions))),
                         co2e_wtw=float(_first(*(e.co2e_wtw for e in emissions))),
                         classes=classes, _fees=fees)
