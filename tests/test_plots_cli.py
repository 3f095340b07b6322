"""`corridor-sim plot DIR`: re-draws a saved run's plots and report without running it again."""
from __future__ import annotations

import pytest
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


def test_every_command_that_draws_takes_plot_format_and_dpi_from_one_definition():
    import argparse

    from corridor_sim.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for command in ("run", "compare", "sweep", "plot", "demo", "uncertainty"):
        options = {o: a for a in sub.choices[command]._actions for o in a.option_strings}
        assert options["--plot-format"].dest == "plot_format" and options["--plot-format"].default == "png", command
        assert options["--dpi"].type is int and options["--dpi"].default is None, command
    from corridor_sim.cli.common import DEFAULT_DPI, PLOT_FORMATS
    from corridor_sim.plots.style import FORMATS, STYLE_FILE

    assert PLOT_FORMATS == FORMATS  # named in the CLI so that reading the options loads no matplotlib
    assert f"savefig.dpi: {DEFAULT_DPI}" in STYLE_FILE.read_text(encoding="utf-8")  # the help's default


def test_run_writes_its_plots_in_the_format_and_resolution_asked_for(tmp_path, capsys):
    from PIL import Image

    from conftest import tiny

    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump(tiny(clock={"start": "2026-01-05T00:00", "horizon": "2d", "warmup": "0h"})),
                        encoding="utf-8")
    svg = tmp_path / "svg"
    assert main(["run", str(scenario), "-n", "2", "-o", str(svg), "--quiet", "--plot-format", "svg"]) == 0
    names = sorted(p.name for p in (svg / "plots").iterdir())
    assert names and all(n.endswith(".svg") for n in names) and (svg / "plots" / "lead_time.svg").read_text().startswith("<?xml")
    assert (svg / "report.html").is_file()  # the report embeds its own PNGs whatever the files' format
    sharp = tmp_path / "sharp"
    assert main(["plot", str(svg), "--plot-format", "png,pdf", "--dpi", "200", "--no-report"]) == 0
    with Image.open(svg / "plots" / "lead_time.png") as image:
        width, height = image.size
    assert (width, height) == (1600, 900)  # 8 x 4.5 inches at 200 dpi (100 by default)
    assert (svg / "plots" / "lead_time.pdf").read_bytes().startswith(b"%PDF")
    capsys.readouterr()
    for bad, words in ((["--dpi", "5"], "--dpi must be between 30 and 600, got 5"),
                       (["--plot-format", "jpg"], "unknown plot format jpg; expected one or more of png, svg, pdf")):
        assert main(["run", str(scenario), "-n", "1", "-o", str(sharp), "--quiet", *bad]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and words in err, err
        assert not sharp.exists()  # refused before anything ran
    with pytest.raises(SystemExit) as stopped:  # argparse's own refusal of what is not a whole number
        main(["run", str(scenario), "-n", "1", "-o", str(sharp), "--quiet", "--dpi", "x"])
    assert stopped.value.code == 2 and "argument --dpi: invalid int value: 'x'" in capsys.readouterr().err


def test_demo_passes_its_plot_format_and_dpi_to_the_plots(tmp_path, monkeypatch, capsys):
    from corridor_sim import demo as demo_module

    asked = {}

    class Done:
        takeaway = ["done"]
        directory = tmp_path

    def run_demo(name, output, replications, **options):
        asked.update(options)
        return Done()

    monkeypatch.setattr(demo_module, "run_demo", run_demo)
    assert main(["demo", "aeo", "-o", str(tmp_path / "d"), "--quiet", "--plot-format", "pdf,svg", "--dpi", "300"]) == 0
    assert (asked["plot_formats"], asked["dpi"]) == (("pdf", "svg"), 300)
    assert main(["demo", "aeo", "-o", str(tmp_path / "d"), "--quiet", "--dpi", "601"]) == 2
    assert "--dpi must be between 30 and 600, got 601" in capsys.readouterr().err
