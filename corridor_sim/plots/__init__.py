"""Plots of a result (matplotlib object API on Agg, the packaged style, colour-blind-safe colours).

Each plot is a function `(result, ax or fig) -> Figure`; `write_plots` draws every plot a result
supports into a directory, and `supported_plots` says which those are.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import pandas as pd
from matplotlib.figure import Figure

from ..results.run_result import RunResult, TableSource
from .components import time_components
from .cost_distance import cost_distance
from .crossings import crossing_table, crossing_times
from .lead_time import lead_time_ecdf
from .network_map import compared_pair, difference_map, located, network_map
from .paired import has_paired, paired_differences
from .queues import queue_lengths
from .style import FORMATS, check_formats, figure_bytes, save_figure
from .sweep import sweep_curve
from .time_distance import time_distance, traced_groups
from .tradeoff import has_tradeoff, tradeoff


@dataclass(frozen=True)
class Plot:
    """One plot family: its file name, what it shows, its drawing function and when it applies."""

    name: str
    title: str
    draw: Callable[..., Figure]
    applies: Callable[[RunResult], bool]
    per_flow: bool = False  # draws one flow's (or caravan's) trucks when given `flow=`
    # with a flow: whether the result has that flow's data (else the plot is left out: drawing
    # every truck beside a takeaway about some of them would show something else)
    applies_to: Callable[[RunResult, str], bool] | None = None


def _has_trucks(result: RunResult) -> bool:
    return any("lead_time_h" in s for s in result.summary_dict["scenarios"].values()) and not result.trucks.empty


PLOTS: tuple[Plot, ...] = (
    Plot("lead_time", "Lead-time distribution per scenario (ECDF), mean and 95% CI", lead_time_ecdf, _has_trucks, True),
    Plot("paired_differences", "Paired differences with the baseline per measure and flow, with their 95% CIs",
         paired_differences, has_paired, True),
    Plot("time_components", "Where the time goes: mean hours per truck in each component", time_components,
         lambda r: any("components_h" in s for s in r.summary_dict["scenarios"].values()), True),
    Plot("crossings", "Time to clear each border crossing and port, with 95% CIs, in route order", crossing_times,
         lambda r: bool(crossing_table(r)[0]), True),
    Plot("time_distance", "Time–distance chart of a caravan's (or traced flow's) median truck, median over "
         "replications with their range", time_distance, lambda r: bool(traced_groups(r)), True,
         lambda r, flow: flow in traced_groups(r)),
    Plot("cost_distance", "Cost–distance chart of the same truck: US$ spent against km travelled, median over "
         "replications with their range", cost_distance, lambda r: bool(traced_groups(r)), True,
         lambda r, flow: flow in traced_groups(r)),
    Plot("queues", "Queue length over time at the busiest controls (replication 0)", queue_lengths,
         lambda r: not r.queues.empty),
    Plot("sweep", "Sweep: mean lead time against the varied value, with its 95% CI", sweep_curve,
         lambda r: not r.sweep.empty and "lead_time_mean_h" in r.sweep),
    Plot("network_map", "The corridor on a map, links coloured by mean delay", network_map,
         lambda r: any(located(s) for s in r.scenarios.values())),
    Plot("difference_map", "The paired change at each crossing on the map, the measure against the baseline",
         difference_map, lambda r: compared_pair(r) is not None),
    Plot("tradeoff", "Time saved against violations let through, per compared scenario, with 95% CIs", tradeoff,
         has_tradeoff, True, has_tradeoff),
)


class _CachedTables:
    """A result's table source that reads each table once (plots look at the same tables many times)."""

    def __init__(self, source: TableSource) -> None:
        self.source = source
        self.frames: dict[str, pd.DataFrame] = {}

    def frame(self, name: str) -> pd.DataFrame:
        if name not in self.frames:
            self.frames[name] = self.source.frame(name)
        return self.frames[name]

    def write(self, name: str, dest: Path, fmt: str) -> Path | None:
        return self.source.write(name, dest, fmt)


def with_cached_tables(result: RunResult) -> RunResult:
    """The same result, its tables read at most once while plotting (the original is left as it was)."""
    if isinstance(result.source, _CachedTables):
        return result
    return RunResult(list(result.scenarios.values()), result.stats, meta=result.meta, summary=result.summary_dict,
                     source=_CachedTables(result.source))


def supported_plots(result: RunResult, flow: str | None = None) -> list[Plot]:
    """The plots this result has the data for (e.g. `sweep` only for a sweep, `time_distance` with a
    trace); with `flow`, a plot that shows one flow's trucks only where it has that flow's."""
    return [p for p in PLOTS if p.applies(result)
            and not (flow and p.per_flow and p.applies_to is not None and not p.applies_to(result, flow))]


def render_plots(result: RunResult, flow: str | None = None) -> list[tuple[Plot, Figure]]:
    """Every plot the result supports, drawn once (to be saved, embedded in a report, or both);
    with `flow`, the plots that can show one flow's (or caravan's) trucks show those."""
    result = with_cached_tables(result)
    return [(plot, plot.draw(result, flow=flow) if flow and plot.per_flow else plot.draw(result))
            for plot in supported_plots(result, flow)]


def write_plots(result: RunResult, directory: str | Path, formats: Sequence[str] = ("png",),
                figures: list[tuple[Plot, Figure]] | None = None, dpi: int | None = None) -> list[Path]:
    """Draw every plot the result supports into `directory` (created if needed), once per format,
    at `dpi` (None: the style's).

    `figures` (from `render_plots`) saves already drawn figures. The same result always gives
    byte-identical files (no dates in the metadata, fixed SVG ids).
    """
    formats = check_formats(formats)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for plot, fig in figures if figures is not None else render_plots(result):
        for fmt in formats:
            written.append(save_figure(fig, directory / plot.name, fmt, dpi))
    return written


__all__ = [
    "PLOTS", "Plot", "FORMATS", "supported_plots", "render_plots", "write_plots", "with_cached_tables", "figure_bytes", "save_figure",
    "lead_time_ecdf", "time_components", "crossing_times", "time_distance", "cost_distance", "queue_lengths", "sweep_curve",
    "network_map", "difference_map", "paired_differences",
]
