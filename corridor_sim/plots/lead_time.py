"""Lead-time distribution per scenario: the ECDF of every counted truck, its mean and the mean's CI."""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

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
    spread of single trucks and the precision of the mean can be told apart.
    """
    trucks = group_trucks(result.trucks, flow)
    require(not trucks.empty, f"no counted trucks for {flow_label(flow)}: nothing to plot")
    fig, ax = figure_and_axes(ax)
    colours = scenario_colours(list(result.scenarios))
    for name in result.scenarios:
        times = trucks.loc[trucks["scenario"] == name, "lead_time_h"].to_numpy()
        summary = group_summary(result.summary_dict, name, flow)
        if len(times) == 0 or summary is None:
            continue
        lead = summary["lead_time_h"]
        x, y = ecdf_points(times)
        colour = colours[name]
        ax.step(x, y, where="post", color=colour, gid=f"ecdf:{name}",
                label=f"{scenario_label(result, name)}: mean {lead['mean']:.1f} h" + _ci_text(lead))
        ax.axvline(lead["mean"], color=colour, linestyle="--", linewidth=1.2, gid=f"mean:{name}")
        if finite(lead.get("ci_low"), lead.get("ci_high")):
            ax.axvspan(lead["ci_low"], lead["ci_high"], color=colour, alpha=0.18, linewidth=0, gid=f"ci:{name}")
    ax.set_xlabel("lead time, departure to arrival (h)")
    ax.set_ylabel("share of trucks arrived (cumulative)")
    ax.set_ylim(0, 1.02)
    hours_to_days_axis(ax, "x")
    ax.set_title(f"Lead-time distribution, {flow_label(flow)}")
    ax.legend(loc="lower right")
    return fig


def _ci_text(lead: dict) -> str:
    if finite(lead.get("ci_low"), lead.get("ci_high")):
        return f" (95% CI {lead['ci_low']:.1f}–{lead['ci_high']:.1f})"
    return ""
