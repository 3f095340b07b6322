"""`workshop`: the base and every combination of its measures on common random numbers, as one
offline page where a trainer switches measures on and off."""
from __future__ import annotations

import argparse
import os
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from ..errors import CorridorSimError
from ..executors import BACKENDS
from ..results.formats import FORMATS
from .common import console, console_err, positive

DEFAULT_KIT = Path("results") / "workshop.html"
MAX_RUNS = 1_000  # scenarios × replications
# every pair and triple of measures: the default kit (six measures) is 42 scenarios, about 15
# minutes on two cores, where all 64 combinations would take some 25 (AEO priority runs on the
# reference engine, three times as long as a fast-engine run)
MAX_SIZE = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("workshop", help="build an offline page where measures are switched on and off (a workshop kit)",
                       description="Run BASE and every combination of the OVERLAY measures (up to --max-size at "
                                   "once) on the same replications and seeds, and write one self-contained HTML "
                                   "page: toggles for the measures, the paired lead-time saving with its 95% CI, "
                                   "where the time goes, the crossings, queues, time-distance, inspections and "
                                   "violations missed, a map; English, Russian and Turkish; a workshop mode with "
                                   "questions. Without files: the bundled corridor and its measure overlays.")
    p.add_argument("base", metavar="BASE", nargs="?", help="the base scenario (default: scenarios/middle_corridor.yaml)")
    p.add_argument("overlays", metavar="OVERLAY", nargs="*",
                   help="the measures: overlay files of BASE (default: the bundled corridor's measure overlays); "
                        "A.yaml,B.yaml: one measure at two intensities, a slider on the page")
    p.add_argument("--max-size", type=int, default=MAX_SIZE, metavar="K",
                   help=f"combine at most K measures at once (default {MAX_SIZE})")
    p.add_argument("--max-runs", type=int, default=MAX_RUNS, metavar="N",
                   help=f"refuse a kit of more than N runs, scenarios × replications (default {MAX_RUNS:,})")
    p.add_argument("-n", "--replications", type=int, metavar="REPS", help="replications (default: the base's)")
    p.add_argument("--seed", type=int, help="root seed (default: the base's)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override a value in every scenario, e.g. clock.horizon=14d (repeatable)")
    run = p.add_argument_group("execution")
    run.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), metavar="N",
                     help="worker processes (default 2); results do not depend on it")
    run.add_argument("--executor", choices=BACKENDS, help="serial, process or dask (default: process when --workers > 1)")
    run.add_argument("--dask-address", metavar="ADDR", help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    run.add_argument("--trace", action="store_true",
                     help="trace every truck, for the time-distance chart (small scenarios; caravans are always traced)")
    run.add_argument("--engine", choices=("auto", "reference"), default="auto",
                     help="auto (default) or reference: every truck event by event, to cross-check")
    run.add_argument("--max-trucks", type=int, metavar="N", help="refuse a scenario whose replication would need more "
                                                                  "memory than this many counted trucks (default: "
                                                                  "half the memory)")
    out = p.add_argument_group("output")
    out.add_argument("-o", "--output", metavar="FILE.html", help=f"the page (default {DEFAULT_KIT})")
    out.add_argument("--data", metavar="DIR", help="the run directory the page is built from (default: FILE-data "
                                                   "beside the page)")
    out.add_argument("--format", choices=FORMATS, help="table files of the run directory: csv (default) or parquet")
    out.add_argument("--force", action="store_true", help="replace an existing kit and its run directory")
    out.add_argument("--resume", action="store_true",
                     help="complete an interrupted kit: the same command again with --resume runs only what is missing")
    out.add_argument("--quiet", action="store_true", help="no progress display")
    p.set_defaults(func=workshop)


@contextmanager
def one_bar(enabled: bool, names: list[str], total: int) -> Iterator:
    """One bar over every run of the kit (a bar per scenario would fill the screen), with the time left."""
    if not enabled or not console_err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    done = {name: 0 for name in names}
    with Progress(TextColumn("runs"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("left"),
                  TimeRemainingColumn(), console=console_err.real, transient=False) as progress:
        task = progress.add_task("runs", total=total * len(names))

        def update(name: str, count: int, _total: int) -> None:
            done[name] = count
            progress.update(task, completed=sum(done.values()))

        yield update


def _check_partial(data: Path, force: bool) -> None:
    """An interrupted kit in the way, said before the line that says what will run."""
    from ..errors import OutputError
    from ..results.ownership import is_ours, not_ours
    from ..results.paths import partial_path

    partial = partial_path(data)
    if not partial.exists():
        return
    if not is_ours(partial, partial=True):
        raise OutputError(not_ours(partial, "an interrupted corridor-sim run"))
    if not force:
        raise OutputError(f"{partial} holds an interrupted run; run the same command again with --resume, or use "
                          "--force to start over")


def workshop(args: argparse.Namespace) -> int:
    from ..experiment import compare_plan
    from ..results.io import check_run_path, check_target
    from ..workshop import (DEFAULT_LABELS, build_kit, check_kit_path, check_resumable, check_runs, default_files,
                            kit_extras, read_kit_data, write_kit)
    from .common import run_to_directory

    for value, name in ((args.replications, "--replications"), (args.workers, "--workers"),
                        (args.max_trucks, "--max-trucks"), (args.max_runs, "--max-runs"), (args.max_size, "--max-size")):
        positive(value, name)
    if args.seed is not None and args.seed < 0:
        raise CorridorSimError(f"--seed must be a whole number of at least 0, got {args.seed}")
    if args.dask_address and args.executor not in (None, "dask"):
        raise CorridorSimError(f"--dask-address needs --executor dask, not {args.executor}")
    if args.base and not args.overlays:
        raise CorridorSimError(f"give the measures after {args.base}: corridor-sim workshop BASE OVERLAY...")
    base, files = (Path(args.base), args.overlays) if args.base else default_files()
    overlays = [[Path(f) for f in str(o).split(",") if f] for o in files]  # A.yaml,B.yaml: levels of one measure
    labels = None if args.base else DEFAULT_LABELS
    page = Path(args.output) if args.output else DEFAULT_KIT
    data = Path(args.data) if args.data else page.with_name(f"{page.stem}-data")
    check_run_path(data)
    if page.resolve() == data.resolve() or data.resolve() in page.resolve().parents:
        raise CorridorSimError(f"-o {page} and --data {data} name the same place; the page is written beside its "
                               "run directory, not in it")
    check_kit_path(page, args.force)
    if not args.resume:
        check_target(data, args.force)
        _check_partial(data, args.force)

    kit = build_kit(base, overlays, args.max_size, args.overrides, labels)
    reps = args.replications or kit.base.experiment.replications
    check_runs(kit, reps, args.max_runs)
    plan = replace(compare_plan(list(kit.scenarios), reps, args.seed, args.trace), engine=args.engine)
    if args.resume:
        check_resumable(data, plan)
    from ..scenario.budget import check_budget

    # before the line that says what will run (run_to_directory checks again, as for every command)
    check_budget(list(plan.scenarios), at_once=min(args.workers, plan.replications * len(plan.scenarios)),
                 max_trucks=args.max_trucks, trace=plan.trace)
    console_err.line(f"workshop: {len(kit.measures)} measures, up to {kit.max_size} at once: the base and "
                     f"{len(kit.combinations)} combinations × {reps} replications = {kit.runs(reps):,} runs "
                     f"(--max-runs {args.max_runs:,})")
    args.command, args.no_plots = "workshop", True
    args.resume_hint = "run the same command again with --resume"
    run_to_directory(args, plan, data, extra_files=kit_extras(kit), bars=one_bar)
    file = write_kit(read_kit_data(data), page, force=args.force)
    console.line(f"kit: {file} ({file.stat().st_size / 1e6:.1f} MB; open it in a browser, no network needed); "
                 f"runs in {data}/")
    return 0
