"""At 80 columns, no table of run, compare, sweep or calibrate cuts or folds a name (bundled scenarios)."""
from __future__ import annotations

import re

import pytest

from corridor_sim.cli import main
from corridor_sim.cli.common import console

from conftest import ROOT

SCENARIOS = ROOT / "scenarios"
SHORT = ["--set", "clock.horizon=8d", "--set", "clock.warmup=1d"]
QUIET = ["-n", "2", "--workers", "2", "--quiet", "--no-plots"]


@pytest.fixture
def eighty(monkeypatch):
    monkeypatch.setattr(console, "_width", 80)


def _lines(text: str) -> list[str]:
    return [re.sub(r"\s+$", "", line) for line in text.splitlines()]


def _whole(names: list[str], text: str) -> None:
    lines = _lines(text)
    # the tables and their notes; the last line names a path, and may be as long as the path is
    tables = [line for line in lines if " results in " not in line]
    assert all(len(line) <= 80 for line in tables), max(tables, key=len)
    assert "…" not in text
    for name in names:  # each name stands whole on one line, as a cell of its own
        assert any(re.search(rf"(^|\s){re.escape(name)}(\s|$)", line) for line in lines), name


@pytest.mark.slow
def test_run_compare_sweep_and_calibrate_tables_fit_80_columns(eighty, tmp_path, capsys):
    from corridor_sim.scenario.loader import load_scenario
    from corridor_sim.scenario.network import place_name

    corridor = load_scenario(SCENARIOS / "middle_corridor.yaml")
    flows = [f for f, spec in corridor.traffic.items() if not spec.background]
    assert main(["run", str(SCENARIOS / "middle_corridor.yaml"), *QUIET, *SHORT, "-o", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    _whole(["all counted", *flows, "ferry_wait"], out)
    assert any(place_name(corridor, n, short=True) in out for n in corridor.nodes)

    files = ["middle_corridor.yaml", "facilitated_2030.yaml", "joint_control_red_bridge.yaml"]
    assert main(["compare", *(str(SCENARIOS / f) for f in files), *QUIET, *SHORT, "-o", str(tmp_path / "cmp")]) == 0
    out = capsys.readouterr().out
    _whole(["middle-corridor-2024", "facilitated-2030", "joint-control-red-bridge", *flows], out)

    assert main(["sweep", str(SCENARIOS / "middle_corridor.yaml"), "--vary", "nodes.red_bridge.controls.AZ.exit.lanes=1,2",
                 *QUIET, *SHORT, "-o", str(tmp_path / "sweep")]) == 0
    _whole([], capsys.readouterr().out)

    code = main(["calibrate", str(SCENARIOS / "middle_corridor_2022.yaml"), str(SCENARIOS / "targets_2022.yaml"),
                 "-n", "2", "--workers", "2", "--quiet", *SHORT])
    assert code in (0, 1)  # a short run need not meet the targets; the table is what is checked
    out = capsys.readouterr().out
    targets = [line for line in _lines(out) if line.startswith(("control ", "crossing ", "swod ", "lead time "))]
    assert len(targets) >= 5
    _whole([], out)
