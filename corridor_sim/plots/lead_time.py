"""Lead-time distribution per scenario: the ECDF of every counted truck, its mean and the mean's CI."""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..results.keys import ALL
from ..results.run_result import RunResult
from .data import finite, flow_label, group_summary, group_trucks, require, scenario_label
from .style import figure_and_axes, hours_to_days_axis, scenario_colours, styled


def ecdf_points(lead_times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The steps of the empirical distribution: sorted lead times and the share at or below each."""
    x = np.sort(np.asarray(lead_times, dtype=float))
    return x, np.arange(1, len(x) + 1) / len(x)


@styled
def lead_time_ecdf(result: RunResult, ax: Axes | Figure | None = None, flow: str | None = None) -> Figure:
    """Share of trucks that arrived within t hours, one step line per scenario.

    The curve pools the trucks of every replication; the dashed line is the mean lead time and
    the band around it its 95% confidence interval over replications (from the summary), so the
    spread of single trucks and the precision of the mean can be told apart. In a comparison only
    the baseline has a band: another scenario's legend gives its paired difference with the
    baseline and that CI, since two unpaired bands overlap where the paired difference is clear.
    """
    trucks = group_trucks(result.trucks, flow)
    require(not trucks.empty, f"no counted trucks for {flow_label(flow)}: nothing to plot")
    fig, ax = figure_and_axes(ax)
    colours = scenario_colours(list(result.scenarios))
    baseline = result.summary_dict.get("baseline")
    comparison = result.summary_dict.get("comparison") or {}
    for name in result.scenarios:
        times = trucks.loc[trucks["scenario"] == name, "lead_time_h"].to_numpy()
        summary = group_summary(result.summary_dict, name, flow)
        if len(times) == 0 or summary is None:
            continue
        lead = summary["lead_time_h"]
        x, y = ecdf_points(times)
        colour = colours[name]
        paired = ((comparison.get(name) or {}).get("flows") or {}).get(flow or ALL, {}).get("lead_time_h")
        text = _paired_text(paired) if baseline and name != baseline else _ci_text(lead)
        ax.step(x, y, where="post", color=colour, gid=f"ecdf:{name}",
                label=f"{scenario_label(result, name)}: mean {lead['mean']:.1f} h" + text)
        ax.axvline(lead["mean"], color=colour, linestyle="--", linewidth=1.2, gid=f"mean:{name}")
        if (not baseline or name == baseline) and finite(lead.get("ci_low"), lead.get("ci_high")):
            ax.axvspan(lead["ci_low"], lead["ci_high"], color=colour, alpha=0.18, linewidth=0, gid=f"ci:{name}")
    ax.set_xlabel("lead time, departure to arrival (h)")
    ax.set_ylabel("share of trucks arrived (cumulative)")
    ax.set_ylim(0, 1.02)
    hours_to_days_axis(ax, "x")
    ax.set_title(f"Lead-time distribution, {flow_label(flow)}")
    ax.legend(loc="lower right")
    return fig


def _paired_text(diff: dict | None) -> str:
    """The paired difference with the baseline and its CI, as the comparison states it."""
    if diff is None or not finite(diff.get("mean"), diff.get("ci_low"), diff.get("ci_high")):
        return ""
    return f", {diff['mean']:+.1f} h vs baseline (paired 95% CI {diff['ci_low']:+.1f} to {diff['ci_high']:+.1f})"


def _ci_text(lead: dict) -> str:
    if finite(lead.get("ci_low"), lead.get("ci_high")):
        return f" (95% CI {lead['ci_low']:.1f}–{lead['ci_high']:.1f})"
    return ""
