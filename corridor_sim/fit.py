"""A calibration that searches: the uncertain parameters fitted to observed targets.

Each candidate point is the scenario with the parameters set (`--set` semantics) and run on the
same replications and seeds (common random numbers), so two candidates differ only by their
parameters and the objective is a deterministic function of them. The objective is the sum over
targets of (simulated mean - target)^2 / allowed^2, `allowed` being the target's tolerance in
hours (or km/h, or share): a point whose every target is within tolerance scores at most the
number of targets.

The optimiser is scipy.optimize.differential_evolution: a discrete-event model's response is
piecewise and jagged even under common random numbers, so a population search that needs no
gradients and respects bounds (and integer parameters such as lanes) fits it better than a
local simplex; it is seeded, so a fit is reproducible, and scipy is already a dependency.
"""
from __future__ import annotations

import copy
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .errors import Problem, ScenarioError
from .scenario.loader import derive, parse_override

if TYPE_CHECKING:
    import pandas as pd

    from .calibrate import Targets
    from .scenario.schema import Scenario

RANGE = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*:\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*$")
NAME_MAX = 200  # as a scenario's `name`
PENALTY = 1e6  # a target the candidate cannot produce (no trucks there), in squared tolerances


@dataclass(frozen=True)
class Parameter:
    """One uncertain scenario value to fit, between bounds (`integer`: whole numbers only)."""

    path: str
    low: float
    high: float
    integer: bool = False

    def value(self, x: float) -> float | int:
        return int(round(x)) if self.integer else float(x)


def parse_parameter(text: str) -> Parameter:
    """`PATH=LOW:HIGH` (both whole numbers: an integer parameter)."""
    path, sep, bounds = text.partition("=")
    match = RANGE.match(bounds) if sep else None
    if not path.strip() or match is None:
        raise ScenarioError(Problem("--fit", f"expected PATH=LOW:HIGH such as nodes.post.lanes=2:8, got {text!r}"))
    low_text, high_text = match.group(1), match.group(2)
    low, high = float(low_text), float(high_text)
    if not (math.isfinite(low) and math.isfinite(high)):  # 1e999 reads as infinity
        raise ScenarioError(Problem(f"--fit {path.strip()}", f"LOW and HIGH must be finite numbers, got {bounds.strip()}"))
    if not low < high:
        raise ScenarioError(Problem(f"--fit {path.strip()}", f"LOW must be below HIGH, got {low:g}:{high:g}"))
    integer = all(re.fullmatch(r"[-+]?\d+", t) for t in (low_text, high_text))
    return Parameter(path.strip(), low, high, integer)


@dataclass
class FitResult:
    """The fitted values, the targets at that point, and the search's history. `table` holds every
    target, `loss` only the scored ones (all of them unless the fit left some out)."""

    parameters: list[Parameter]
    values: dict[str, float | int]
    loss: float
    table: "pd.DataFrame"
    evaluations: int
    history: list[tuple[dict[str, float | int], float]] = field(default_factory=list)
    runs: int = 0  # points simulated by this search (the others were known from an earlier one)


def loss_of(table: "pd.DataFrame") -> float:
    """Sum of squared errors in units of each target's tolerance."""
    from .calibrate import allowed_error

    total = 0.0
    for row in table.itertuples():
        allowed = allowed_error(row.target, row.tolerance, row.abs_tolerance) or abs(row.target) or 1.0
        if not math.isfinite(row.simulated):
            total += PENALTY
        else:
            total += ((row.simulated - row.target) / allowed) ** 2
    return total


def max_points(parameters: list[Parameter], max_generations: int, population: int) -> int:
    """The most points one search simulates: the first population and each generation's. SciPy
    makes a population of `population` candidates a parameter, at least 5, rounded up to a power
    of 2 for its Sobol start; the best point is then known, so free."""
    members = max(5, population * len(parameters))
    return (max_generations + 1) * (1 << (members - 1).bit_length())


