"""Warnings and refusals where a result would otherwise mislead without a word."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import corridor_sim
from corridor_sim.calibrate import Targets, check_targets
from corridor_sim.cli import main
from corridor_sim.errors import ScenarioError
from corridor_sim.scenario.lint import scenario_warnings
from corridor_sim.scenario.loader import build_scenario, derive, merge
from corridor_sim.scenario.warning_codes import code_of

from conftest import tiny


def test_an_aeo_share_that_no_country_recognises_is_said_to_do_nothing():
    silent = build_scenario(merge(tiny(), {"traffic": {"main": {"aeo": 0.4}}}))
    (warning,) = scenario_warnings(silent)
    assert "AEO trucks of main" in warning and "recognises_aeo" in warning
    heard = build_scenario(merge(tiny(), {"traffic": {"main": {"aeo": 0.4}}, "customs": {"BB": {"recognises_aeo": True}}}))
    assert scenario_warnings(heard) == []


def test_per_country_settings_under_a_joint_control_are_said_to_be_unused():
    data = merge(tiny(), {"nodes": {"post": {"joint_control": True, "controls": {"AA": {"lanes": 5, "exit": {"hours": "Mon 08:00-10:00"}}}}}})
    (warning,) = scenario_warnings(build_scenario(data))
    assert "nodes.post.controls (exit.hours, lanes) are not used" in warning


def test_a_saturated_control_is_named_in_the_summary_and_on_the_terminal(tmp_path: Path, capsys):
    # 30 trucks a day at one lane with 1 h checks: utilisation 1.25, a queue that never settles
    data = merge(tiny(), {"clock": {"horizon": "10d", "warmup": "0h"},
                          "customs": {"default": {"document": {"paper_tir": "1h"}, "document_error": {"paper_tir": 0},
                                                  "channels": {"low": {"yellow": 0, "red": 0}}}},
                          "nodes": {"post": {"lanes": 1}}, "traffic": {"main": {"per_day": 30}}})
    result = corridor_sim.run(build_scenario(data), replications=2)
    warnings = result.summary_dict["scenarios"]["tiny"]["warnings"]
    assert warnings[0].startswith("control post AA exit is saturated: its lanes are busy 9")
    calm = corridor_sim.run(derive(build_scenario(data), {"traffic.main.per_day": 5}), replications=2)
    assert calm.summary_dict["scenarios"]["tiny"]["warnings"] == []
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["run", str(path), "-n", "2", "-o", str(tmp_path / "out"), "--no-plots", "--quiet"]) == 0
    assert "warning: tiny: control post AA exit is saturated" in capsys.readouterr().err


def test_set_on_a_name_the_scenario_does_not_have_is_refused():
    with pytest.raises(ScenarioError, match=r"--set traffic\.mian\.per_day: the scenario has no flow 'mian' \(did you mean 'main'\?\)"):
        derive(build_scenario(tiny()), ["traffic.mian.per_day=3"])
    with pytest.raises(ScenarioError, match="no node 'psot'"):
        derive(build_scenario(tiny()), ["nodes.psot.lanes=3"])
    grown = derive(build_scenario(tiny()), {"traffic.extra": {"route": ["origin", "post", "destination"], "per_day": 2}})
    assert "extra" in grown.traffic  # a whole new entry is still possible


def test_a_target_naming_what_the_scenario_lacks_is_refused_with_its_path():
    targets = Targets.model_validate({"targets": [
        {"metric": "control_time", "node": "post", "value": 1.0},
        {"metric": "control_time", "node": "psot", "value": 1.0},
        {"metric": "lead_time", "flow": "mian", "value": 1.0}]})
    with pytest.raises(ScenarioError) as caught:
        check_targets(build_scenario(tiny()), targets, "t.yaml")
    text = [str(p) for p in caught.value.problems]
    assert any("targets[1].node" in t and "no node 'psot' (did you mean 'post'?)" in t for t in text)
    assert any("targets[2].flow" in t and "no flow 'mian'" in t for t in text)


def test_compare_warns_of_scenarios_unrelated_to_the_baseline(tmp_path, capsys):
    from corridor_sim.cli import main

    tiny_file = tmp_path / "other.yaml"
    tiny_file.write_text(yaml.safe_dump(merge(tiny(), {"name": "other", "clock": {"horizon": "3d", "warmup": 0}})),
                         encoding="utf-8")
    base = tmp_path / "base.yaml"
    data = merge(tiny(), {"name": "base", "clock": {"horizon": "3d", "warmup": 0}})
    data["traffic"] = {"other-flow": {"route": ["origin", "post", "destination"], "per_day": 5}}
    base.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["compare", str(base), str(tiny_file), "-n", "1", "--quiet", "--no-plots", "-o", str(tmp_path / "c")]) == 0
    err = capsys.readouterr().err
    assert "other shares no flow or caravan with the baseline base" in err
    assert "other dates" not in err
    later = tmp_path / "later.yaml"
    later.write_text(yaml.safe_dump(merge(tiny(), {"name": "later", "clock": {"start": "2026-02-02T00:00",
                                                                               "horizon": "3d", "warmup": 0}})),
                     encoding="utf-8")
    assert main(["compare", str(tiny_file), str(later), "-n", "1", "--quiet", "--no-plots", "-o", str(tmp_path / "d")]) == 0
    err = capsys.readouterr().err
    assert "later is simulated over other dates than the baseline other" in err and "shares no flow" not in err


# --- a value that a more specific setting hides is named, with both paths -----------------------

def _sided(**post) -> dict:
    """tiny with AA's two controls at the post setting their own lanes."""
    return merge(tiny(), {"nodes": {"post": {"controls": {"AA": {"exit": {"lanes": 1}, "entry": {"lanes": 1}}}, **post}}})


