"""`plot`, `demo`, `animate`: pictures of results, ready-made workshop comparisons, an animated map."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..errors import CorridorSimError
from .common import add_plot_options, console, console_err, plot_options, positive, progress_bars, warn


def register(sub: argparse._SubParsersAction) -> None:
    from ..demo import DEMOS

    p = sub.add_parser("plot", help="re-draw the plots and report.html of a saved run directory",
                       description="Draw every plot a saved run, compare or sweep directory supports into "
                                   "DIR/plots/, and write DIR/report.html, without running anything again.")
    p.add_argument("directory", metavar="DIR", help="a run directory (holds summary.json)")
    add_plot_options(p, "--format")
    p.add_argument("--no-report", action="store_true", help="do not write report.html")
    p.set_defaults(func=plot)

    d = sub.add_parser("demo", help="run a ready-made before/after comparison for a workshop",
                       description="Run a bundled comparison on the same replications and seeds, write "
                                   "tables, plots and report.html to results/demo-NAME/, and say what "
                                   "changed, with the figure and its 95% confidence interval (--list: each "
                                   "demo's question and scenario files). "
                                   + " ".join(f"{name}: {demo.title}." for name, demo in DEMOS.items()))
    d.add_argument("name", nargs="?", choices=list(DEMOS), metavar="NAME", help=f"one of: {', '.join(DEMOS)}")
    d.add_argument("--list", action="store_true", help="list the demos: each one's question and scenario files")
    d.add_argument("-n", "--replications", type=int, metavar="REPS", help="replications (default: the demo's own, set in its scenarios)")
    d.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override a value in both of the demo's scenarios, as run --set, e.g. clock.horizon=10d "
                        "(repeatable)")
    d.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), metavar="N",
                   help="worker processes (default 2); results do not depend on it")
    d.add_argument("-o", "--output", metavar="DIR", help="where to write (default results/demo-NAME)")
    d.add_argument("--force", action="store_true",
                   help="replace an existing run directory (an earlier run of the same demo is replaced without it)")
    d.add_argument("--quiet", action="store_true", help="no progress display")
    add_plot_options(d)
    d.set_defaults(func=demo)

    a = sub.add_parser("animate", help="an animated map (GIF) of one replication: trucks, queues, the clock; "
                                       "a measure beside its baseline",
                       description="Simulate one replication of BASE with every truck traced, over a short "
                                   "window after the warm-up, and write an animated GIF of the trucks moving "
                                   "along the corridor, the queues at the controls and the trucks waiting at "
                                   "each port for a vessel. With MEASURE, the two side by side, each panel titled "
                                   "with its scenario's label, on the same replication and seed (the same trucks) "
                                   "and one clock; MEASURE must have BASE's nodes and dates.")
    a.add_argument("file", metavar="BASE", help="scenario file (its nodes need lat/lon)")
    a.add_argument("measure", nargs="?", metavar="MEASURE",
                   help="a second scenario file, drawn beside BASE (the same nodes and dates)")
    a.add_argument("-o", "--output", metavar="FILE.gif",
                   help="output file (default results/NAME-animation.gif; results/BASE-vs-MEASURE-animation.gif "
                        "with MEASURE, by the scenarios' names)")
    a.add_argument("--days", type=float, default=7.0, help="days shown after the warm-up (default 7)")
    a.add_argument("--frames", type=int, default=120, help="frames (default 120)")
    a.add_argument("--fps", type=int, default=10, help="frames per second (default 10)")
    a.add_argument("--replication", type=int, default=0, help="which replication (default 0)")
    a.add_argument("--seed", type=int, help="root seed (default: BASE's, for both scenarios)")
    a.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override a value in both scenarios (repeatable)")
    a.add_argument("--force", action="store_true", help="replace an existing file")
    a.set_defaults(func=animate)


def plot(args: argparse.Namespace) -> int:
    from ..plots import render_plots, with_cached_tables, write_plots
    from ..report import write_report
    from ..results import load_results

    from ..demo import saved_demo

    options = plot_options(args)
    result = with_cached_tables(load_results(args.directory))
    directory = Path(args.directory)
    demo = saved_demo(directory) or {}  # a demo's plots and report keep their flow, title and takeaway
    focus = demo.pop("focus", None)
    figures = render_plots(result, flow=focus)
    files = write_plots(result, directory / "plots", options.formats, figures=figures, dpi=options.dpi)
    if not args.no_report:
        files.append(write_report(result, directory, figures=figures, flow=focus, **demo))
    for file in files:
        console.line(str(file))
    return 0


def list_demos() -> int:
    """`demo --list`: each demo's name, the question it answers and its two scenario files."""
    from ..demo import DEMOS

    for name, entry in DEMOS.items():
        baseline, measure = entry.files()
        console.line(f"{name}: {entry.question}")
        console.line(f"    baseline: {baseline}")
        console.line(f"    measure:  {measure}")
    return 0


