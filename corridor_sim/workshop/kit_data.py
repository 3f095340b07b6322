"""What a workshop kit's page shows, read from the run directory `compare` machinery wrote.

Small on purpose (the default kit's page is at most 10 MB): summaries and paired differences
from `summary.json`, a week of the queue series at the busiest controls on an hourly grid, the
median truck's time–distance line on a coarse grid, the map's places, and the country outlines
around them; never a truck's row.

Every figure is a mean over replications with its 95% CI as `summary.json` has it
(`{mean, ci_low, ci_high}`), so the page shows what the CLI shows. Optional per-combination
fields the page shows only when present: `difference.range_h` (`{low, high}`: the saving over
the assumptions), `difference.cost` and `difference.co2` (`{mean, ci_low, ci_high, unit}`).
"""
from __future__ import annotations

import math
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np

from ..results.keys import ALL

if TYPE_CHECKING:
    from ..results.run_result import RunResult

FORMAT = 1
WEEK_H = 168
JOURNEY_POINTS = 80
TOP_QUEUES = 4
MAP_MARGIN_DEG = 4.0


def _num(x: Any) -> float | None:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def ci(d: dict[str, Any] | None) -> dict[str, Any] | None:
    """`{mean, ci_low, ci_high}` of a summary figure (None where the run has none)."""
    if not d or _num(d.get("mean")) is None:
        return None
    return {"mean": _num(d["mean"]), "ci_low": _num(d.get("ci_low")), "ci_high": _num(d.get("ci_high"))}


def paired(d: dict[str, Any] | None) -> dict[str, Any] | None:
    """A paired difference: mean, CI, relative change, whether the CI excludes zero."""
    out = ci(d)
    if out is None or d is None:
        return None
    return {**out, "relative": _num(d.get("relative")), "significant": bool(d.get("significant")),
            "baseline_mean": _num(d.get("baseline_mean")), "scenario_mean": _num(d.get("scenario_mean"))}


def _scenario(summary: dict[str, Any], name: str, order: list[tuple[str, str]]) -> dict[str, Any]:
    s = summary["scenarios"][name]
    crossings = {(c["node"], c["crossing"]): ci(c["time_h"]) for c in s.get("crossings") or []}
    return {
        "lead_time_h": ci(s.get("lead_time_h")),
        "components_h": {k: _num(v) for k, v in (s.get("components_h") or {}).items()},
        "inspections_per_100": ci(s.get("inspections_per_100")),
        "missed_rate": ci(s.get("missed_rate")),
        "detection_rate": ci(s.get("detection_rate")),
        "crossings": [{"node": n, "crossing": c, **found} for n, c in order
                      if (found := crossings.get((n, c))) is not None],
        "flows": {flow: lead for flow, f in (s.get("flows") or {}).items() if (lead := ci(f.get("lead_time_h")))},
    }


def _difference(summary: dict[str, Any], name: str, order: list[tuple[str, str]]) -> dict[str, Any] | None:
    flows = ((summary.get("comparison") or {}).get(name) or {}).get("flows") or {}
    f = flows.get(ALL)
    if not f:
        return None
    crossings = {(c["node"], c["crossing"]): paired(c["time_h"]) for c in f.get("crossings") or []}
    violations = f.get("violations") or {}
    return {
        "lead_time_h": paired(f.get("lead_time_h")),
        "components_h": {k: paired(v) for k, v in (f.get("components_h") or {}).items()},
        "crossings": [{"node": n, "crossing": c, **found} for n, c in order
                      if (found := crossings.get((n, c))) is not None],
        "missed_rate": paired(violations.get("missed_rate")),
        "detection_rate": paired(violations.get("detection_rate")),
        "flows": {flow: lead for flow, g in flows.items()
                  if flow != ALL and (lead := paired(g.get("lead_time_h"))) is not None},
    }