def year_runs(scenario: "Scenario", targets: "Targets", years: "dict[int, Scenario] | None") -> "dict[int | None, Scenario]":
    """The scenario of each year (None: the one given, for the targets without a year): a year
    whose scenario is the one given shares it (one run), and the others get distinct names."""
    runs: dict[int | None, Scenario] = {}
    if any(t.year is None for t in targets.targets) or not years:
        runs[None] = scenario
    names = {scenario.name}
    for year, own in (years or {}).items():
        if own.raw == scenario.raw:
            own = scenario
        elif own.name in names:
            own = derive(own, {"name": f"{own.name[:NAME_MAX - 5]}-{year}"})
        names.add(own.name)
        runs[year] = own
    return runs


def distinct(runs: "dict[int | None, Scenario]") -> "list[Scenario]":
    """The scenarios to run, each once."""
    return list({id(s): s for s in runs.values()}.values())


def fit(scenario: "Scenario", targets: "Targets", parameters: list[Parameter], replications: int,
        seed: int, workers: int = 1, max_generations: int = 10, population: int = 6,
        report: Callable[[int, float, dict[str, Any]], None] | None = None, *,
        years: "dict[int, Scenario] | None" = None, scored: Sequence[int] | None = None,
        cache: dict[tuple, Any] | None = None,
        check: Callable[["Scenario", dict[str, float | int]], None] | None = None) -> FitResult:
    """Search the parameters' box for the point whose simulated targets come closest.

    `years`: the scenario of each year the targets name (the parameters are set in each).
    `scored`: the targets the error counts (a cross-validation leaves the others out; every
    target is still simulated, so the table says what the point predicts for them). `cache`:
    the tables of points already simulated, shared between searches on the same seeds. `check`:
    called with each scenario of a candidate before it runs, to refuse one over the budget."""
    from scipy.optimize import differential_evolution

    from .calibrate import evaluate
    from .experiment import run_many

    runs = year_runs(scenario, targets, years)
    for p in parameters:  # a bad path fails now, with its message, not inside the search
        for own in distinct(runs):
            derive(own, {p.path: p.value(p.low)}, origin="--fit")
    history: list[tuple[dict[str, float | int], float]] = []
    tables = {} if cache is None else cache
    losses: dict[tuple, float] = {}
    simulated = 0
    keep = list(range(len(targets.targets))) if scored is None else list(scored)

    def point(x) -> dict[str, float | int]:
        return {p.path: p.value(v) for p, v in zip(parameters, x)}

    def run_at(values: dict[str, float | int]) -> tuple[float, Any]:
        nonlocal simulated
        key = tuple(values.values())
        if key not in tables:
            derived = {id(own): derive(own, values, origin="--fit") for own in distinct(runs)}
            if check is not None:
                for candidate in derived.values():
                    check(candidate, values)
            result = run_many(list(derived.values()), replications, seed, workers, trace=targets.needs_trace)
            names = {year: derived[id(own)].name for year, own in runs.items() if year is not None}
            given = derived[id(runs[None])].name if None in runs else None
            tables[key] = evaluate(result, targets, given, years=names)
            simulated += 1
        if key not in losses:
            losses[key] = loss_of(tables[key].iloc[keep])
            history.append((values, losses[key]))
            if report is not None:
                best = min(history, key=lambda h: h[1])
                report(len(history), best[1], best[0])
        return losses[key], tables[key]

    start = [current_value(scenario, p) for p in parameters]
    result = differential_evolution(
        lambda x: run_at(point(x))[0],
        bounds=[(p.low, p.high) for p in parameters],
        integrality=[p.integer for p in parameters],
        x0=start if all(v is not None for v in start) else None,
        seed=seed, maxiter=max_generations, popsize=population, polish=False, init="sobol", tol=0.0,
        updating="immediate",
    )
    values = point(result.x)
    loss, table = run_at(values)
    return FitResult(parameters, values, loss, table, len(history), history, simulated)