def _set_warnings(scenarios: list) -> None:
    """A `--set` value that a more specific setting hides, said once for both scenarios (as `run`
    says it); what the bundled files themselves set is the demo's design, not the user's."""
    from ..scenario.lint import shadowed_warnings

    lines = dict.fromkeys(line for s in scenarios for line in shadowed_warnings(s) if line.startswith("--set "))
    warn(list(lines), "demo: ")


def demo(args: argparse.Namespace) -> int:
    from ..demo import DEMOS, get_demo, replaces_own_run, run_demo

    if args.list:
        if args.name:
            raise CorridorSimError(f"--list lists every demo; give it without a NAME (not {args.name!r})")
        return list_demos()
    if not args.name:
        raise CorridorSimError(f"give the demo to run (one of: {', '.join(DEMOS)}), or --list to see what each shows")
    positive(args.replications, "--replications")
    positive(args.workers, "--workers")
    options = plot_options(args)
    chosen = get_demo(args.name)
    scenarios = chosen.scenarios(args.overrides)
    _set_warnings(scenarios)
    names = [s.name for s in scenarios]
    reps = args.replications or scenarios[0].experiment.replications
    from ..scenario.budget import check_budget

    check_budget(scenarios, at_once=min(args.workers, reps * len(scenarios)), what=f"demo {args.name}", lift=None)
    from ..results.paths import partial_path

    from ..results.io import check_target
    from ..results.ownership import is_ours, not_ours

    target = Path(args.output) if args.output else Path("results") / f"demo-{args.name}"
    own = not args.force and replaces_own_run(target, args.name)
    check_target(target, args.force or own)  # said before the header, in one line, as the interrupted run below
    partial = partial_path(target)
    if partial.exists() and not is_ours(partial, partial=True):
        raise CorridorSimError(not_ours(partial, "an interrupted corridor-sim run"))
    if partial.exists() and not args.force:  # (a demo has no --resume)
        raise CorridorSimError(f"{partial} holds an interrupted run; use --force to start over")
    shown = [s.label or s.name for s in scenarios]
    settings = f", --set {', '.join(args.overrides)}" if args.overrides else ""
    console_err.line(f"demo {args.name}: {chosen.title} ({shown[0]} against {shown[1]}, {reps} replications{settings})")
    if own:
        console_err.line(f"replacing this demo's earlier run in {target}/ when this one is complete")
    try:
        with progress_bars(not args.quiet, names, reps) as progress:
            run = run_demo(args.name, args.output, args.replications, workers=args.workers, force=args.force,
                           progress=progress, overrides=args.overrides, plot_formats=options.formats,
                           dpi=options.dpi)
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM: a demo is run again from the start, not resumed
        if partial.is_dir():
            exc.add_note(f"the finished replications are in {partial}/; run the demo again with --force to "
                         "start over")
        raise
    console.print()
    for line in run.takeaway:
        console.line(line)
    console.print()
    console.line(f"Plots and report: {run.directory / 'report.html'}")
    return 0


def animate(args: argparse.Namespace) -> int:
    from ..animate import animate as draw
    from ..scenario import load_scenario

    scenario = load_scenario(args.file, args.overrides)
    other = load_scenario(args.measure, args.overrides) if args.measure else None
    if args.replication < 0:
        raise CorridorSimError(f"--replication must be at least 0, got {args.replication}")
    if args.seed is not None and args.seed < 0:
        raise CorridorSimError(f"--seed must be a whole number of at least 0, got {args.seed}")
    name = scenario.name if other is None else f"{scenario.name}-vs-{other.name}"
    output = Path(args.output) if args.output else Path("results") / f"{name}-animation.gif"
    file = draw(scenario, output, days=args.days, frames=args.frames, fps=args.fps, replication=args.replication,
                seed=args.seed, force=args.force, other=other)
    console.line(f"{file} ({args.frames} frames, {args.days:g} days after the warm-up)")
    return 0
