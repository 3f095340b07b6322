"""Calibration targets: observed figures beside what a scenario simulates, with CIs.

A targets file lists published figures (metric, where, value, tolerance, source). `evaluate`
computes each metric per replication from a run's tables, then its mean and t confidence
interval, the relative error and whether the mean lies within the tolerance.
"""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Optional

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import Problem, ScenarioError
from .results.stats import mean_ci
from .scenario.dists import did_you_mean
from .scenario.loader import format_path, read_yaml
from .scenario.yamlfile import YamlDocument
from .scenario.schema import Hours

if TYPE_CHECKING:
    import pandas as pd

Metric = Literal["control_time", "queue_wait", "crossing_time", "lead_time", "swd", "swod",
                 "ferry_wait", "red_share", "yellow_share", "bcp_cost", "section_cost"]

METRIC_HELP = {
    "control_time": "mean hours at one control (closed + queue + document + inspection): node, country?, direction?",
    "queue_wait": "mean hours queueing at a control: node, country?, direction?",
    "crossing_time": "CPMM time to clear a crossing, both controls (port outbound adds the ferry wait): node, crossing, flow?",
    "lead_time": "lead time of a flow (or every counted truck), or between two of its nodes: flow?, from?, to?, stat?",
    "swd": "speed with delays, km / lead time (km/h): flow?",
    "swod": "speed without delays, km / driving time (km/h): flow?",
    "ferry_wait": "mean hours waiting for a ferry at a port: node, to?",
    "red_share": "share of trucks sent to the red channel at matching controls: node?, country?, direction?",
    "yellow_share": "share of trucks sent to the yellow channel: node?, country?, direction?",
    "bcp_cost": "CPMM TFI2, US$ a truck pays to clear controls (fees and informal payments): a crossing's both "
                "controls (node, crossing, flow?), or the truck-weighted mean of matching controls (node?, country?, direction?)",
    "section_cost": "CPMM TFI3, US$ per 500 km per 20 t of a flow's road section in a country (all its road route "
                    "without country): flow, country?",
}


class Target(BaseModel):
    # an infinite or NaN observed figure would be "within tolerance" of anything
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    metric: Metric
    value: float = Field(description="the observed figure (hours, km/h, a share, or US$)")
    tolerance: float = Field(0.25, ge=0, description="accepted relative error of the simulated mean")
    abs_tolerance: Optional[Hours] = Field(None, description="accepted absolute error (used if larger)")
    source: Optional[str] = Field(None, description="a key of `sources`")
    note: str = ""
    node: Optional[str] = None
    country: Optional[str] = None
    direction: Optional[Literal["exit", "entry", "joint"]] = None
    crossing: Optional[str] = None
    flow: Optional[str] = None
    from_: Optional[str] = Field(None, alias="from")
    to: Optional[str] = None
    stat: Literal["mean", "median", "p90", "p95"] = "mean"
    year: Optional[int] = Field(None, description="the year the figure describes, a key of `scenarios` "
                                                  "(default: the scenario calibrate is given)")

    @model_validator(mode="after")
    def _needs(self) -> "Target":
        needs = {"control_time": ["node"], "queue_wait": ["node"], "crossing_time": ["node", "crossing"],
                 "ferry_wait": ["node"], "section_cost": ["flow"]}.get(self.metric, [])
        if self.metric == "bcp_cost" and self.crossing is not None and self.node is None:
            raise ValueError(f"bcp_cost with a crossing needs node ({METRIC_HELP['bcp_cost']})")
        missing = [n for n in needs if getattr(self, n) is None]
        if missing:
            raise ValueError(f"{self.metric} needs {', '.join(missing)} ({METRIC_HELP[self.metric]})")
        if (self.from_ is None) != (self.to is None):
            raise ValueError("give both `from` and `to`, or neither")
        return self

    def where(self) -> str:
        parts = [self.node, self.crossing, self.country, self.direction]
        if self.flow:
            parts.append(f"flow {self.flow}")
        if self.from_:
            parts.append(f"{self.from_} → {self.to}")
        if self.metric == "ferry_wait" and self.to:
            parts.append(f"to {self.to}")
        return " ".join(p for p in parts if p)


