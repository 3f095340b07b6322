"""What several commands share: options, consoles, progress, running an experiment to a directory."""
from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from ..errors import CorridorSimError
from ..executors import BACKENDS
from ..results.formats import FORMATS
from .text import printable

if TYPE_CHECKING:
    from rich.console import Console

    from ..results.io import ExtraFiles
    from ..results.run_result import RunResult


class LazyConsole:
    """A rich Console made when first used: a command that prints only plain lines (`validate`,
    `schema`) starts without loading rich. Everything else goes to the Console itself."""

    __slots__ = ("_options", "_real")

    def __init__(self, **options: Any) -> None:
        object.__setattr__(self, "_options", options)
        object.__setattr__(self, "_real", None)

    @property
    def real(self) -> "Console":
        if self._real is None:
            from rich.console import Console

            object.__setattr__(self, "_real", Console(**self._options))
        return self._real  # type: ignore[return-value]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.real, name, value)

    def line(self, text: str, label: str = "", style: str = "") -> None:
        """`text` on a line of its own, as it is (no markup, no emoji, control characters as their
        escapes, no wrapping), after a `label` in `style`: the one way free text reaches the
        terminal. Written straight to the stream where there is no colour to show (not a
        terminal, and no FORCE_COLOR), else through rich."""
        stream = sys.stderr if self._options.get("stderr") else sys.stdout
        text, label = printable(text), printable(label)
        if self._real is None and not os.environ.get("FORCE_COLOR") and not stream.isatty():
            stream.write(f"{label} {text}\n" if label else f"{text}\n")
            return
        from rich.text import Text

        shown = Text.assemble((label, style), " ", text) if label else Text(text)
        self.real.print(shown, highlight=False, soft_wrap=True)


# no emoji codes anywhere: `:x:` in a name stays as it is
console = LazyConsole(highlight=False, emoji=False)
console_err = LazyConsole(stderr=True, highlight=False, emoji=False)


def add_experiment_options(parser: argparse.ArgumentParser, output: str = "results/<name>") -> None:
    """Options of run, compare and sweep: replications, seed, execution, output (`output`: the
    default run directory the help names), resume."""
    parser.add_argument("-n", "--replications", type=int, metavar="REPS", help="replications (default: the scenario's)")
    parser.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                        help="override a scenario value, e.g. traffic.main.per_day=80 (repeatable)")
    run = parser.add_argument_group("execution")
    run.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default 1)")
    run.add_argument("--executor", choices=BACKENDS,
                     help="serial, process (a local pool of --workers) or dask "
                          "(default: process when --workers > 1, dask with --dask-address)")
    run.add_argument("--dask-address", metavar="ADDR",
                     help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster of --workers)")
    run.add_argument("--trace", action="store_true", help="write every truck's full trace (caravans are always traced)")
    run.add_argument("--engine", choices=("auto", "reference"), default="auto",
                     help="auto (default): the fastest engine that supports everything in the scenario; reference: "
                          "every truck event by event on SimPy, to cross-check a result (same numbers, slower)")
    run.add_argument("--max-trucks", type=int, metavar="N",
                     help="refuse a scenario whose replication would need more memory than this many counted "
                          "trucks (the drain and traces counted; default: what fits the replications run at once "
                          "into half of this machine's memory)")
    out = parser.add_argument_group("output")
    out.add_argument("-o", "--output", metavar="DIR", help=f"run directory (default {output})")
    out.add_argument("--format", choices=FORMATS, help="table files: csv (default) or parquet (needs pyarrow)")
    out.add_argument("--force", action="store_true", help="replace an existing run directory or interrupted run")
    out.add_argument("--resume", metavar="DIR", help="complete the interrupted run DIR (kept in DIR.partial/)")
    out.add_argument("--no-plots", action="store_true", help="do not draw plots into DIR/plots/")
    add_plot_options(out)
    out.add_argument("--quiet", action="store_true", help="no progress display")


# the plot file formats (plots.style.FORMATS, named here so that reading the options loads no
# matplotlib) and the resolution the packaged style draws at (data/corridor.mplstyle)
PLOT_FORMATS = ("png", "svg", "pdf")
DEFAULT_DPI = 100
DPI_RANGE = (30, 600)


def add_plot_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup, *aliases: str) -> None:
    """`--plot-format` and `--dpi` of every command that draws plots (`aliases`: older names of
    `--plot-format`); `plot_options` checks them."""
    parser.add_argument("--plot-format", *aliases, dest="plot_format", default="png", metavar="FMT[,FMT]",
                        help=f"plot file formats, comma-separated: {', '.join(PLOT_FORMATS)} (default png)")
    parser.add_argument("--dpi", type=int, metavar="N",
                        help=f"plot resolution in dots per inch, {DPI_RANGE[0]} to {DPI_RANGE[1]} (default {DEFAULT_DPI})")