def test_a_set_value_that_every_control_overrides_changes_nothing_and_says_so():
    base = build_scenario(_sided())
    (warning,) = scenario_warnings(derive(base, ["nodes.post.controls.AA.lanes=4"]))
    assert warning.startswith("--set nodes.post.controls.AA.lanes changes nothing: "
                              "nodes.post.controls.AA.entry.lanes and nodes.post.controls.AA.exit.lanes override it")
    assert scenario_warnings(derive(base, ["nodes.post.controls.AA.exit.lanes=4"])) == []
    (partly,) = scenario_warnings(derive(base, {"nodes.post": {"lanes": 5}}))  # BB's controls still take it
    assert partly == ("--set nodes.post.lanes is not used at post AA exit, post AA entry: "
                      "nodes.post.controls.AA.entry.lanes and nodes.post.controls.AA.exit.lanes override it there "
                      "[setting-hidden]")
    (varied,) = scenario_warnings(derive(base, {"nodes.post.controls.AA.lanes": 3}, origin="--vary"))
    assert varied.startswith("--vary nodes.post.controls.AA.lanes changes nothing")


def test_lanes_under_shifts_that_cover_the_week_and_a_default_every_country_overrides_are_named():
    shifted = build_scenario(merge(tiny(), {"nodes": {"post": {"shifts": {"Mon-Sun 00:00-12:00": 3,
                                                                          "Mon-Sun 12:00-24:00": 4}}}}))
    (warning,) = scenario_warnings(derive(shifted, ["nodes.post.lanes=6"]))
    assert warning.startswith("--set nodes.post.lanes changes nothing: nodes.post.shifts overrides it")
    daytime = build_scenario(merge(tiny(), {"nodes": {"post": {"shifts": {"08:00-20:00": 3}}}}))
    assert scenario_warnings(derive(daytime, ["nodes.post.lanes=6"])) == []  # the lanes of the night
    own = build_scenario(merge(tiny(), {"customs": {"AA": {"detection": 0.5}, "BB": {"detection": 0.6}}}))
    (warning,) = scenario_warnings(derive(own, ["customs.default.detection=0.99"]))
    assert warning.startswith("--set customs.default.detection changes nothing: customs.AA.detection and "
                              "customs.BB.detection override it")
    assert scenario_warnings(derive(own, ["customs.default.inspection=3h"])) == []


def test_an_overlay_is_held_to_the_same_rule_unless_it_sets_the_hiding_value_itself(tmp_path: Path):
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(_sided()), encoding="utf-8")
    (tmp_path / "more.yaml").write_text("extends: base.yaml\nnodes:\n  post: {controls: {AA: {lanes: 6}}}\n",
                                        encoding="utf-8")
    (warning,) = scenario_warnings(corridor_sim.load_scenario(tmp_path / "more.yaml"))
    assert warning.startswith("more.yaml nodes.post.controls.AA.lanes changes nothing")
    (tmp_path / "both.yaml").write_text("extends: base.yaml\nnodes:\n  post: {lanes: 6, controls: {AA: {exit: "
                                        "{lanes: 2}, entry: {lanes: 2}}}}\n", encoding="utf-8")
    assert scenario_warnings(corridor_sim.load_scenario(tmp_path / "both.yaml")) == []


