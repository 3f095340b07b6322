"""`calibrate`: run a scenario and set its figures beside observed targets."""
from __future__ import annotations

import argparse
import math

from .common import console, positive, progress_bars


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calibrate", help="compare a scenario's simulated figures with observed targets",
                       description="Run a scenario and set its simulated figures (means with 95% CIs over the "
                                   "replications) beside the observed targets of a targets file, each with its error, "
                                   "tolerance and source; with --fit, search the uncertain values that bring them "
                                   "closest and write them as an overlay.")
    p.add_argument("file", metavar="SCENARIO", help="scenario file")
    p.add_argument("targets", metavar="TARGETS", help="targets file (a top-level `targets:` list)")
    p.add_argument("-n", "--replications", type=int, metavar="REPS", help="replications (default: the scenario's)")
    p.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default 1)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override a scenario value, e.g. traffic.main.per_day=80 (repeatable)")
    p.add_argument("--csv", metavar="FILE", help="also write the table as CSV")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    search = p.add_argument_group("search (fit the uncertain parameters to the targets)")
    search.add_argument("--fit", action="append", default=None, metavar="PATH=LOW:HIGH", nargs="?", const="",
                        help="search this value between bounds (repeatable); --fit alone searches the targets "
                             "file's `fit:` section")
    search.add_argument("--generations", type=int, default=10, metavar="N",
                        help="generations of the differential evolution search (default 10)")
    search.add_argument("--population", type=int, default=6, metavar="N",
                        help="candidates a generation, per fitted parameter (default 6)")
    search.add_argument("--overlay", metavar="FILE",
                        help="write the fitted values as an overlay here (default results/NAME-fit.yaml)")
    search.add_argument("--force", action="store_true", help="replace an existing overlay file")
    p.set_defaults(func=calibrate)


