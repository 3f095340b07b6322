"""Sweep results: the varied value against mean lead time, and the paired difference to the
first point with its 95% CI as a band.

Input: a sweep's RunResult (its `sweep` table, as in `sweep.csv`), or any DataFrame with
columns `value, mean, ci_low, ci_high` (and optionally `series`: one line per series value;
`difference, difference_ci_low, difference_ci_high`: the paired difference to the first point).
With two varied paths, the first is on x and each value of the second is a line. The points
share their replications' seeds, so what tells them apart is the paired difference: with it, the
points' own (unpaired) bands, which overlap where the difference is clear, are not drawn.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..experiment import short_keys
from ..results.run_result import RunResult
from .data import require
from .style import SCENARIO_COLOURS, figure_and_axes, new_figure, styled

COLUMNS = ("value", "mean", "ci_low", "ci_high")
DIFFERENCE = ("difference", "difference_ci_low", "difference_ci_high")


def sweep_frame(result: RunResult) -> tuple[pd.DataFrame, str]:
    """A sweep result as (value, mean, ci_low, ci_high[, series]) rows, and the x label."""
    table = result.sweep
    spec = result.summary_dict.get("sweep") or {}
    paths = list(spec.get("vary") or [])
    require(not table.empty and bool(paths), "not a sweep result: no sweep table")
    require("lead_time_mean_h" in table, "the sweep has no counted trucks: nothing to plot")
    frame = pd.DataFrame({
        "value": table[paths[0]].to_list(),
        "mean": table["lead_time_mean_h"].to_numpy(dtype=float),
        "ci_low": table["lead_time_ci_low_h"].to_numpy(dtype=float),
        "ci_high": table["lead_time_ci_high_h"].to_numpy(dtype=float),
    })
    if all(c in table for c in ("difference_h", "difference_ci_low_h", "difference_ci_high_h")):
        frame["difference"] = table["difference_h"].to_numpy(dtype=float)
        frame["difference_ci_low"] = table["difference_ci_low_h"].to_numpy(dtype=float)
        frame["difference_ci_high"] = table["difference_ci_high_h"].to_numpy(dtype=float)
    keys = short_keys(paths)
    if len(paths) > 1:
        frame["series"] = [", ".join(f"{keys[p]}={row[p]}" for p in paths[1:]) for _, row in table.iterrows()]
    return frame, paths[0]


def integral(values: list) -> bool:
    """Every value a whole number (lanes, bays, vessels): the axis gets no ticks between them."""
    return all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
               and float(v).is_integer() for v in values)


def _positions(values: list) -> tuple[np.ndarray, list[str] | None]:
    """Numeric values stay on a numeric axis; anything else gets evenly spaced, labelled positions."""
    if all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=float), None
    labels = list(dict.fromkeys(str(v) for v in values))
    return np.asarray([labels.index(str(v)) for v in values], dtype=float), labels


@styled
def sweep_curve(data: RunResult | pd.DataFrame, ax: Axes | Figure | None = None, xlabel: str | None = None) -> Figure:
    """Mean lead time (h) against the varied value; below it, the paired difference to the first
    point with its 95% CI band (given an Axes, or a table without differences: the mean with its
    own CI band, as before)."""
    if isinstance(data, RunResult):
        frame, path = sweep_frame(data)
        xlabel = xlabel or path
    else:
        frame = data
        missing = [c for c in COLUMNS if c not in frame]
        require(not missing, f"a sweep table needs the columns {', '.join(COLUMNS)}; missing {', '.join(missing)}")
    require(not frame.empty, "the sweep table is empty: nothing to plot")
    paired = all(c in frame for c in DIFFERENCE) and not isinstance(ax, Axes)
    bottom: Axes | None = None
    if paired:
        fig = ax if isinstance(ax, Figure) else new_figure(8.0, 6.5)
        top, bottom = fig.subplots(2, 1, sharex=True)
    else:
        fig, top = figure_and_axes(ax)
    x_all, labels = _positions(frame["value"].to_list())
    frame = frame.assign(_x=x_all)
    series = list(dict.fromkeys(frame["series"])) if "series" in frame else [None]
    for i, label in enumerate(series):
        part = frame if label is None else frame[frame["series"] == label]
        part = part.sort_values("_x", kind="stable")
        colour = SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)]
        x = part["_x"].to_numpy()
        if not paired:
            top.fill_between(x, part["ci_low"].to_numpy(dtype=float), part["ci_high"].to_numpy(dtype=float),
                             color=colour, alpha=0.2, linewidth=0, gid=f"ci:{label or 'sweep'}")
        top.plot(x, part["mean"].to_numpy(dtype=float), marker="o", color=colour, gid=f"mean:{label or 'sweep'}",
                 label=label or "mean lead time")
        if bottom is not None:
            bottom.fill_between(x, part["difference_ci_low"].to_numpy(dtype=float),
                                part["difference_ci_high"].to_numpy(dtype=float), color=colour, alpha=0.2,
                                linewidth=0, gid=f"difference_ci:{label or 'sweep'}")
            bottom.plot(x, part["difference"].to_numpy(dtype=float), marker="o", color=colour,
                        gid=f"difference:{label or 'sweep'}", label=label or "paired difference")
    whole = labels is None and integral(frame["value"].to_list())
    for axes in (top, bottom):
        if axes is not None and labels is not None:
            axes.set_xticks(range(len(labels)), labels)
        elif axes is not None and whole:  # 2.5 lanes is not a point of the sweep
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    top.set_ylabel("mean lead time (h)")
    top.legend(loc="best")
    if bottom is None:
        top.set_xlabel(xlabel or "varied value")
        top.set_title("Sweep: mean lead time with its 95% CI")
        return fig
    top.set_title("Sweep: mean lead time, and the paired difference to the first point")
    bottom.axhline(0, color="#777777", linewidth=0.8)
    bottom.set_xlabel(xlabel or "varied value")
    bottom.set_ylabel("difference to the first\npoint (h), paired 95% CI")
    return fig
