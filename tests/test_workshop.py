"""The workshop kit without a browser: its scenarios, its data against summary.json, bad input,
resume, and the command of the reference's workshop kit section (tests/test_workshop_browser.py clicks through the page)."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from corridor_sim.cli import main
from corridor_sim.experiment import Output, run_plan
from corridor_sim.scenario import load_scenario
from corridor_sim.workshop import KIT_JSON, build_kit, check_runs, kit_extras, kit_plan
from corridor_sim.workshop.page import script_json

from conftest import ROOT, doc_section

FIXTURES = Path(__file__).parent / "fixtures" / "workshop"
ASSETS = ROOT / "corridor_sim" / "data" / "workshop"


@pytest.fixture
def files(tmp_path):
    for f in FIXTURES.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One kit of the single border and its two measures, built by the command (3 replications)."""
    where = tmp_path_factory.mktemp("kit")
    for f in FIXTURES.glob("*.yaml"):
        shutil.copy(f, where / f.name)
    code = main(["workshop", str(where / "border.yaml"), str(where / "etir.yaml"), str(where / "lanes.yaml"),
                 "-n", "3", "--workers", "1", "--quiet", "-o", str(where / "kit.html")])
    assert code == 0
    return where


def outside(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


# --- the scenarios ---------------------------------------------------------------------------------

def test_a_single_measure_is_its_overlay_and_a_combination_lays_both_over_the_base():
    kit = build_kit(FIXTURES / "border.yaml", [FIXTURES / "etir.yaml", FIXTURES / "lanes.yaml"])
    assert [s.name for s in kit.scenarios] == ["my-border", "etir", "more-lanes", "etir__more-lanes"]
    assert kit.combinations == (("etir",), ("more-lanes",), ("etir", "more-lanes"))
    own = ("name", "label", "description")
    for scenario, file in zip(kit.scenarios[1:3], ("etir.yaml", "lanes.yaml")):
        direct = load_scenario(FIXTURES / file).raw
        assert {k: v for k, v in scenario.raw.items() if k not in own} == {k: v for k, v in direct.items() if k not in own}
    both = kit.scenarios[3]
    assert both.nodes["khorgos"].lanes == 5 and both.traffic["westbound"].regime["etir"] == 1
    assert both.label == "e-TIR + Two more lanes"
    assert build_kit(FIXTURES / "border.yaml", [FIXTURES / "etir.yaml", FIXTURES / "lanes.yaml"], 1).combinations \
        == (("etir",), ("more-lanes",))


def test_a_measure_at_two_intensities_is_one_measure_whose_levels_are_never_combined():
    kit = build_kit(FIXTURES / "border.yaml", [[FIXTURES / "etir_half.yaml", FIXTURES / "etir.yaml"],
                                               FIXTURES / "lanes.yaml"])
    [etir, lanes] = kit.measures
    assert [lv.key for lv in etir.levels] == ["etir-half", "etir"] and etir.key == "etir" and etir.label == "e-TIR"
    assert kit.combinations == (("etir-half",), ("etir",), ("more-lanes",), ("etir-half", "more-lanes"),
                                ("etir", "more-lanes"))
    assert kit.scenarios[4].traffic["westbound"].regime["etir"] == 0.6 and kit.scenarios[4].nodes["khorgos"].lanes == 5


def test_set_applies_to_every_scenario_of_the_kit():
    kit = build_kit(FIXTURES / "border.yaml", [FIXTURES / "etir.yaml", FIXTURES / "lanes.yaml"],
                    overrides=["traffic.westbound.per_day=30"])
    assert {s.traffic["westbound"].per_day for s in kit.scenarios} == {30}


def test_the_budget_counts_scenarios_times_replications():
    kit = build_kit(FIXTURES / "border.yaml", [FIXTURES / "etir.yaml", FIXTURES / "lanes.yaml"])
    check_runs(kit, 10, 40)
    with pytest.raises(Exception, match="needs 40 runs .* more than --max-runs 39"):
        check_runs(kit, 10, 39)


# --- bad input: one line, exit 2, nothing written ------------------------------------------------------

def _bad(argv: list[str], root: Path, capsys) -> str:
    before = outside(root)
    assert main(["workshop", *argv, "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert outside(root) == before
    return err


def test_an_overlay_that_does_not_extend_the_base_is_refused(files, capsys):
    err = _bad([str(files / "border.yaml"), str(files / "etir.yaml"), str(ROOT / "scenarios" / "etir.yaml"),
                "-o", str(files / "kit.html")], files, capsys)
    assert "does not extend" in err and "middle_corridor.yaml" in err


def test_two_measures_that_set_one_value_differently_are_refused(files, capsys):
    (files / "fewer.yaml").write_text("extends: border.yaml\nname: fewer-lanes\nnodes: {khorgos: {lanes: 2}}\n")
    err = _bad([str(files / "border.yaml"), str(files / "lanes.yaml"), str(files / "fewer.yaml"),
                "-o", str(files / "kit.html")], files, capsys)
    assert "both set nodes.khorgos.lanes" in err


def test_too_many_runs_for_the_budget_are_refused(files, capsys):
    err = _bad([str(files / "border.yaml"), str(files / "etir.yaml"), str(files / "lanes.yaml"), "--max-runs", "11",
                "-o", str(files / "kit.html")], files, capsys)
    assert "needs 16 runs" in err and "--max-runs 11" in err


def test_a_kit_over_the_truck_budget_is_refused_before_it_runs(files, capsys):
    """Every scenario of the kit is held to the budget of trucks a replication, traced with --trace."""
    err = _bad([str(files / "border.yaml"), str(files / "etir.yaml"), str(files / "lanes.yaml"), "--trace",
                "--max-trucks", "100", "-o", str(files / "kit.html")], files, capsys)
    assert "traced trucks a replication" in err and "more than --max-trucks 100 allows" in err
    assert not (files / "kit.html").exists()


def test_a_base_without_measures_is_refused(files, capsys):
    assert "give the measures after" in _bad([str(files / "border.yaml")], files, capsys)


def test_an_existing_kit_is_kept_without_force_and_only_a_kit_is_replaced(files, capsys):
    page = files / "kit.html"
    page.write_text("<p>my notes</p>")
    args = [str(files / "border.yaml"), str(files / "etir.yaml"), str(files / "lanes.yaml"), "-o", str(page)]
    assert "exists; use --force" in _bad(args, files, capsys)
    assert "is not a workshop kit" in _bad([*args, "--force"], files, capsys)
    assert page.read_text() == "<p>my notes</p>"


def test_an_existing_run_directory_is_kept_without_force(files, capsys):
    (files / "kit-data").mkdir()
    (files / "kit-data" / "notes.txt").write_text("mine")
    err = _bad([str(files / "border.yaml"), str(files / "etir.yaml"), str(files / "lanes.yaml"),
                "-o", str(files / "kit.html")], files, capsys)
    assert "kit-data" in err


# --- what the page is built from ------------------------------------------------------------------------

def test_the_kit_data_are_the_summary_figures(built):
    summary = json.loads((built / "kit-data" / "summary.json").read_text())
    data = json.loads((built / "kit-data" / KIT_JSON).read_text())
    assert data["stamp"]["seed"] == summary["seed"] == 7 and data["stamp"]["replications"] == 3
    assert [c["scenario"] for c in data["combinations"]] == list(summary["scenarios"])
    for name, s in data["scenarios"].items():
        assert s["lead_time_h"]["mean"] == summary["scenarios"][name]["lead_time_h"]["mean"]
        assert s["inspections_per_100"]["ci_low"] == summary["scenarios"][name]["inspections_per_100"]["ci_low"]
        if name == data["base"]:
            assert "difference" not in s
            continue
        flows = summary["comparison"][name]["flows"]["*"]
        assert s["difference"]["lead_time_h"]["ci_high"] == flows["lead_time_h"]["ci_high"]
        assert s["difference"]["missed_rate"]["mean"] == flows["violations"]["missed_rate"]["mean"]
        shown = {(c["node"], c["crossing"]): c["mean"] for c in s["difference"]["crossings"]}
        assert shown == {(c["node"], c["crossing"]): c["time_h"]["mean"] for c in flows["crossings"]}
    assert data["queues"]["hours"] == 169 and len(data["queues"]["controls"]) == 4
    # each hour of the week after the warm-up shows the last sample of replication 0 at or before it
    import pandas as pd

    queues = pd.read_csv(built / "kit-data" / "queues.csv")
    start = data["queues"]["start_h"]
    assert start == 48.0  # the warm-up, 2 days
    for control in data["queues"]["controls"]:
        rows = queues[(queues["scenario"] == "etir") & (queues["replication"] == 0) & (queues["control"] == control)]
        for hour in (0, 5, 100, 168):
            before = rows[rows["time_h"] <= start + hour].sort_values("time_h")
            assert data["queues"]["series"]["etir"][control][hour] == round(float(before["queue_length"].iloc[-1]), 1)
    assert data["journeys"] is None  # no --trace, no caravan
    assert {n["name"] for n in data["map"]["nodes"]} == {"urumqi", "khorgos", "almaty"} and data["map"]["rings"]


def test_which_saves_more_is_a_paired_difference_of_the_two_measures(built):
    import numpy as np

    from corridor_sim.results.stats import paired_difference

    data = json.loads((built / "kit-data" / KIT_JSON).read_text())
    reps = [json.loads(line) for line in (built / "kit-data" / "replications.jsonl").read_text().splitlines()]
    lead = {name: [r["groups"]["*"]["lead_time_mean"] for r in sorted((r for r in reps if r["scenario"] == name),
                                                                     key=lambda r: r["replication"])]
            for name in ("etir", "more-lanes")}
    [pair] = data["pairs"]
    expected = paired_difference(lead["etir"], lead["more-lanes"])
    assert (pair["a"], pair["b"]) == ("etir", "more-lanes")
    assert np.isclose(pair["mean"], expected["mean"]) and np.isclose(pair["ci_low"], expected["ci_low"])


def test_the_page_is_one_file_that_asks_for_nothing(built):
    text = (built / "kit.html").read_text(encoding="utf-8")
    assert len(text.encode()) < 1_000_000
    assert "default-src 'none'" in text
    urls = set(re.findall(r"(?:https?:|//)[^\s\"'<>)]+", text))
    assert urls <= {"http://www.w3.org/2000/svg"}  # the SVG namespace, a name and never fetched
    assert not re.search(r"<(?:link|img|iframe|object|embed)\b", text, re.I)
    assert not re.search(r"<script[^>]*\bsrc=", text, re.I)


def test_the_embedded_json_cannot_close_its_script_element():
    text = script_json({"label": "</script><img src=x onerror=alert(1)> & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"label": "</script><img src=x onerror=alert(1)> & \u2028"}


def test_every_label_is_in_english_russian_and_turkish():
    labels = json.loads((ASSETS / "i18n.json").read_text(encoding="utf-8"))
    assert set(labels) == {"en", "ru", "tr"}
    assert set(labels["en"]) == set(labels["ru"]) == set(labels["tr"])
    script = (ASSETS / "kit.js").read_text(encoding="utf-8")
    used = set(re.findall(r"\bt\(\"([a-z0-9_]+)\"[,)]", script))  # keys written whole; the built ones below
    used |= {f"c_{c}" for c in ("drive", "rest", "closed", "queue", "document", "inspection", "ferry_wait",
                                 "ferry_sail", "booking", "permit")}
    used |= {f"v_{v}" for v in ("time", "crossings", "queues", "journey", "checks", "map")}
    used |= {f"a_missed_{a}" for a in ("fewer", "more", "same")} | {f"{k}_label" for k in ("cost", "co2")}
    assert used - set(labels["en"]) == set()
    for lang in ("ru", "tr"):  # translated, not copied
        same = [k for k in labels["en"] if labels[lang][k] == labels["en"][k] and not k.startswith("ci95")]
        assert same == []


# --- resume ---------------------------------------------------------------------------------------------

def test_an_interrupted_kit_resumes_with_the_same_command(files, capsys):
    kit = build_kit(files / "border.yaml", [files / "etir.yaml", files / "lanes.yaml"])
    done = {"n": 0}

    def stop(name: str, count: int, total: int) -> None:
        done["n"] += bool(count)
        if done["n"] >= 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_plan(kit_plan(kit, 3), progress=stop, output=Output(files / "kit-data", extra_files=kit_extras(kit)))
    assert (files / "kit-data.partial").is_dir() and not (files / "kit.html").exists()
    argv = ["workshop", str(files / "border.yaml"), str(files / "etir.yaml"), str(files / "lanes.yaml"), "-n", "3",
            "--workers", "1", "-o", str(files / "kit.html")]
    assert main(argv) == 2  # not without --resume
    assert "--resume" in capsys.readouterr().err
    assert main([*argv, "-n", "4", "--resume"]) == 2  # another plan
    assert "was started with other measures or options (its replications differ)" in capsys.readouterr().err
    assert main([*argv, "--resume"]) == 0
    manifest = json.loads((files / "kit-data" / "manifest.json").read_text())
    assert manifest["resumed_replications"] >= 4 and manifest["run_replications"] == 12 - manifest["resumed_replications"]
    assert (files / "kit.html").is_file() and not (files / "kit-data.partial").exists()


# --- the reference's workshop kit -----------------------------------------------------------------------------------

def readme_command() -> list[str]:
    text = doc_section("plots")
    [line] = [line for line in text.splitlines() if line.startswith("corridor-sim workshop my_border.yaml")]
    return line.split()[1:]


def readme_overlays() -> dict[str, str]:
    """The reference's overlay files, by the name their first line gives."""
    text = doc_section("plots")
    blocks = re.findall(r"```yaml\n# (my_\w+\.yaml)\n(.*?)```", text, re.S)
    return {name: body for name, body in blocks}


def test_the_readme_builds_a_kit_for_a_single_border_with_two_overlays(tmp_path, monkeypatch, capsys):
    shutil.copy(FIXTURES / "border.yaml", tmp_path / "my_border.yaml")
    overlays = readme_overlays()
    assert set(overlays) == {"my_etir.yaml", "my_lanes.yaml"}
    for name, body in overlays.items():
        (tmp_path / name).write_text(body)
    monkeypatch.chdir(tmp_path)
    argv = readme_command()
    assert main([*argv, "--workers", "1", "--quiet"]) == 0
    out = capsys.readouterr()
    assert "the base and 3 combinations × 4 replications = 16 runs" in out.err
    assert (tmp_path / "my-kit.html").is_file() and (tmp_path / "my-kit-data" / "summary.json").is_file()
    data = json.loads((tmp_path / "my-kit-data" / KIT_JSON).read_text())
    assert [m["label"] for m in data["measures"]] == ["e-TIR", "Two more lanes"]


def test_nothing_to_resume_is_one_line(files, capsys):
    err = _bad([str(files / "border.yaml"), str(files / "etir.yaml"), str(files / "lanes.yaml"), "--resume",
                "-o", str(files / "kit.html")], files, capsys)
    assert "nothing to resume" in err


def test_the_pages_title_escapes_the_bases_label():
    from corridor_sim.workshop.page import render_kit

    text = render_kit({"title": "<b>A & B</b>"})
    assert "<title>Workshop kit: &lt;b&gt;A &amp; B&lt;/b&gt;</title>" in text and "<b>" not in text


def test_the_default_kit_is_the_corridor_and_six_measures_up_to_three_at_once(tmp_path, capsys):
    from corridor_sim.workshop import DEFAULT_LABELS, default_files

    base, overlays = default_files()
    kit = build_kit(base, overlays, 3, labels=DEFAULT_LABELS)  # the bundled measures do not clash
    assert len(kit.measures) == 6 and len(kit.scenarios) == 1 + 6 + 15 + 20
    assert [m.label for m in kit.measures][:2] == ["e-TIR", "AEO mutual recognition"]
    check_runs(kit, 10, 1_000)
    # without files the command builds it; a small budget shows what it would need, and writes nothing
    err = _bad(["--max-runs", "100", "-o", str(tmp_path / "kit.html")], tmp_path, capsys)
    assert "needs 420 runs (42 scenarios: the base and 41 combinations of 6 measures, × 10 replications)" in err


def test_an_interrupted_kit_says_how_to_go_on(files, monkeypatch, capsys):
    from contextlib import contextmanager

    from corridor_sim.cli import workshop_cmd

    @contextmanager
    def interrupting(enabled, names, total):
        done = {"n": 0}

        def progress(name, count, _total):
            done["n"] += bool(count)
            if done["n"] >= 3:
                raise KeyboardInterrupt
        yield progress

    monkeypatch.setattr(workshop_cmd, "one_bar", interrupting)
    argv = ["workshop", str(files / "border.yaml"), str(files / "etir.yaml"), str(files / "lanes.yaml"), "-n", "3",
            "--workers", "1", "-o", str(files / "kit.html")]
    assert main(argv) == 130
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("interrupted: ") and "replications are kept in" in err
    assert err.endswith("run the same command again with --resume")
    assert not (files / "kit.html").exists()
