"""What the time costs: each truck's money, fuel and emissions, from its time booking and route.

Worked out after a replication from what it already records (no simulation event, nothing in
the model): the hours of each component of a truck's lead time (`model/truck.py`), its km, its
flow's route (the controls and ferries it passes, the countries it drives through) and the
scenario's `costs` (resolved over the package defaults, `scenario/costs.py`). Per truck:

- every hour of the trip costs the truck's own hourly cost plus its driver's wage (the country
  the truck is registered in); driving adds the fuel its km burn;
- waiting with the engine on burns idling fuel: a share `engine_on.queueing` of the time at
  controls and waiting for a ferry, `engine_on.rest` of the rests; at sea the engine is off;
- fuel is priced at the route's diesel, each country's price weighted by the road km in it;
- fees are the official and informal payments at each control of the route; the ferry tariff
  each ferry crossing's; the cargo's time cost is its value x the share a day x the days;
- CO2 (tank-to-wheel, and well-to-wheel CO2e) per litre burnt; NOx and PM per litre driving and
  per engine-on hour idling, with the flow's fleet mix of engine classes.

The same figures give CPMM's indicators: TFI2, the cost a truck pays to clear a control (fees and
informal payments), and TFI3, the cost of travelling a section (a country's part of a flow's
road route: its driving, rests and controls) in US$ per 500 km per 20 t.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..measures.ledger import LEDGER_COLUMNS

if TYPE_CHECKING:
    from ..model.records import ReplicationResult
    from ..scenario.costs import ResolvedCosts
    from ..scenario.network import ControlKey
    from ..scenario.schema import Caravan, Flow, Scenario

WAIT = ("closed", "queue", "booking", "permit")    # the `queue` cost component: waiting at a control
AT_CONTROLS = (*WAIT, "document", "inspection")     # time at controls (engine on a share of it)
SECTION_KM, SECTION_T = 500.0, 20.0                  # CPMM's TFI3 basis: US$ per 500 km per 20 t
ALL_ROAD = "*"                                       # the section of a flow's whole road route


class Ledger:
    """One scenario's cost, fuel and emission factors per flow, ready for its replications."""

    def __init__(self, scenario: Scenario, costs: ResolvedCosts | None = None):
        from ..scenario.costs import resolve_costs
        from ..scenario.network import build_graph, controls_at, expected_link_hours, resolve_route

        self.scenario = scenario
        self.costs = costs = costs or resolve_costs(scenario)
        graph = build_graph(scenario)
        items: dict[str, Flow | Caravan] = {**scenario.traffic, **scenario.caravans}
        self.groups = list(items)
        self.background = [getattr(item, "background", False) for item in items.values()]
        n = len(items)
        self.hourly, self.price, self.fees, self.tariff = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
        self.fuel_km, self.idle, self.on_queue, self.on_rest = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
        self.cargo_day = np.zeros(n)  # usd a day of transit
        self.nox, self.pm, self.nox_idle, self.pm_idle = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
        self.per_year: dict[str, float | None] = {}
        self.routes: list[dict[str, Any]] = []
        self.controls: dict[tuple[str, str, str], ControlKey] = {}
        for g, (name, item) in enumerate(items.items()):
            route = resolve_route(graph, item.route, item.from_, item.to)
            flow = costs.flows[name]
            registered = item.registered or scenario.nodes[route[0]].countries[0]
            roads: dict[str, list[float]] = {}  # country -> [km, expected hours]
            tariff = 0.0
            for a, b in zip(route, route[1:]):
                edge = graph.edges[a, b]
                if edge["mode"] == "ferry":
                    tariff += costs.ferries[edge["key"]]
                    continue
                country = scenario.side_between(a, b) or scenario.nodes[a].countries[0]
                road = roads.setdefault(country, [0.0, 0.0])
                road[0] += edge["km"]
                road[1] += expected_link_hours(scenario, edge["link"])
            fees = 0.0
            at_nodes: dict[str, float] = {}  # what the truck pays at each node of its route (the cost-distance chart)
            for i in range(len(route)):
                for key in controls_at(scenario, graph, route, i):
                    official, informal = costs.fee(key)
                    fees += official + informal
                    at_nodes[key.node] = at_nodes.get(key.node, 0.0) + official + informal
                    self.controls[(key.node, key.country, key.direction)] = key
            km = sum(r[0] for r in roads.values())
            countries = list(dict.fromkeys(c for node in route for c in scenario.nodes[node].countries))
            price = (sum(r[0] * costs.diesel[c] for c, r in roads.items()) / km if km > 0
                     else float(np.mean([costs.diesel[c] for c in countries])))
            mix = costs.class_mix(name)
            self.hourly[g] = flow.truck_cost + costs.driver_wage[registered]
            self.price[g], self.fees[g], self.tariff[g] = price, fees, tariff
            self.fuel_km[g], self.idle[g] = flow.fuel_driving, flow.fuel_idle
            self.on_queue[g], self.on_rest[g] = flow.engine_on_queueing, flow.engine_on_rest
            self.cargo_day[g] = flow.cargo_value * flow.cargo_time
            self.nox[g], self.pm[g], self.nox_idle[g], self.pm_idle[g] = mix.nox, mix.pm, mix.nox_idle, mix.pm_idle
            self.routes.append({"roads": roads, "payload": flow.payload, "registered": registered, "fees": at_nodes})
            self.per_year[name] = _trucks_a_year(item)

    # --- per truck ---------------------------------------------------------------------------
    def columns(self, trucks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The ledger's columns (LEDGER_COLUMNS) of the trucks table `trucks`."""
        g = trucks["group"].astype(np.intp)
        hourly, price, idle = self.hourly[g], self.price[g], self.idle[g]
        idle_price = self.on_queue[g] * idle * price  # usd an hour of waiting at a control or a port
        h = {c: trucks[f"{c}_h"] for c in (*AT_CONTROLS, "drive", "rest", "ferry_wait", "ferry_sail")}
        wait = h["closed"] + h["queue"] + h["booking"] + h["permit"]
        fuel_drive = trucks["km"] * self.fuel_km[g]
        engine_on = h["rest"] * self.on_rest[g] + (wait + h["document"] + h["inspection"] + h["ferry_wait"]) * self.on_queue[g]
        fuel_idle = engine_on * idle
        out = {
            "cost_drive_usd": h["drive"] * hourly + fuel_drive * price,
            "cost_rest_usd": h["rest"] * (hourly + self.on_rest[g] * idle * price),
            "cost_queue_usd": wait * (hourly + idle_price),
            "cost_document_usd": h["document"] * (hourly + idle_price),
            "cost_inspection_usd": h["inspection"] * (hourly + idle_price),
            "cost_ferry_usd": h["ferry_wait"] * (hourly + idle_price) + h["ferry_sail"] * hourly,
            "cost_fees_usd": self.fees[g],
            "cost_ferry_tariff_usd": self.tariff[g],
            "cost_cargo_usd": (trucks["arrive_h"] - trucks["depart_h"]) / 24.0 * self.cargo_day[g],
        }
        out["cost_usd"] = sum(out[c] for c in COST_COMPONENTS)
        fuel = fuel_drive + fuel_idle
        out.update({
            "fuel_drive_l": fuel_drive, "fuel_idle_l": fuel_idle, "fuel_l": fuel,
            "co2_kg": fuel * self.costs.co2_ttw, "co2e_wtw_kg": fuel * self.costs.co2e_wtw,
            "nox_g": fuel_drive * self.nox[g] + engine_on * self.nox_idle[g],
            "pm_g": fuel_drive * self.pm[g] + engine_on * self.pm_idle[g],
        })
        assert tuple(out) == LEDGER_COLUMNS
        return {name: np.asarray(values, dtype=float) * np.ones(len(g)) for name, values in out.items()}

    def add_to(self, result: ReplicationResult) -> None:
        """Put the ledger's columns into a replication's trucks table."""
        result.trucks.update(self.columns(result.trucks))

    # --- CPMM indicators -----------------------------------------------------------------------
    def indicators(self, result: ReplicationResult) -> dict[str, Any]:
        """TFI2 per control (`controls`) and TFI3 per flow and country (`sections`) of one replication."""
        controls = []
        for record in result.controls:
            key = self.controls.get((record.node, record.country, record.direction))
            if key is None or not record.trucks:
                continue
            official, informal = self.costs.fee(key)
            controls.append({"node": record.node, "country": record.country, "direction": record.direction,
                             "crossing": record.crossing, "trucks": record.trucks, "fees_usd": official,
                             "informal_usd": informal, "cost_usd": official + informal})
        return {"controls": controls, "sections": self._sections(result)}

    def _sections(self, result: ReplicationResult) -> list[dict[str, Any]]:
        t = result.trucks
        codes = t["group"]
        at: dict[int, list] = {}
        for record in result.control_groups:
            if record.trucks:
                at.setdefault(self.groups.index(record.group), []).append(record)
        out = []
        for g, name in enumerate(self.groups):
            mask = codes == g
            if self.background[g] or not mask.any():
                continue
            road = self.routes[g]["roads"]
            hours = sum(r[1] for r in road.values())
            moving = float(t["drive_h"][mask].mean() + t["rest_h"][mask].mean())
            rest = float(t["rest_h"][mask].mean())
            hourly, idle = self.hourly[g], self.idle[g]
            costs: dict[str, float] = {}
            for country, (km, expected) in road.items():
                share = expected / hours if hours > 0 else 0.0
                diesel = self.costs.diesel[country]
                costs[country] = (share * moving * hourly + km * self.fuel_km[g] * diesel
                                  + share * rest * self.on_rest[g] * idle * diesel)
            for record in at.get(g, []):
                key = self.controls[(record.node, record.country, record.direction)]
                country = key.countries[0]
                diesel = self.costs.diesel[country]
                official, informal = self.costs.fee(key)
                costs[country] = (costs.get(country, 0.0) + official + informal
                                  + record.mean_time_h * (hourly + self.on_queue[g] * idle * diesel))
            scale = SECTION_T / self.routes[g]["payload"]
            total_km = sum(r[0] for r in road.values())
            for country, cost in [*costs.items(), (ALL_ROAD, sum(costs.values()))]:
                km = total_km if country == ALL_ROAD else road.get(country, [0.0])[0]
                if km > 0:
                    out.append({"flow": name, "country": country, "km": km, "cost_usd": cost,
                                "usd_per_500km_20t": cost / km * SECTION_KM * scale})
        return out


COST_COMPONENTS = ("cost_drive_usd", "cost_rest_usd", "cost_queue_usd", "cost_document_usd", "cost_inspection_usd",
                   "cost_ferry_usd", "cost_fees_usd", "cost_ferry_tariff_usd", "cost_cargo_usd")


def _trucks_a_year(item: Any) -> float | None:
    """A flow's trucks a year (its departures: per_day, the weekday multipliers' mean; the hourly
    and monthly weights keep the mean); None for a caravan, which departs once."""
    per_day = getattr(item, "per_day", None)
    if per_day is None:
        return None
    weekly = item.weekly or {}
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return float(per_day * 365.0 * sum(weekly.get(d, 1.0) for d in days) / 7.0)
