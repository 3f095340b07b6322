"""The saving card's plots: the tornado (what drives the saving) and the range over the assumptions.

The range plot keeps the two kinds of uncertainty apart: the paired CI at the central values
(simulation noise) is a bar of its own, above the spread of the expected saving over the
sampled assumptions, so the one is never read as the other.
"""
from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from .style import new_figure, styled


@styled
def tornado_figure(card: dict[str, Any]) -> Figure | None:
    """The emulator's saving with each group at its 5% and 95% quantile, the others central."""
    rows = card.get("tornado")
    if not rows:
        return None
    fig = new_figure(8.0, 1.2 + 0.45 * len(rows))
    ax = fig.add_subplot()
    centre = card["emulator"]["at_central"]  # the bars' common end: the emulator at the central values
    for i, row in enumerate(reversed(rows)):
        low, high = row["at_p05"], row["at_p95"]
        ax.barh(i, low - centre, left=centre, color="#4c72b0", height=0.6)
        ax.barh(i, high - centre, left=centre, color="#dd8452", height=0.6)
    ax.set_yticks(range(len(rows)), [r["group"] for r in reversed(rows)])
    ax.axvline(centre, color="black", linewidth=0.8)
    ax.axvline(card["threshold_h"], color="grey", linestyle="--", linewidth=0.8)
    ax.set_xlabel("saving, hours per truck (blue: group at its 5% quantile, orange: at its 95%)")
    ax.set_title(f"{card['measure']}: what drives the saving")
    return fig


@styled
def range_figure(card: dict[str, Any], savings: list[float]) -> Figure:
    """The sampled expected savings (a strip with the 5-95% band) and the central paired CI."""
    fig = new_figure(8.0, 3.0)
    ax = fig.add_subplot()
    central = card["central"]
    if central["mean"] is not None:
        low = central["ci_low"] if central["ci_low"] is not None else central["mean"]
        high = central["ci_high"] if central["ci_high"] is not None else central["mean"]
        ax.errorbar([central["mean"]], [1], xerr=[[central["mean"] - low], [high - central["mean"]]], fmt="o",
                    color="black", capsize=4)
    rng = card["range"]
    if rng["n"]:
        ax.plot(savings, [0] * len(savings), "|", color="#4c72b0", markersize=14)
        ax.plot([rng["p05"], rng["p95"]], [0, 0], color="#4c72b0", linewidth=4, alpha=0.5)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.axvline(card["threshold_h"], color="grey", linestyle="--", linewidth=0.8)
    ax.set_yticks([0, 1], ["over the assumptions\n(5-95%, each point)", "at the central values\n(paired 95% CI)"])
    ax.set_ylim(-0.6, 1.6)
    ax.set_xlabel("saving, hours per truck")
    ax.set_title(f"{card['measure']}: saving and its range over the assumptions")
    return fig
