"""`uncertainty`: the saving card of each measure over the assumptions file's ranges."""
from __future__ import annotations

import argparse
import math
import time
from pathlib import Path
from typing import Any

from .common import PlotOptions, add_plot_options, check_run_options, console, plot_options, progress_bars

TRAJECTORIES, SAMPLES = 4, 40  # the default design: Morris trajectories, Latin hypercube points


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("uncertainty", help="each measure's saving card: its range over the assumptions, drivers, failures",
                       description="Run the base and each MEASURE at every point of a design over the groups of an "
                                   "assumptions file, on the same replications and seeds at every point, and write "
                                   "each measure's saving card: the paired saving at the central values, its range "
                                   "over the assumptions, the share of the spread that is simulation noise, the "
                                   "probability it exceeds zero and --threshold, Morris screening and Sobol indices "
                                   "(on a Gaussian-process emulator), the PRIM box where it falls below the "
                                   "threshold, and the value of learning each group (EVPPI).")
    p.add_argument("base", metavar="BASE", nargs="?", help="the base scenario file (not needed with --resume)")
    p.add_argument("measures", metavar="MEASURE", nargs="*", help="scenario files of the measures")
    p.add_argument("--assumptions", metavar="FILE", help="the assumptions file (groups, ranges, sources)")
    p.add_argument("--threshold", type=float, default=0.0, metavar="H",
                   help="the saving in hours per truck a measure must exceed to be worth it (default 0)")
    p.add_argument("--flow", metavar="NAME", help="the saving of this flow's (or caravan's) trucks (default: every "
                                                 "counted truck)")
    p.add_argument("--targets", metavar="FILE", help="score each point against these calibration targets")
    p.add_argument("--calibration", metavar="SCENARIO",
                   help="with --targets: the scenario the targets describe (default the base), run at each point "
                        "with the groups it shares")
    p.add_argument("--trajectories", type=int, default=TRAJECTORIES, metavar="R",
                   help=f"Morris trajectories of the screening (default {TRAJECTORIES}; 0: no screening)")
    p.add_argument("--samples", type=int, default=SAMPLES, metavar="N",
                   help=f"Latin hypercube points for the range, the emulator and PRIM (default {SAMPLES})")
    p.add_argument("-n", "--replications", type=int, metavar="REPS", help="replications a point (default: the base's)")
    p.add_argument("--seed", type=int, help="root seed of every point (default: the base's)")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default 1)")
    p.add_argument("--executor", choices=("serial", "process", "dask"), help="as for run (default: process when --workers > 1)")
    p.add_argument("--dask-address", metavar="ADDR", help="a running Dask scheduler (with --executor dask)")
    p.add_argument("-o", "--output", metavar="DIR", help="the card's directory (default results/BASE-uncertainty)")
    p.add_argument("--force", action="store_true", help="replace an existing card or interrupted design")
    p.add_argument("--resume", metavar="DIR", help="complete the interrupted design DIR (kept in DIR.partial/)")
    p.add_argument("--no-plots", action="store_true", help="do not draw the tornado and range plots, nor report.html")
    add_plot_options(p)
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.set_defaults(func=uncertainty)


def _inputs(args: argparse.Namespace):
    from ..assumptions import check_assumptions, load_assumptions
    from ..errors import CorridorSimError
    from ..scenario import load_scenario
    from ..scenario.loader import read_yaml
    from ..uncertainty import Inputs, check_inputs, make_design, missing_extra

    if not args.assumptions:
        raise CorridorSimError("give the assumptions file: --assumptions FILE")
    from importlib.util import find_spec

    for module in ("SALib", "sklearn", "ema_workbench"):  # said now, in one line, not after the runs
        if find_spec(module) is None:
            raise missing_extra(ImportError(name=module))
    if args.calibration and not args.targets:
        raise CorridorSimError("--calibration names the scenario --targets describes; give --targets too")
    if not math.isfinite(args.threshold):
        raise CorridorSimError(f"--threshold must be a finite number of hours, got {args.threshold}")
    for flag, value in (("--trajectories", args.trajectories), ("--samples", args.samples)):
        if value < 0 or value > 10_000:
            raise CorridorSimError(f"{flag} must be between 0 and 10,000, got {value}")
    if args.trajectories == 0 and args.samples == 0:
        raise CorridorSimError("the design is empty: give --trajectories or --samples above 0")
    base = load_scenario(args.base)
    measures = [load_scenario(m) for m in args.measures]
    check_inputs(base, measures)
    if args.flow is not None:
        from ..errors import Problem, ScenarioError
        from ..scenario.dists import did_you_mean

        flows = [*base.traffic, *base.caravans]
        if args.flow not in flows:
            raise ScenarioError(Problem("--flow", f"scenario {base.name!r} has no flow or caravan {args.flow!r}"
                                                  f"{did_you_mean(args.flow, flows)}"))
    document = read_yaml(Path(args.assumptions))
    assumptions = load_assumptions(args.assumptions, document)
    for scenario in (base, *measures):
        check_assumptions(scenario, assumptions, args.assumptions, document)
    targets = calibration = None
    if args.targets:
        from ..calibrate import check_targets, load_targets

        targets = load_targets(args.targets)
        if targets.years:  # a point is scored on one scenario
            raise CorridorSimError(f"--targets {args.targets} holds targets of several years (`year:`); a point "
                                   f"is scored on one scenario: give one year's targets")
        calibration = load_scenario(args.calibration) if args.calibration else None
        check_targets(calibration or base, targets, args.targets)
        if calibration is not None:
            check_assumptions(calibration, assumptions, args.assumptions, document, shared_only=True)
    reps = args.replications or base.experiment.replications
    seed = base.experiment.seed if args.seed is None else args.seed
    design = make_design(assumptions, args.trajectories, args.samples, seed)
    inputs = Inputs(base, measures, assumptions, reps, seed, design, args.threshold, targets, calibration,
                    {"trajectories": args.trajectories, "samples": args.samples}, args.flow)
    _check_points(inputs, range(len(design.u)), args.workers)
    return inputs


