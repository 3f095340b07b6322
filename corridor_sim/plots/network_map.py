"""The corridor on longitude/latitude: node kinds as markers, links coloured by their mean delay.

A link's delay is the mean time a truck that travelled it spends clearing what it meets at the
link's end: both controls of a border crossing in its direction of travel, a port's outbound
controls plus the wait for the ferry (for a road link into a port the truck leaves by sea), or
a port's inbound controls (for a ferry link). These are the summary's `crossings` (means over
replications). A two-way link shows the mean over its directions that end at a control (a link
between nodes without controls has no delay). One panel per scenario, on one colour scale: linear,
or, where the longest delays (the ferry ports' days) are many times the typical link's, a log scale
above 1 h, so that the borders' hours still differ in colour (the colour bar says which).

`difference_map` draws a comparison of two scenarios: each link coloured by the paired change at
its end (other minus baseline, from the comparison's crossings), on a diverging scale centred on
zero.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, Mapping

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, SymLogNorm
from matplotlib.figure import Figure
from matplotlib.text import Annotation

from ..scenario.network import build_graph, controls_at, crossing_label, place_name
from ..results.keys import ALL
from ..results.run_result import RunResult
from ..scenario.schema import Scenario
from .basemap import draw_basemap
from .data import finite, require, scenario_label
from .style import new_figure, styled

MAX_PANELS = 4  # scenarios drawn one above the other, on one colour scale
MARKERS = {"terminal": ("o", 22, "#ffffff"), "bcp": ("s", 42, "#000000"), "port": ("^", 55, "#0072B2")}
KIND_LABELS = {"terminal": "terminal / city", "bcp": "border crossing", "port": "sea port"}
CMAP = "cividis"  # perceptually uniform and readable with colour-vision deficiencies
DIVERGING = "RdBu_r"  # blue: less time, red: more; readable with the common colour-vision deficiencies
LOG_RATIO = 5.0  # the longest link this many times the median link: a log scale, or the borders look alike
LINEAR_H = 1.0   # the log scale is linear within this many hours of zero (zero has a colour)
LOG_TICKS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0)
NO_CONTROL = "#9a9a9a"  # a link that ends at no crossing on the difference map


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
    summary = result.summary_dict["scenarios"].get(scenario_name) or {}
    per_pair = _per_link(result.scenarios[scenario_name], summary.get("crossings") or [])
    return {pair: float(np.mean(v)) if v else 0.0 for pair, v in per_pair.items()}


def link_changes(result: RunResult, scenario_name: str) -> dict[tuple[str, str], float | None]:
    """The paired change (h, `scenario_name` minus the baseline) of each link's delay, from the
    comparison's crossings (every counted truck); None: the link ends at no compared crossing."""
    comparison = (result.summary_dict.get("comparison") or {}).get(scenario_name) or {}
    crossings = ((comparison.get("flows") or {}).get(ALL) or {}).get("crossings") or []
    per_pair = _per_link(result.scenarios[scenario_name], crossings)
    return {pair: float(np.mean(v)) if v else None for pair, v in per_pair.items()}


def _per_link(scenario: Scenario, crossings: list[dict[str, Any]]) -> dict[tuple[str, str], list[float]]:
    """Each located link's figures (`time_h` means) at the crossings its directions end at."""
    times = {(x["node"], x["crossing"]): x["time_h"]["mean"] for x in crossings if finite(x["time_h"].get("mean"))}
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
    return per_pair  # type: ignore[return-value]


@dataclass(frozen=True)
class Scale:
    """A map's colour scale: its norm, the colour bar's ticks (None: matplotlib's) and how to read it."""

    norm: Normalize
    ticks: list[float] | None
    note: str


def colour_scale(values: list[float], centred: bool = False) -> Scale:
    """Linear from 0 (or symmetric about 0 when `centred`) to the largest value, unless the largest
    is more than LOG_RATIO times the median non-zero value: then logarithmic beyond LINEAR_H, so a
    few ferry ports' days do not make every border's hours one colour."""
    sizes = sorted(abs(v) for v in values if abs(v) > 1e-9)
    top = max(sizes + [0.1 if centred else 1.0])
    low = -top if centred else 0.0
    if sizes and top > 2 * LINEAR_H and top > LOG_RATIO * float(np.median(sizes)):
        steps = [t for t in LOG_TICKS if t <= top]
        ticks = sorted({0.0, *steps, *([-t for t in steps] if centred else [])})
        note = f"log scale beyond ±{LINEAR_H:g} h" if centred else f"log scale above {LINEAR_H:g} h"
        return Scale(SymLogNorm(LINEAR_H, linscale=1.0, vmin=low, vmax=top, base=10), ticks, note)
    return Scale(Normalize(low, top), None, "")


