"""sweep: a grid of derived scenarios, one table row per point, common random numbers across points."""
from __future__ import annotations

import ast
import json
import re
import shlex

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import corridor_sim
from corridor_sim.cli import main
from corridor_sim.cli.sweep_cmd import parse_vary
from corridor_sim.errors import ScenarioError
from corridor_sim.experiment import short_keys, sweep_points
from corridor_sim.scenario.loader import build_scenario

from conftest import ROOT, tiny


def test_parse_vary_lists_and_ranges():
    assert parse_vary("nodes.post.lanes=2,3,4") == ("nodes.post.lanes", [2, 3, 4])
    assert parse_vary("nodes.post.lanes=1:7:2") == ("nodes.post.lanes", [1, 3, 5, 7])
    assert parse_vary("traffic.main.aeo=0:1:0.25") == ("traffic.main.aeo", [0.0, 0.25, 0.5, 0.75, 1.0])
    assert parse_vary("traffic.main.aeo=0.1:0.3:0.1") == ("traffic.main.aeo", [0.1, 0.2, 0.3])  # no 0.30000000000000004
    assert parse_vary("nodes.post.hours=24/7,Mon-Fri 09:00-18:00") == (
        "nodes.post.hours", ["24/7", "Mon-Fri 09:00-18:00"])
    assert parse_vary("a.b=1,5:6:1") == ("a.b", [1, 5, 6])


@pytest.mark.parametrize("text, message", [
    ("nodes.post.lanes", "expected PATH=V1,V2"),
    ("=1,2", "expected PATH=V1,V2"),
    ("a..b=1", "expected PATH=V1,V2"),
    ("a.b=1,,2", "empty value"),
    ("a.b=5:1:1", "STEP > 0 and STOP >= START"),
    ("a.b=1:5:0", "STEP > 0"),
    ("a.b=0:1e9:1", "at most"),
])
def test_parse_vary_rejects(text, message):
    with pytest.raises(ScenarioError, match=message):
        parse_vary(text)


@settings(max_examples=40, deadline=None)
@given(st.integers(-50, 50), st.integers(0, 30), st.integers(1, 7))
def test_integer_ranges_include_both_ends(start, span, step):
    _, values = parse_vary(f"x.y={start}:{start + span}:{step}")
    assert values == list(range(start, start + span + 1, step))


def test_short_keys_tell_paths_apart():
    assert short_keys(["nodes.a.lanes", "traffic.main.aeo"]) == {"nodes.a.lanes": "lanes", "traffic.main.aeo": "aeo"}
    assert short_keys(["nodes.a.lanes", "nodes.b.lanes"]) == {"nodes.a.lanes": "a.lanes", "nodes.b.lanes": "b.lanes"}


def test_points_are_derived_and_named():
    base = build_scenario(tiny())
    points = sweep_points(base, {"nodes.post.lanes": [1, 2], "traffic.main.per_day": [10, 20.5]})
    assert [v for v, _ in points] == [
        {"nodes.post.lanes": 1, "traffic.main.per_day": 10}, {"nodes.post.lanes": 1, "traffic.main.per_day": 20.5},
        {"nodes.post.lanes": 2, "traffic.main.per_day": 10}, {"nodes.post.lanes": 2, "traffic.main.per_day": 20.5}]
    assert [s.name for _, s in points][:2] == ["tiny_lanes-1_per_day-10", "tiny_lanes-1_per_day-20.5"]
    assert points[3][1].nodes["post"].lanes == 2 and points[3][1].traffic["main"].per_day == 20.5
    with pytest.raises(ScenarioError, match="sweep point nodes.post.lanes=0"):
        sweep_points(base, {"nodes.post.lanes": [2, 0]})
    with pytest.raises(ScenarioError, match="repeats a value"):
        sweep_points(base, {"nodes.post.lanes": [2, 2]})
    with pytest.raises(ScenarioError, match="at least one"):
        sweep_points(base, {})


@pytest.fixture(scope="module")
def swept():
    return corridor_sim.sweep(build_scenario(tiny()), {"nodes.post.lanes": [1, 2, 3], "traffic.main.per_day": [10, 20]},
                              replications=3, seed=4)


def test_sweep_table_has_one_row_per_point(swept):
    table = swept.sweep
    assert len(table) == 6
    assert list(table["nodes.post.lanes"]) == [1, 1, 2, 2, 3, 3]
    assert list(table["traffic.main.per_day"]) == [10, 20, 10, 20, 10, 20]
    assert {"lead_time_mean_h", "lead_time_ci_low_h", "lead_time_ci_high_h", "queue_h", "difference_h"} <= set(table)
    assert table.loc[0, "difference_h"] == 0.0
    # one lane at 20 trucks a day queues longer than three lanes
    assert table.loc[1, "lead_time_mean_h"] > table.loc[5, "lead_time_mean_h"]
    assert swept.kind == "sweep" and swept.baseline == table.loc[0, "scenario"]