def _f(x: float | None, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def calibrate(args: argparse.Namespace) -> int:
    from ..calibrate import check_targets, evaluate, load_targets
    from ..experiment import run_many
    from ..scenario import load_scenario
    from ..scenario.budget import check_budget

    from ..errors import CorridorSimError

    positive(args.replications, "--replications")
    positive(args.workers, "--workers")
    if args.seed is not None and args.seed < 0:
        raise CorridorSimError(f"--seed must be a whole number of at least 0, got {args.seed}")
    scenario = load_scenario(args.file, args.overrides)
    targets = load_targets(args.targets)
    check_targets(scenario, targets, args.targets)
    reps = args.replications or scenario.experiment.replications
    check_budget([scenario], at_once=min(args.workers, reps), trace=targets.needs_trace, lift=None)
    seed = scenario.experiment.seed if args.seed is None else args.seed
    if args.fit is not None:
        return _search(args, scenario, targets, reps, seed)
    with progress_bars(not args.quiet, [scenario.name], reps) as progress:
        result = run_many([scenario], reps, seed, args.workers, trace=targets.needs_trace, progress=progress)
    table = evaluate(result, targets)
    hits = _print_targets(table, f"{scenario.name} against {targets.name} ({reps} replications)")
    if args.csv:
        table.to_csv(args.csv, index=False)
    return 1 if args.strict and hits < len(table) else 0


def _tolerance(row) -> str:
    """What a target allows: the relative tolerance, and the absolute one where it is larger."""
    parts = [f"±{row.tolerance:.0%}"] if row.tolerance else []
    if isinstance(row.abs_tolerance, float) and math.isfinite(row.abs_tolerance) and row.abs_tolerance > 0:
        parts.append(f"{row.abs_tolerance:g}")
    return "±" + "|".join(p.lstrip("±") for p in parts) if parts else "exact"


# the metrics by shorter names, so a target and its figures fit 80 columns
SHORT_METRICS = {"control_time": "control", "crossing_time": "crossing", "queue_wait": "queue",
                 "lead_time": "lead time", "ferry_wait": "ferry wait", "red_share": "red", "yellow_share": "yellow"}


def _print_targets(table, title: str) -> int:
    """The targets table on the terminal; returns how many targets are within tolerance."""
    from rich.text import Text

    from .tables import add_name_column, add_number_columns, text_table

    out = text_table(title)
    wide = console.width >= 110  # the sources column only where there is room for it
    labels = [SHORT_METRICS.get(row.metric, row.metric) + (f" ({row.stat})" if row.stat and row.stat != "mean" else "")
              + f" {row.where}" for row in table.itertuples()]
    add_name_column(out, "target", labels)
    add_number_columns(out, ("obs.", "sim.", "95% CI", "error", "tol.", "ok"))
    if wide:
        out.add_column("source", overflow="fold")
    for label, row in zip(labels, table.itertuples()):
        ok = Text("yes", style="green") if row.within else Text("no", style="red")
        cells = [label, _f(row.target, 1), _f(row.simulated, 1), f"[{_f(row.ci_low, 1)}, {_f(row.ci_high, 1)}]",
                 f"{row.relative_error:+.0%}" if not math.isnan(row.relative_error) else "–", _tolerance(row), ok]
        out.add_row(*cells, *([row.source] if wide else []))
    console.print(out)
    hits = int(table["within"].sum())
    console.print(f"{hits} of {len(table)} targets within tolerance")
    return hits


def _search(args: argparse.Namespace, scenario, targets, reps: int, seed: int) -> int:
    from pathlib import Path

    from ..errors import Problem, ScenarioError
    from ..fit import Parameter, current_value, fit, overlay_name, overlay_text, parse_parameter
    from ..scenario.loader import derive, parse_override, set_leaves
    from .tables import add_name_column, add_number_columns, text_table

    positive(args.generations, "--generations")
    positive(args.population, "--population")
    parameters = [parse_parameter(text) for text in args.fit if text]
    if not parameters:
        parameters = [Parameter(r.path, r.min, r.max, r.integer) for r in targets.fit]
    if not parameters:
        raise ScenarioError(Problem("--fit", "name the values to fit (--fit PATH=LOW:HIGH) or list them under "
                                              "`fit:` in the targets file"))
    from ..scenario.budget import check_box, check_budget

    at_once = min(args.workers, reps)  # the worst corner of the box before the search, each candidate as it comes
    check_box(scenario, [(p.path, p.low, p.high, p.integer) for p in parameters], at_once, trace=targets.needs_trace)
    name = overlay_name(scenario.name)
    overlay = Path(args.overlay) if args.overlay else Path("results") / f"{name}.yaml"
    _check_overlay_path(overlay, args.force)

    def report(evaluations: int, best: float, values: dict) -> None:
        if not args.quiet:
            shown = ", ".join(f"{k}={v:g}" for k, v in values.items())
            console.line(f"  {evaluations} points: best error {best:.3g} at {shown}")

    console.line(f"fitting {', '.join(p.path for p in parameters)} to {targets.name} "
                 f"({reps} replications a point, seed {seed}, {args.generations} generations of "
                 f"{args.population} a parameter)")
    fitted = fit(scenario, targets, parameters, reps, seed, args.workers, args.generations, args.population,
                 report=report, check=lambda candidate, values: check_budget(
                     [candidate], at_once, trace=targets.needs_trace, lift=None,
                     what="--fit at " + ", ".join(f"{k}={v:g}" for k, v in values.items())))
    values = text_table(f"fitted values (error {fitted.loss:.3g} in squared tolerances, {fitted.evaluations} points)")
    add_name_column(values, "parameter", [p.path for p in parameters])
    add_number_columns(values, ("low", "high", "was", "fitted"))
    for p in parameters:
        was = current_value(scenario, p)
        values.add_row(p.path, f"{p.low:g}", f"{p.high:g}", "–" if was is None else f"{was:g}",
                       f"{fitted.values[p.path]:g}")
    console.print(values)
    _print_targets(fitted.table, f"{scenario.name} at the fitted values against {targets.name}")
    resolved = derive(scenario, fitted.values)
    given = [list(leaf) for text in args.overrides for leaf in set_leaves(tuple(parse_override(text)[0]),
                                                                           parse_override(text)[1])]
    text = overlay_text(Path(args.file), overlay, name, fitted, Path(args.targets), reps, seed,
                        resolved=resolved.raw, set_paths=given)
    _write_overlay(overlay, text, resolved)
    console.line(f"overlay with the fitted values: {overlay}")
    hits = int(fitted.table["within"].sum())
    return 1 if args.strict and hits < len(fitted.table) else 0


def _check_overlay_path(overlay, force: bool) -> None:
    """Before the search: the overlay can be written there (its folder made, a file put in it),
    and does not replace a file without --force, so a long search never ends in a refusal."""
    from ..errors import OutputError

    if overlay.is_dir():
        raise OutputError(f"--overlay {overlay} is a directory; name a file, e.g. {overlay / 'fit.yaml'}")
    if overlay.exists() and not force:
        raise OutputError(f"{overlay} exists; use --force to replace it, or --overlay to write elsewhere")
    tmp = overlay.with_name(f".{overlay.name}.tmp")
    try:
        overlay.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text("", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write {overlay}: {exc.strerror or exc}") from None
    finally:
        _remove(tmp)


def _write_overlay(overlay, text: str, resolved) -> None:
    """Write the overlay only once it loads as the scenario the fit ran (validated, and the same
    values); a failed write leaves no temporary file behind."""
    from ..errors import OutputError, ScenarioError
    from ..scenario import load_scenario

    tmp = overlay.with_name(f".{overlay.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        try:
            loaded = load_scenario(tmp)
        except ScenarioError as exc:
            raise OutputError(f"the overlay of the fitted values does not load ({exc.problems[0]}); "
                              f"nothing was written to {overlay}") from None
        if _comparable(loaded.raw) != _comparable(resolved.raw):
            raise OutputError(f"the overlay of the fitted values does not load as the scenario the fit ran; "
                              f"nothing was written to {overlay}")
        tmp.replace(overlay)
    except OSError as exc:
        raise OutputError(f"cannot write {overlay}: {exc.strerror or exc}") from None
    finally:
        _remove(tmp)


def _comparable(raw: dict) -> str:
    """A scenario's values without its name and label (an overlay names its own scenario)."""
    from ..results.io import scenario_hash

    return scenario_hash({k: v for k, v in raw.items() if k not in ("name", "label")})


def _remove(tmp) -> None:
    """Remove a temporary file if there is one (a path through a file has none)."""
    try:
        tmp.unlink(missing_ok=True)
    except OSError:
        pass
