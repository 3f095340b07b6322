"""Paired differences against the baseline (a forest plot): per measure and flow, each compared
scenario's mean difference with its paired 95% CI.

A saving stated under common random numbers is a paired difference: two scenarios' own CIs can
overlap widely where the paired one is clearly below zero, and a room reads overlapping bands as
"no difference". This plot shows the claim as it was measured. Input: a compare or sweep result
(its `comparison` section); with `flow`, that flow's (or caravan's) trucks first.
"""
from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..model.truck import COMPONENTS
from ..results.comparison import paired_group
from ..results.keys import ALL
from ..results.run_result import RunResult
from .data import finite, require, scenario_label
from .style import COMPONENT_LABELS, figure_and_axes, scenario_colours, styled

TINY_H = 1e-9  # a component no truck spent time in on either side is left out


def group_label(group: str) -> str:
    return "all counted trucks" if group == ALL else group


BORDER = ("closed", "queue", "document", "inspection")  # the time a truck spends at the controls


def _border(result: RunResult, name: str, group: str) -> dict | None:
    """The paired difference of the time at the borders, from the replications' statistics."""
    baseline = result.summary_dict.get("baseline")
    if not result.stats or baseline not in result.stats or name not in result.stats:
        return None
    return paired_group(result.stats[baseline], result.stats[name], group, lambda g: sum(g[c] for c in BORDER))


def _rows_of(name: str, label: str, group: str, entry: dict, components: bool,
             border: dict | None = None) -> list[dict]:
    measures = [("lead_time_h", "lead time", entry["lead_time_h"])]
    if components:
        measures += [("border_h", "time at the borders", border)]
        measures += [(f"{c}_h", COMPONENT_LABELS[c], entry["components_h"].get(c)) for c in COMPONENTS]
    rows = []
    for measure, text, d in measures:
        if d is None or not finite(d.get("mean"), d.get("ci_low"), d.get("ci_high")):
            continue
        if measure != "lead_time_h" and max(abs(d["baseline_mean"]), abs(d["scenario_mean"])) < TINY_H:
            continue
        rows.append({"scenario": name, "label": label, "flow": group, "measure": measure,
                     "row": f"{text}, {group_label(group)}", "mean": d["mean"], "ci_low": d["ci_low"],
                     "ci_high": d["ci_high"], "n": d["n"]})
    return rows


def paired_frame(result: RunResult, flow: str | None = None) -> pd.DataFrame:
    """One row per compared scenario, flow and measure: the paired difference (h) and its 95% CI.

    The focus group (`flow`, or all counted trucks) gives its lead time and every component a
    truck spent time in; each other flow its lead time.
    """
    comparison = result.summary_dict.get("comparison") or {}
    focus = flow or ALL
    rows: list[dict] = []
    for name, entry in comparison.items():
        flows = entry.get("flows") or {}
        label = scenario_label(result, name)
        if focus in flows:
            rows += _rows_of(name, label, focus, flows[focus], components=True, border=_border(result, name, focus))
        for group, f in flows.items():
            if group != focus:
                rows += _rows_of(name, label, group, f, components=False)
    return pd.DataFrame(rows)


def has_paired(result: RunResult) -> bool:
    return not paired_frame(result).empty


@styled
def paired_differences(result: RunResult, ax: Axes | Figure | None = None, flow: str | None = None) -> Figure:
    """Each compared scenario's paired difference with the baseline, one row per measure and flow,
    the 95% CI as an error bar and the figure written beside it; left of zero: less time."""
    frame = paired_frame(result, flow)
    require(not frame.empty, "no paired comparison with the baseline: nothing to plot")
    rows = list(dict.fromkeys(frame["row"]))
    names = list(dict.fromkeys(frame["scenario"]))
    fig, ax = figure_and_axes(ax, 9.0, max(3.0, 1.6 + 0.42 * len(rows) * max(1, len(names)) ** 0.5))
    colours = scenario_colours(list(result.scenarios))
    step = 0.8 / len(names)
    for i, name in enumerate(names):
        part = frame[frame["scenario"] == name]
        offset = (i - (len(names) - 1) / 2) * step
        for _, r in part.iterrows():
            y = len(rows) - 1 - rows.index(r["row"]) - offset
            x = r["mean"]
            ax.errorbar([x], [y], xerr=[[x - r["ci_low"]], [r["ci_high"] - x]], fmt="o", capsize=3,
                        color=colours[name], label=f"_diff:{name}:{r['flow']}:{r['measure']}")
            ax.annotate(f"{x:+.1f} h ({r['ci_low']:+.1f} to {r['ci_high']:+.1f})", (r["ci_high"], y),
                        textcoords="offset points", xytext=(5, -3), fontsize=7, color=colours[name])
    ax.axvline(0, color="#777777", linewidth=0.8)
    ax.set_yticks(range(len(rows)), rows[::-1])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    baseline = result.summary_dict.get("baseline")
    against = scenario_label(result, baseline) if baseline else "the baseline"
    ax.set_xlabel(f"difference against {against} (h), paired 95% CI over {int(frame['n'].max())} replications; "
                  "left of 0: less time")
    ax.set_title("Paired differences with the baseline (common random numbers)", loc="left")
    handles = [Line2D([], [], marker="o", linestyle="", color=colours[n], label=scenario_label(result, n)) for n in names]
    ax.legend(handles=handles, loc="best", fontsize=8)
    ax.margins(x=0.25)
    return fig
