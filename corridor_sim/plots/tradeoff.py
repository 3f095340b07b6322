"""What a measure saves against what it lets through: one point per compared scenario.

x: the hours saved, the paired difference of the mean lead time against the baseline with its
sign turned (a saving is positive), y: the paired difference of the share of
non-compliant trucks whose violation was found nowhere (points; up is worse), both with their
95% CIs as error bars. The measures that save time without letting more through sit in the
lower right quarter. Input: a compare or sweep result (its `comparison` section).
"""
from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..results.keys import ALL
from ..results.run_result import RunResult
from .data import flow_label, require, scenario_label
from .style import figure_and_axes, scenario_colours, styled


def tradeoff_frame(result: RunResult, flow: str = ALL) -> pd.DataFrame:
    """Per compared scenario: hours saved and the change in violations missed, with their CIs."""
    rows = []
    for name, entry in (result.summary_dict.get("comparison") or {}).items():
        f = entry["flows"].get(flow)
        if not f:
            continue
        lead, missed = f["lead_time_h"], (f.get("violations") or {}).get("missed_rate")
        if missed is None:
            continue
        cost = ((f.get("ledger") or {}).get("cost_usd") or {})
        rows.append({"scenario": name, "label": scenario_label(result, name), "saved_h": -lead["mean"], "saved_low": -lead["ci_high"],
                     "saved_high": -lead["ci_low"], "missed_points": 100 * missed["mean"],
                     "missed_low": 100 * missed["ci_low"], "missed_high": 100 * missed["ci_high"],
                     # the money saved per truck (the ledger), where the runs were costed
                     "saved_usd": -cost.get("mean", float("nan")), "saved_usd_low": -cost.get("ci_high", float("nan")),
                     "saved_usd_high": -cost.get("ci_low", float("nan"))})
    return pd.DataFrame(rows)


def has_tradeoff(result: RunResult, flow: str | None = None) -> bool:
    return not tradeoff_frame(result, flow or ALL).empty


@styled
def tradeoff(data: RunResult | pd.DataFrame, ax: Axes | Figure | None = None, flow: str | None = None,
             saving: str = "time") -> Figure:
    """Hours saved (x) against the change in violations missed (y), one labelled point per scenario
    (with `flow`, that flow's or caravan's trucks); `saving="cost"`: US$ saved per truck on x."""
    frame = tradeoff_frame(data, flow or ALL) if isinstance(data, RunResult) else data
    require(not frame.empty, "no comparison with non-compliant trucks on both sides: nothing to plot")
    require(saving in ("time", "cost"), f"saving is 'time' or 'cost', got {saving!r}")
    key = "saved_h" if saving == "time" else "saved_usd"
    require(key in frame and bool(frame[key].notna().all()), "the runs were not costed: no money saved to plot")
    fig, ax = figure_and_axes(ax)
    # the result's order, baseline first, as in every other plot: a scenario keeps its colour
    colours = scenario_colours(list(data.scenarios) if isinstance(data, RunResult) else list(frame["scenario"]))
    for _, row in frame.iterrows():
        x, y = row[key], row["missed_points"]
        ax.errorbar([x], [y], xerr=[[x - row[f"{key.removesuffix('_h')}_low"]], [row[f"{key.removesuffix('_h')}_high"] - x]],
                    yerr=[[y - row["missed_low"]], [row["missed_high"] - y]], fmt="o", capsize=3,
                    color=colours[row["scenario"]], label=row.get("label", row["scenario"]))
        ax.annotate(row.get("label", row["scenario"]), (x, y), textcoords="offset points", xytext=(6, 6), fontsize=8)
    ax.axhline(0, color="#777777", linewidth=0.8)
    ax.axvline(0, color="#777777", linewidth=0.8)
    ax.set_xlabel("mean lead time saved against the baseline (h), 95% CI" if saving == "time"
                  else "mean cost saved per truck against the baseline (US$), 95% CI")
    ax.set_ylabel("violations missed: change (points of\nthe non-compliant trucks), 95% CI")
    ax.set_title(("Time" if saving == "time" else "Money") + " saved and violations let through, per measure"
                 + (f", {flow_label(flow)}" if flow else ""), loc="left")
    return fig
