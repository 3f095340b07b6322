"""Queue length over time at the busiest controls, one panel per control, one line per scenario.

From the `queues` table (replication 0, trucks waiting for a lane or an inspection bay, sampled
on a regular grid). The busiest controls are those with the longest time-average queue in any
scenario; the warm-up, whose trucks are not counted, is shaded, and a dashed line marks the horizon,
the end of the counted window, so the drain after it is not read as the queue falling.
"""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..results.run_result import RunResult
from .data import control_label, require, scenario_label
from .style import new_figure, scenario_colours, styled

TOP_CONTROLS = 4


def busiest_controls(queues: pd.DataFrame, top: int = TOP_CONTROLS) -> list[str]:
    """Controls by their largest time-average queue over scenarios, longest first (ties by name)."""
    if queues.empty:
        return []
    means = queues.groupby(["control", "scenario"])["queue_length"].mean().groupby(level="control").max()
    ranked = sorted(means.items(), key=lambda kv: (-kv[1], kv[0]))
    chosen = [control for control, mean in ranked[:top] if mean > 0] or [ranked[0][0]]
    # a joint control replaces its node's two sides in some scenarios: its own queue is shown beside theirs
    nodes = {c.split(" ", 1)[0] for c in chosen}
    joint = sorted(c for c in means.index if c.endswith(" joint") and c.split(" ", 1)[0] in nodes and c not in chosen)
    return chosen + joint


@styled
def queue_lengths(result: RunResult, fig: Figure | None = None, top: int = TOP_CONTROLS,
                  replication: int | None = None) -> Figure:
    """Trucks queueing at the `top` busiest controls against simulated days (replication 0 by default)."""
    queues = result.queues
    require(not queues.empty, "no queue-length series in this result (they are recorded in replication 0)")
    replication = int(queues["replication"].min()) if replication is None else replication
    queues = queues[queues["replication"] == replication]
    controls = busiest_controls(queues, top)
    fig = fig or new_figure(8.0, 1.2 + 1.45 * len(controls))
    axes = fig.subplots(len(controls), 1, sharex=True, squeeze=False)[:, 0]
    colours = scenario_colours(list(result.scenarios))
    first = next(iter(result.scenarios.values()))
    warmup_days = first.clock.warmup / 24.0
    # the end of the counted window: trucks depart until the horizon, then the queues drain
    horizons = sorted({s.clock.horizon / 24.0 for s in result.scenarios.values()})
    baseline = result.baseline or next(iter(result.scenarios))
    handles: dict[str, Line2D] = {}
    for ax, control in zip(axes, controls):
        for name in result.scenarios:
            series = queues[(queues["scenario"] == name) & (queues["control"] == control)]
            if series.empty:
                continue
            # the baseline on top, the others a little lighter: no scenario hides it
            (line,) = ax.step(series["time_h"].to_numpy() / 24.0, series["queue_length"].to_numpy(), where="post",
                              color=colours[name], label=scenario_label(result, name),
                              linewidth=1.6 if name == baseline else 1.1, alpha=1.0 if name == baseline else 0.8,
                              zorder=3 if name == baseline else 2, gid=f"queue:{name}:{control}")
            handles.setdefault(name, line)
        if warmup_days > 0:
            ax.axvspan(0, warmup_days, color="#eeeeee", zorder=0, linewidth=0)
        for i, day in enumerate(horizons):
            ax.axvline(day, color="#555555", linestyle="--", linewidth=0.9, zorder=3, gid=f"horizon:{i}")
            if ax is axes[0]:
                ax.annotate("horizon: counted departures end", (day, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -2),
                            textcoords="offset points", ha="left", va="top", fontsize=7.5, color="#555555",
                            gid=f"horizon_label:{i}")
        ax.set_title(control_label(result, control), fontsize=9, fontweight="normal")
        ax.set_gid(f"control:{control}")
        ax.set_ylabel("trucks")
        ax.set_ylim(bottom=0)
    axes[-1].set_xlabel("simulated time (days); grey: warm-up, not counted; dashed: horizon (then the drain)")
    axes[0].set_xlim(left=0)
    fig.suptitle(f"Queue length at the busiest controls, replication {replication}", x=0.02, ha="left",
                 fontsize=11, fontweight="bold")
    if len(result.scenarios) > 1:  # every scenario drawn in any panel, in the result's order
        drawn = [n for n in result.scenarios if n in handles]
        fig.legend([handles[n] for n in drawn], [scenario_label(result, n) for n in drawn], loc="outside lower center",
                   ncol=min(4, len(drawn)))
    return fig
