"""`corridor-sim plot DIR`: re-draws a saved run's plots and report without running it again."""
from __future__ import annotations

import yaml

from corridor_sim.cli import main

from test_plots import located


def test_plot_redraws_a_saved_run_in_the_formats_asked_for(tmp_path, capsys):
    scenario = tmp_path / "located.yaml"
    scenario.write_text(yaml.safe_dump(located(), sort_keys=False), encoding="utf-8")
    run = tmp_path / "run"
    assert main(["run", str(scenario), "-n", "2", "-o", str(run), "--quiet", "--no-plots"]) == 0
    capsys.readouterr()
    trucks_before = (run / "trucks.csv").read_bytes()
    assert main(["plot", str(run), "--format", "png,svg"]) == 0
    printed = capsys.readouterr().out.split()
    expected = {f"{n}.{fmt}" for n in ("lead_time", "time_components", "crossings", "time_distance", "queues",
                                       "network_map") for fmt in ("png", "svg")}
    assert {p.name for p in (run / "plots").iterdir()} == expected
    assert str(run / "report.html") in printed and len(printed) == len(expected) + 1
    assert (run / "trucks.csv").read_bytes() == trucks_before  # nothing was run again
    assert main(["plot", str(run), "--no-report"]) == 0


def test_plot_refuses_what_is_not_a_run_directory_or_format(tmp_path, capsys):
    assert main(["plot", str(tmp_path)]) == 2
    assert "not a corridor-sim results directory" in capsys.readouterr().err
    assert main(["plot", str(tmp_path), "--format", "png,gif"]) == 2
    err = capsys.readouterr().err
    assert "unknown plot format gif" in err and "Traceback" not in err
