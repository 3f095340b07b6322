"""`corridor-sim`: a thin argparse layer over the public API."""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

from rich.markup import escape

from ..errors import CorridorSimError, OutputError, ScenarioError, SimulationError
from . import calibrate_cmd, compare_cmd, plot_cmds, run_cmd, scenario_cmds, sweep_cmd
from .common import console_err

COMMAND_MODULES = [scenario_cmds, run_cmd, compare_cmd, sweep_cmd, calibrate_cmd, plot_cmds]


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="corridor-sim",
        description="Discrete-event simulation of road freight on the Middle Corridor: "
                    "how much lead time does a facilitation measure save, and where?",
    )
    parser.add_argument("--version", action="version", version=f"corridor-sim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ScenarioError as exc:
        for problem in exc.problems:
            console_err.print(f"[bold red]error:[/] {escape(str(problem))}", markup=True, highlight=False, soft_wrap=True)
        return 2
    except OutputError as exc:
        console_err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 2
    except SimulationError as exc:
        console_err.print(f"[bold red]simulation failed:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 1
    except CorridorSimError as exc:
        console_err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        console_err.print("interrupted")
        return 130


def entry() -> None:
    sys.exit(main())
