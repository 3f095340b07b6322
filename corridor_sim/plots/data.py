"""What the plots read from a result: one scenario's (or flow's) summary, trucks, route order.

Kept apart from the drawing so that tests can compare a plot's drawn data with exactly what it
was drawn from.
"""
from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..errors import OutputError
from ..network import build_graph, resolve_route
from ..scenario.schema import Scenario


def group_summary(summary: dict[str, Any], scenario: str, flow: str | None = None) -> dict[str, Any] | None:
    """The summary of every counted truck of `scenario` (flow None), or of one flow or caravan."""
    s = summary["scenarios"].get(scenario) or {}
    f = s if flow is None else (s.get("flows") or {}).get(flow)
    return f if f and "lead_time_h" in f else None


def group_trucks(trucks: pd.DataFrame, flow: str | None = None) -> pd.DataFrame:
    """The rows of `trucks` of one flow or caravan (all rows when `flow` is None)."""
    if flow is None or trucks.empty:
        return trucks
    mask = pd.Series(False, index=trucks.index)
    for col in ("flow", "caravan"):
        if col in trucks:
            mask |= trucks[col].astype(str) == flow
    return trucks[mask]


def flow_label(flow: str | None) -> str:
    return "all counted trucks" if flow is None else f"flow {flow}"


def routes_in_order(scenario: Scenario) -> list[tuple[str, ...]]:
    """The routes of the headline flows, then caravans, then background flows."""
    graph = build_graph(scenario)
    items = [f for f in scenario.traffic.values() if not f.background]
    items += list(scenario.caravans.values())
    items += [f for f in scenario.traffic.values() if f.background]
    return [resolve_route(graph, item.route, item.from_, item.to) for item in items]


def route_crossings(scenario: Scenario, route: tuple[str, ...]) -> list[tuple[str, str]]:
    """The (node, crossing) pairs a truck on `route` clears, in order, labelled as the summary labels them.

    A border crossing is `A->B` from the country before it to the one after it; a port is
    `C outbound` when the truck leaves it by ferry and `C inbound` when it arrives by ferry.
    """
    graph = build_graph(scenario)
    nodes = scenario.nodes
    out: list[tuple[str, str]] = []
    for i, name in enumerate(route):
        node = nodes[name]
        if node.kind == "bcp":
            a, b = node.border  # type: ignore[misc]
            before = nodes[route[i - 1]].country if i > 0 else None
            after = nodes[route[i + 1]].country if i + 1 < len(route) else None
            if before == b or after == a:
                a, b = b, a
            out.append((name, f"{a}->{b}"))
        elif node.kind == "port":
            came_by_ferry = i > 0 and graph.edges[route[i - 1], name]["mode"] == "ferry"
            leaves_by_ferry = i + 1 < len(route) and graph.edges[name, route[i + 1]]["mode"] == "ferry"
            if came_by_ferry:
                out.append((name, f"{node.country} inbound"))
            if leaves_by_ferry:
                out.append((name, f"{node.country} outbound"))
    return out


def crossing_order(scenario: Scenario | None, keys: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`keys` ordered along the routes (headline flows first); unknown ones keep their order at the end."""
    order: list[tuple[str, str]] = []
    if scenario is not None:
        for route in routes_in_order(scenario):
            order += [k for k in route_crossings(scenario, route) if k not in order]
    wanted = set(keys)
    ordered = [k for k in order if k in wanted]
    return ordered + [k for k in keys if k not in ordered]


def require(condition: bool, message: str) -> None:
    """A plot asked of a result that lacks its data: a clear error, not an empty picture."""
    if not condition:
        raise OutputError(message)


def finite(*values) -> bool:
    """Every value is a finite number (summary.json writes NaN as null)."""
    try:
        return all(v is not None and math.isfinite(float(v)) for v in values)
    except (TypeError, ValueError):
        return False
