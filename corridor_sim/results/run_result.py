"""The result of `run`, `compare` or `sweep`: tables, statistics, summary, and saving."""
from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from ..errors import OutputError
from ..scenario.schema import Scenario
from ..scenario.warning_codes import unacknowledged
from .comparison import comparison_rows, comparison_section
from .io import DirTables, MemoryTables, read_jsonl, read_scenarios, write_run_dir
from .replication import replication_rows
from .summary import scenario_summary, summary_rows
from .sweep import sweep_rows
from .tables import TABLES


class TableSource(Protocol):
    """Where a result's tables live: in memory, in an in-progress store, or in a run directory."""

    def frame(self, name: str) -> pd.DataFrame: ...

    def write(self, name: str, dest: Path, fmt: str) -> Path | None: ...


def build_summary(scenarios: dict[str, Scenario], stats: dict[str, list[dict[str, Any]]],
                  meta: dict[str, Any]) -> dict[str, Any]:
    """summary.json: `scenarios.<name>` (contract keys), and for compare/sweep `comparison`, `sweep`."""
    summary: dict[str, Any] = {
        "kind": meta.get("kind", "run"),
        "replications": meta.get("replications"),
        "seed": meta.get("seed"),
        "scenarios": {name: scenario_summary(name, s.description, stats[name]) for name, s in scenarios.items()},
    }
    for name, s in scenarios.items():  # what the run found, less what the scenario acknowledges
        entry = summary["scenarios"][name]
        entry["warnings"] = unacknowledged(entry["warnings"], s.acknowledge)
    for name, lines in (meta.get("scenario_warnings") or {}).items():  # what the settings said before the run
        if name in summary["scenarios"]:
            summary["scenarios"][name]["warnings"][:0] = lines
    baseline = meta.get("baseline")
    if baseline and len(scenarios) > 1:
        summary["baseline"] = baseline
        summary["comparison"] = comparison_section(stats, baseline)
        if summary["kind"] == "compare" and baseline in scenarios:
            from ..scenario.lint import comparison_warnings

            base = scenarios[baseline]
            summary["warnings"] = comparison_warnings(base, [s for s in scenarios.values() if s is not base])
    if meta.get("sweep"):
        summary["sweep"] = meta["sweep"]
    return summary


class RunResult:
    """Tables (pandas DataFrames) and the summary of one or more scenarios' replications.

    `stats[name]` holds each replication's small statistics (what the summary is built from),
    in replication order. Tables come from a source: in memory for a run without an output
    directory, else read from disk when first used, so a large run never holds them all.
    """

    def __init__(self, scenarios: list[Scenario], stats: dict[str, list[dict[str, Any]]],
                 frames: dict[str, list[pd.DataFrame]] | None = None, meta: dict[str, Any] | None = None,
                 summary: dict[str, Any] | None = None, tables: dict[str, pd.DataFrame] | None = None,
                 source: TableSource | None = None):
        self.scenarios = {s.name: s for s in scenarios}
        self.stats = stats
        self.source: TableSource = source or MemoryTables(frames, tables)
        self.meta = meta or {}
        self._summary = summary

    # --- tables ---------------------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(f"no table {name!r}; tables: {', '.join(TABLES)}")
        return self.source.frame(name)

    def write_table(self, name: str, dest: Path, fmt: str) -> Path | None:
        """Write one table to `dest` (suffix added by format) without loading it all if avoidable."""
        return self.source.write(name, dest, fmt)

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

    # --- experiment -----------------------------------------------------------------------
    @property
    def kind(self) -> str:
        """`run`, `compare` or `sweep`."""
        return self.summary_dict.get("kind", "run")

    @property
    def baseline(self) -> str | None:
        return self.summary_dict.get("baseline")

    def replication_stats(self) -> list[dict[str, Any]]:
        """Every replication's statistics with its scenario (the lines of replications.jsonl)."""
        return [{"scenario": name, **rep} for name in self.scenarios for rep in self.stats.get(name, [])]

    @cached_property
    def replications(self) -> pd.DataFrame:
        """Per scenario, replication and flow: the replication means the CIs are computed from."""
        return pd.DataFrame(replication_rows(self.stats))

    @cached_property
    def comparison(self) -> pd.DataFrame:
        """Paired differences to the baseline, one row per scenario, flow and measure (empty for `run`)."""
        return pd.DataFrame(comparison_rows(self.summary_dict))

    @cached_property
    def sweep(self) -> pd.DataFrame:
        """One row per sweep point: the varied values and lead-time figures (empty unless a sweep)."""
        return pd.DataFrame(sweep_rows(self.summary_dict))

    # --- summary --------------------------------------------------------------------------
    @property
    def summary_dict(self) -> dict[str, Any]:
        """The content of summary.json: `scenarios.<name>.lead_time_h`, `components_h`, ..."""
        if self._summary is None:
            self._summary = build_summary(self.scenarios, self.stats, self.meta)
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

    def to_dir(self, path, force: bool = False, fmt: str = "csv", extra_files=None) -> Path:
        """Write the run directory (tables, summary, scenarios, manifest) atomically.

        `extra_files(result, directory)` may add files (e.g. plots) before the directory is renamed into place.
        """
        return write_run_dir(self, path, force=force, fmt=fmt, extra_files=extra_files)

    def __repr__(self) -> str:
        names = ", ".join(self.scenarios)
        return f"RunResult({self.kind}: {names}; {self.meta.get('replications')} replications)"


