"""Where the time goes: mean hours per truck in each time component, one stacked bar per scenario.

In the manner of a WCO Time Release Study: the time components tile a truck's lead time
exactly, so each bar's length is the mean lead time, with its 95% CI drawn at the bar's end.
"""
from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..model.truck import COMPONENTS
from ..results.run_result import RunResult
from .data import finite, flow_label, group_summary, require, scenario_label
from .style import COMPONENT_COLOURS, COMPONENT_LABELS, figure_and_axes, hours_text, styled

LABEL_MIN_SHARE = 0.06  # segments narrower than this share of the longest bar are not labelled
TINY_H = 1e-9           # a component no drawn scenario spent time in is left out, legend too
CI_OFFSET = 0.38        # the lead-time CI is drawn just above its bar (bars are 0.6 high)


def drawn_components(summaries: dict) -> list[str]:
    """The components some drawn scenario spent time in: a category at zero everywhere (no ferry on
    the route, no permits) would only lengthen the legend."""
    return [c for c in COMPONENTS if any(abs(s["components_h"][c]) > TINY_H for s in summaries.values())]


@styled
def time_components(result: RunResult, ax: Axes | Figure | None = None, flow: str | None = None) -> Figure:
    """Stacked horizontal bars of the mean component times (h per truck), scenarios top to bottom."""
    names = [n for n in result.scenarios if group_summary(result.summary_dict, n, flow)]
    require(bool(names), f"no summary for {flow_label(flow)}: nothing to plot")
    fig, ax = figure_and_axes(ax, 8.0, 1.6 + 0.55 * len(names))
    summaries = {n: group_summary(result.summary_dict, n, flow) for n in names}
    rows = list(range(len(names)))[::-1]  # first scenario on top
    longest = max(sum(s["components_h"][c] for c in COMPONENTS) for s in summaries.values())  # type: ignore[index]
    left = [0.0] * len(names)
    for c in drawn_components(summaries):
        widths = [summaries[n]["components_h"][c] for n in names]  # type: ignore[index]
        bars = ax.barh(rows, widths, left=left, height=0.6, color=COMPONENT_COLOURS[c],
                       label=COMPONENT_LABELS[c], gid=f"component:{c}", edgecolor="white", linewidth=0.5)
        for bar, width, name in zip(bars, widths, names):
            if longest > 0 and width / longest >= LABEL_MIN_SHARE:
                dark = c in ("drive", "queue", "inspection", "closed")
                ax.text(bar.get_x() + width / 2, bar.get_y() + bar.get_height() / 2, hours_text(width),
                        ha="center", va="center", fontsize=8, color="white" if dark else "black",
                        gid=f"hours:{c}:{name}")
        left = [a + b for a, b in zip(left, widths)]
    right: float = longest
    for row, name, total in zip(rows, names, left):
        lead = summaries[name]["lead_time_h"]  # type: ignore[index]
        end = total
        if finite(lead.get("ci_low"), lead.get("ci_high")):
            ax.errorbar([lead["mean"]], [row + CI_OFFSET], xerr=[[lead["mean"] - lead["ci_low"]],
                                                                  [lead["ci_high"] - lead["mean"]]],
                        fmt="none", ecolor="black", elinewidth=1.2, capsize=3, label=f"_lead_ci:{name}")
            end = max(end, lead["ci_high"])
        ax.text(end + longest * 0.015, row + CI_OFFSET, f"{lead['mean']:.1f} h", va="center", fontsize=9)
        right = max(right, end)
    ax.set_yticks(rows, [scenario_label(result, n) for n in names])
    ax.set_ylim(-0.5, len(names) - 0.3)
    ax.set_xlim(0, right * 1.12 if right > 0 else 1)
    ax.set_xlabel("mean time per truck (h); black bar above: 95% CI of the mean lead time")
    ax.grid(axis="y", visible=False)
    ax.set_title(f"Where the time goes, {flow_label(flow)}")
    handles, labels = ax.get_legend_handles_labels()
    if ax is fig.axes[0] and len(fig.axes) == 1:
        fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=8)
    else:
        ax.legend(handles, labels, loc="lower right", ncol=2, fontsize=7)
    return fig
