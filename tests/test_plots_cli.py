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
    expected = {f"{n}.{fmt}" for n in ("lead_time", "time_components", "crossings", "time_distance", "cost_distance", "queues",
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


def test_a_dollar_in_a_label_or_name_is_drawn_as_written(tmp_path, capsys):
    """matplotlib reads `$...$` as TeX: `$a^b^c$` ended the plots (and every resume of the run) in
    a parser traceback. Plot text is text: every plot is drawn, and the `$` shows."""
    from corridor_sim import load_results
    from corridor_sim.plots import render_plots
    from corridor_sim.plots.style import style

    data = located(label="AEO $a^b^c$")
    data["nodes"]["post"]["label"] = "post $x_{$"
    data["traffic"]["w$a^b^c$"] = data["traffic"].pop("west")
    scenario = tmp_path / "dollars.yaml"
    scenario.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    run = tmp_path / "run"
    assert main(["run", str(scenario), "-n", "2", "-o", str(run), "--quiet"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert len(list((run / "plots").iterdir())) == 7
    assert main(["plot", str(run), "--format", "png,svg,pdf"]) == 0
    with style():
        texts = {t.get_text() for _, fig in render_plots(load_results(run))
                 for t in fig.findobj(lambda a: hasattr(a, "get_text"))}
    assert "AEO $a^b^c$" in texts