def _colour_bar(fig: Figure, axes: list[Any], mappable: Any, scale: Scale, label: str) -> None:
    bar = fig.colorbar(mappable, ax=axes, orientation="horizontal", location="bottom", shrink=0.5, aspect=40,
                       label=label + (f"; {scale.note}" if scale.note else ""))
    if scale.ticks is not None:
        bar.set_ticks(scale.ticks, labels=[f"{t:g}".replace("-", "\u2212") for t in scale.ticks])
        bar.minorticks_off()


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
    scale = colour_scale([v for d in delays.values() for v in d.values()])
    aspect = _extent_ratio(result.scenarios[names[0]])
    width = 10.0
    fig = fig or new_figure(width, min(14.0, len(names) * (0.85 * width / aspect + 0.7) + 1.3))
    axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
    mappables = [_draw(ax, result.scenarios[name], delays[name], scale.norm) for ax, name in zip(axes, names)]
    for ax, name in zip(axes, names):
        ax.set_title(scenario_label(result, name), fontsize=10)
    _colour_bar(fig, list(axes), mappables[0], scale, "mean delay per truck at the link's end (h)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper right", ncol=len(labels), fontsize=8, markerscale=0.9)
    more = f" (the first {len(names)} of {shown_of} scenarios)" if shown_of > len(names) else ""
    fig.suptitle(f"The corridor: links coloured by mean delay{more}", x=0.02, ha="left", fontsize=11, fontweight="bold")
    place_labels(fig)
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


def _draw(ax: Any, scenario: Scenario, values: Mapping[tuple[str, str], float | None], norm: Normalize,
          cmap: str = CMAP, outline: bool = False) -> LineCollection:
    """The links coloured by `values` (None: grey and thin, no figure), the nodes and their labels;
    `outline` edges the coloured links (a diverging scale's middle is nearly the land's colour)."""
    graph = build_graph(scenario)
    coords = {n: (s.lon, s.lat) for n, s in scenario.nodes.items() if s.lat is not None and s.lon is not None}

    def is_ferry(a: str, b: str) -> bool:
        return (graph.edges[a, b] if graph.has_edge(a, b) else graph.edges[b, a])["mode"] == "ferry"

    pairs = sorted(p for p, v in values.items() if v is not None)
    bare = sorted(p for p, v in values.items() if v is None)
    if bare:
        ax.add_collection(LineCollection([[coords[a], coords[b]] for a, b in bare], colors=NO_CONTROL, linewidths=1.2,
                                         linestyles=["--" if is_ferry(*p) else "-" for p in bare], gid="links:none",
                                         zorder=2))
    segments = [[coords[a], coords[b]] for a, b in pairs]
    ferry = [is_ferry(a, b) for a, b in pairs]
    widths = [2.5 if f else 3.5 for f in ferry]
    if outline and pairs:
        ax.add_collection(LineCollection(segments, colors="#4d4d4d", linewidths=[w + 1.6 for w in widths],
                                         gid="links:outline", zorder=1.9))
    lines = LineCollection(segments, cmap=cmap, norm=norm, linewidths=widths,
                           linestyles=["--" if f else "-" for f in ferry], gid="links", zorder=2)
    lines.set_array(np.asarray([values[p] for p in pairs], dtype=float))
    ax.add_collection(lines)
    for kind, (marker, size, colour) in MARKERS.items():
        members = [n for n in coords if scenario.nodes[n].kind == kind]
        if not members:
            continue
        ax.scatter([coords[n][0] for n in members], [coords[n][1] for n in members], marker=marker, s=size,
                   facecolor=colour, edgecolor="black", linewidth=0.8, zorder=3, label=KIND_LABELS[kind],
                   gid=f"nodes:{kind}")
        if kind != "terminal":
            for n in members:  # placed clear of each other by `place_labels` once the figure is laid out
                ax.annotate(place_name(scenario, n, short=True), coords[n], xytext=(4, 4), textcoords="offset points",
                            ha="left", va="bottom", fontsize=7, zorder=4, gid=f"label:{n}", in_layout=False)
    x0, x1, y0, y1 = _extent(scenario)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    draw_basemap(ax)
    ax.set_aspect(1.0 / math.cos(math.radians((y0 + y1) / 2)))  # equirectangular, true shape at mid-latitude
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    return lines


# where a label may go around its node, nearest first: (dx, dy) in units of the ring's radius, alignment
Place = tuple[float, float, Literal["left", "center", "right"], Literal["bottom", "top"]]
AROUND: tuple[Place, ...] = (
    (1.0, 1.0, "left", "bottom"), (1.0, -1.0, "left", "top"), (-1.0, 1.0, "right", "bottom"), (-1.0, -1.0, "right", "top"),
    (0.0, 1.5, "center", "bottom"), (0.0, -1.5, "center", "top"))
RINGS = (4.0, 11.0, 18.0)  # points from the node; beyond the first ring a thin line leads to the node
MARKER_HALF = 5.0           # points: half a node marker's size, kept free of labels


