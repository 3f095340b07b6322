"""Text is data: a description, a node's label, a targets file's name and source, sweep values and
-o paths reach the terminal as written, on a terminal (rich) and off it. `[/x]` ended run, show
and calibrate in a traceback after the results were written; `[link=...]` and styles rendered;
escape sequences passed through; `runs[old]` was shown as `runs`."""
from __future__ import annotations

import io
import json
import re

import pytest
import yaml
from rich.console import Console

from corridor_sim.cli import main
from corridor_sim.cli.common import console, console_err
from corridor_sim.cli.text import printable

from conftest import tiny

HOSTILE = {
    "closing tag": "[/x]",
    "link": "[link=https://evil.example]click here[/link]",
    "style": "[bold red]DATA CORRUPTED",
    "escapes": "\x1b]0;title\x07\x1b[2J",
    "brackets": "runs[old]",
    "emoji": "ok :smile:",
    "right-to-left": "abc\u202edcba",
}
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the styles the program itself draws on a terminal


@pytest.fixture(params=[False, True], ids=["plain", "terminal"])
def terminal(request):
    """The consoles off a terminal (lines written as they are) or on one (through rich), wide
    enough for every column; yields a function that gives what both printed."""
    buffers = []
    saved = [(c, object.__getattribute__(c, "_real")) for c in (console, console_err)]
    for c in (console, console_err):
        buffer = io.StringIO()
        buffers.append(buffer)
        real = Console(file=buffer, force_terminal=request.param, width=160, highlight=False, emoji=False)
        object.__setattr__(c, "_real", real)
    yield lambda: "".join(b.getvalue() for b in buffers)
    for c, real in saved:
        object.__setattr__(c, "_real", real)


def _check(code: int, printed: str, text: str) -> None:
    assert code == 0, printed
    assert "Traceback" not in printed
    shown = SGR.sub("", printed)
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown  # no sequence of the text's own
    assert printable(text) in shown, shown


def _scenario(tmp_path, **changes) -> str:
    data = tiny()
    data["traffic"]["main"]["per_day"] = 5
    data.update(changes.pop("top", {}))
    if "label" in changes:
        data["nodes"]["post"]["label"] = changes["label"]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


QUICK = ["-n", "1", "--quiet", "--no-plots"]


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_description_and_a_node_label_are_shown_as_written(text, terminal, tmp_path, capsys):
    file = _scenario(tmp_path, top={"description": text}, label=text)
    code = main(["show", file])
    _check(code, terminal() + capsys.readouterr().out, text)
    code = main(["run", file, *QUICK, "-o", str(tmp_path / "out")])  # the label in the controls table
    _check(code, terminal() + capsys.readouterr().out, text)


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_targets_name_and_source_are_shown_as_written(text, terminal, tmp_path, capsys):
    file = _scenario(tmp_path)
    targets = tmp_path / "t.yaml"
    targets.write_text(yaml.safe_dump({"name": text, "targets": [{"metric": "lead_time", "value": 5, "source": text}]}),
                       encoding="utf-8")
    code = main(["calibrate", file, str(targets), "-n", "1", "--quiet"])
    printed = terminal() + capsys.readouterr().out
    assert code in (0, 1)  # 1: a target outside its tolerance is no failure here
    _check(0, printed, text)
    assert SGR.sub("", printed).count(printable(text)) >= 2, printed  # the title and the source


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_sweep_values_are_shown_as_written(text, terminal, tmp_path, capsys):
    file = _scenario(tmp_path)
    vary = f"nodes.post.label={json.dumps(text)},plain"
    code = main(["sweep", file, "--vary", vary, *QUICK, "-o", str(tmp_path / "out")])
    _check(code, terminal() + capsys.readouterr().out, text)


@pytest.mark.parametrize("text", [t for t in HOSTILE.values() if "/" not in t], ids=[k for k, t in HOSTILE.items() if "/" not in t])
def test_an_output_path_is_shown_as_written(text, terminal, tmp_path, capsys):
    file = _scenario(tmp_path)
    code = main(["run", file, *QUICK, "-o", str(tmp_path / text)])
    _check(code, terminal() + capsys.readouterr().out, str(tmp_path / text))
    code = main(["run", file, *QUICK, "-o", str(tmp_path / text)])  # refused: the path in the error line
    printed = SGR.sub("", terminal() + capsys.readouterr().err)
    assert code == 2 and printable(str(tmp_path / text)) in printed and "\x1b]" not in printed