def test_a_sweep_over_a_hidden_path_warns_once_and_keeps_the_warning_in_the_summary(tmp_path: Path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(merge(_sided(), {"clock": {"horizon": "3d", "warmup": 0}})), encoding="utf-8")
    out = tmp_path / "sw"
    assert main(["sweep", str(path), "--vary", "nodes.post.controls.AA.lanes=2,3", "-n", "1", "-o", str(out),
                 "--quiet", "--no-plots"]) == 0
    err = capsys.readouterr().err
    said = [line for line in err.splitlines() if "nodes.post.controls.AA.lanes changes nothing" in line]
    assert len(said) == 1 and said[0].startswith("warning: tiny_lanes-2, tiny_lanes-3 (2 scenarios): "
                                                 "--vary nodes.post.controls.AA.lanes")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for name in ("tiny_lanes-2", "tiny_lanes-3"):
        assert any("changes nothing" in w for w in summary["scenarios"][name]["warnings"])
    again = corridor_sim.load_results(out).summary_dict["scenarios"]["tiny_lanes-3"]["warnings"]
    assert any("changes nothing" in w for w in again)  # read back from the run directory


# --- each warning once a command, with its code; a scenario acknowledges what it means ----------

SATURATED = {"clock": {"horizon": "6d", "warmup": "0h"},
             "customs": {"default": {"document": {"paper_tir": "1h"}, "document_error": {"paper_tir": 0},
                                     "channels": {"low": {"yellow": 0, "red": 0}}}},
             "nodes": {"post": {"lanes": 1}}, "traffic": {"main": {"per_day": 30, "aeo": 0.5}}}


def _files(tmp_path: Path, **named) -> list[str]:
    paths = []
    for name, data in named.items():
        paths.append(str(tmp_path / f"{name}.yaml"))
        Path(paths[-1]).write_text(yaml.safe_dump(data), encoding="utf-8")
    return paths


def test_every_warning_is_said_once_a_command_with_how_many_scenarios_it_concerns(tmp_path: Path, capsys):
    """Three scenarios alike but for their names: the AEO sentence (before the run) and the
    saturated control (after it, the same figures on the same random numbers) once each."""
    base = merge(tiny(), SATURATED)
    files = _files(tmp_path, **{n: merge(base, {"name": n}) for n in ("one", "two", "three")})
    assert main(["compare", *files, "-n", "1", "--quiet", "--no-plots", "-o", str(tmp_path / "c")]) == 0
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: ")]
    aeo = [line for line in said if line.endswith("[aeo-not-recognised]")]
    saturated = [line for line in said if line.endswith("[saturated-control]")]
    assert len(aeo) == 1 and aeo[0].startswith("warning: one, two, three (3 scenarios): the AEO trucks of main")
    assert saturated and all(line.startswith("warning: one, two, three (3 scenarios): control post") for line in saturated)
    assert len(saturated) == len(set(saturated)) == len(said) - 1


def test_an_acknowledged_code_is_not_said_and_every_other_still_is(tmp_path: Path, capsys):
    data = merge(_sided(), SATURATED)
    quiet = merge(data, {"acknowledge": ["aeo-not-recognised", "saturated-control"]})
    (path,) = _files(tmp_path, quiet=quiet)
    assert main(["run", path, "-n", "1", "--quiet", "--no-plots", "-o", str(tmp_path / "r"),
                 "--set", "nodes.post.controls.AA.lanes=2"]) == 0
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: ")]
    assert len(said) == 1 and said[0].endswith("[setting-hidden]")  # the one not acknowledged
    kept = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))["scenarios"]["tiny"]["warnings"]
    assert kept == [said[0].removeprefix("warning: tiny: ")]
    loud = corridor_sim.run(build_scenario(data), replications=1).summary_dict["scenarios"]["tiny"]["warnings"]
    assert {code_of(w) for w in loud} == {"aeo-not-recognised", "saturated-control"}
    assert scenario_warnings(build_scenario(merge(quiet, {"acknowledge": ["saturated-control"]})))[0].endswith(
        "[aeo-not-recognised]")  # only the code named


def test_a_compared_scenario_acknowledges_its_own_comparison_warning():
    base = build_scenario(tiny())
    later = derive(base, {"name": "later", "clock.start": "2026-03-02T00:00"})
    from corridor_sim.scenario.lint import comparison_warnings

    (warning,) = comparison_warnings(base, [later])
    assert warning.endswith("[other-dates]")
    assert comparison_warnings(base, [derive(later, {"acknowledge": ["other-dates"]})]) == []


