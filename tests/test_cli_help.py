"""Every command and option says what it does; a misspelled command gets a suggestion."""
from __future__ import annotations

import argparse

import pytest

from corridor_sim.cli import build_parser, main


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_and_option_has_help():
    parser = build_parser()
    commands = _subparsers(parser)
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert {c.dest for c in action._choices_actions} == set(commands)
    assert all(c.help for c in action._choices_actions)  # one line each in `corridor-sim --help`
    missing = [f"{name} {'/'.join(a.option_strings) or a.dest}" for name, sub in commands.items()
               for a in sub._actions if not isinstance(a, argparse._HelpAction) and not a.help]
    assert missing == []
    assert all(sub.description for sub in commands.values())  # `corridor-sim COMMAND --help` explains it


@pytest.mark.parametrize("typo, suggestion", [("rnu", "run"), ("comapre", "compare"), ("valdate", "validate"),
                                              ("plto", "plot")])
def test_a_misspelled_command_gets_a_suggestion_in_one_line(typo, suggestion, capsys):
    assert main([typo, "x.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"unknown command {typo!r} (did you mean {suggestion!r}?)" in err
