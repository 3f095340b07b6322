"""`calibrate`: run a scenario and set its figures beside observed targets."""
from __future__ import annotations

import argparse
import math

from .common import console, positive, progress_bars


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calibrate", help="compare a scenario's simulated figures with observed targets")
    p.add_argument("file", metavar="SCENARIO")
    p.add_argument("targets", metavar="TARGETS")
    p.add_argument("-n", "--replications", type=int, metavar="REPS", help="replications (default: the scenario's)")
    p.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    p.add_argument("--workers", type=int, default=1, metavar="N")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE")
    p.add_argument("--csv", metavar="FILE", help="also write the table as CSV")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.set_defaults(func=calibrate)


def _f(x: float | None, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def calibrate(args: argparse.Namespace) -> int:
    from rich.table import Table

    from ..calibrate import evaluate, load_targets
    from ..experiment import run_many
    from ..scenario import load_scenario

    positive(args.replications, "--replications")
    positive(args.workers, "--workers")
    scenario = load_scenario(args.file, args.overrides)
    targets = load_targets(args.targets)
    reps = args.replications or scenario.experiment.replications
    seed = scenario.experiment.seed if args.seed is None else args.seed
    with progress_bars(not args.quiet, [scenario.name], reps) as progress:
        result = run_many([scenario], reps, seed, args.workers, trace=targets.needs_trace, progress=progress)
    table = evaluate(result, targets)
    out = Table(title=f"{scenario.name} against {targets.name} ({reps} replications)")
    for col in ("metric", "where", "target", "simulated", "95% CI", "error", "ok", "source"):
        out.add_column(col, justify="right" if col in ("target", "simulated", "error") else "left")
    for row in table.itertuples():
        label = row.metric + (f" ({row.stat})" if row.stat and row.stat != "mean" else "")
        ok = "[green]yes[/]" if row.within else "[red]no[/]"
        out.add_row(label, row.where, _f(row.target), _f(row.simulated), f"{_f(row.ci_low)}–{_f(row.ci_high)}",
                    f"{row.relative_error:+.0%}" if not math.isnan(row.relative_error) else "–", ok, row.source)
    console.print(out)
    hits = int(table["within"].sum())
    console.print(f"{hits} of {len(table)} targets within tolerance")
    if args.csv:
        table.to_csv(args.csv, index=False)
    return 1 if args.strict and hits < len(table) else 0