def test_an_unknown_code_is_one_line_with_its_path_and_the_nearest_code(tmp_path: Path, capsys):
    (path,) = _files(tmp_path, bad=merge(tiny(), {"acknowledge": ["saturated-control", "aeo-not-recognized"]}))
    assert main(["validate", path]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "bad.yaml:" in err and "acknowledge[1]: expected one of aeo-not-recognised" in err
    assert "(did you mean 'aeo-not-recognised'?)" in err
    assert main(["validate", path, "--set", "acknowledge=[]"]) == 0


def test_the_bundled_scenarios_and_overlays_validate_without_a_warning(capsys):
    root = Path(__file__).resolve().parent.parent / "scenarios"
    scenarios = [p for p in sorted(root.glob("*.yaml")) if p.name not in ("assumptions.yaml", "targets_2022.yaml")]
    assert len(scenarios) >= 14
    for path in scenarios:
        assert main(["validate", str(path)]) == 0
        err = capsys.readouterr().err
        assert "warning" not in err, (path.name, err)
    acknowledged = {}
    for path in scenarios:  # each acknowledgement says why, in the comment above it
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if line.startswith("acknowledge:"):
                assert lines[i - 1].startswith("#"), path.name
                acknowledged[path.name] = yaml.safe_load(line)["acknowledge"]
    assert acknowledged == {"middle_corridor.yaml": ["aeo-not-recognised"],
                            "joint_control_red_bridge.yaml": ["aeo-not-recognised", "joint-control-ignores-controls"],
                            "facilitated_2030.yaml": ["joint-control-ignores-controls"]}

def test_a_bare_number_in_a_service_time_is_said_to_be_read_as_hours(tmp_path: Path, capsys):
    """`document: {paper_tir: 30}` validates as 30 hours: each service time (the settings the schema
    marks, here a document check, a distribution's keys and a scan) written without a unit is named
    once with its YAML path; other durations (the horizon, a storm) and zero are not."""
    from corridor_sim.scenario.lint import bare_hours_warnings

    data = merge(tiny(), {
        "clock": {"horizon": 240},
        "customs": {"AA": {"document": {"paper_tir": 30, "etir": 0, "national": "45min"},
                           "inspection": {"dist": "triangular", "min": 1, "mode": "2", "max": "4h"}}},
        "nodes": {"post": {"controls": {"BB": {"scanners": {"count": 1, "scan": 5, "hit_rate": 0.9,
                                                            "false_alarm": 0.1}}}}}})
    warnings = bare_hours_warnings(build_scenario(data))
    assert warnings == [
        "customs.AA.document.paper_tir: 30 is read as 30 hours; write 30h, or 30min if minutes were meant [service-time-in-hours]",
        "customs.AA.inspection: 1 and 2 are read as hours; write 1h and 2h, or 1min and 2min if minutes were meant [service-time-in-hours]",
        "nodes.post.controls.BB.scanners.scan: 5 is read as 5 hours; write 5h, or 5min if minutes were meant [service-time-in-hours]"]
    assert all(w in scenario_warnings(build_scenario(data)) for w in warnings)
    with_units = merge(data, {"customs": {"AA": {"document": {"paper_tir": "30min"}, "inspection": "2h"}},
                              "nodes": {"post": {"controls": {"BB": {"scanners": {"scan": "5min"}}}}}})
    assert bare_hours_warnings(build_scenario(with_units)) == []
    # --set is the user's text too; a sweep's range and a fit's candidates are hours by construction
    (said,) = bare_hours_warnings(derive(build_scenario(tiny()), ["nodes.post.handling=0.25"]))
    assert said.startswith("nodes.post.handling: 0.25 is read as 0.25 hours")
    assert bare_hours_warnings(derive(build_scenario(tiny()), {"nodes.post.handling": 0.25}, origin="--vary")) == []
    assert bare_hours_warnings(derive(build_scenario(tiny()), {"nodes.post.handling": 0.25}, origin="--fit")) == []
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(merge(tiny(), {"customs": {"default": {"document": {"paper_tir": 30}}}})),
                    encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "customs.default.document.paper_tir: 30 is read as 30 hours; write 30h" in err


def test_no_bundled_scenario_gives_a_service_time_without_its_unit():
    from corridor_sim.scenario.lint import bare_hours_warnings

    root = Path(__file__).resolve().parent.parent
    files = [p for p in [*(root / "scenarios").glob("*.yaml"), *(root / "corridor_sim" / "data" / "demos").glob("*.yaml")]
             if not p.name.startswith(("targets", "assumptions"))]
    assert len(files) > 20
    for file in files:
        assert bare_hours_warnings(corridor_sim.load_scenario(file)) == [], file.name