def place_labels(fig: Figure) -> None:
    """Move each node label (gid `label:NODE`) to the first place around its node, nearest first,
    where it overlaps no label placed before it, no other node and stays inside the map (else the
    place that overlaps least). Deterministic: nodes west to east, measured on the laid-out figure."""
    get_renderer = getattr(fig.canvas, "get_renderer", None)
    if get_renderer is None:  # a canvas that cannot measure text: the labels keep their first place
        return
    fig.draw_without_rendering()  # the layout (the labels are out of it), so extents are final
    renderer = get_renderer()
    to_px = fig.dpi / 72.0
    for ax in fig.axes:
        labels = [t for t in ax.texts if isinstance(t, Annotation) and (t.get_gid() or "").startswith("label:")]
        if not labels:
            continue
        frame = ax.get_window_extent(renderer)
        points = [ax.transData.transform(xy) for c in ax.collections if (c.get_gid() or "").startswith("nodes:")
                  for xy in np.asarray(c.get_offsets(), dtype=float)]
        half = MARKER_HALF * to_px
        markers = [(float(x) - half, float(y) - half, float(x) + half, float(y) + half) for x, y in points]
        placed: list[tuple[float, float, float, float]] = []
        for label in sorted(labels, key=lambda t: (*t.xy, t.get_gid())):
            node_px = ax.transData.transform(label.xy)
            own = [m for m in markers if abs((m[0] + m[2]) / 2 - node_px[0]) < 0.5 and abs((m[1] + m[3]) / 2 - node_px[1]) < 0.5]
            others = [m for m in markers if m not in own]
            best: tuple[float, Place, tuple[float, float, float, float]] | None = None
            for radius in RINGS:
                for dx, dy, ha, va in AROUND:
                    place: Place = (dx * radius, dy * radius, ha, va)
                    label.xyann = place[:2]
                    label.set_horizontalalignment(ha)
                    label.set_verticalalignment(va)
                    e = label.get_window_extent(renderer)
                    box = (e.x0 - 1, e.y0 - 1, e.x1 + 1, e.y1 + 1)
                    score = (4 * sum(_overlap(box, b) for b in placed) + sum(_overlap(box, m) for m in others)
                             + 2 * ((box[2] - box[0]) * (box[3] - box[1]) - _overlap(box, tuple(frame.extents))))
                    if best is None or score < best[0]:
                        best = (score, place, box)
                    if score <= 0:
                        break
                if best is not None and best[0] <= 0:
                    break
            assert best is not None
            _, (x_pt, y_pt, h_align, v_align), box = best
            label.xyann = (x_pt, y_pt)
            label.set_horizontalalignment(h_align)
            label.set_verticalalignment(v_align)
            placed.append(box)
            if math.hypot(x_pt, y_pt) > RINGS[0] * 2:  # far from its node: a thin line says whose label it is
                ax.annotate("", label.xy, xytext=(x_pt, y_pt), textcoords="offset points", zorder=3.5,
                            in_layout=False, gid=f"leader:{label.get_gid()}",
                            arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.5, "shrinkA": 0,
                                        "shrinkB": 3})


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """The area two boxes (x0, y0, x1, y1) share."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def compared_pair(result: RunResult) -> tuple[str, str] | None:
    """(baseline, other) of a comparison of exactly two scenarios with a compared crossing on a
    located link: what a difference map can show."""
    baseline = result.baseline
    others = [n for n in result.scenarios if n != baseline]
    if result.kind != "compare" or baseline not in result.scenarios or len(others) != 1:
        return None
    if not located(result.scenarios[others[0]]):
        return None
    changes = link_changes(result, others[0])
    return (baseline, others[0]) if any(v is not None for v in changes.values()) else None  # type: ignore[return-value]


@styled
def difference_map(result: RunResult, fig: Figure | None = None) -> Figure:
    """Links coloured by the paired change at their end (the other scenario minus the baseline, h),
    on a diverging scale centred on zero: blue where trucks spend less time, red where more."""
    pair = compared_pair(result)
    require(pair is not None, "a difference map needs a comparison of two scenarios with lat/lon on the nodes")
    baseline, other = pair  # type: ignore[misc]
    scenario = result.scenarios[other]
    changes = link_changes(result, other)
    scale = colour_scale([v for v in changes.values() if v is not None], centred=True)
    width = 10.0
    fig = fig or new_figure(width, min(10.0, 0.85 * width / _extent_ratio(scenario) + 1.8))
    ax = fig.subplots()
    lines = _draw(ax, scenario, changes, scale.norm, cmap=DIVERGING, outline=True)
    ax.set_title(f"{scenario_label(result, other)} against {scenario_label(result, baseline)}", fontsize=10)
    _colour_bar(fig, [ax], lines, scale, "paired change in the time to clear the crossing at the link's end (h); "
                "blue: less time")
    handles, labels = ax.get_legend_handles_labels()
    if any(v is None for v in changes.values()):
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], color=NO_CONTROL, linewidth=1.2))
        labels.append("no crossing")
    fig.legend(handles, labels, loc="outside upper right", ncol=len(labels), fontsize=8, markerscale=0.9)
    fig.suptitle("Where the time changes", x=0.02, ha="left", fontsize=11, fontweight="bold")
    place_labels(fig)
    return fig
