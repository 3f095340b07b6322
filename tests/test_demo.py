"""`corridor-sim demo`: bundled comparisons, their files, and takeaways whose figures are the measured ones."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

from corridor_sim.cli import main
from corridor_sim.errors import CorridorSimError
from conftest import uncited_numbers
from corridor_sim.demo import BORDER, DEMO_DIR, DEMOS, change, run_demo

FILES = sorted(DEMO_DIR.glob("*.yaml"))


def test_every_demo_names_two_bundled_scenarios_that_load():
    assert set(DEMOS) == {"aeo", "etir", "risk", "caravan", "audit", "scanners", "exchange"}
    used = set()
    for demo in DEMOS.values():
        baseline, measure = demo.scenarios()
        assert baseline.name != measure.name
        assert baseline.clock.horizon <= 28 * 24  # short horizons: a demo runs in well under a minute
        used |= {demo.baseline, demo.measure}
    assert {f.name for f in FILES} == used | {"corridor.yaml"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_number_in_a_demo_scenario_cites_its_source(path: Path):
    """Each line that sets a number names a `sources:` key, or says ASSUMPTION or DERIVED."""
    text = path.read_text(encoding="utf-8")
    keys = set(yaml.safe_load((DEMO_DIR / "corridor.yaml").read_text(encoding="utf-8"))["sources"])
    keys |= set(yaml.safe_load(text).get("sources") or {})
    uncited = uncited_numbers(text, keys, {"name", "description", "depart", "label"})
    assert not uncited, "numbers without a source, ASSUMPTION or DERIVED:\n" + "\n".join(uncited)


@pytest.mark.parametrize("d, words", [
    ({"mean": -5.24, "ci_low": -6.31, "ci_high": -4.06, "significant": True},
     "AEO trucks spent 5.2 h less at the borders (95% CI 4.1–6.3 h)"),
    ({"mean": 2.0, "ci_low": 0.5, "ci_high": 3.5, "significant": True},
     "AEO trucks spent 2.0 h more at the borders (95% CI 0.5–3.5 h)"),
    ({"mean": 0.3, "ci_low": -0.5, "ci_high": 1.1, "significant": False},
     "No clear change at the borders (+0.3 h, 95% CI -0.5 to +1.1 h)"),
    (None, "No clear change at the borders (too few replications to measure it)"),
])
def test_change_says_the_figure_its_ci_and_whether_it_is_clear(d, words):
    assert change(d, "AEO trucks spent {amount} at the borders", "No clear change at the borders") == words


def paired_ci(other: list[float], base: list[float]) -> tuple[float, float, float]:
    """Paired t interval computed here, independently of the package."""
    diff = np.asarray(other) - np.asarray(base)
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / math.sqrt(len(diff))
    return diff.mean(), diff.mean() - half, diff.mean() + half


def test_demo_aeo_writes_plots_and_report_and_says_the_measured_figure(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "aeo", "-n", "3", "--workers", "1", "-o", str(out), "--quiet"]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert (out / "report.html").exists() and (out / "summary.json").exists()
    assert {"lead_time.png", "paired_differences.png", "time_components.png", "crossings.png", "queues.png", "network_map.png"} <= \
        {p.name for p in (out / "plots").iterdir()}
    lines = [json.loads(line) for line in (out / "replications.jsonl").read_text().splitlines()]
    border = {s: [sum(r["groups"]["westbound-aeo"][c] for c in BORDER) for r in lines if r["scenario"] == s]
              for s in ("demo-corridor", "demo-aeo-recognised")}  # the names in the tables; labels are for people
    mean, low, high = paired_ci(border["demo-aeo-recognised"], border["demo-corridor"])
    if low > 0 or high < 0:
        size = f"{abs(mean):.1f} h {'less' if mean < 0 else 'more'} at the borders"
        ci = f"(95% CI {min(abs(low), abs(high)):.1f}–{max(abs(low), abs(high)):.1f} h)"
        assert f"AEO trucks spent {size} {ci}" in printed
    else:
        assert f"time at the borders did not clearly change ({mean:+.1f} h" in printed
    assert "Means over 3 replications" in printed
    report = (out / "report.html").read_text()
    assert "Demo: AEO mutual recognition" in report and "AEO trucks spent" in report
    # legends name the scenarios for people; redrawing keeps the title and the takeaway
    assert "AEO recognised" in report and "corridor today" in report
    assert json.loads((out / "demo.json").read_text())["focus"] == "westbound-aeo"  # the plots show the AEO trucks
    assert main(["plot", str(out), "--format", "svg"]) == 0
    redrawn = (out / "report.html").read_text()
    assert 'id="takeaway"' in redrawn and "Demo: AEO mutual recognition" in redrawn and "AEO trucks spent" in redrawn


def test_demo_refuses_to_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "demo"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    for force in ([], ["--force"]):  # not a run directory: refused whether forced or not
        assert main(["demo", "etir", "-n", "2", "-o", str(out), "--quiet", *force]) == 2
        assert "not a corridor-sim run" in capsys.readouterr().err
        assert (out / "mine.txt").read_text() == "keep"


def test_unknown_demo_and_bad_counts_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["demo", "customs"])
    assert exc.value.code == 2 and "invalid choice" in capsys.readouterr().err
    assert main(["demo", "aeo", "-n", "0", "-o", str(tmp_path / "x")]) == 2
    assert "--replications must be at least 1" in capsys.readouterr().err


def test_demo_list_names_each_demo_its_question_and_its_files(capsys):
    assert main(["demo", "--list"]) == 0
    out = capsys.readouterr().out
    for name, demo in DEMOS.items():
        assert f"{name}: {demo.question}\n" in out
        baseline, measure = demo.files()
        assert f"baseline: {baseline}\n" in out and f"measure:  {measure}\n" in out
        assert baseline.is_file() and measure.is_file()
    assert main(["demo", "aeo", "--list"]) == 2
    assert "--list lists every demo; give it without a NAME" in capsys.readouterr().err
    assert main(["demo"]) == 2
    err = capsys.readouterr().err
    assert "give the demo to run (one of: aeo, etir," in err and "--list" in err


@pytest.fixture
def stopped(monkeypatch):
    """A demo stopped where it would start simulating: what it was given is kept, nothing runs."""
    seen: dict = {}

    def compare(baseline, others, replications=None, **options):
        seen.update(baseline=baseline, measure=others[0], output=options["output"])
        raise CorridorSimError("stopped before running")

    monkeypatch.setattr("corridor_sim.experiment.compare", compare)
    return seen


def test_demo_set_changes_both_scenarios_and_the_header_says_so(stopped, tmp_path, capsys):
    assert main(["demo", "etir", "--set", "clock.horizon=9d", "--set", "traffic.westbound.per_day=20",
                 "-o", str(tmp_path / "d"), "--quiet"]) == 2
    for scenario in (stopped["baseline"], stopped["measure"]):
        assert scenario.clock.horizon == 9 * 24 and scenario.traffic["westbound"].per_day == 20
    assert stopped["measure"].name == "demo-etir"
    err = capsys.readouterr().err
    assert "10 replications, --set clock.horizon=9d, traffic.westbound.per_day=20)" in err


@pytest.mark.parametrize("bad", ["clock.horizon", "clock.horizonn=9d", "clock.horizon=soon", "extends=x.yaml"])
def test_demo_set_is_refused_as_run_set_refuses_it(bad, tmp_path, capsys):
    assert main(["run", str(DEMO_DIR / "corridor.yaml"), "--set", bad, "-o", str(tmp_path / "run")]) == 2
    refused = capsys.readouterr().err
    assert "--set" in refused and "Traceback" not in refused
    assert main(["demo", "etir", "--set", bad, "-o", str(tmp_path / "demo")]) == 2
    assert capsys.readouterr().err == refused
    assert not any(tmp_path.iterdir())


def test_demo_set_that_a_more_specific_setting_hides_warns_once(stopped, tmp_path, capsys):
    assert main(["demo", "etir", "--set", "nodes.red_bridge.lanes=4", "-o", str(tmp_path / "d"), "--quiet"]) == 2
    err = capsys.readouterr().err
    warned = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warned) == 1 and "--set nodes.red_bridge.lanes" in warned[0], err


def fake_run(directory: Path, demo: str | None = None, marked: bool = True) -> Path:
    """A finished run directory as corridor-sim leaves one (its marker), of `demo` if given."""
    from corridor_sim.results.ownership import write_marker

    directory.mkdir(parents=True)
    if marked:
        write_marker(directory)
    for name in ("manifest.json", "summary.json"):
        (directory / name).write_text("{}")
    if demo:
        (directory / "demo.json").write_text(json.dumps({"demo": demo, "title": "Demo", "takeaway": []}))
    return directory


def test_a_demo_replaces_its_own_earlier_run_without_force(stopped, tmp_path, capsys):
    out = fake_run(tmp_path / "d", "etir")
    assert main(["demo", "etir", "-o", str(out), "--quiet"]) == 2  # (stopped where it would run)
    assert stopped["output"].force is True
    assert f"replacing this demo's earlier run in {out}/ when this one is complete" in capsys.readouterr().err
    stopped.clear()
    with pytest.raises(CorridorSimError, match="stopped"):
        run_demo("etir", out)
    assert stopped["output"].force is True


@pytest.mark.parametrize("case", ["another demo", "a compare", "not marked", "damaged demo.json", "interrupted"])
def test_a_demo_replaces_nothing_else_without_force(case, stopped, tmp_path, capsys):
    out = tmp_path / "d"
    if case == "another demo":
        fake_run(out, "aeo")
    elif case == "a compare":
        fake_run(out)
    elif case == "not marked":
        fake_run(out, "etir", marked=False)
    elif case == "damaged demo.json":
        fake_run(out, "etir")
        (out / "demo.json").write_text("{")
    else:
        fake_run(out, "etir")
        fake_run(tmp_path / "d.partial")
    before = sorted(p.name for p in out.iterdir())
    assert main(["demo", "etir", "-o", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    expected = "is not a corridor-sim run" if case == "not marked" else "already holds results; use --force"
    assert expected in err, err
    assert not stopped and sorted(p.name for p in out.iterdir()) == before


# --- each demo's plots show the trucks its takeaway speaks of -----------------------------------

def _figure_text(fig) -> str:
    """Every word a figure shows: titles, axis labels, tick labels and legends."""
    words = [getattr(fig, "_suptitle", None) and fig._suptitle.get_text() or ""]
    for ax in fig.axes:
        words += [ax.get_title(loc) for loc in ("left", "center", "right")]
        words += [ax.get_xlabel(), ax.get_ylabel()]
        words += [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
        legend = ax.get_legend()
        words += [t.get_text() for t in legend.get_texts()] if legend else []
    return " ".join(words)


@pytest.mark.parametrize("name", list(DEMOS))
def test_each_demo_s_plots_show_the_trucks_its_takeaway_names(name, monkeypatch):
    """The group of the takeaway's first figure is the demo's focus, every plot that can show one
    group's trucks shows that group's, and the time-distance chart is over every replication.
    The caravan demo drew all counted trucks under caravan legends, and one replication's caravan."""
    import corridor_sim as cs
    import corridor_sim.demo as demo_module
    from corridor_sim.plots import render_plots
    from corridor_sim.results.keys import ALL
    from corridor_sim.scenario.loader import derive

    demo = DEMOS[name]
    base, measure = (derive(s, {"clock.horizon": "9d"}) for s in demo.scenarios())  # 2 counted days
    result = cs.compare(base, [measure], replications=2)
    spoken: list[str] = []
    original = demo_module.paired

    def recording(result, group, measure):
        spoken.append(group)
        return original(result, group, measure)

    monkeypatch.setattr(demo_module, "paired", recording)
    demo.takeaway(result)
    assert spoken and spoken[0] == (demo.focus or ALL)
    figures = dict((plot.name, (plot, fig)) for plot, fig in render_plots(result, flow=demo.focus))
    assert "paired_differences" in figures
    for plot, fig in figures.values():
        if not plot.per_flow:
            continue
        text = _figure_text(fig)
        if demo.focus:
            assert demo.focus in text, (plot.name, text)
        elif plot.name != "tradeoff":
            assert "all counted trucks" in text, (plot.name, text)
    if name == "caravan":
        _, fig = figures["time_distance"]
        ax = fig.axes[0]
        title = " ".join(ax.get_title(loc) for loc in ("left", "center"))
        assert "over 2 replications" in title and demo.focus in title
        for scenario in result.scenarios:
            assert [a for a in ax.get_children() if a.get_gid() == f"band:{scenario}"]
    if name == "aeo" and "tradeoff" in figures:
        assert demo.focus in _figure_text(figures["tradeoff"][1])
