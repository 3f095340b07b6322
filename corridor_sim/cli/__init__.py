"""`corridor-sim`: a thin argparse layer over the public API."""
from __future__ import annotations

import argparse
import difflib
import sys
from typing import Sequence

from ..errors import CorridorSimError, ScenarioError, SimulationError
from . import (calibrate_cmd, compare_cmd, plot_cmds, run_cmd, scenario_cmds, sweep_cmd, uncertainty_cmd,
               workshop_cmd)
from .common import console_err, workers_ahead
from .signals import HungUp, Terminated, command_signals

COMMAND_MODULES = [scenario_cmds, run_cmd, compare_cmd, sweep_cmd, calibrate_cmd, uncertainty_cmd, plot_cmds,
                   workshop_cmd]


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


def _with_notes(message: str, exc: BaseException) -> str:
    """`message; note; ...`: what went wrong, then (as notes on the exception) what was kept and how to go on."""
    return "; ".join([message, *getattr(exc, "__notes__", ())][0 if message else 1:])


def _error(label: str, message: str, exc: BaseException) -> None:
    """One line on stderr."""
    console_err.line(_with_notes(message, exc), label, "bold red")


def os_message(exc: OSError) -> str:
    """`No space left on device: results/x.partial/...`, without Python's error numbers."""
    where = f": {exc.filename}" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def _unknown_command(parser: argparse.ArgumentParser, argv: Sequence[str]) -> str | None:
    """`unknown command 'rnu' (did you mean 'run'?)` for a first word that is no command, else None."""
    if not argv or argv[0].startswith("-"):
        return None
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    if argv[0] in commands:
        return None
    close = difflib.get_close_matches(argv[0], list(commands), n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown command {argv[0]!r}{hint}; the commands are {', '.join(commands)}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    unknown = _unknown_command(parser, argv)
    if unknown:
        console_err.line(unknown, "error:", "bold red")
        return 2
    args = parser.parse_args(argv)
    with command_signals():
        try:
            with workers_ahead(args):
                return int(args.func(args) or 0)
        except ScenarioError as exc:
            for problem in exc.problems:
                console_err.line(str(problem), "error:", "bold red")
            return 2
        except SimulationError as exc:
            _error("simulation failed:", str(exc), exc)
            return 1
        except CorridorSimError as exc:  # OutputError and the rest: bad options or paths
            _error("error:", str(exc), exc)
            return 2
        except OSError as exc:  # the environment: permissions, a full disk, a file-size limit, a vanished path
            _error("error:", os_message(exc), exc)
            return 2
        except MemoryError as exc:
            _error("error:", "out of memory (fewer replications at once: fewer --workers, or a shorter horizon)", exc)
            return 2
        except KeyboardInterrupt as exc:
            terminated = isinstance(exc, Terminated)
            word = "hung up" if isinstance(exc, HungUp) else "terminated" if terminated else "interrupted"
            notes = _with_notes("", exc)
            console_err.line(f"{word}: {notes}" if notes else word)
            return 129 if isinstance(exc, HungUp) else 143 if terminated else 130


def entry() -> None:
    sys.exit(main())
