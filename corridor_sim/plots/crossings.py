"""Time to clear each border crossing and port, per scenario, with 95% CIs, in route order.

The CAREC CPMM indicator (TFI1): both countries' controls of a crossing add up, and leaving a
port by ferry includes the wait for the ferry (the summary's `crossings`).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..results.run_result import RunResult
from .data import crossing_order, finite, flow_label, node_label, require, scenario_label
from .style import figure_and_axes, scenario_colours, styled


def crossing_table(result: RunResult, flow: str | None = None) -> tuple[list[tuple[str, str]], dict[str, dict]]:
    """Crossings in route order, and per scenario {(node, crossing): time_h summary}."""
    per_scenario: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    keys: list[tuple[str, str]] = []
    for name, s in result.summary_dict["scenarios"].items():
        source = s if flow is None else (s.get("flows") or {}).get(flow) or {}
        rows = {(x["node"], x["crossing"]): x["time_h"] for x in source.get("crossings") or []}
        per_scenario[name] = rows
        keys += [k for k in rows if k not in keys]
    first = next(iter(result.scenarios.values()), None)
    return crossing_order(first, keys), per_scenario


@styled
def crossing_times(result: RunResult, ax: Axes | Figure | None = None, flow: str | None = None) -> Figure:
    """Grouped horizontal bars: mean hours to clear each crossing, error bars the 95% CI over replications."""
    keys, table = crossing_table(result, flow)
    require(bool(keys), f"no border crossings or ports for {flow_label(flow)}: nothing to plot")
    names = list(result.scenarios)
    fig, ax = figure_and_axes(ax, 8.0, min(14.0, 1.5 + len(keys) * (0.18 + 0.14 * len(names))))
    colours = scenario_colours(names)
    height = 0.8 / len(names)
    rows = np.arange(len(keys))[::-1].astype(float)  # first crossing on top
    for i, name in enumerate(names):
        offset = (len(names) - 1) / 2 * height - i * height
        means, lows, highs = [], [], []
        for key in keys:
            t = table[name].get(key)
            mean = t["mean"] if t and finite(t.get("mean")) else np.nan
            ok = t is not None and finite(t.get("ci_low"), t.get("ci_high"))
            means.append(mean)
            lows.append(mean - t["ci_low"] if ok else 0.0)  # type: ignore[index]
            highs.append(t["ci_high"] - mean if ok else 0.0)  # type: ignore[index]
        ax.barh(rows + offset, means, height=height * 0.9, color=colours[name], label=scenario_label(result, name),
                gid=f"bars:{name}")
        ax.errorbar(means, rows + offset, xerr=[lows, highs], fmt="none", ecolor="black", elinewidth=0.9,
                    capsize=2.5, label=f"_ci:{name}")
    ax.set_yticks(rows, [f"{node_label(result, node)}  {crossing}" for node, crossing in keys])
    ax.set_ylim(-0.6, len(keys) - 0.4)
    ax.set_xlim(left=0)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("mean time to clear (h), with 95% CI; crossings in route order")  # fits beside long labels
    ax.set_title(f"Time to clear each crossing, {flow_label(flow)}")
    if len(names) > 1:
        ax.legend(loc="lower right")
    return fig
