"""A time–distance chart (UNESCAP time/cost–distance style) of one truck's journey per scenario.

Cumulative hours since departure on x, cumulative km on y: slopes are driving (and rest on the
road), flat stretches are time spent at a node (borders, ports, waiting for the ferry, a
convoy waiting for its last truck). The truck is a caravan's or a flow's median truck by lead
time, taken from the `trace` table (caravans are always traced; flows need `--trace`). By default
every replication's median truck is drawn as one line, the median of their distances at each
hour, with a band from the least to the most advanced: one replication can sit far from what
the summary says (the caravan demo's 11 h against 33.7 h on average). The trace counts road km;
a ferry crossing adds its sea km (the link's `km`), so the sea leg is a slope too.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..scenario.network import build_graph
from ..results.run_result import RunResult
from ..scenario.schema import Scenario
from .data import finite, group_summary, node_label, require, scenario_label
from .style import figure_and_axes, hours_text, hours_to_days_axis, scenario_colours, styled

GRID_POINTS = 600        # hours at which the replications' journeys are compared
DWELL_LABEL_SHARE = 0.02  # name the nodes where the truck stayed at least this share of its journey
STOP_LABEL_GAP = 0.025    # right-hand stop names at least this share of the route apart (no overlap)


@dataclass(frozen=True)
class Journey:
    """One truck's path: hours since departure and cumulative km at each trace event."""

    scenario: str
    truck: int
    hours: np.ndarray
    km: np.ndarray
    nodes: list[str]
    events: list[str]

    @property
    def lead_time_h(self) -> float:
        return float(self.hours[-1]) if len(self.hours) else float("nan")


def traced_groups(result: RunResult) -> list[str]:
    """Caravans, then flows, that have traced trucks (the groups a time–distance chart can show)."""
    trace, trucks = result.trace, result.trucks
    if trace.empty or trucks.empty:
        return []
    traced = trucks.merge(trace[["scenario", "replication", "truck"]].drop_duplicates(),
                          on=["scenario", "replication", "truck"])
    caravans = [c for c in dict.fromkeys(traced["caravan"].astype(str)) if c]
    flows = [f for f in dict.fromkeys(traced["flow"].astype(str)) if f]
    return caravans + flows