class FitRange(BaseModel):
    """An uncertain scenario value `calibrate --fit` may search, between bounds."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # a search needs a finite box

    path: str = Field(description="a --set path, e.g. nodes.red_bridge.controls.AZ.exit.lanes")
    min: float
    max: float
    integer: bool = Field(False, description="whole numbers only (lanes, bays)")
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> "FitRange":
        if not self.min < self.max:
            raise ValueError(f"min must be below max, got {self.min:g} and {self.max:g}")
        return self


class Targets(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "targets"
    description: str = ""
    sources: dict[str, str] = Field(default_factory=dict)
    targets: list[Target] = Field(min_length=1)
    fit: list[FitRange] = Field(default_factory=list, description="the parameters `calibrate --fit` searches")
    scenarios: dict[int, str] = Field(default_factory=dict, description="year -> the scenario file of that year, "
                                                                        "relative to the targets file")

    @model_validator(mode="after")
    def _sources_known(self) -> "Targets":
        for i, t in enumerate(self.targets):
            if t.source is not None and self.sources and t.source not in self.sources:
                raise ValueError(f"targets[{i}].source {t.source!r} is not a key of `sources`"
                                 f"{did_you_mean(t.source, list(self.sources))}")
            if t.year is not None and t.year not in self.scenarios:
                known = ", ".join(map(str, self.scenarios)) or "none"
                raise ValueError(f"targets[{i}].year {t.year} is not a year of `scenarios` (years: {known})")
        return self

    @property
    def years(self) -> list[int]:
        """The years the targets name, in the order of `scenarios`."""
        named = {t.year for t in self.targets}
        return [y for y in self.scenarios if y in named]

    @property
    def needs_trace(self) -> bool:
        return any(t.metric == "lead_time" and t.from_ for t in self.targets)


def check_targets(scenario, targets: Targets, file: str | None = None, years: dict[int, Any] | None = None) -> None:
    """Every node, flow and country a target names exists in its scenario (its year's, in `years`,
    or `scenario`, if given): a misspelt name would otherwise match nothing and pass unnoticed."""
    problems = []
    for i, t in enumerate(targets.targets):
        own = (years or {}).get(t.year, scenario) if t.year is not None else scenario
        if own is None:  # no scenario given (`validate`): only the years' targets are checked
            continue
        flows = list(own.traffic) + list(own.caravans)
        for key, value, known in (("node", t.node, list(own.nodes)), ("from", t.from_, list(own.nodes)),
                                  ("to", t.to, list(own.nodes)), ("flow", t.flow, flows),
                                  ("country", t.country, list(own.countries))):
            if value is not None and value not in known:
                what = {"from": "node", "to": "node"}.get(key, key)
                problems.append(Problem(f"targets[{i}].{key}", f"scenario {own.name!r} has no {what} {value!r}"
                                                                f"{did_you_mean(value, known)}", file=file))
        if t.node is None or t.node not in own.nodes:
            continue
        crossings = _crossings(own)
        here = sorted(crossings.get(t.node, ()))
        if t.crossing is not None and t.crossing not in here:
            problems.append(Problem(f"targets[{i}].crossing", f"scenario {own.name!r} has no crossing {t.crossing!r} "
                                    f"at {t.node}{did_you_mean(t.crossing, here)} (its crossings there: "
                                    f"{', '.join(here) or 'none'})", file=file))
        elif t.metric in ("control_time", "queue_wait", "crossing_time", "bcp_cost", "ferry_wait") and not here:
            problems.append(Problem(f"targets[{i}].node", f"no route of scenario {own.name!r} passes a control at "
                                    f"{t.node}: the target would match no truck", file=file))
    if problems:
        raise ScenarioError(problems)


def _crossings(scenario) -> dict[str, set[str]]:
    """The crossings (`AA->BB`, `KZ outbound`) at each node that some flow's or caravan's route passes."""
    from .scenario.network import build_graph, controls_at, crossing_label, resolve_route

    graph = build_graph(scenario)
    out: dict[str, set[str]] = {}
    for item in [*scenario.traffic.values(), *scenario.caravans.values()]:
        route = resolve_route(graph, item.route, item.from_, item.to)
        for i in range(len(route)):
            for key in controls_at(scenario, graph, route, i):
                out.setdefault(key.node, set()).add(crossing_label(scenario, key))
    return out


def load_year_scenarios(targets: Targets, file: str | Path, overrides: list[str] | None = None) -> dict[int, Any]:
    """The scenario of each year the targets name (`scenarios:`, relative to the targets file),
    with the same `--set` overrides as the scenario calibrate is given."""
    from .scenario import load_scenario

    years = {}
    for year in targets.years:
        path = Path(file).parent / targets.scenarios[year]
        if not path.is_file():
            raise ScenarioError(Problem(f"scenarios.{year}", f"no scenario file {str(path)!r}", file=str(file)))
        years[year] = load_scenario(path, overrides or [])
    return years


def load_targets(path: str | Path, document: YamlDocument | None = None) -> Targets:
    """Read a targets YAML file (or take it `document`, already parsed); errors name the file,
    line and path like scenario errors."""
    doc = document or read_yaml(Path(path))
    if isinstance(doc.data, dict) and "targets" not in doc.data:  # another kind of file: one line, not one per key
        kind = " (it is a scenario file)" if {"nodes", "traffic", "extends"} & set(doc.data) else ""
        raise ScenarioError(Problem("targets", f"not a targets file{kind}: it has no `targets:` list of observed "
                                               "figures", file=str(path)))
    try:
        return Targets.model_validate(doc.data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                fields = list(Target.model_fields) if "targets" in loc else list(Targets.model_fields)
                fields = ["from" if f == "from_" else f for f in fields]
                msg = f"unknown key {loc[-1]!r}{did_you_mean(str(loc[-1]), fields)}"
            elif err["type"] == "literal_error":
                msg = f"expected one of {err['ctx']['expected']}, got {err.get('input')!r}"
            elif err["type"] == "missing":
                msg = "required key is missing"
            elif not loc and (named := re.match(r"targets\[(\d+)\]\.(\w+) (.*)", msg)):
                # a check across keys (`Targets._sources_known`) names the target's key: locate it
                loc = ("targets", int(named.group(1)), named.group(2))
                msg = f"{named.group(2)} {named.group(3)}"
            line = None
            for size in range(len(loc), -1, -1):
                if loc[:size] in doc.positions:
                    line = doc.positions[loc[:size]]
                    break
            problems.append(Problem(format_path(loc), msg, file=str(path), line=line[0] if line else None,
                                    column=line[1] if line else None, loc=loc))
        raise ScenarioError(problems) from None


def _weighted(frame: pd.DataFrame, column: str, weight: str = "trucks") -> pd.Series:
    """Per replication: the truck-weighted mean of `column` over the matching rows."""
    frame = frame[frame[weight] > 0]
    total = frame.groupby("replication")[weight].sum()
    return (frame[column] * frame[weight]).groupby(frame["replication"]).sum() / total


def _match(frame: pd.DataFrame, target: Target, keys: tuple[str, ...]) -> pd.DataFrame:
    for key in keys:
        value = getattr(target, key)
        if value is not None and key in frame:
            frame = frame[frame[key] == value]
    return frame


def per_replication(result, scenario: str, target: Target) -> pd.Series:
    """The target's metric in each replication of `scenario` (indexed by replication)."""
    metric = target.metric
    if metric in ("control_time", "queue_wait", "red_share", "yellow_share"):
        table = result.controls
        rows = _match(table[table["scenario"] == scenario], target, ("node", "country", "direction"))
        if metric == "control_time":
            return _weighted(rows, "mean_time_h")
        if metric == "queue_wait":
            return _weighted(rows, "mean_queue_h")
        column = "red" if metric == "red_share" else "yellow"
        grouped = rows.groupby("replication")[[column, "trucks"]].sum()
        return grouped[column] / grouped["trucks"]
    if metric == "crossing_time":
        from .results.summary import crossing_times

        # the summary's own definition, so calibrate and summary.json always agree
        assert target.node is not None and target.crossing is not None  # Target._needs requires both
        times = {rep["replication"]: crossing_times(rep, target.flow).get((target.node, target.crossing))
                 for rep in result.stats.get(scenario, [])}
        import pandas as pd

        return pd.Series({r: t for r, t in times.items() if t is not None}, dtype=float)
    if metric in ("bcp_cost", "section_cost"):
        return _cost_metric(result.stats.get(scenario, []), target)
    if metric == "ferry_wait":
        ferries = result.ferries
        rows = ferries[(ferries["scenario"] == scenario) & (ferries["from"] == target.node)]
        if target.to:
            rows = rows[rows["to"] == target.to]
        return _weighted(rows, "mean_wait_h")
    trucks = result.trucks
    trucks = trucks[trucks["scenario"] == scenario]
    if target.flow:
        trucks = trucks[(trucks["flow"] == target.flow) | (trucks["caravan"] == target.flow)]
    if metric in ("swd", "swod"):
        grouped = trucks.groupby("replication")[["km", "lead_time_h", "drive_h"]].sum()
        return grouped["km"] / grouped["lead_time_h" if metric == "swd" else "drive_h"]
    if target.from_:
        import pandas as pd

        trace = result.trace
        trace = trace[(trace["scenario"] == scenario) & (trace["event"] == "arrive")]
        # truck numbers restart in each replication: a span belongs to the counted truck of its own
        # replication, never to a warm-up truck that shares its number with one counted elsewhere
        counted = pd.MultiIndex.from_frame(trucks[["replication", "truck"]])
        start = trace[trace["node"] == target.from_].groupby(["replication", "truck"])["time_h"].min()
        end = trace[trace["node"] == target.to].groupby(["replication", "truck"])["time_h"].max()
        spans = (end - start).dropna()
        spans = spans[spans.index.isin(counted)]
        values = spans.groupby(level="replication")
    else:
        values = trucks.groupby("replication")["lead_time_h"]
    if target.stat == "mean":
        return values.mean()
    q = {"median": 0.5, "p90": 0.9, "p95": 0.95}[target.stat]
    return values.quantile(q)


