"""A cost–distance chart (UNESCAP time/cost–distance) of the truck the time–distance chart follows.

Cumulative km on x, cumulative US$ on y, for the same median truck of a caravan or traced flow,
costed as the ledger costs it (`corridor_sim/results/ledger.py`): every hour the truck's and its
driver's cost and the cargo's time cost, the fuel its road km burn, idling at the borders and
ports for the engine-on share of the time there, the fees when it leaves a node with controls
and the tariff when it boards a ferry. A steep or vertical stretch is money spent without
distance (a queue, a fee, the ferry); a ferry's sea km make a slope, as on the time–distance
chart. Rests on the road are costed by the hour, not for idling (the trace does not mark them),
so with `engine_on.rest` above zero the chart ends a little below the ledger's total.
"""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..results.ledger import Ledger
from ..results.run_result import RunResult
from ..scenario.network import build_graph
from ..scenario.schema import Scenario
from .data import require, scenario_label
from .style import figure_and_axes, scenario_colours, styled
from .time_distance import GRID_POINTS, Journey, journey_band, replication_journeys, traced_group


def journey_costs(scenario: Scenario, group: str, journey: Journey, ledger: Ledger | None = None) -> np.ndarray:
    """The cumulative US$ at each event of `journey` (a truck of `group` in `scenario`)."""
    ledger = ledger or Ledger(scenario)
    g = ledger.groups.index(group)
    graph = build_graph(scenario)
    per_hour = ledger.hourly[g] + ledger.cargo_day[g] / 24.0
    fuel_usd_km = ledger.fuel_km[g] * ledger.price[g]
    idle_usd_h = ledger.on_queue[g] * ledger.idle[g] * ledger.price[g]
    fees = dict(ledger.routes[g]["fees"])
    costs = np.zeros(len(journey.hours))
    paid = idle = sea = 0.0
    boarded: str | None = None
    for i, (node, event) in enumerate(zip(journey.nodes, journey.events)):
        if i > 0:
            same_node = node == journey.nodes[i - 1] and event != "arrive"
            if same_node and scenario.nodes[node].kind != "terminal":
                idle += idle_usd_h * (journey.hours[i] - journey.hours[i - 1])
        if event == "arrive" and boarded is not None:
            edge = graph.edges[boarded, node] if graph.has_edge(boarded, node) else None
            if edge is not None and edge["mode"] == "ferry":
                sea += edge["km"]
            boarded = None
        if event == "board":
            boarded = node
            nxt = next((n for n, e in zip(journey.nodes[i + 1:], journey.events[i + 1:]) if e == "arrive"), None)
            if nxt is not None and graph.has_edge(node, nxt) and graph.edges[node, nxt]["mode"] == "ferry":
                paid += ledger.costs.ferries[graph.edges[node, nxt]["key"]]
        last_here = i + 1 == len(journey.nodes) or journey.events[i + 1] == "arrive"
        if last_here:
            paid += fees.pop(node, 0.0)  # the node's fees, paid by the time the truck leaves it
        road_km = journey.km[i] - sea
        costs[i] = per_hour * journey.hours[i] + fuel_usd_km * road_km + idle + paid
    return costs


@styled
def cost_distance(result: RunResult, ax: Axes | Figure | None = None, group: str | None = None,
                  flow: str | None = None) -> Figure:
    """Cumulative US$ against cumulative km, one line per scenario: the median over replications of
    the median truck of `group` (or `flow`), with their range as a band."""
    group = traced_group(result, group or flow)
    fig, ax = figure_and_axes(ax, 8.0, 5.0)
    colours = scenario_colours(list(result.scenarios))
    per_scenario = {name: js for name in result.scenarios if (js := replication_journeys(result, name, group))}
    require(bool(per_scenario), f"no traced truck of {group!r}")
    longest = max(j.lead_time_h for js in per_scenario.values() for j in js)
    hours = np.linspace(0.0, longest, GRID_POINTS)
    for name, js in per_scenario.items():
        scenario = result.scenarios[name]
        ledger = Ledger(scenario)
        km, _, _ = journey_band(js, hours)
        usd = np.vstack([np.interp(hours, j.hours, journey_costs(scenario, group, j, ledger)) for j in js])
        median = np.median(usd, axis=0)
        ax.fill_between(km, usd.min(axis=0), usd.max(axis=0), color=colours[name], alpha=0.18, linewidth=0,
                        gid=f"band:{name}")
        ax.plot(km, median, color=colours[name], gid=f"journey:{name}",
                label=f"{scenario_label(result, name)}: median US$ {median[-1]:,.0f} over {km[-1]:,.0f} km")
    n = max(len(js) for js in per_scenario.values())
    ax.set_title(f"Cost–distance: median truck of {group} (truck, driver, fuel, fees, tariffs, cargo time)\n"
                 f"line: the median over {n} replications" + (", band: their range" if n > 1 else ""))
    ax.set_xlabel("distance travelled (km, road and sea)")
    ax.set_ylabel("cost since departure (US$)")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower right")
    return fig