def _check_points(inputs, indices, workers: int) -> None:
    """The budget of every point to run, before the first: the groups' high ends may add trucks.
    Each point's scenarios are made with only the paths the estimate reads (budget.SECTIONS): a
    design that moves none of them is checked once."""
    from ..assumptions import apply, paths_in
    from ..scenario.budget import SECTIONS, check_budget
    from ..uncertainty import needs_trace

    at_once = min(workers, inputs.replications * (1 + len(inputs.measures)))
    scenarios = [inputs.base, *inputs.measures, *([inputs.calibration] if inputs.calibration is not None else [])]
    read = {path for a in inputs.assumptions.assumptions for path in a.paths if path.split(".")[0] in SECTIONS}
    if not read:
        check_budget(scenarios, at_once, trace=needs_trace(inputs), lift=None)
        return
    for index in indices:
        values = inputs.values_at(inputs.design.u[index])
        check_budget([apply(s, inputs.assumptions, values, name=f"{s.name[:180]}.p{index}",
                            only=read & paths_in(s, inputs.assumptions)) for s in scenarios],
                     at_once, trace=needs_trace(inputs), what=f"design point {index}", lift=None)


def uncertainty(args: argparse.Namespace) -> int:
    from ..errors import CorridorSimError
    from ..results.io import check_run_path
    from ..results.lock import run_lock

    check_run_options(args)
    plot_options(args)  # a bad one refused before the design runs
    if args.resume:
        if args.base or args.flow:
            raise CorridorSimError(f"--resume completes {args.resume} as it was planned; give no scenario files "
                                   "nor --flow")
        target = Path(args.resume)
        inputs = None
    else:
        if not args.base:
            raise CorridorSimError("give the base scenario and the measures, or --resume DIR")
        inputs = _inputs(args)
        target = Path(args.output) if args.output else Path("results") / f"{inputs.base.name}-uncertainty"
    check_run_path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with run_lock(target):  # one writer per card directory
        summary = _run_and_write(args, target, inputs)
    print_cards(summary)
    meta = summary.pop("_meta")
    console.line(f"{meta['points']} design points ({meta['resumed_points']} resumed), "
                 f"{summary['uncertainty']['design']['model_runs']} model runs; card in {target}/")
    return 0


def _run_and_write(args: argparse.Namespace, target: Path, inputs) -> dict[str, Any]:
    """Run the design's missing points into `target.partial/`, then write the card into `target`."""
    from ..experiment import WorkerLost
    from ..saving_card import card_summary
    from ..uncertainty import open_store, points_frame, run_design, write_card_dir

    store, inputs = open_store(target, inputs, args.force, bool(args.resume))
    clock = time.perf_counter()
    before = len(store.points())
    if args.resume:  # the points still to run, on this machine
        done = store.points()
        _check_points(inputs, [i for i in range(len(inputs.design.u)) if i not in done], args.workers)
    try:
        with progress_bars(not args.quiet, ["design points"], len(inputs.design.u)) as bar:
            points = run_design(inputs, store, args.executor, args.workers,
                                progress=(lambda done, total: bar("design points", done, total)) if bar else None,
                                dask_address=args.dask_address)
    except (KeyboardInterrupt, WorkerLost) as exc:  # Ctrl-C, SIGTERM, a lost worker: what finished is kept
        exc.add_note(f"{len(store.points())} of {len(inputs.design.u)} design points are kept in {store.path}/; "
            f"complete them with: corridor-sim uncertainty --resume {target}")
        raise
    summary: dict[str, Any] = {"kind": "uncertainty", "replications": inputs.replications, "seed": inputs.seed,
                               "base": inputs.base.name, "measures": [m.name for m in inputs.measures],
                               "flow": inputs.flow,
                               "uncertainty": card_summary(inputs, points)}
    frame = points_frame(inputs, points)
    meta = {"kind": "uncertainty", "elapsed_s": round(time.perf_counter() - clock, 3),
            "resumed_points": before, "run_points": len(points) - before}
    write_card_dir(store, target, summary, frame, meta,
                   None if args.no_plots else _drawer(summary, frame, plot_options(args)))
    return {**summary, "_meta": {**meta, "points": len(points)}}