def current_value(scenario: "Scenario", parameter: Parameter) -> float | None:
    """The scenario's own value at the parameter's path, inside the bounds (None if not a number)."""
    node: Any = scenario.raw
    for part in parse_override(f"{parameter.path}=0")[0]:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        return None
    return min(max(float(node), parameter.low), parameter.high)




def overlay_name(name: str) -> str:
    """`NAME-fit`, within the limit of a scenario's name."""
    return name[: NAME_MAX - len("-fit")] + "-fit"


def overlay_tree(resolved: dict[str, Any], paths: list[list[str]]) -> dict[str, Any]:
    """What an overlay must set so that it resolves to `resolved`: the value at each of `paths`
    as `resolved` has it, or, for a path into a list (`traffic.main.hourly.8`), the whole list,
    since an overlay replaces a list and cannot name one of its items."""
    tree: dict[str, Any] = {}
    for parts in paths:
        node: Any = resolved
        kept: list[str] = []
        for part in parts:
            if not isinstance(node, dict) or part not in node:
                break
            kept.append(part)
            node = node[part]
            if isinstance(node, list):
                break
        if not kept:
            continue
        where = tree
        for part in kept[:-1]:
            where = where.setdefault(part, {})
            if not isinstance(where, dict):
                break
        else:
            where[kept[-1]] = copy.deepcopy(node)
    return tree


def _flow(value: Any) -> str:
    """A value as one line of YAML (flow style)."""
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, width=1 << 30, allow_unicode=True, sort_keys=False)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def overlay_text(scenario_file: Path, overlay_file: Path, name: str, fitted: FitResult, targets_file: Path,
                 replications: int, seed: int, resolved: dict[str, Any] | None = None,
                 set_paths: list[list[str]] | None = None) -> str:
    """An overlay of the scenario with the fitted values, each marked DERIVED from the fit, and
    the values `--set` gave the fit (`set_paths`, as `resolved`, the fitted scenario's data, has
    them), so that loading it gives the scenario the fit ran."""
    base = Path(_relative(scenario_file, overlay_file.parent))
    why = (f"DERIVED: fitted to {targets_file.name} by corridor-sim calibrate --fit "
           f"({replications} replications, seed {seed}; error {fitted.loss:.3g} in squared tolerances)")
    fitted_paths = [path.split(".") for path in fitted.values]
    if resolved is None:  # the fitted values alone, as plain numbers
        resolved = {}
        for parts, value in zip(fitted_paths, fitted.values.values()):
            node = resolved
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = value
    given = [p for p in set_paths or [] if p and p[0] not in ("name", "extends")]
    tree = overlay_tree(resolved, given + fitted_paths)
    marked = {tuple(p) for p in fitted_paths}
    lines = [f"# {why}", f"extends: {json.dumps(str(base))}", f"name: {json.dumps(name)}"]
    if given:
        lines.insert(1, "# and the values --set gave the fit: " + ", ".join(".".join(p) for p in given))

    def note(parts: tuple[str, ...]) -> str:
        items = [".".join(p[len(parts):]) for p in marked if p[:len(parts)] == parts and p != parts]
        if parts in marked:
            return "  # DERIVED: fitted (see the first line)"
        return f"  # DERIVED: item {', '.join(items)} fitted (see the first line)" if items else ""

    def emit(node: dict[str, Any], depth: int, at: tuple[str, ...]) -> None:
        for key, value in node.items():
            text = key if re.fullmatch(r"[A-Za-z0-9_-]+", str(key)) else json.dumps(str(key))
            here = (*at, str(key))
            if isinstance(value, dict) and value and not any(p == here for p in marked):
                lines.append("  " * depth + f"{text}:")
                emit(value, depth + 1, here)
            else:  # floats as Python writes them: the shortest text that reads back to the same number
                lines.append("  " * depth + f"{text}: {_flow(value)}{note(here)}")

    emit(tree, 0, ())
    return "\n".join(lines) + "\n"


def _relative(target: Path, start: Path) -> str:
    import os

    return os.path.relpath(target.resolve(), start.resolve())