@dataclass(frozen=True)
class PlotOptions:
    """What the plotting layer is given: the file formats, and the resolution (None: the style's)."""

    formats: tuple[str, ...] = ("png",)
    dpi: int | None = None


def plot_options(args: argparse.Namespace) -> PlotOptions:
    """The command's `--plot-format` and `--dpi`, checked before anything runs (a bad one is one
    line, exit 2); the defaults for a command without them."""
    text = getattr(args, "plot_format", None) or "png"
    formats = tuple(dict.fromkeys(f.strip().lower().lstrip(".") for f in text.split(",") if f.strip()))
    unknown = [f for f in formats if f not in PLOT_FORMATS]
    if unknown or not formats:
        raise CorridorSimError(f"--plot-format: unknown plot format {', '.join(unknown) or '(none)'}; expected one "
                               f"or more of {', '.join(PLOT_FORMATS)}, comma-separated")
    dpi = getattr(args, "dpi", None)
    if dpi is not None and not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        raise CorridorSimError(f"--dpi must be between {DPI_RANGE[0]} and {DPI_RANGE[1]}, got {dpi}")
    return PlotOptions(formats, dpi)


LIMITS = {"--replications": 100_000, "--workers": 1_024, "--generations": 10_000, "--population": 10_000}


def positive(value: int | None, name: str) -> None:
    """A count option between 1 and its limit (as `experiment.replications` in a scenario), checked
    before anything is allocated."""
    if value is None:
        return
    if value < 1:
        raise CorridorSimError(f"{name} must be at least 1, got {value}")
    most = LIMITS.get(name)
    if most is not None and value > most:
        raise CorridorSimError(f"{name} must be at most {most:,}, got {value:,}")


def check_run_options(args: argparse.Namespace) -> None:
    """Replications, workers, seed and executor of any command that runs replications."""
    positive(args.replications, "--replications")
    positive(args.workers, "--workers")
    if args.seed is not None and args.seed < 0:
        raise CorridorSimError(f"--seed must be a whole number of at least 0, got {args.seed}")
    if args.dask_address and args.executor not in (None, "dask"):
        raise CorridorSimError(f"--dask-address needs --executor dask, not {args.executor}")


def check_experiment_args(args: argparse.Namespace, inputs: list) -> None:
    """Bad combinations of options, refused before anything runs or is written."""
    check_run_options(args)
    plot_options(args)
    positive(args.max_trucks, "--max-trucks")
    if args.resume and args.output and Path(args.output) != Path(args.resume):
        raise CorridorSimError(f"--resume {args.resume} and -o {args.output} name different directories; give one")
    if not args.resume and not all(inputs):
        raise CorridorSimError(f"give the scenario file(s) to run, or --resume DIR to complete an interrupted {args.command}")
    if args.resume and not any(inputs):
        # the interrupted run's plan fixes these; taking them silently would mix two plans
        given = [flag for flag, value in (("-n", args.replications), ("--seed", args.seed),
                                          ("--set", args.overrides), ("--trace", getattr(args, "trace", False)),
                                          ("--engine", getattr(args, "engine", "auto") != "auto"),
                                          ("--vary", getattr(args, "vary", None))) if value]
        if given:
            raise CorridorSimError(f"--resume completes {args.resume} as it was planned; {', '.join(given)} cannot change "
                                   f"that plan (start over with the scenario file(s) and --force to run another)")


def output_dir(args: argparse.Namespace, name: str) -> Path:
    if args.resume:
        return Path(args.resume)
    return Path(args.output) if args.output else Path("results") / name


@contextmanager
def progress_bars(enabled: bool, names: list[str], total: int) -> Iterator:
    """A rich progress bar per scenario on a terminal (elapsed, estimate); None otherwise."""
    if not enabled or not console_err.is_terminal:
        yield None
        return
    from rich.markup import escape as markup_free
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("eta"), TimeRemainingColumn(), console=console_err.real, transient=False) as progress:
        width = max(map(len, names), default=0)
        tasks = {n: progress.add_task(markup_free(printable(n.ljust(width))), total=total) for n in names}

        def update(name: str, done: int, _total: int) -> None:
            progress.update(tasks[name], completed=done)

        yield update