def _drawer(summary: dict[str, Any], frame, options: PlotOptions):
    def draw(directory: Path) -> None:
        import re

        from ..card_report import write_card_report
        from ..plots.style import figure_bytes, save_figure
        from ..plots.uncertainty import range_figure, tornado_figure

        images: dict[str, bytes] = {}  # the report's PNGs, whatever the files' formats
        for name, card in summary["uncertainty"]["measures"].items():
            stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
            sampled = frame[frame["kind"] == "sample"][f"saving_h:{name}"].tolist()
            for kind, fig in (("range", range_figure(card, sampled)), ("tornado", tornado_figure(card))):
                if fig is None:
                    continue
                for fmt in options.formats:
                    save_figure(fig, directory / f"{kind}-{stem}", fmt, options.dpi)
                images[f"{kind}-{name}"] = figure_bytes(fig, "png")
        write_card_report(summary, directory.parent, images)

    return draw


def _h(x: Any, sign: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:+.2f}" if sign else f"{x:.2f}"


def print_cards(summary: dict[str, Any]) -> None:
    """Each measure's card as an 80-column table and a few lines."""
    from ..saving_card import plausible_words
    from .tables import add_name_column, add_number_columns, text_table
    from .text import plain

    def say(text: str) -> None:  # wrapped to the terminal's width, as text
        console.print(plain(text))

    section = summary["uncertainty"]
    card: dict[str, Any]
    counts = plausible_words(section.get("plausible"))
    if counts:
        say(f"targets: {counts}")
    for name, card in section["measures"].items():
        c, r = card["central"], card["range"]
        say(f"{name}: saving {_h(c['mean'])} h per truck [{_h(c['ci_low'])}, {_h(c['ci_high'])}] at the "
            f"central values ({c['n']} paired replications)")
        say(f"  over the assumptions ({r['n']} sampled points): 5-95% {_h(r['p05'])} to {_h(r['p95'])} h, "
            f"min-max {_h(r['min'])} to {_h(r['max'])} h")
        if card.get("range_plausible"):
            rp = card["range_plausible"]
            say(f"  over the {rp['n']} points that meet the targets: 5-95% {_h(rp['p05'])} to "
                f"{_h(rp['p95'])} h, min-max {_h(rp['min'])} to {_h(rp['max'])} h")
        s, pr = card["spread"], card["probability"]
        if s["assumptions_share"] is not None:
            say(f"  spread: {s['assumptions_share']:.0%} the assumptions, {s['noise_share']:.0%} "
                "simulation noise")
        if pr["above_zero"] is not None:
            say(f"  P(saving > 0) = {pr['above_zero']:.2f}; P(saving > {card['threshold_h']:g} h) = "
                f"{pr['above_threshold']:.2f}")
        groups = [row["group"] for row in card["screening"] or []] or list(card["evppi"]["groups"] if card["evppi"] else [])
        if groups:
            table = text_table(f"{name}: what drives the saving (mu*: Morris, h; S1, ST: Sobol on the emulator; "
                               "EVPPI: h per truck)")
            add_name_column(table, "group", groups)
            add_number_columns(table, ("mu*", "S1", "±", "ST", "±", "EVPPI"))
            indices = {row["group"]: row for row in card["indices"] or []}
            screening = {row["group"]: row for row in card["screening"] or []}
            evppi = (card["evppi"] or {}).get("groups", {})
            for g in groups:
                i, m = indices.get(g, {}), screening.get(g, {})
                table.add_row(g, _h(m.get("mu_star")), _h(i.get("S1")), _h(i.get("S1_conf")), _h(i.get("ST")),
                              _h(i.get("ST_conf")), _h(evppi.get(g)))
            console.print(table)
        if card.get("emulator"):
            e = card["emulator"]
            say(f"  emulator: Gaussian process on {e['points']} points; error on points held back "
                f"({e['folds']}-fold cross-validation): rmse {_h(e['rmse'])} h, R² {_h(e['r2'])}")
        if card.get("drivers"):
            say(f"  drivers: {', '.join(card['drivers'])}")
        if card.get("failure"):
            say(f"  {card['failure']['words']}")
