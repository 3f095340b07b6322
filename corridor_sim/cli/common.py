"""What several commands share: options, consoles, progress, output directories."""
from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

console = Console(highlight=False)
console_err = Console(stderr=True, highlight=False)


def add_experiment_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", "--replications", type=int, metavar="REPS", help="replications (default: the scenario's)")
    parser.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    parser.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default 1)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                        help="override a scenario value, e.g. traffic.main.per_day=80 (repeatable)")
    parser.add_argument("-o", "--output", metavar="DIR", help="run directory (default results/<name>)")
    parser.add_argument("--force", action="store_true", help="replace an existing run directory")
    parser.add_argument("--quiet", action="store_true", help="no progress display")


def positive(value: int | None, name: str) -> None:
    from ..errors import CorridorSimError

    if value is not None and value < 1:
        raise CorridorSimError(f"{name} must be at least 1, got {value}")


def output_dir(args: argparse.Namespace, name: str) -> Path:
    return Path(args.output) if args.output else Path("results") / name


@contextmanager
def progress_bars(enabled: bool, names: list[str], total: int) -> Iterator:
    """A rich progress bar per scenario on a terminal; a no-op callback otherwise."""
    if not enabled or not console_err.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("eta"), TimeRemainingColumn(), console=console_err, transient=False) as progress:
        tasks = {n: progress.add_task(n, total=total) for n in names}

        def update(name: str, done: int, _total: int) -> None:
            progress.update(tasks[name], completed=done)

        yield update


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
