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

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .errors import Problem, ScenarioError
from .scenario.loader import derive, parse_override

if TYPE_CHECKING:
    import pandas as pd

    from .calibrate import Targets
    from .scenario.schema import Scenario

RANGE = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*:\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*$")
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
    if not low < high:
        raise ScenarioError(Problem(f"--fit {path.strip()}", f"LOW must be below HIGH, got {low:g}:{high:g}"))
    integer = all(re.fullmatch(r"[-+]?\d+", t) for t in (low_text, high_text))
    return Parameter(path.strip(), low, high, integer)


@dataclass
class FitResult:
    """The fitted values, the targets at that point, and the search's history."""

    parameters: list[Parameter]
    values: dict[str, float | int]
    loss: float
    table: "pd.DataFrame"
    evaluations: int
    history: list[tuple[dict[str, float | int], float]] = field(default_factory=list)


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


def fit(scenario: "Scenario", targets: "Targets", parameters: list[Parameter], replications: int,
        seed: int, workers: int = 1, max_generations: int = 10, population: int = 6,
        report: Callable[[int, float, dict[str, Any]], None] | None = None) -> FitResult:
    """Search the parameters' box for the point whose simulated targets come closest."""
    from scipy.optimize import differential_evolution

    from .calibrate import evaluate
    from .experiment import run_many

    for p in parameters:  # a bad path fails now, with its message, not inside the search
        derive(scenario, {p.path: p.value(p.low)})
    history: list[tuple[dict[str, float | int], float]] = []
    cache: dict[tuple, tuple[float, Any]] = {}

    def point(x) -> dict[str, float | int]:
        return {p.path: p.value(v) for p, v in zip(parameters, x)}

    def run_at(values: dict[str, float | int]) -> tuple[float, Any]:
        key = tuple(values.values())
        if key not in cache:
            candidate = derive(scenario, values)
            result = run_many([candidate], replications, seed, workers, trace=targets.needs_trace)
            table = evaluate(result, targets)
            cache[key] = (loss_of(table), table)
            history.append((values, cache[key][0]))
            if report is not None:
                best = min(history, key=lambda h: h[1])
                report(len(history), best[1], best[0])
        return cache[key]

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
    return FitResult(parameters, values, loss, table, len(history), history)


def current_value(scenario: "Scenario", parameter: Parameter) -> float | None:
    """The scenario's own value at the parameter's path, inside the bounds (None if not a number)."""
    node: Any = scenario.raw
    for part in parse_override(f"{parameter.path}=0")[0]:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        return None
    return min(max(float(node), parameter.low), parameter.high)


def overlay_text(scenario_file: Path, overlay_file: Path, name: str, fitted: FitResult, targets_file: Path,
                 replications: int, seed: int) -> str:
    """An overlay of the scenario with the fitted values, each marked DERIVED from the fit."""
    base = Path(_relative(scenario_file, overlay_file.parent))
    why = (f"DERIVED: fitted to {targets_file.name} by corridor-sim calibrate --fit "
           f"({replications} replications, seed {seed}; error {fitted.loss:.3g} in squared tolerances)")
    tree: dict[str, Any] = {}
    for path, value in fitted.values.items():
        parts = path.split(".")
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    lines = [f"# {why}", f"extends: {json.dumps(str(base))}", f"name: {json.dumps(name)}"]

    def emit(node: dict[str, Any], depth: int) -> None:
        for key, value in node.items():
            text = key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)
            if isinstance(value, dict):
                lines.append("  " * depth + f"{text}:")
                emit(value, depth + 1)
            else:
                number = str(value) if isinstance(value, int) else f"{value:.6g}"
                lines.append("  " * depth + f"{text}: {number}  # DERIVED: fitted (see the first line)")

    emit(tree, 0)
    return "\n".join(lines) + "\n"


def _relative(target: Path, start: Path) -> str:
    import os

    return os.path.relpath(target.resolve(), start.resolve())
