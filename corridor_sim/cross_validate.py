"""Cross-validation of a fit: which observed figures the model predicts, and which it only fits.

A fit that meets every target may meet them only because it was tuned to each. Leaving one
target (or one group: the targets at a crossing, in a direction, of a year) out of the search,
refitting on the rest with the same search and the same common random numbers, and setting the
left-out targets' simulated values at that point beside their observed ones gives their
out-of-sample error; beside their in-sample error (the fit on every target) it says how much of
the agreement the fit bought.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Literal

from .errors import Problem, ScenarioError
from .fit import FitResult, Parameter, fit

if TYPE_CHECKING:
    import pandas as pd

    from .calibrate import Target, Targets
    from .scenario.schema import Scenario

FoldKind = Literal["target", "crossing", "direction", "year"]
FOLD_KINDS: tuple[FoldKind, ...] = ("target", "crossing", "direction", "year")

# what a target must name to belong to a group of each kind
GROUPED_BY = {"crossing": "a node", "direction": "a direction (exit or entry) or a crossing 'X outbound'/'X inbound'",
              "year": "a year"}


@dataclass(frozen=True)
class Fold:
    """The targets one refit leaves out (indices into the targets file's list)."""

    name: str
    left_out: tuple[int, ...]


def group_of(target: "Target", index: int, kind: FoldKind) -> str | None:
    """The group a target belongs to under `kind`; None: it names none, and stays in every fit.
    A direction is CPMM's: outbound (a country's exit control) or inbound (its entry)."""
    if kind == "target":
        return f"target {index + 1}"
    if kind == "crossing":
        return target.node
    if kind == "year":
        return None if target.year is None else str(target.year)
    if target.direction in ("exit", "entry"):
        return {"exit": "outbound", "entry": "inbound"}[target.direction]
    crossing = (target.crossing or "").split()
    if len(crossing) == 2 and crossing[1] in ("outbound", "inbound"):
        return crossing[1]
    return None


def make_folds(targets: "Targets", kind: FoldKind) -> tuple[list[Fold], list[int]]:
    """The folds (in the order of their first target) and the targets no fold leaves out; at
    least two folds, else a cross-validation says nothing."""
    groups: dict[str, list[int]] = {}
    kept: list[int] = []
    for i, t in enumerate(targets.targets):
        group = group_of(t, i, kind)
        if group is None:
            kept.append(i)
        else:
            groups.setdefault(group, []).append(i)
    if len(groups) < 2:
        what = f"targets that name {GROUPED_BY[kind]}" if kind in GROUPED_BY else "targets"
        raise ScenarioError(Problem("--folds", f"{kind} needs at least two groups of {what} to leave out in "
                                               f"turn; the targets file makes {len(groups)}"))
    return [Fold(name, tuple(members)) for name, members in groups.items()], kept


@dataclass
class FoldResult:
    fold: Fold
    fitted: FitResult  # its table holds every target at the fold's point, the left-out ones too


@dataclass
class CrossValidation:
    kind: FoldKind
    full: FitResult  # the fit on every target: the in-sample errors
    folds: list[FoldResult]
    kept: list[int]  # targets in every fit (they name no group)

    def rows(self) -> "pd.DataFrame":
        """One row per left-out target: its fold, observed value, in-sample and out-of-sample
        simulated means (with the 95% CI of the latter), errors and verdicts."""
        import pandas as pd

        rows: list[dict[str, Any]] = []
        for k, result in enumerate(self.folds):
            for i in result.fold.left_out:
                inside, outside = self.full.table.iloc[i], result.fitted.table.iloc[i]
                rows.append({
                    "fold": k + 1, "fold_name": result.fold.name, "target_index": i, "metric": inside["metric"],
                    "where": inside["where"], "stat": inside["stat"], "target": inside["target"],
                    "in_sample": inside["simulated"], "in_sample_error": inside["relative_error"],
                    "in_sample_within": bool(inside["within"]),
                    "out_of_sample": outside["simulated"], "out_of_sample_ci_low": outside["ci_low"],
                    "out_of_sample_ci_high": outside["ci_high"], "out_of_sample_error": outside["relative_error"],
                    "out_of_sample_within": bool(outside["within"]),
                    "tolerance": inside["tolerance"], "abs_tolerance": inside["abs_tolerance"],
                    **{f"fit:{path}": value for path, value in result.fitted.values.items()},
                })
        return pd.DataFrame(rows)

    def summary(self) -> "pd.DataFrame":
        """One row per fold: how many of its targets are within tolerance in sample and out of
        it, and the mean absolute relative error of each."""
        import pandas as pd

        rows = self.rows()
        out = []
        for k, result in enumerate(self.folds):
            mine = rows[rows["fold"] == k + 1]
            out.append({
                "fold": k + 1, "fold_name": result.fold.name, "targets": len(mine),
                "in_sample_within": int(mine["in_sample_within"].sum()),
                "out_of_sample_within": int(mine["out_of_sample_within"].sum()),
                "in_sample_mean_abs_error": float(mine["in_sample_error"].abs().mean()),
                "out_of_sample_mean_abs_error": float(mine["out_of_sample_error"].abs().mean()),
                "loss": result.fitted.loss, "points": result.fitted.evaluations,
                **{f"fit:{path}": value for path, value in result.fitted.values.items()},
            })
        return pd.DataFrame(out)

    def to_dict(self) -> dict[str, Any]:
        """The `cross_validation` section of calibrate's JSON: plain numbers (NaN as null)."""
        import math

        def clean(record: dict[str, Any]) -> dict[str, Any]:
            return {k: (None if isinstance(v, float) and not math.isfinite(v) else
                        v.item() if hasattr(v, "item") else v) for k, v in record.items()}

        rows = self.rows()
        return {
            "folds_by": self.kind,
            "fits": len(self.folds) + 1,
            "always_fitted": [i + 1 for i in self.kept],
            "folds": [{"fold": k + 1, "name": r.fold.name, "left_out": [i + 1 for i in r.fold.left_out],
                       "fitted": dict(r.fitted.values), "loss": r.fitted.loss, "points": r.fitted.evaluations,
                       "targets": [clean({c: v for c, v in row.items() if not c.startswith("fit:")})
                                   for row in rows[rows["fold"] == k + 1].to_dict("records")]}
                      for k, r in enumerate(self.folds)],
            "summary": [clean({c: v for c, v in row.items() if not c.startswith("fit:")})
                        for row in self.summary().to_dict("records")],
        }


def cross_validate(scenario: "Scenario", targets: "Targets", parameters: list[Parameter], full: FitResult,
                   folds: list[Fold], kept: list[int], kind: FoldKind, replications: int, seed: int,
                   workers: int = 1, max_generations: int = 10, population: int = 6, *,
                   years: "dict[int, Scenario] | None" = None, cache: dict[tuple, Any] | None = None,
                   check: Callable[["Scenario", dict[str, float | int]], None] | None = None,
                   starting: Callable[[int, Fold], None] | None = None,
                   report: Callable[[int, float, dict[str, Any]], None] | None = None) -> CrossValidation:
    """Refit once per fold on the targets it keeps, with the search and seeds of the full fit
    (`cache`: the points it simulated, which a refit does not run again)."""
    results = []
    for k, f in enumerate(folds):
        if starting is not None:
            starting(k, f)
        scored = [i for i in range(len(targets.targets)) if i not in f.left_out]
        fitted = fit(scenario, targets, parameters, replications, seed, workers, max_generations, population,
                     report, years=years, scored=scored, cache=cache, check=check)
        results.append(FoldResult(f, fitted))
    return CrossValidation(kind, full, results, kept)
