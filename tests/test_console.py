"""The CLI's consoles: a plain line is written as it is, the same words whether rich draws it (a
terminal) or not, and a command that prints only plain lines never loads rich."""
from __future__ import annotations

import io
import subprocess
import sys

from corridor_sim.cli.common import LazyConsole

from conftest import ROOT


def test_a_line_reads_the_same_on_a_terminal_and_off_it(capsys):
    text = "tiny: [bold]not markup[/] :smile: stays"
    LazyConsole(highlight=False).line(text, "warning:", "bold yellow")
    plain = capsys.readouterr().out
    assert plain == f"warning: {text}\n"
    terminal = LazyConsole(highlight=False, force_terminal=True, no_color=True, width=40)
    terminal.real.file = buffer = io.StringIO()
    terminal.line(text, "warning:", "bold yellow")
    drawn = buffer.getvalue()
    assert drawn.replace("\x1b[1m", "").replace("\x1b[0m", "") == plain  # styled, not wrapped at 40


def test_validate_starts_without_rich(tmp_path):
    code = ("import sys; from corridor_sim.cli import main; "
            f"status = main(['validate', {str(ROOT / 'scenarios' / 'middle_corridor.yaml')!r}]); "
            "print('rich' in sys.modules, file=sys.stderr); sys.exit(status)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("ok: middle-corridor-2024")
    assert done.stderr.strip().splitlines()[-1] == "False"