def _cost_metric(reps: list[dict[str, Any]], target: Target) -> pd.Series:
    """CPMM's TFI2 (`bcp_cost`) or TFI3 (`section_cost`) per replication, from the ledger's
    indicators in each replication's statistics (the summary's own figures)."""
    import pandas as pd

    from .results.summary import crossing_costs

    values: dict[int, float] = {}
    for rep in reps:
        costs = rep.get("costs") or {}
        if target.metric == "section_cost":
            rows = [r for r in costs.get("sections", []) if r["flow"] == target.flow
                    and r["country"] == (target.country or "*")]
            if rows:
                values[rep["replication"]] = rows[0]["usd_per_500km_20t"]
        elif target.crossing is not None:
            cost = crossing_costs(rep, target.flow).get((target.node, target.crossing))  # type: ignore[arg-type]
            if cost is not None:
                values[rep["replication"]] = cost
        else:
            rows = [r for r in costs.get("controls", []) if all(
                getattr(target, key) in (None, r[key]) for key in ("node", "country", "direction"))]
            trucks = sum(r["trucks"] for r in rows)
            if trucks:
                values[rep["replication"]] = sum(r["cost_usd"] * r["trucks"] for r in rows) / trucks
    return pd.Series(values, dtype=float)


def allowed_error(value: float, tolerance: float, abs_tolerance: float | None) -> float:
    """How far a simulated mean may lie from `value`: the relative tolerance, or the absolute one
    when larger."""
    absolute = abs_tolerance if abs_tolerance is not None and math.isfinite(abs_tolerance) else 0.0
    return max(tolerance * abs(value), absolute)


