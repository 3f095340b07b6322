"""The result of `run`, `compare` or `sweep`: tables, statistics, summary, and saving."""
from __future__ import annotations

from functools import cached_property
from typing import Any

import pandas as pd

from ..scenario.schema import Scenario
from .summary import scenario_summary, summary_rows
from .tables import TABLES


class RunResult:
    """Tables (pandas DataFrames) and the summary of one or more scenarios' replications.

    `stats[name]` holds each replication's small statistics (what the summary is built from);
    `frames[table]` the per-replication table pieces, concatenated on first use.
    """

    def __init__(self, scenarios: list[Scenario], stats: dict[str, list[dict[str, Any]]],
                 frames: dict[str, list[pd.DataFrame]] | None = None, meta: dict[str, Any] | None = None,
                 summary: dict[str, Any] | None = None, tables: dict[str, pd.DataFrame] | None = None):
        self.scenarios = {s.name: s for s in scenarios}
        self.stats = stats
        self._frames = frames or {}
        self._tables = dict(tables or {})
        self.meta = meta or {}
        self._summary = summary

    # --- tables ---------------------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(f"no table {name!r}; tables: {', '.join(TABLES)}")
        if name not in self._tables:
            pieces = [f for f in self._frames.get(name, []) if len(f)]
            self._tables[name] = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()
        return self._tables[name]

    @property
    def trucks(self) -> pd.DataFrame:
        return self.table("trucks")

    @property
    def controls(self) -> pd.DataFrame:
        return self.table("controls")

    @property
    def control_flows(self) -> pd.DataFrame:
        return self.table("control_flows")

    @property
    def ferries(self) -> pd.DataFrame:
        return self.table("ferries")

    @property
    def trace(self) -> pd.DataFrame:
        return self.table("trace")

    @property
    def queues(self) -> pd.DataFrame:
        return self.table("queues")

    # --- summary --------------------------------------------------------------------------
    @property
    def summary_dict(self) -> dict[str, Any]:
        """The content of summary.json: `scenarios.<name>.lead_time_h`, `components_h`, ..."""
        if self._summary is None:
            self._summary = {
                "replications": self.meta.get("replications"),
                "seed": self.meta.get("seed"),
                "scenarios": {name: scenario_summary(name, s.description, self.stats[name])
                              for name, s in self.scenarios.items()},
            }
        return self._summary

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per scenario and flow (flow `*`: every counted truck)."""
        return pd.DataFrame(summary_rows(self.summary_dict))

    def scenario(self, name: str | None = None) -> dict[str, Any]:
        """The summary of one scenario (the only one when `name` is None)."""
        scenarios = self.summary_dict["scenarios"]
        if name is None:
            name = next(iter(scenarios))
        return scenarios[name]

    def to_dir(self, path, force: bool = False, fmt: str = "csv") -> "Path":  # noqa: F821
        """Write the run directory (tables, summary.json, scenarios, manifest) atomically."""
        from .io import write_run_dir

        return write_run_dir(self, path, force=force, fmt=fmt)

    def __repr__(self) -> str:
        names = ", ".join(self.scenarios)
        return f"RunResult({names}; {self.meta.get('replications')} replications)"