def load_results(path: str | Path) -> RunResult:
    """A saved run, compare or sweep directory back as the RunResult the run returned.

    The summary is recomputed from `replications.jsonl` (the exact per-replication statistics),
    so it equals the in-memory one; tables are read when first used.
    """
    directory = Path(path)
    summary_file = directory / "summary.json"
    if not summary_file.is_file():
        raise OutputError(f"{directory} is not a corridor-sim results directory (no summary.json)")
    summary = _json_object(summary_file)
    meta = _json_object(directory / "manifest.json") if (directory / "manifest.json").exists() else {}
    _check_fields(directory, summary, meta)
    order = list(meta.get("scenarios") or summary.get("scenarios", {}))
    scenarios = read_scenarios(directory, order)
    stats: dict[str, list] = {}
    lines = directory / "replications.jsonl"
    if lines.exists():
        for line in read_jsonl(lines):
            stats.setdefault(line.pop("scenario"), []).append(line)
    if set(stats) != {s.name for s in scenarios}:
        stats = {}
    else:
        meta.setdefault("kind", summary.get("kind", "run"))
    return RunResult(scenarios, stats=stats, meta=meta, summary=None if stats else summary,
                     source=DirTables(directory))


def _json_object(file: Path) -> dict[str, Any]:
    """A JSON file of a run directory that must hold an object."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise OutputError(f"{file.parent}: cannot read its JSON files ({file.name}: {exc})") from None
    if not isinstance(data, dict):
        raise OutputError(f"{file} is damaged: it holds a JSON {type(data).__name__}, not the object a run writes; rerun it")
    return data


def _is_names(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _check_fields(directory: Path, summary: dict[str, Any], meta: dict[str, Any]) -> None:
    """The fields of summary.json and manifest.json the results are rebuilt from, of the types a
    run writes them: another tool's files, or hand-edited ones, are one line rather than a
    traceback in whatever reads them first."""
    wrong = []
    scenarios = summary.get("scenarios", {})
    if not (isinstance(scenarios, dict) and all(isinstance(v, dict) for v in scenarios.values())):
        wrong.append("summary.json: scenarios")
    for where, data in (("summary.json", summary), ("manifest.json", meta)):
        if data.get("kind", "run") not in ("run", "compare", "sweep"):
            wrong.append(f"{where}: kind")
        if not isinstance(data.get("baseline"), (str, type(None))):
            wrong.append(f"{where}: baseline")
        if not isinstance(data.get("sweep"), (dict, type(None))):
            wrong.append(f"{where}: sweep")
        for key in ("replications", "seed"):
            if not (data.get(key) is None or isinstance(data[key], int) and not isinstance(data[key], bool)):
                wrong.append(f"{where}: {key}")
    if not (meta.get("scenarios") is None or _is_names(meta["scenarios"])):
        wrong.append("manifest.json: scenarios")
    warnings = meta.get("scenario_warnings")
    if not (warnings is None or isinstance(warnings, dict) and all(_is_names(v) for v in warnings.values())):
        wrong.append("manifest.json: scenario_warnings")
    if wrong:
        raise OutputError(f"{directory} is damaged: {', '.join(wrong)} not of the type a run writes; rerun it")
