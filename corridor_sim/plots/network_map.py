"""The corridor on longitude/latitude: node kinds as markers, links coloured by their mean delay.

A link's delay is the mean time a truck that travelled it spends clearing what it meets at the
link's end: both controls of a border crossing in its direction of travel, a port's outbound
controls plus the wait for the ferry (for a road link into a port the truck leaves by sea), or
a port's inbound controls (for a ferry link). These are the summary's `crossings` (means over
replications). A two-way link shows the mean over its directions that end at a control (a link
between nodes without controls has no delay). One panel per scenario, on one colour scale.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from ..scenario.network import build_graph, controls_at, crossing_label, place_name
from ..results.run_result import RunResult
from ..scenario.schema import Scenario
from .basemap import draw_basemap
from .data import finite, require, scenario_label
from .style import new_figure, styled

MAX_PANELS = 4  # scenarios drawn one above the other, on one colour scale
MARKERS = {"terminal": ("o", 22, "#ffffff"), "bcp": ("s", 42, "#000000"), "port": ("^", 55, "#0072B2")}
KIND_LABELS = {"terminal": "terminal / city", "bcp": "border crossing", "port": "sea port"}
CMAP = "cividis"  # perceptually uniform and readable with colour-vision deficiencies


def located(scenario: Scenario) -> bool:
    """At least two nodes with coordinates and a link between them: a map can be drawn."""
    graph = build_graph(scenario)
    return any(_has_coords(scenario, a) and _has_coords(scenario, b) for a, b in graph.edges)


def _has_coords(scenario: Scenario, node: str) -> bool:
    n = scenario.nodes[node]
    return n.lat is not None and n.lon is not None


def arriving_crossing(scenario: Scenario, graph, a: str, b: str, mode: str) -> str | None:
    """The summary's crossing label a truck clears on arriving at `b` from `a` (None: no control).

    A port reached by road is cleared outbound (the truck goes on by ferry).
    """
    route: tuple[str, ...] = (a, b)
    if scenario.nodes[b].kind == "port" and mode != "ferry":
        onward = next((n for n in graph.successors(b) if graph.edges[b, n]["mode"] == "ferry"), None)
        if onward is not None:
            route = (a, b, onward)
    controls = controls_at(scenario, graph, route, 1)
    return crossing_label(scenario, controls[0]) if controls else None


def link_delays(result: RunResult, scenario_name: str) -> dict[tuple[str, str], float]:
    """Mean delay (h) of each undirected link (sorted node pair) with coordinates at both ends."""
    scenario = result.scenarios[scenario_name]
    summary = result.summary_dict["scenarios"].get(scenario_name) or {}
    times = {(x["node"], x["crossing"]): x["time_h"]["mean"] for x in summary.get("crossings") or []
             if finite(x["time_h"].get("mean"))}
    graph = build_graph(scenario)
    per_pair: dict[tuple[str, str], list[float]] = {}
    for a, b, data in graph.edges(data=True):
        if not (_has_coords(scenario, a) and _has_coords(scenario, b)):
            continue
        crossing = arriving_crossing(scenario, graph, a, b, data["mode"])
        pair = tuple(sorted((a, b)))
        per_pair.setdefault(pair, [])  # type: ignore[arg-type]
        if crossing and (b, crossing) in times:
            per_pair[pair].append(times[(b, crossing)])  # type: ignore[index]
    return {pair: float(np.mean(v)) if v else 0.0 for pair, v in per_pair.items()}  # type: ignore[misc]


@styled
def network_map(result: RunResult, fig: Figure | None = None, scenarios: list[str] | None = None) -> Figure:
    """Nodes by kind, links coloured by mean delay (h); up to four scenarios, one above the other."""
    names = scenarios or [n for n in result.scenarios if located(result.scenarios[n])]
    if result.kind == "sweep":
        names = names[:1]
    shown_of = len(names)
    names = names[:MAX_PANELS]
    require(bool(names), "no node has lat/lon coordinates: the map needs `lat` and `lon` on the nodes")
    delays = {name: link_delays(result, name) for name in names}
    top = max([max(d.values(), default=0.0) for d in delays.values()] + [1.0])
    norm = Normalize(0.0, top)
    aspect = _extent_ratio(result.scenarios[names[0]])
    width = 10.0
    fig = fig or new_figure(width, min(14.0, len(names) * (0.85 * width / aspect + 0.7) + 1.3))
    axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
    for ax, name in zip(axes, names):
        _draw(ax, result.scenarios[name], delays[name], norm)
        ax.set_title(scenario_label(result, name), fontsize=10)
    mappable = axes[0].collections[0]
    fig.colorbar(mappable, ax=list(axes), orientation="horizontal", location="bottom", shrink=0.5, aspect=40,
                 label="mean delay per truck at the link's end (h)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper right", ncol=len(labels), fontsize=8, markerscale=0.9)
    more = f" (the first {len(names)} of {shown_of} scenarios)" if shown_of > len(names) else ""
    fig.suptitle(f"The corridor: links coloured by mean delay{more}", x=0.02, ha="left", fontsize=11, fontweight="bold")
    return fig


def _extent(scenario: Scenario) -> tuple[float, float, float, float]:
    """Map limits (lon min, lon max, lat min, lat max) with room for the labels."""
    lons = [n.lon for n in scenario.nodes.values() if n.lon is not None and n.lat is not None]
    lats = [n.lat for n in scenario.nodes.values() if n.lon is not None and n.lat is not None]
    pad_x = max(1.0, (max(lons) - min(lons)) * 0.04)
    pad_y = max(1.5, (max(lats) - min(lats)) * 0.2)
    return min(lons) - pad_x, max(lons) + pad_x, min(lats) - pad_y, max(lats) + pad_y


def _extent_ratio(scenario: Scenario) -> float:
    """Width over height of the map in its equirectangular projection."""
    x0, x1, y0, y1 = _extent(scenario)
    return max(1.0, (x1 - x0) * math.cos(math.radians((y0 + y1) / 2)) / (y1 - y0))


def _draw(ax: Any, scenario: Scenario, delays: dict[tuple[str, str], float], norm: Normalize) -> None:
    graph = build_graph(scenario)
    pairs = sorted(delays)
    coords = {n: (s.lon, s.lat) for n, s in scenario.nodes.items() if s.lat is not None and s.lon is not None}
    segments = [[coords[a], coords[b]] for a, b in pairs]
    ferry = [graph.edges[a, b]["mode"] == "ferry" if graph.has_edge(a, b) else graph.edges[b, a]["mode"] == "ferry"
             for a, b in pairs]
    lines = LineCollection(segments, cmap=CMAP, norm=norm, linewidths=[2.5 if f else 3.5 for f in ferry],
                           linestyles=["--" if f else "-" for f in ferry], gid="links", zorder=2)
    lines.set_array(np.asarray([delays[p] for p in pairs], dtype=float))
    ax.add_collection(lines)
    for kind, (marker, size, colour) in MARKERS.items():
        members = [n for n in coords if scenario.nodes[n].kind == kind]
        if not members:
            continue
        ax.scatter([coords[n][0] for n in members], [coords[n][1] for n in members], marker=marker, s=size,
                   facecolor=colour, edgecolor="black", linewidth=0.8, zorder=3, label=KIND_LABELS[kind],
                   gid=f"nodes:{kind}")
        if kind != "terminal":
            for n in members:
                ax.annotate(place_name(scenario, n, short=True), coords[n], xytext=(4, 4), textcoords="offset points",
                            fontsize=7, zorder=4)
    x0, x1, y0, y1 = _extent(scenario)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    draw_basemap(ax)
    ax.set_aspect(1.0 / math.cos(math.radians((y0 + y1) / 2)))  # equirectangular, true shape at mid-latitude
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