def median_journey(result: RunResult, scenario: str, group: str, replication: int = 0) -> Journey | None:
    """The journey of the group's median truck by lead time (the lower median for an even count)."""
    trucks, trace = result.trucks, result.trace
    if trucks.empty or trace.empty:
        return None
    members = trucks[(trucks["scenario"] == scenario) & (trucks["replication"] == replication)
                     & ((trucks["caravan"].astype(str) == group) | (trucks["flow"].astype(str) == group))]
    rows = trace[(trace["scenario"] == scenario) & (trace["replication"] == replication)]
    members = members[members["truck"].isin(rows["truck"])]
    if members.empty:
        return None
    ordered = members.sort_values(["lead_time_h", "truck"], kind="stable")
    chosen = ordered.iloc[(len(ordered) - 1) // 2]
    events = rows[rows["truck"] == chosen["truck"]].sort_values("time_h", kind="stable")
    return journey_from_trace(result.scenarios[scenario], scenario, int(chosen["truck"]), events,
                              float(chosen["depart_h"]))


def replication_journeys(result: RunResult, scenario: str, group: str) -> list[Journey]:
    """The group's median truck of each replication, in replication order."""
    trucks = result.trucks
    if trucks.empty:
        return []
    reps = sorted({int(r) for r in trucks.loc[trucks["scenario"] == scenario, "replication"]})
    return [j for r in reps if (j := median_journey(result, scenario, group, r))]


def journey_band(journeys: list[Journey], hours: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Km at each of `hours` over the journeys: median, least and most (a journey that has ended stays put)."""
    km = np.vstack([np.interp(hours, j.hours, j.km) for j in journeys])
    return np.median(km, axis=0), km.min(axis=0), km.max(axis=0)


def journey_from_trace(scenario: Scenario, name: str, truck: int, events: pd.DataFrame, depart_h: float) -> Journey:
    """Hours since departure and km (road km from the trace plus the sea km of ferries passed)."""
    graph = build_graph(scenario)
    sea = 0.0
    hours, km, nodes, kinds = [], [], [], []
    last_board: str | None = None
    for row in events.itertuples(index=False):
        if row.event == "arrive" and last_board is not None:
            if graph.has_edge(last_board, row.node) and graph.edges[last_board, row.node]["mode"] == "ferry":
                sea += graph.edges[last_board, row.node]["km"]
            last_board = None
        if row.event == "board":
            last_board = row.node
        hours.append(row.time_h - depart_h)
        km.append(row.km + sea)
        nodes.append(row.node)
        kinds.append(row.event)
    return Journey(name, truck, np.asarray(hours, dtype=float), np.asarray(km, dtype=float), nodes, kinds)


def _dwells(journey: Journey) -> list[tuple[str, float, float, float]]:
    """(node, start h, end h, km) of each stay at a node, from its arrival to its last event there."""
    out = []
    i = 0
    n = len(journey.nodes)
    while i < n:
        j = i
        while j + 1 < n and journey.nodes[j + 1] == journey.nodes[i] and journey.events[j + 1] != "arrive":
            j += 1
        out.append((journey.nodes[i], journey.hours[i], journey.hours[j], journey.km[i]))
        i = j + 1
    return out


def _spaced_stops(dwells: list[tuple[str, float, float, float]], gap: float) -> dict[float, str]:
    """Stop names by km, skipping a stop too close to the previous named one (the longer stay wins)."""
    out: dict[float, tuple[str, float]] = {}
    last_km = None
    for node, start, end, km in dwells:
        if last_km is not None and km - last_km < gap:
            if end - start > out[last_km][1]:
                del out[last_km]
                out[km] = (node, end - start)
                last_km = km
            continue
        out[km] = (node, end - start)
        last_km = km
    return {km: node for km, (node, _) in out.items()}


def traced_group(result: RunResult, group: str | None) -> str:
    """The flow or caravan a journey chart draws: `group`, or the first traced one; a clear error
    when there is none."""
    groups = traced_groups(result)
    require(bool(groups), "no traced trucks: run with --trace, or add a caravan (caravans are always traced)")
    group = group or groups[0]
    require(group in groups, f"no traced truck of {group!r}: run with --trace")
    return group


@styled
def time_distance(result: RunResult, ax: Axes | Figure | None = None, group: str | None = None,
                  replication: int | None = None, flow: str | None = None) -> Figure:
    """Cumulative km against hours since departure, one line per scenario: the median over
    replications of the median truck of `group` (or `flow`), with their range as a band; with
    `replication`, that replication's median truck alone."""
    group = traced_group(result, group or flow)
    fig, ax = figure_and_axes(ax, 8.0, 5.0)
    colours = scenario_colours(list(result.scenarios))
    if replication is not None:
        journeys = [j for name in result.scenarios if (j := median_journey(result, name, group, replication))]
        require(bool(journeys), f"no traced truck of {group!r} in replication {replication}")
        longest = max(j.lead_time_h for j in journeys)
        for journey in journeys:
            ax.plot(journey.hours, journey.km, color=colours[journey.scenario], gid=f"journey:{journey.scenario}",
                    label=f"{scenario_label(result, journey.scenario)}: {journey.lead_time_h:.0f} h, "
                          f"{journey.km[-1]:,.0f} km")
        first = journeys[0]
        top_km = max(float(j.km[-1]) for j in journeys) or 1.0
        title = f"Time–distance: median truck of {group}, replication {replication}"
    else:
        per_scenario = {name: js for name in result.scenarios if (js := replication_journeys(result, name, group))}
        require(bool(per_scenario), f"no traced truck of {group!r}")
        longest = max(j.lead_time_h for js in per_scenario.values() for j in js)
        hours = np.linspace(0.0, longest, GRID_POINTS)
        for name, js in per_scenario.items():
            median, low, high = journey_band(js, hours)
            lead = float(np.median([j.lead_time_h for j in js]))
            summary = group_summary(result.summary_dict, name, group)
            mean = (summary or {}).get("lead_time_h", {}).get("mean")
            ax.fill_between(hours, low, high, color=colours[name], alpha=0.18, linewidth=0, gid=f"band:{name}")
            ax.plot(hours, median, color=colours[name], gid=f"journey:{name}",
                    label=f"{scenario_label(result, name)}: median {lead:.0f} h"
                          + (f" (mean lead time {mean:.1f} h)" if finite(mean) else ""))
        # the stops are named from the first scenario's median replication
        ordered = sorted(next(iter(per_scenario.values())), key=lambda j: j.lead_time_h)
        first = ordered[(len(ordered) - 1) // 2]
        top_km = max(float(j.km[-1]) for js in per_scenario.values() for j in js) or 1.0
        n = max(len(js) for js in per_scenario.values())
        title = (f"Time–distance: median truck of {group}\nline: the median over {n} replications"
                 + (", band: their range" if n > 1 else ""))
    # name the long stays of the first journey (longest first, none overlapping), and every stop on the right
    placed: list[tuple[float, float]] = []
    for node, start, end, km in sorted(_dwells(first), key=lambda d: d[1] - d[2]):
        x = (start + end) / 2
        if end - start < DWELL_LABEL_SHARE * longest:
            break
        if any(abs(x - px) < 0.09 * longest and abs(km - pk) < 0.05 * top_km for px, pk in placed):
            continue
        placed.append((x, km))
        ax.annotate(f"{node_label(result, node)} {hours_text(end - start)} h", xy=(x, km), xytext=(0, 5),
                    textcoords="offset points", ha="center", fontsize=7.5, color="#333333", gid=f"stop:{node}",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
    right = ax.secondary_yaxis("right")
    stops = _spaced_stops(_dwells(first), STOP_LABEL_GAP * float(first.km[-1] or 1.0))
    right.set_yticks(list(stops), [node_label(result, n) for n in stops.values()], fontsize=7)
    right.tick_params(length=0)
    ax.set_xlabel("hours since departure (h)")
    ax.set_ylabel("distance travelled (km, road and sea)")
    ax.set_xlim(0, longest * 1.03)
    ax.set_ylim(0, top_km * 1.05)
    hours_to_days_axis(ax, "x")
    ax.set_title(title)
    ax.legend(loc="lower right")
    return fig