def plots_hook(args: argparse.Namespace) -> ExtraFiles | None:
    """Draws the plots into `plots/` of the run directory, and `report.html` with them, before the
    directory is renamed into place (each figure drawn once for both).

    Passed as `write_run_dir(..., extra_files=...)`; `--no-plots` leaves both out.
    """
    if getattr(args, "no_plots", False):
        return None
    from ..plots import render_plots, with_cached_tables, write_plots  # matplotlib only where it draws
    from ..report import write_report

    options = plot_options(args)

    def draw(result: RunResult, directory: Path) -> None:
        result = with_cached_tables(result)
        figures = render_plots(result)
        write_plots(result, directory / "plots", options.formats, figures=figures, dpi=options.dpi)
        write_report(result, directory, figures=figures)

    return draw


def warn(lines: list[str], about: str = "") -> None:
    """Warnings on stderr, one a line."""
    for line in lines:
        console_err.line(about + line, "warning:", "bold yellow")


def scenario_lint(scenarios, warnings: dict[str, list[str]] | None = None) -> None:
    """What the scenarios' settings say before they run (`warnings`: already worked out, by name),
    each sentence once for the command: one that several scenarios share (a sweep's points, a
    comparison's overlays of one base) names how many and which."""
    from ..results.warnings import said_once
    from ..scenario.lint import scenario_warnings

    if warnings is None:
        warnings = {s.name: scenario_warnings(s) for s in scenarios}
    for who, line in said_once(warnings):
        warn([line], f"{who}: ")


def result_warnings(result: RunResult) -> None:
    """What the run found (saturated controls, ...), each sentence once as before the run; what
    the settings said was said before it ran."""
    from ..results.warnings import said_once

    before = result.meta.get("scenario_warnings") or {}
    found = {name: [w for w in s.get("warnings") or [] if w not in before.get(name, [])]
             for name, s in result.summary_dict["scenarios"].items()}
    for who, line in said_once(found):
        warn([line], f"{who}: ")


@contextmanager
def workers_ahead(args: argparse.Namespace) -> Iterator[None]:
    """A command that will run replications on a local process pool starts its workers first:
    they import the model while this process imports and loads the scenarios, rather than after
    (`args.pool`, which `run_to_directory` runs on; stopped with the command, as any pool is)."""
    workers = getattr(args, "workers", 1) or 1
    # more workers than processors is the user's to ask, not a pool to start before the checks
    if args.command not in ("run", "compare", "sweep", "workshop") or not 1 < workers <= (os.cpu_count() or 1) \
            or getattr(args, "dask_address", None) or getattr(args, "executor", None) not in (None, "process"):
        yield
        return
    from ..executors.process import process_executor, warm

    with process_executor(workers) as pool:
        for _ in range(workers):
            pool.submit(warm, "corridor_sim.replicate")
        args.pool = pool
        try:
            yield
        finally:
            args.pool = None


def run_to_directory(args: argparse.Namespace, plan, target: Path, extra_files: ExtraFiles | None = None,
                     bars=None) -> RunResult:
    """Run `plan` into `target` with the command's execution and output options; `extra_files`
    instead of the plots, `bars` instead of a progress bar per scenario (`progress_bars`).

    On Ctrl-C, a lost worker or an unexpected failure (e.g. while drawing the plots) the
    finished replications stay in `target.partial/`, and the message says how to complete them.
    """
    from ..experiment import Output, WorkerLost, run_plan
    from ..scenario.budget import check_budget
    from .signals import signals_held, stop_for

    output = Output(target, force=args.force, format=args.format, resume=bool(args.resume),
                    extra_files=extra_files or plots_hook(args))
    if not args.resume:
        plan = replace(plan, engine=args.engine)
    names = [s.name for s in plan.scenarios]
    check_budget(list(plan.scenarios), at_once=min(args.workers, plan.replications * len(names)),
                 max_trucks=args.max_trucks, trace=plan.trace)
    if args.force and not args.resume:  # after the refusals that come first, which replace nothing
        _say_what_force_replaces(target)
    scenario_lint(plan.scenarios, plan.warnings)
    if plan.kind == "compare":
        from ..scenario.lint import comparison_warnings

        base = next(s for s in plan.scenarios if s.name == plan.baseline)
        warn(comparison_warnings(base, [s for s in plan.scenarios if s is not base]), "compare: ")
    try:
        with (bars or progress_bars)(not args.quiet, names, plan.replications) as progress:
            pool = getattr(args, "pool", None)
            return run_plan(plan, workers=args.workers, executor=pool or args.executor,
                            progress=progress, output=output, dask_address=args.dask_address,
                            when_done=pool and (lambda: pool.shutdown(wait=False)))
    except (KeyboardInterrupt, WorkerLost, Exception) as exc:
        if isinstance(exc, CorridorSimError) and not isinstance(exc, WorkerLost):
            raise  # bad input or a model failure: resuming would not help
        with signals_held() as held:  # a SIGTERM now (sent to the workers too) must not cut the line short
            note = _kept_note(args.command, plan.replications * len(names), target, exc,
                              getattr(args, "resume_hint", None))
        stop = None if isinstance(exc, KeyboardInterrupt) else stop_for(held)
        if note:  # said on the error's line (main prints the notes)
            (stop or exc).add_note(note)
        if stop is not None:
            raise stop from exc
        if note and not isinstance(exc, (KeyboardInterrupt, CorridorSimError, OSError, MemoryError)):
            console_err.line(note)  # a bug: a traceback follows
        raise


