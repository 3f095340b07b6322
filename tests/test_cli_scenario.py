"""`corridor-sim validate`, `schema` and `show`: one line per file, located errors on stderr, exit 2."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from corridor_sim.cli import main
from corridor_sim.scenario.json_schema import SCHEMA_FILE
from conftest import CONTRACT, ROOT, tiny
from test_scenario_loader import TINY

CONTRACT_LINES = {
    "driving_rules.yaml": "ok: driving-rules (2 nodes, 1 links, 0 flows, 1 caravans)",
    "ferry_schedule.yaml": "ok: ferry-schedule (2 nodes, 1 links, 1 flows)",
    "opening_hours.yaml": "ok: opening-hours (3 nodes, 2 links, 1 flows)",
    "tandem_mmc.yaml": "ok: tandem-mmc (3 nodes, 2 links, 1 flows)",
}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_contract_files_validate_unchanged(capsys):
    files = sorted(CONTRACT.glob("*.yaml"))
    assert [f.name for f in files] == sorted(CONTRACT_LINES)
    code, out, err = run(capsys, "validate", *files)
    assert code == 0 and err == ""
    assert out.splitlines() == [CONTRACT_LINES[f.name] for f in files]


def test_contract_files_are_the_shared_ones():
    shared = Path("/work/shared/contract")
    if not shared.is_dir():
        pytest.skip("the shared contract folder is not on this machine")
    for name in CONTRACT_LINES:
        assert (CONTRACT / name).read_text() == (shared / name).read_text()


def test_validate_reports_every_bad_file_and_still_checks_the_good_ones(tmp_path, capsys):
    bad = write(tmp_path, TINY.replace("lanes: 2}", "lanse: 2}").replace("per_day: 20", "per_day: -1"), "bad.yaml")
    code, out, err = run(capsys, "validate", bad, CONTRACT / "tandem_mmc.yaml")
    assert code == 2
    assert out.strip() == CONTRACT_LINES["tandem_mmc.yaml"]
    lines = err.strip().splitlines()
    assert lines == [
        f"error: {bad}:9:39: nodes.post.lanse: unknown key 'lanse' (did you mean 'lanes'?); expected one of kind, country, "
        "border, label, lat, lon, lanes, shifts, outages, pull_aside, admissions_per_day, inspection_bays, hours, "
        "holidays, handling, scanners, joint_control, neutral_zone, controls",
        f"error: {bad}:17:5: traffic.main.per_day: expected a number greater than 0, got -1",
    ]


def test_validate_checks_a_calibration_targets_file_as_targets(tmp_path, capsys):
    code, out, err = run(capsys, "validate", ROOT / "scenarios" / "targets_2022.yaml")
    assert code == 0 and err == ""
    assert out.strip() == "ok: cpmm-2022 (calibration targets, 21 targets)"
    bad = write(tmp_path, "name: t\ntargets:\n  - {metric: control_tme, node: post, value: 1}\n", "t.yaml")
    code, out, err = run(capsys, "validate", bad)
    assert code == 2 and out == ""
    assert err.strip().startswith(f"error: {bad}:3:")
    assert "targets[0].metric: expected one of 'control_time'" in err


@pytest.mark.parametrize("old, new, expected", [
    ("lanes: 2}", "lanes: 2", r"s\.yaml:10:\d+: YAML syntax error: "),
    ("horizon: 10d", "horizon: 3 parsecs", r"s\.yaml:2:\d+: clock\.horizon: unknown unit 'parsecs' in '3 parsecs'"),
    ("route: [origin, post, destination]", "route: [origin, pots, destination]",
     r"s\.yaml:16:\d+: traffic\.main\.route\[1\]: unknown node 'pots' \(did you mean 'post'\?\)"),
    ("replications: 2", "replications: -2", r"s\.yaml:3:\d+: experiment\.replications: expected a number of at least 1, got -2"),
    ("name: tiny", "extends: base.yaml\nname: tiny", r"s\.yaml:1:1: extends: the base scenario 'base\.yaml' was not found"),
    ("  post: {kind: bcp", "  origin: {kind: bcp", r"s\.yaml:9:3: duplicate key 'origin' \(also on line 8\)"),
])
def test_each_bad_input_class_is_one_line_on_stderr_with_exit_2(tmp_path, capsys, old, new, expected):
    path = write(tmp_path, TINY.replace(old, new, 1))
    code, out, err = run(capsys, "validate", path)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert re.search(expected, lines[0]), lines[0]


def test_refused_documents_exit_2(tmp_path, capsys):
    bomb = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    bomb += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(10 * 1024 * 1024 + 1)
    for path, words in ((write(tmp_path, "\n".join(bomb) + "\n", "bomb.yaml"), "aliases"), (big, "limited to 10 MB"),
                        (write(tmp_path, "name: x\nnodes: &n {a: *n}\n", "rec.yaml"), "recursive alias"),
                        (tmp_path / "missing.yaml", "file not found")):
        code, out, err = run(capsys, "validate", path)
        assert code == 2 and words in err


def test_validate_with_set(capsys):
    tandem = CONTRACT / "tandem_mmc.yaml"
    code, out, err = run(capsys, "validate", tandem, "--set", "nodes.post.lanes=4", "--set", "traffic.main.per_day=90")
    assert code == 0 and out.strip() == CONTRACT_LINES["tandem_mmc.yaml"]
    code, out, err = run(capsys, "validate", tandem, "--set", "nodes.post.lanes=0")
    assert code == 2 and err.strip() == "error: nodes.post.lanes: expected a number of at least 1, got 0 (from --set)"
    code, out, err = run(capsys, "validate", tandem, "--set", "nodes.post.lanes")
    assert code == 2 and "expected PATH=VALUE" in err


def test_schema_prints_the_shipped_schema(capsys):
    code, out, err = run(capsys, "schema")
    assert code == 0 and err == ""
    assert out == SCHEMA_FILE.read_text(encoding="utf-8")
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "nodes" in schema["properties"] and "Duration" in schema["$defs"]


def test_show_summarises_nodes_links_and_routes(tmp_path, capsys):
    data = tiny()
    data["traffic"]["other"] = {"from": "origin", "to": "destination", "per_day": 3, "background": True}
    data["caravans"] = {"demo": {"route": ["origin", "post", "destination"], "depart": "2026-01-06T08:00", "trucks": 4}}
    path = write(tmp_path, yaml.safe_dump(data, sort_keys=False))
    code, out, err = run(capsys, "show", path)
    assert code == 0 and err == ""
    assert "tiny" in out and "horizon 10d, warm-up 24h" in out and "2 replications, seed 1" in out
    assert "origin → post → destination" in out
    assert "other (background)" in out and "demo (caravan, 4 trucks)" in out
    assert "origin -> post" in out and "1.0" in out  # 60 km at 60 km/h: 1 expected hour


def test_show_gives_each_control_its_lanes_hours_holidays_and_each_country_its_customs(tmp_path, capsys):
    data = tiny()
    data["nodes"]["post"] |= {"label": "Post (AA) / Poste (BB)", "hours": "Mon-Fri 08:00-20:00",
                              "holidays": ["2026-01-07..2026-01-08"], "controls": {"BB": {"entry": {"lanes": 5}}}}
    data["customs"] = {"BB": {"recognises_aeo": True, "channels": {"low": {"yellow": 0.2, "red": 0.05}}}}
    code, out, err = run(capsys, "show", write(tmp_path, yaml.safe_dump(data, sort_keys=False)))
    words = set(out.replace("│", " ").replace(",", " ").split())  # a narrow terminal folds cells over lines
    assert code == 0 and err == ""
    assert {"Post", "Mon-Fri", "08:00-20:00", "2026-01-07", "2026-01-08", "20%/5%"} <= words
    rows = {" ".join(line.split("│")[2].split()): line.split("│")[3].strip() for line in out.splitlines()
            if line.startswith("│ Post ")}
    assert rows == {"AA exit": "2", "BB entry": "5"}  # each control a route passes, with the lanes it has
    customs = {line.split()[1]: line.split() for line in out.splitlines() if line.startswith("│ AA ") or line.startswith("│ BB ")}
    assert "no" in customs["AA"] and "x0.2" in customs["BB"]  # AA does not recognise AEO; BB does (the built-in factor)


def test_show_prints_the_lanes_each_control_works_with_not_a_node_figure_none_uses(tmp_path, capsys):
    data = tiny()
    data["traffic"]["back"] = {"route": ["destination", "post", "origin"], "per_day": 5}
    data["links"] = {"origin <-> post": {"km": 60}, "post <-> destination": {"km": 60}}
    data["nodes"]["post"] |= {"lanes": 30, "controls": {"AA": {"exit": {"lanes": 1, "shifts": {"08:00-20:00": 9}},
                                                               "entry": {"lanes": 7}},
                                                        "BB": {"lanes": 5}}}
    code, out, err = run(capsys, "show", write(tmp_path, yaml.safe_dump(data, sort_keys=False)))
    assert code == 0 and err == ""
    controls = out.split("controls (")[1].split("capacity against demand")[0]
    rows = {" ".join(line.split("│")[2].split()): line.split("│")[3].strip() for line in controls.splitlines()
            if line.startswith("│ post ")}
    assert rows.pop("AA exit").startswith("9 08:00-20:00;")  # then "1 otherwise", folded on a narrow terminal
    assert rows == {"AA entry": "7", "BB exit": "5", "BB entry": "5"}
    assert "30" not in controls
    code, out, err = run(capsys, "show", write(tmp_path, yaml.safe_dump(data, sort_keys=False)),
                         "--set", "nodes.post.controls.AA.lanes=4")
    assert err.startswith("warning: tiny: --set nodes.post.controls.AA.lanes changes nothing: "
                          "nodes.post.controls.AA.entry.lanes and nodes.post.controls.AA.exit.lanes override it")


def test_show_sets_each_controls_capacity_a_day_against_its_demand_and_marks_a_saturated_one(tmp_path, capsys):
    """By hand: AA exit has 4 lanes Mon-Fri 08:00-20:00 and 1 otherwise (4 x 60 + 1 x 108 = 348
    lane-hours a week, 49.71 a day); a truck holds a lane 30 min (document) + 0.2 x 1 h (yellow) +
    6 min (handling) = 0.8 h, so the lanes clear 62.1 trucks a day against 20: 0.32. The bay: 0.1 x
    2 h x 20 = 4 bay-hours a day of 24: 0.17. BB entry: 2 lanes, 48 lane-hours, 60 a day: 0.33."""
    from corridor_sim.capacity import control_loads
    from corridor_sim.scenario.loader import build_scenario, merge

    data = merge(tiny(), {"customs": {"default": {"document": {"paper_tir": "30min"}, "document_error": {"paper_tir": 0},
                                                  "channels": {"low": {"yellow": 0.2, "red": 0.1}},
                                                  "yellow_check": "1h", "inspection": "2h"}},
                          "nodes": {"post": {"handling": "6min",
                                             "controls": {"AA": {"exit": {"lanes": 1, "shifts": {"Mon-Fri 08:00-20:00": 4}}}}}}})
    loads = {f"{load.key.country} {load.key.direction}": load for load in control_loads(build_scenario(data))}
    assert set(loads) == {"AA exit", "BB entry"}
    exit_, entry = loads["AA exit"], loads["BB entry"]
    assert exit_.lane_hours == pytest.approx(348 / 7) and exit_.service_h == pytest.approx(0.8)
    assert exit_.capacity == pytest.approx(348 / 7 / 0.8) and exit_.demand == pytest.approx(20)
    assert exit_.utilisation == pytest.approx(20 * 0.8 * 7 / 348) and exit_.bay_utilisation == pytest.approx(4 / 24)
    assert (entry.lane_hours, entry.capacity, entry.utilisation) == (pytest.approx(48), pytest.approx(60), pytest.approx(1 / 3))
    code, out, err = run(capsys, "show", write(tmp_path, yaml.safe_dump(data, sort_keys=False)))
    assert code == 0 and err == ""
    rows = [line.split() for line in out.split("capacity against demand")[1].splitlines() if line.startswith("post ")]
    assert rows == [["post", "AA", "exit", "50", "48min", "62", "20.0", "0.32", "0.17"],
                    ["post", "BB", "entry", "48", "48min", "60", "20.0", "0.33", "0.17"]]
    # 61 trucks a day: under AA's 62, over BB's 60; said at once, before anything runs
    code, out, err = run(capsys, "show", write(tmp_path, yaml.safe_dump(data, sort_keys=False)),
                         "--set", "traffic.main.per_day=61")
    rows = [line.split() for line in out.split("capacity against demand")[1].splitlines() if line.startswith("post ")]
    assert rows[0][-2:] == ["0.98", "0.51"] and rows[1][-3:] == ["1.02", "SATURATED", "0.51"]
    # an e-queue's daily cap is a capacity too
    capped = merge(data, {"nodes": {"post": {"controls": {"BB": {"admissions_per_day": 50}}}}})
    assert {f"{x.key.country}": x.capacity for x in control_loads(build_scenario(capped))}["BB"] == 50


@pytest.mark.parametrize("name", sorted(CONTRACT_LINES))
def test_show_reads_every_contract_file(capsys, name):
    code, out, err = run(capsys, "show", CONTRACT / name)
    assert code == 0 and err == "" and "nodes" in out and "links" in out


def test_show_reports_bad_input_with_exit_2(tmp_path, capsys):
    code, out, err = run(capsys, "show", write(tmp_path, TINY.replace("per_day: 20", "per_day: x")))
    assert code == 2 and "traffic.main.per_day: expected a number, got 'x'" in err


def test_python_dash_m_runs_the_cli():
    done = subprocess.run([sys.executable, "-m", "corridor_sim", "validate", str(CONTRACT / "tandem_mmc.yaml"), "nope.yaml"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2
    assert done.stdout.strip() == CONTRACT_LINES["tandem_mmc.yaml"]
    assert done.stderr.strip() == "error: nope.yaml: file not found"


def test_values_that_look_like_markup_are_printed_as_written(tmp_path, capsys):
    path = write(tmp_path, TINY.replace("lanes: 2}", 'lanes: "[red]many[/red]"}'))
    code, out, err = run(capsys, "validate", path)
    assert code == 2 and "got '[red]many[/red]'" in err


# --- the reference's scenario-format section is executed -------------------------------------

def readme_section() -> str:
    from conftest import doc_section

    return doc_section("scenario-format")


def yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.S)


def test_readme_example_validates_and_the_set_examples_work(tmp_path, capsys):
    section = readme_section()
    example = write(tmp_path, yaml_blocks(section)[0], "example.yaml")
    code, out, err = run(capsys, "validate", example)
    assert (code, err) == (0, "") and out.startswith("ok: two-borders (6 nodes, 5 links, 2 flows, 1 caravans)")
    sets = re.findall(r"`--set '?([^`']+)'?`", section)
    good = [s for s in sets if "regime" not in s and "PATH" not in s]
    assert len(good) >= 4
    argv = [a for s in good for a in ("--set", s)]
    assert run(capsys, "validate", example, *argv)[0] == 0
    regime = [s for s in sets if "regime" in s][0]
    code, out, err = run(capsys, "validate", example, "--set", regime)
    assert code == 2 and "must sum to 1" in err
    assert run(capsys, "validate", example, "--set", regime.replace("{etir: 1}", "{paper_tir: 0, etir: 1}"))[0] == 0


def test_readme_complete_example_is_a_healthy_model(tmp_path, capsys):
    """Copied as a template, it must run without a warning (no saturated control) and take a
    plausible time for its 4,350 km (driving, rest, a ferry: days, not weeks)."""
    example = write(tmp_path, yaml_blocks(readme_section())[0], "example.yaml")
    code, out, err = run(capsys, "run", example, "-n", "2", "--set", "clock.horizon=20d", "--set", "clock.warmup=5d",
                         "--no-plots", "--quiet", "-o", tmp_path / "run")
    assert code == 0 and "warning" not in err, err
    summary = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    westbound = summary["scenarios"]["two-borders"]["flows"]["westbound"]
    assert summary["scenarios"]["two-borders"]["warnings"] == []
    assert 4 * 24 < westbound["lead_time_h"]["mean"] < 14 * 24
    assert westbound["components_h"]["queue"] < 0.1 * westbound["lead_time_h"]["mean"]


def test_readme_overlay_example_validates(tmp_path, capsys):
    overlay = yaml_blocks(readme_section())[1]
    base = ROOT / "scenarios" / "middle_corridor.yaml"
    path = write(tmp_path, overlay.replace("extends: middle_corridor.yaml", f"extends: {base}"), "overlay.yaml")
    code, out, err = run(capsys, "validate", path)
    assert code == 0 and "error" not in err and out.startswith("ok: more-lanes")
    assert "changes nothing" not in err and "not used" not in err  # the example's value is one the corridor uses


def test_readme_defaults_table_matches_the_schema():
    from corridor_sim.scenario.loader import build_scenario
    from corridor_sim.scenario.schema import InformationExchange, PostClearanceAudit, RoadPermits

    table = readme_section().split("**Sections and defaults.**", 1)[1]
    rows = dict(re.findall(r"^\| `([a-z_.*]+)` \| `([^`]+)` \|", table, flags=re.M))
    bare = build_scenario({
        "name": "bare",
        "nodes": {"a": {"kind": "port", "country": "AA"}, "b": {"kind": "port", "country": "BB"}},
        "links": {"a -> b": {"mode": "ferry", "capacity": 5, "sailing": "1h"}},
        "traffic": {"f": {"route": ["a", "b"], "per_day": 1}},
        "caravans": {"c": {"route": ["a", "b"], "depart": "2024-01-02", "trucks": 1}},
    })
    node, link, flow, caravan, policy = bare.nodes["a"], bare.links["a -> b"], bare.traffic["f"], bare.caravans["c"], bare.policy("AA")
    actual = {
        "clock.start": bare.clock.start.strftime("%Y-%m-%dT%H:%M"), "clock.horizon": bare.clock.horizon,
        "clock.warmup": bare.clock.warmup, "experiment.replications": bare.experiment.replications,
        "experiment.seed": bare.experiment.seed, "drivers.rules": bare.drivers.rules, "drivers.crew": bare.drivers.crew,
        "drivers.speed_kmh": bare.drivers.speed_kmh.mean(),
        "risk_classes": {k: v.model_dump() for k, v in bare.risk_classes.items()},
        "nodes.*.lanes": node.lanes, "nodes.*.shifts": node.shifts, "nodes.*.pull_aside": list(node.pull_aside),
        "nodes.*.inspection_bays": node.inspection_bays, "nodes.*.hours": node.hours.text,
        "nodes.*.holidays": list(node.holidays), "nodes.*.handling": node.handling.mean(),
        "nodes.*.joint_control": node.joint_control, "nodes.*.controls": node.controls,
        "links.*.mode": "road", "links.*.vessels": link.n_vessels,
        "links.*.departs": {"when_full_or_after": link.departure.when_full_or_after},
        "traffic.*.aeo": flow.aeo, "traffic.*.regime": flow.regime, "traffic.*.background": flow.background,
        "caravans.*.convoy": caravan.convoy, "caravans.*.pre_notified": caravan.pre_notified,
        "customs.*.document": {k: v.mean() for k, v in policy.document.items()},
        "customs.*.document_error": policy.document_error, "customs.*.error_delay": policy.error_delay.mean(),
        "customs.*.channels": {k: v.model_dump() for k, v in policy.channels.items()},
        "customs.*.yellow_check": policy.yellow_check.mean(), "customs.*.inspection": policy.inspection.mean(),
        "customs.*.detection": policy.detection, "customs.*.recognises_aeo": policy.recognises_aeo,
        "customs.*.aeo_factor": policy.aeo_factor, "customs.*.aeo_priority_lane": policy.aeo_priority_lane,
        "customs.*.priority_regimes": list(policy.priority_regimes),
        "customs.*.etir_preclear": policy.etir_preclear,
        "post_clearance_audit.*.audited": PostClearanceAudit.model_fields["audited"].default,
        "information_exchange.*.recognition": InformationExchange.model_fields["recognition"].default,
        "road_permits.*.period": RoadPermits.model_fields["period"].default,
    }
    assert set(rows) == set(actual), set(rows) ^ set(actual)

    as_text = {"clock.start", "links.*.mode", "drivers.rules", "drivers.crew", "nodes.*.hours"}
    for key, text in rows.items():
        expected = text if key in as_text else _plain(yaml.safe_load(text))
        assert actual[key] == pytest.approx(expected) if isinstance(expected, float) else actual[key] == expected, \
            (key, text, actual[key])


def _plain(value):
    """A default as written in the reference: durations to hours, distributions to their means."""
    from corridor_sim.scenario.dists import parse_dist
    from corridor_sim.scenario.units import parse_duration

    if isinstance(value, dict) and "dist" in value:
        return pytest.approx(parse_dist(value, parse_duration).mean())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, str) and value[:1].isdigit():
        return parse_duration(value)
    return value