def _pairs(result: RunResult, singles: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Lead time of one measure minus another's, paired over replications (common random numbers):
    the answer to 'which saves more?' with its CI, not two CIs side by side."""
    from ..results.stats import paired_difference

    def means(name: str) -> list[float]:
        return [float(r["groups"][ALL]["lead_time_mean"]) for r in result.stats[name]]

    out = []
    for (a, name_a), (b, name_b) in combinations(singles, 2):
        xa, xb = means(name_a), means(name_b)
        if len(xa) < 2 or len(xa) != len(xb):
            continue
        d = paired_difference(xa, xb)
        out.append({"a": a, "b": b, "mean": _num(d["mean"]), "ci_low": _num(d["ci_low"]),
                    "ci_high": _num(d["ci_high"]), "significant": bool(d["significant"])})
    return out


def _queues(result: RunResult, names: list[str]) -> dict[str, Any] | None:
    """The busiest controls' queues over the week after the warm-up, hourly (the last sample at or
    before each hour), replication 0 of each scenario."""
    from ..plots.queues import busiest_controls

    queues = result.queues
    if queues.empty:
        return None
    first = queues[queues["replication"] == queues["replication"].min()]
    controls = busiest_controls(first, TOP_QUEUES)
    base = result.scenarios[names[0]]
    start = base.clock.warmup
    end = min(start + WEEK_H, base.clock.horizon)
    hours = np.arange(start, end + 1e-9, 1.0)
    series: dict[str, dict[str, list[float]]] = {}
    for (scenario, control), rows in first[first["control"].isin(controls)].groupby(["scenario", "control"]):
        rows = rows.sort_values("time_h", kind="stable")
        times, values = rows["time_h"].to_numpy(float), rows["queue_length"].to_numpy(float)
        at = np.searchsorted(times, hours, side="right") - 1
        shown = np.where(at >= 0, values[np.clip(at, 0, None)], 0.0)
        series.setdefault(str(scenario), {})[str(control)] = [round(float(v), 1) for v in shown]
    return {"controls": [str(c) for c in controls], "start_h": float(start), "hours": len(hours), "series": series}


def _journeys(result: RunResult, names: list[str]) -> dict[str, Any] | None:
    """The median truck's time–distance line of the first traced group (a caravan, or a flow
    with --trace): the median over replications of each replication's median truck, and its range."""
    from ..plots.time_distance import journey_band, replication_journeys, traced_groups

    groups = traced_groups(result)
    if not groups:
        return None
    order = list(result.scenarios[names[0]].caravans) + list(result.scenarios[names[0]].traffic)
    group = min(groups, key=lambda g: order.index(g) if g in order else len(order))  # a caravan, or the first flow
    per = {name: js for name in names if (js := replication_journeys(result, name, group))}
    if not per:
        return None
    longest = max(j.lead_time_h for js in per.values() for j in js)
    hours = np.linspace(0.0, longest, JOURNEY_POINTS)
    lines = {}
    for name, js in per.items():
        median, low, high = journey_band(js, hours)
        lines[name] = {"km": [round(float(v), 1) for v in median], "low": [round(float(v), 1) for v in low],
                       "high": [round(float(v), 1) for v in high],
                       "lead_h": _num(float(np.median([j.lead_time_h for j in js])))}
    # the places on the way, at their km on the base's median journey: where the flat stretches are
    from ..scenario.network import place_name

    base = names[0] if names[0] in per else next(iter(per))
    ordered = sorted(per[base], key=lambda j: j.lead_time_h)
    middle = ordered[(len(ordered) - 1) // 2]
    stops: dict[str, float] = {}
    for node, km in zip(middle.nodes, middle.km):
        stops.setdefault(node, round(float(km), 1))
    scenario = result.scenarios[base]
    return {"group": group, "hours": [round(float(h), 2) for h in hours], "lines": lines,
            "stops": [{"label": place_name(scenario, node, short=True), "km": km} for node, km in stops.items()]}


def _map(result: RunResult, name: str) -> dict[str, Any] | None:
    """The places with coordinates, the links between them, and the country outlines around them."""
    from ..plots.basemap import country_rings
    from ..scenario.network import place_name

    scenario = result.scenarios[name]
    nodes: list[dict[str, Any]] = [{"name": n, "label": place_name(scenario, n, short=True), "kind": node.kind,
                                    "lat": node.lat, "lon": node.lon}
                                   for n, node in scenario.nodes.items() if node.lat is not None and node.lon is not None]
    if not nodes:
        return None
    placed = {n["name"] for n in nodes}
    links = []
    for key, link in scenario.links.items():
        ends = [part.strip() for part in key.replace("<->", "->").split("->")]
        if len(ends) == 2 and set(ends) <= placed:
            links.append({"from": ends[0], "to": ends[1], "mode": link.mode})
    lons = [float(n["lon"]) for n in nodes]
    lats = [float(n["lat"]) for n in nodes]
    box = [min(lons) - MAP_MARGIN_DEG, max(lons) + MAP_MARGIN_DEG, min(lats) - MAP_MARGIN_DEG,
           max(lats) + MAP_MARGIN_DEG]
    rings = [[list(p) for p in ring] for _, ring in country_rings()
             if max(p[0] for p in ring) >= box[0] and min(p[0] for p in ring) <= box[1]
             and max(p[1] for p in ring) >= box[2] and min(p[1] for p in ring) <= box[3]]
    return {"box": box, "nodes": nodes, "links": links, "rings": rings}


def kit_data(result: RunResult, spec: dict[str, Any]) -> dict[str, Any]:
    """The page's data: `spec` (Kit.spec(): measures and combinations) and the run's figures."""
    from ..plots.data import crossing_order

    summary = result.summary_dict
    names = [c["scenario"] for c in spec["combinations"]]
    base = names[0]
    keys = [(c["node"], c["crossing"]) for s in summary["scenarios"].values() for c in s.get("crossings") or []]
    order = crossing_order(result.scenarios[base], list(dict.fromkeys(keys)))
    scenarios = {}
    for name in names:
        entry = _scenario(summary, name, order)
        if name != base:
            entry["difference"] = _difference(summary, name, order)
        scenarios[name] = entry
    singles = [(c["measures"][0], c["scenario"]) for c in spec["combinations"] if len(c["measures"]) == 1]
    meta = result.meta
    stamp = {"version": (meta.get("versions") or {}).get("corridor-sim"), "git_revision": meta.get("git_revision"),
             "seed": summary.get("seed"), "replications": summary.get("replications"),
             "finished": meta.get("finished")}
    scenario = result.scenarios[base]
    counted = [*scenario.caravans, *(name for name, f in scenario.traffic.items() if not f.background)]
    return {
        "format": FORMAT, "stamp": stamp, "base": base,
        "flows": [f for f in counted if f in scenarios[base]["flows"]],
        "title": scenario.label or base, "description": scenario.description or "",
        **spec,
        "scenarios": scenarios,
        "pairs": _pairs(result, singles),
        "queues": _queues(result, names),
        "journeys": _journeys(result, names),
        "map": _map(result, base),
    }
