"""`calibrate`: run a scenario and set its figures beside observed targets."""
from __future__ import annotations

import argparse
import math
from typing import Any

from .common import console, positive, progress_bars

FOLD_CHOICES = ("target", "crossing", "direction", "year")  # cross_validate.FOLD_KINDS, without importing it here


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
    p.add_argument("--csv", metavar="FILE", help="also write the table as CSV (with --cross-validate, each target's "
                                                  "out-of-sample columns too)")
    p.add_argument("--json", metavar="FILE", help="also write the table, the fit and the cross-validation as JSON")
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
    search.add_argument("--cross-validate", action="store_true",
                        help="after the fit, refit leaving out one fold of targets at a time and report each "
                             "left-out target's out-of-sample error beside its in-sample one (needs --fit)")
    search.add_argument("--folds", choices=FOLD_CHOICES, metavar="target|crossing|direction|year",
                        help="what a fold leaves out: one target (default), the targets at one node, one "
                             "direction (outbound: exit controls; inbound: entry), one year of `scenarios:`")
    p.set_defaults(func=calibrate)


def _f(x: float | None, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def calibrate(args: argparse.Namespace) -> int:
    from ..calibrate import check_targets, evaluate, load_targets, load_year_scenarios
    from ..experiment import run_many
    from ..fit import distinct, year_runs
    from ..scenario import load_scenario
    from ..scenario.budget import check_budget

    from ..errors import CorridorSimError

    positive(args.replications, "--replications")
    positive(args.workers, "--workers")
    if args.seed is not None and args.seed < 0:
        raise CorridorSimError(f"--seed must be a whole number of at least 0, got {args.seed}")
    if args.cross_validate and args.fit is None:
        raise CorridorSimError("--cross-validate refits the search of --fit: give --fit too")
    if args.folds is not None and not args.cross_validate:
        raise CorridorSimError("--folds chooses what --cross-validate leaves out: give --cross-validate too")
    scenario = load_scenario(args.file, args.overrides)
    targets = load_targets(args.targets)
    years = load_year_scenarios(targets, args.targets, args.overrides)
    check_targets(scenario, targets, args.targets, years)
    reps = args.replications or scenario.experiment.replications
    runs = year_runs(scenario, targets, years)
    check_budget(distinct(runs), at_once=min(args.workers, reps), trace=targets.needs_trace, lift=None)
    seed = scenario.experiment.seed if args.seed is None else args.seed
    outputs = _Outputs(args.csv, args.json)
    _refuse_inputs(args, targets, [("--csv", outputs.csv), ("--json", outputs.json)])
    if args.fit is not None:
        return _search(args, scenario, targets, reps, seed, years, outputs)
    outputs.check()
    with progress_bars(not args.quiet, [s.name for s in distinct(runs)], reps) as progress:
        result = run_many(distinct(runs), reps, seed, args.workers, trace=targets.needs_trace, progress=progress)
    table = evaluate(result, targets, runs[None].name if None in runs else None,
                     years={year: own.name for year, own in runs.items() if year is not None})
    hits = _print_targets(table, f"{scenario.name} against {targets.name} ({reps} replications)")
    outputs.write(table, {"scenario": scenario.name, "targets": targets.name, "replications": reps, "seed": seed})
    return 1 if args.strict and hits < len(table) else 0


def _tolerance(row) -> str:
    """What a target allows: the relative tolerance, and the absolute one where it is larger."""
    parts = [f"±{row.tolerance:.0%}"] if row.tolerance else []
    if isinstance(row.abs_tolerance, float) and math.isfinite(row.abs_tolerance) and row.abs_tolerance > 0:
        parts.append(f"{row.abs_tolerance:g}")
    return "±" + "|".join(p.lstrip("±") for p in parts) if parts else "exact"


# the metrics by shorter names, so a target and its figures fit 80 columns
SHORT_METRICS = {"control_time": "control", "crossing_time": "crossing", "queue_wait": "queue",
                 "lead_time": "lead time", "ferry_wait": "ferry wait", "red_share": "red", "yellow_share": "yellow",
                 "bcp_cost": "TFI2", "section_cost": "TFI3"}  # CPMM's cost indicators, US$ (TFI3 per 500 km per 20 t)


def _print_targets(table, title: str) -> int:
    """The targets table on the terminal; returns how many targets are within tolerance."""
    from rich.text import Text

    from .tables import add_name_column, add_number_columns, text_table

    out = text_table(title)
    wide = console.width >= 110  # the sources column only where there is room for it
    labels: list[Any] = [_label(row) for row in table.itertuples()]  # str, in cells beside a Text
    add_name_column(out, "target", labels)
    add_number_columns(out, ("obs.", "sim.", "95% CI", "error", "tol.", "ok"))
    if wide:
        out.add_column("source", overflow="fold")
    for label, row in zip(labels, table.itertuples()):
        ok = Text("yes", style="green") if row.within else Text("no", style="red")
        digits = 0 if abs(row.target) >= 100 else 1  # dollars in hundreds and thousands fit the columns whole
        cells = [label, _f(row.target, digits), _f(row.simulated, digits),
                 f"[{_f(row.ci_low, digits)}, {_f(row.ci_high, digits)}]",
                 f"{row.relative_error:+.0%}" if not math.isnan(row.relative_error) else "–", _tolerance(row), ok]
        out.add_row(*cells, *([row.source] if wide else []))
    console.print(out)
    hits = int(table["within"].sum())
    console.print(f"{hits} of {len(table)} targets within tolerance")
    return hits


def _label(row) -> str:
    """A target in a few words: `control red_bridge AZ exit`, `lead time (p95) flow x`, `... 2021`."""
    year = getattr(row, "year", "")
    return (SHORT_METRICS.get(row.metric, row.metric) + (f" ({row.stat})" if row.stat and row.stat != "mean" else "")
            + f" {row.where}" + (f" {year}" if year != "" else "")).replace("  ", " ").strip()


def _search(args: argparse.Namespace, scenario, targets, reps: int, seed: int, years, outputs: "_Outputs") -> int:
    import time
    from pathlib import Path

    from ..errors import Problem, ScenarioError
    from ..fit import Parameter, current_value, fit, max_points, overlay_name, overlay_text, parse_parameter
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
    from ..fit import distinct, year_runs
    from ..scenario.budget import check_box

    for own in distinct(year_runs(scenario, targets, years)):  # the box's worst corner, before the search
        check_box(own, [(p.path, p.low, p.high, p.integer) for p in parameters], min(args.workers, reps),
                  trace=targets.needs_trace)
    name = overlay_name(scenario.name)
    overlay = Path(args.overlay) if args.overlay else Path("results") / f"{name}.yaml"
    folds, kept = _folds(args, targets) if args.cross_validate else ([], [])
    _refuse_inputs(args, targets, [("--overlay", overlay)])
    # the paths last: every refusal is said before a folder is made for them
    _check_overlay_path(overlay, args.force, probe=False)
    outputs.check(probe=False)
    _probe(overlay, "--overlay")
    outputs.check()

    def report(evaluations: int, best: float, values: dict) -> None:
        if not args.quiet:
            shown = ", ".join(f"{k}={v:g}" for k, v in values.items())
            console.line(f"  {evaluations} points: best error {best:.3g} at {shown}")

    console.line(f"fitting {', '.join(p.path for p in parameters)} to {targets.name} "
                 f"({reps} replications a point, seed {seed}, {args.generations} generations of "
                 f"{args.population} a parameter)")
    if folds:
        _announce(args, targets, folds, kept, max_points(parameters, args.generations, args.population), reps)
    cache: dict = {}
    started = time.monotonic()
    fitted = fit(scenario, targets, parameters, reps, seed, args.workers, args.generations, args.population,
                 report=report, years=years, cache=cache, check=_budget_check(min(args.workers, reps), targets.needs_trace))
    values = text_table(f"fitted values (error {fitted.loss:.3g} in squared tolerances, {fitted.evaluations} points)")
    add_name_column(values, "parameter", [p.path for p in parameters])
    add_number_columns(values, ("low", "high", "was", "fitted"))
    for p in parameters:
        was = current_value(scenario, p)
        values.add_row(p.path, f"{p.low:g}", f"{p.high:g}", "–" if was is None else f"{was:g}",
                       f"{fitted.values[p.path]:g}")
    console.print(values)
    _print_targets(fitted.table, f"{scenario.name} at the fitted values against {targets.name}")
    validation = None
    if folds:
        validation = _cross_validate(args, scenario, targets, parameters, fitted, folds, kept, reps, seed, years,
                                     cache, report, time.monotonic() - started)
    resolved = derive(scenario, fitted.values, origin="--fit")
    given = [list(leaf) for text in args.overrides for leaf in set_leaves(tuple(parse_override(text)[0]),
                                                                           parse_override(text)[1])]
    text = overlay_text(Path(args.file), overlay, name, fitted, Path(args.targets), reps, seed,
                        resolved=resolved.raw, set_paths=given)
    _write_overlay(overlay, text, resolved)
    console.line(f"overlay with the fitted values: {overlay}")
    about = {"scenario": scenario.name, "targets": targets.name, "replications": reps, "seed": seed,
             "fit": {"values": dict(fitted.values), "loss": fitted.loss, "points": fitted.evaluations,
                     "overlay": str(overlay)}}
    outputs.write(fitted.table, about, validation)
    hits = int(fitted.table["within"].sum())
    return 1 if args.strict and hits < len(fitted.table) else 0


def _budget_check(at_once: int, trace: bool):
    """Each candidate of the search held to the run budget before it runs: the parameters may
    raise a flow's rate far above the scenario's own."""
    from ..errors import CorridorSimError
    from ..scenario.budget import check_budget

    def check(candidate, values: dict) -> None:
        try:
            check_budget([candidate], at_once=at_once, trace=trace, lift=None)
        except CorridorSimError as exc:
            shown = ", ".join(f"{k}={v:g}" for k, v in values.items())
            raise CorridorSimError(f"--fit at {shown}: {exc}") from None

    return check


def _folds(args: argparse.Namespace, targets):
    from ..cross_validate import make_folds

    return make_folds(targets, args.folds or "target")


def _fold_name(fold, targets, kind: str) -> str:
    """A fold in a few words: the target it leaves out (by target), else its group's name."""
    if kind == "target":
        t = targets.targets[fold.left_out[0]]
        return f"{fold.left_out[0] + 1}: " + _label(_TargetRow(t))
    return fold.name


class _TargetRow:
    """A target read as a row of the targets table (metric, stat, where, year), for `_label`."""

    def __init__(self, target) -> None:
        self.metric, self.where = target.metric, target.where()
        self.stat = target.stat if target.metric == "lead_time" else ""
        self.year = "" if target.year is None else target.year


def _announce(args: argparse.Namespace, targets, folds, kept, per_fit: int, reps: int) -> None:
    """Before the work: how many fits the cross-validation needs, and at most how many points."""
    kind = args.folds or "target"
    fits = len(folds) + 1
    console.line(f"cross-validation by {kind}: {len(folds)} folds, so {fits} fits (all, then each "
                 f"fold left out)")
    console.line(f"  at most {per_fit} points a fit, {fits * per_fit} in all, {reps} replications a point "
                 f"(none run twice)")
    if kept:
        console.line(f"  in every fit (no {kind} to leave out): target{'s' if len(kept) > 1 else ''} "
                     + ", ".join(str(i + 1) for i in kept))


def _cross_validate(args, scenario, targets, parameters, fitted, folds, kept, reps, seed, years, cache, report,
                    first_fit_s: float):
    """The refits, with the time left as they go, then one table per fold and the summary."""
    import time

    from ..cross_validate import FoldKind, cross_validate

    kind: FoldKind = args.folds or "target"
    started = time.monotonic()

    def starting(k: int, fold) -> None:
        if args.quiet:
            return
        per_fit = (first_fit_s + time.monotonic() - started) / (k + 1)
        left = per_fit * (len(folds) - k)
        console.line(f"fold {k + 1} of {len(folds)}, leaving out {_fold_name(fold, targets, kind)} "
                     f"({len(fold.left_out)} target{'s' if len(fold.left_out) > 1 else ''}); "
                     f"about {_duration(left)} left")

    try:
        validation = cross_validate(scenario, targets, parameters, fitted, folds, kept, kind, reps, seed,
                                    args.workers, args.generations, args.population, years=years, cache=cache,
                                    starting=starting, report=report, check=_budget_check(min(args.workers, reps), targets.needs_trace))
    except KeyboardInterrupt as exc:
        exc.add_note("the cross-validation was not finished; nothing was written (no overlay, CSV or JSON)")
        raise
    _print_validation(validation, targets)
    return validation


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _print_validation(validation, targets) -> None:
    """One table per fold (its left-out targets, in sample and out of it) and a summary table."""
    from rich.text import Text

    from .tables import add_name_column, add_number_columns, text_table

    rows = validation.rows()
    total = len(validation.folds)

    def pct(x: float) -> str:
        return "–" if math.isnan(x) else f"{x:+.0%}"

    def ok(flag: bool) -> Text:
        return Text("yes", style="green") if flag else Text("no", style="red")

    for k, result in enumerate(validation.folds):
        mine = rows[rows["fold"] == k + 1]
        labels = [_label(_TargetRow(targets.targets[i])) for i in mine["target_index"]]
        out = text_table(f"fold {k + 1} of {total} ({validation.kind} {_fold_name(result.fold, targets, validation.kind)}) "
                         f"left out: error {result.fitted.loss:.3g} on the rest")
        add_name_column(out, "target", labels)
        # the in-sample value is in the table of the fit on every target above; here its error
        add_number_columns(out, ("obs.", "out", "95% CI", "err. in", "err. out", "ok"))
        for label, row in zip(labels, mine.itertuples()):
            out.add_row(label, _f(row.target, 1), _f(row.out_of_sample, 1),
                        f"[{_f(row.out_of_sample_ci_low, 1)}, {_f(row.out_of_sample_ci_high, 1)}]",
                        pct(row.in_sample_error), pct(row.out_of_sample_error), ok(row.out_of_sample_within))
        console.print(out)
        values = [f"{p}={v:g}" for p, v in result.fitted.values.items()]
        head = f"  fitted without {'it' if len(result.fold.left_out) == 1 else 'them'}:"
        if len(head) + sum(len(v) + 2 for v in values) <= 80:
            console.line(f"{head} {', '.join(values)}")
        else:  # a value a line, within 80 columns where the paths allow
            console.line(head)
            for v in values:
                console.line(f"    {v}")
    summary = validation.summary()
    names = [_fold_name(r.fold, targets, validation.kind) for r in validation.folds]
    out = text_table(f"cross-validation by {validation.kind}: in sample and out of it")
    add_name_column(out, "left out", names)
    add_number_columns(out, ("targets", "in ok", "out ok", "err. in", "err. out"))
    for name, row in zip(names, summary.itertuples()):
        out.add_row(name, str(row.targets), str(row.in_sample_within), str(row.out_of_sample_within),
                    f"{row.in_sample_mean_abs_error:.0%}" if not math.isnan(row.in_sample_mean_abs_error) else "–",
                    f"{row.out_of_sample_mean_abs_error:.0%}" if not math.isnan(row.out_of_sample_mean_abs_error) else "–")
    console.print(out)
    console.line("ok: targets within tolerance; err.: their mean |relative error|")
    within_in, within_out = int(rows["in_sample_within"].sum()), int(rows["out_of_sample_within"].sum())
    console.line(f"{within_out} of {len(rows)} left-out targets within tolerance out of sample "
                 f"({within_in} in sample)")


class _Outputs:
    """The --csv and --json files: checked before any work (a long search never ends in a
    refusal), written whole at the end or not at all."""

    def __init__(self, csv: str | None, json_file: str | None) -> None:
        from pathlib import Path

        self.csv = Path(csv) if csv else None
        self.json = Path(json_file) if json_file else None

    def check(self, probe: bool = True) -> None:
        """Before the work: each file can be written (with `probe`, its folder made and a file put in it)."""
        for path, option in ((self.csv, "--csv"), (self.json, "--json")):
            if path is not None:
                _check_writable(path, option, probe)

    def write(self, table, about: dict, validation=None) -> None:
        import json

        if self.csv is not None:
            frame = table
            if validation is not None:
                frame = table.copy()
                rows = validation.rows().set_index("target_index")
                columns = ["fold", "fold_name"] + [c for c in rows.columns if c.startswith(("out_of_sample", "fit:"))]
                for column in columns:  # a target no fold leaves out has none of them
                    name = "cross_validation." + column.replace("fit:", "fit.")
                    frame[name] = rows[column].reindex(range(len(table))).to_numpy()
            _atomic(self.csv, frame.to_csv(index=False))
        if self.json is not None:
            document = {**about, "table": json.loads(table.to_json(orient="records"))}
            if validation is not None:
                document["cross_validation"] = validation.to_dict()
            _atomic(self.json, json.dumps(_plain(document), indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def _plain(value):
    """JSON's values: numpy scalars as Python's, a figure that could not be computed (NaN) as null."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _refuse_inputs(args: argparse.Namespace, targets, outputs: list) -> None:
    """An output file may not be one of the command's inputs: the scenario, the files it extends,
    the targets file or a year's scenario (a `--overlay s.yaml --force` replaced the scenario it
    fitted with an overlay that extends itself)."""
    from pathlib import Path

    from ..errors import OutputError
    from ..scenario.loader import read_chain

    files = [Path(args.file), Path(args.targets)]
    files += [Path(args.targets).parent / name for name in targets.scenarios.values()]
    inputs = {}
    for file in files:
        chain = read_chain(file) if file.suffix in (".yaml", ".yml") and file != Path(args.targets) and file.is_file() \
            else []
        for path in [file, *(doc.path for doc in chain)]:
            inputs[Path(path).resolve()] = path
    for option, path in outputs:
        if path is not None and path.resolve() in inputs:
            raise OutputError(f"{option} {path} is one of the command's input files; name another file")


def _check_writable(path, option: str, probe: bool = True) -> None:
    from ..errors import OutputError

    if path.is_dir():
        raise OutputError(f"{option} {path} is a directory; name a file")
    if probe:
        _probe(path, option)


def _probe(path, option: str) -> None:
    """A file can be written at `path`: its folder made and an empty file put in it and removed.
    The folders it made are removed again when it cannot (nothing is left of a refusal)."""
    from ..errors import OutputError

    missing = []
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text("", encoding="utf-8")
    except OSError as exc:
        for folder in missing:  # deepest first
            try:
                folder.rmdir()
            except OSError:
                pass
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        _remove(tmp)


def _atomic(path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then put it in place."""
    from ..errors import OutputError

    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        _remove(tmp)


def _check_overlay_path(overlay, force: bool, probe: bool = True) -> None:
    """Before the search: the overlay can be written there (with `probe`, its folder made, a file
    put in it), and does not replace a file without --force, so a long search never ends in a refusal."""
    from ..errors import OutputError

    if overlay.is_dir():
        raise OutputError(f"--overlay {overlay} is a directory; name a file, e.g. {overlay / 'fit.yaml'}")
    if overlay.exists() and not force:
        raise OutputError(f"{overlay} exists; use --force to replace it, or --overlay to write elsewhere")
    if probe:
        _probe(overlay, "--overlay")


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