def evaluate(result, targets: Targets, scenario: str | None = None, years: dict[int, str] | None = None) -> pd.DataFrame:
    """One row per target: the observed value, the simulated mean with its 95% CI, the verdict.
    A target of a year is taken from the scenario `years` names for it."""
    name = scenario or next(iter(result.scenarios))
    rows: list[dict[str, Any]] = []
    for t in targets.targets:
        if t.year is not None and t.year not in (years or {}):
            from .errors import CorridorSimError

            raise CorridorSimError(f"a target of {t.year} needs that year's scenario (`scenarios:` of the targets file)")
        own = (years or {})[t.year] if t.year is not None else name
        values = per_replication(result, own, t).dropna()
        ci = mean_ci(values.to_numpy())
        mean = ci["mean"]
        error = (mean - t.value) / t.value if t.value and np.isfinite(mean) else float("nan")
        allowed = allowed_error(t.value, t.tolerance, t.abs_tolerance)
        rows.append({
            "metric": t.metric, "where": t.where(), "stat": t.stat if t.metric == "lead_time" else "",
            "target": t.value, "simulated": mean, "ci_low": ci["ci_low"], "ci_high": ci["ci_high"],
            "relative_error": error, "tolerance": t.tolerance, "abs_tolerance": t.abs_tolerance,
            "within": bool(np.isfinite(mean) and abs(mean - t.value) <= allowed),
            "replications": ci["n"], "source": t.source or "",
            **({"year": t.year if t.year is not None else ""} if targets.scenarios else {}),
        })
    import pandas as pd

    return pd.DataFrame(rows)