def _kept_note(command: str, planned: int, target: Path, exc: BaseException, hint: str | None = None) -> str | None:
    """`N of M replications are kept in DIR.partial/; complete them with ...` (or `hint`), or None if none is."""
    from ..results.paths import partial_path
    from ..results.store import ReplicationStore

    partial = partial_path(target)
    if isinstance(exc, OSError) and not exc.filename:  # a write to an open file: say where
        exc.filename = str(partial if partial.is_dir() else target)
    if not partial.is_dir():
        return None
    try:
        kept = len(ReplicationStore.open(partial).finished())
    except CorridorSimError:
        kept = 0
    how = hint or f"complete them with: corridor-sim {command} --resume {target}"
    return f"{kept} of {planned} replications are kept in {partial}/; {how}"


def _say_what_force_replaces(target: Path) -> None:
    """`--force` says what it will replace: an earlier run (only a run is ever replaced) or an
    interrupted one; nothing is said (or removed) where there is nothing."""
    import json

    from ..results.io import is_run_dir
    from ..results.lock import held_elsewhere
    from ..results.ownership import is_ours
    from ..results.paths import partial_path

    if held_elsewhere(target):  # the lock refuses next: nothing will be replaced or discarded
        return
    if is_run_dir(target):
        try:
            meta = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
            what = (f" ({meta.get('kind', 'run')} of {', '.join(meta.get('scenarios') or [])}, "
                    f"{meta.get('replications')} replications, finished {meta.get('finished')})")
        except (OSError, ValueError, AttributeError, TypeError):
            what = ""
        _note(f"--force: replacing the earlier run in {target}/{what} when this one is complete")
    partial = partial_path(target)
    if partial.exists() and is_ours(partial, partial=True):
        _note(f"--force: discarding the interrupted run in {partial}/")


def _note(line: str) -> None:
    console_err.line(line)


def final_line(result: RunResult, target: Path) -> None:
    """Total replications, workers, and wall-clock seconds per replication run now."""
    meta = result.meta
    warn([f"{line}; run again" for line in meta.get("rerun_damaged", [])], "damaged in the interrupted run: ")
    ran = meta.get("run_replications", 0)
    resumed = meta.get("resumed_replications", 0)
    total = ran + resumed
    per = meta["elapsed_s"] / ran if ran else float("nan")
    count = f"{total} replications" + (f" ({resumed} resumed, {ran} run now)" if resumed else "")
    scenarios = len(result.scenarios)
    console.line(f"{count} of {scenarios} scenario{'s' if scenarios > 1 else ''} on {meta['workers']} worker(s) "
                 f"({meta['executor']}) in {meta['elapsed_s']:.1f} s, {per:.2f} s per replication; "
                 f"results in {target}/")
    engines = meta.get("engines")
    if engines:
        from .text import plain

        console.print(plain(engine_line(engines)))  # wrapped to the terminal's width, as text


def engine_line(engines: dict[str, dict]) -> str:
    """The engine that ran each scenario and its share of trucks outside the event loop, and
    where to read what kept controls or a whole world on the reference engine."""
    from ..model.features import ASKED

    told = [e["reference_because"] for e in engines.values() if e["reference_because"].get("world") != [ASKED]]
    if len(told) < len(engines) and not told:
        return "engine: reference, as asked"
    controls = sum(len(r) - ("world" in r) for r in told)
    worlds = sum("world" in r for r in told)
    kept = [f"{n} {what}{'s' if n != 1 else ''}" for n, what in ((controls, "control"), (worlds, "whole world")) if n]
    why = f"; {' and '.join(kept)} on the reference engine (why: manifest.json)" if kept else ""
    shares = {name: f"{e['engine']}, {100 * e['outside_loop_share']:.0f}%" for name, e in engines.items()}
    if len(engines) == 1:
        return f"engine: {next(iter(shares.values()))} of trucks outside the event loop{why}"
    listed = "; ".join(f"{name} {share}" for name, share in shares.items())
    return f"engines (and the share of trucks outside the event loop): {listed}{why}"