def test_sweep_points_share_random_numbers(swept):
    t = swept.trucks
    r0 = t[t.replication == 0]
    departures = {name: g.sort_values("truck")["depart_h"].tolist() for name, g in r0.groupby("scenario")}
    lanes1 = departures["tiny_lanes-1_per_day-10"]
    assert departures["tiny_lanes-3_per_day-10"] == lanes1  # same arrivals whatever the lanes


def test_cli_sweep_writes_sweep_csv(tmp_path, capsys):
    file = tmp_path / "tiny.yaml"
    file.write_text(yaml.safe_dump(tiny()), encoding="utf-8")
    out = tmp_path / "sw"
    code = main(["sweep", str(file), "--vary", "nodes.post.lanes=1:3:1", "--vary", "traffic.main.aeo=0,0.5",
                 "-n", "2", "-o", str(out), "--quiet", "--no-plots", "--workers", "2"])
    assert code == 0
    assert "sweep over nodes.post.lanes, traffic.main.aeo" in capsys.readouterr().out
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 6 and list(table["traffic.main.aeo"]) == [0, 0.5] * 3
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sweep"]["vary"] == {"nodes.post.lanes": [1, 2, 3], "traffic.main.aeo": [0, 0.5]}
    assert len(summary["scenarios"]) == 6 and len(summary["comparison"]) == 5
    loaded = corridor_sim.load_results(out)
    pd.testing.assert_frame_equal(loaded.sweep, table, check_dtype=False)


def test_cli_sweep_bad_vary_exits_2_and_writes_nothing(tmp_path, capsys):
    file = tmp_path / "tiny.yaml"
    file.write_text(yaml.safe_dump(tiny()), encoding="utf-8")
    out = tmp_path / "sw"
    assert main(["sweep", str(file), "--vary", "nodes.post.lanez=1,2", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "lanez" in err and "did you mean 'lanes'" in err and "Traceback" not in err
    assert main(["sweep", str(file), "--vary", "a.b=1", "--vary", "a.b=2", "-o", str(out)]) == 2
    assert main(["sweep", str(file), "-o", str(out)]) == 2
    assert not out.exists() and not (tmp_path / "sw.partial").exists()


def test_cli_sweep_resumes_an_interrupted_sweep(tmp_path, capsys):
    out = tmp_path / "sw"

    def interrupt(name, done, total):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        corridor_sim.sweep(build_scenario(tiny()), {"nodes.post.lanes": [1, 2, 3]}, 2, 4, output=out, progress=interrupt)
    assert main(["sweep", "--resume", str(out), "--quiet", "--no-plots"]) == 0
    assert "resumed" in capsys.readouterr().out
    uninterrupted = corridor_sim.sweep(build_scenario(tiny()), {"nodes.post.lanes": [1, 2, 3]}, 2, 4)
    pd.testing.assert_frame_equal(corridor_sim.load_results(out).sweep, uninterrupted.sweep)


SHORT = ["-n", "1", "--set", "clock.horizon=10d", "--set", "clock.warmup=2d", "--quiet", "--no-plots"]


def _experiments_section() -> str:
    from conftest import doc_section

    return doc_section("experiments")


def test_the_readme_sweep_command_varies_what_the_corridor_uses(tmp_path, capsys):
    """Run as the reference shows it (a short horizon, one replication): every point differs, and no
    varied value is hidden by a more specific setting."""
    (command,) = [line for block in re.findall(r"```bash\n(.*?)```", _experiments_section(), re.S)
                  for line in block.splitlines() if line.startswith("corridor-sim sweep ")]
    argv = shlex.split(command)[1:]
    argv = argv[:argv.index("-n")]  # the reference's -n 10 --workers 2, cut short
    argv[1] = str(ROOT / argv[1])
    assert main([*argv, *SHORT, "-o", str(tmp_path / "sw")]) == 0
    err = capsys.readouterr().err
    assert "changes nothing" not in err and "not used at" not in err
    means = pd.read_csv(tmp_path / "sw" / "sweep.csv")["lead_time_mean_h"]
    assert len(means) == 6 and means.nunique() == len(means)


def test_the_readme_python_sweep_varies_what_the_corridor_uses():
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", _experiments_section(), re.S) if "corridor_sim.sweep(" in b]
    path, vary = re.search(r'corridor_sim\.sweep\("([^"]+)", (\{[^}]*\})', block).groups()
    scenario = corridor_sim.load_scenario(ROOT / path, ["clock.horizon=10d", "clock.warmup=2d"])
    result = corridor_sim.sweep(scenario, ast.literal_eval(vary), replications=1)
    assert not [w for s in result.summary_dict["scenarios"].values() for w in s["warnings"] if "changes nothing" in w]
    means = result.sweep["lead_time_mean_h"]
    assert means.nunique() == len(means) > 1
