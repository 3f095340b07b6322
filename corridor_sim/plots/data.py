"""What the plots read from a result: one scenario's (or flow's) summary, trucks, route order.

Kept apart from the drawing so that tests can compare a plot's drawn data with exactly what it
was drawn from.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import OutputError
from ..scenario.network import build_graph, controls_at, crossing_label, place_name, resolve_route
from ..scenario.schema import Caravan, Flow, Scenario

if TYPE_CHECKING:
    from ..results.run_result import RunResult


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


def scenario_label(result: RunResult, name: str) -> str:
    """A scenario as legends show it: its `label`, or its name."""
    scenario = result.scenarios.get(name)
    return scenario.label if scenario is not None and scenario.label else name


def node_label(result: RunResult, node: str) -> str:
    """A node as people know it, as the terminal and the report name it: its short `label` in the
    first scenario that has the node, else its id (drawn as written: the style turns mathtext off)."""
    for scenario in result.scenarios.values():
        if node in scenario.nodes:
            return place_name(scenario, node, short=True)
    return node


def control_label(result: RunResult, control: str) -> str:
    """A control (`node country direction`) with its node's label: `Red Bridge AZ exit`."""
    node, _, rest = control.partition(" ")
    return f"{node_label(result, node)} {rest}".strip()


def flow_label(flow: str | None) -> str:
    return "all counted trucks" if flow is None else f"flow {flow}"


def routes_in_order(scenario: Scenario) -> list[tuple[str, ...]]:
    """The routes of the headline flows, then caravans, then background flows."""
    graph = build_graph(scenario)
    items: list[Flow | Caravan] = [f for f in scenario.traffic.values() if not f.background]
    items += list(scenario.caravans.values())
    items += [f for f in scenario.traffic.values() if f.background]
    return [resolve_route(graph, item.route, item.from_, item.to) for item in items]


def route_crossings(scenario: Scenario, route: tuple[str, ...]) -> list[tuple[str, str]]:
    """The (node, crossing) pairs a truck on `route` clears, in order, labelled as the summary labels them."""
    graph = build_graph(scenario)
    out: list[tuple[str, str]] = []
    for i in range(len(route)):
        for control in controls_at(scenario, graph, route, i):
            key = (control.node, crossing_label(scenario, control))
            if key not in out:
                out.append(key)
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
