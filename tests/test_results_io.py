"""Run directories: load_results gives back the object a run returns; atomic, never overwritten silently."""
from __future__ import annotations

import json
import math

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import corridor_sim
from corridor_sim.errors import OutputError
from corridor_sim.results import load_results
from corridor_sim.results.io import dump_yaml
from corridor_sim.results.tables import TABLES
from corridor_sim.scenario.loader import build_scenario

from conftest import ROOT, tiny

DIRECTORY_FILES = {"trucks", "controls", "control_flows", "ferries", "queues", "summary.csv", "summary.json",
                   "replications.csv", "replications.jsonl", "scenario.yaml", "manifest.json"}


def caravan_scenario():
    data = tiny()
    data["caravans"] = {"demo": {"route": ["origin", "post", "destination"], "depart": "2026-01-07T08:00",
                                 "trucks": 3, "convoy": True}}
    return build_scenario(data)


def canonical(summary: dict) -> str:
    """JSON text with NaN written as null, as summary.json holds it."""
    def clean(v):
        if isinstance(v, float) and math.isnan(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v
    return json.dumps(clean(summary), sort_keys=True)


def assert_same(loaded, original) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(loaded.table(name), original.table(name))
    assert canonical(loaded.summary_dict) == canonical(original.summary_dict)
    pd.testing.assert_frame_equal(loaded.summary, original.summary)
    pd.testing.assert_frame_equal(loaded.comparison, original.comparison)
    pd.testing.assert_frame_equal(loaded.sweep, original.sweep)
    assert list(loaded.scenarios) == list(original.scenarios)
    assert loaded.stats == original.stats or canonical(loaded.stats) == canonical(original.stats)


@pytest.fixture(scope="module")
def in_memory():
    return corridor_sim.run(caravan_scenario(), 3, 2)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_load_results_round_trip_of_an_in_memory_run(in_memory, tmp_path, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    target = in_memory.to_dir(tmp_path / "run", fmt=fmt)
    names = {p.name if p.suffix in (".json", ".yaml", ".jsonl") or p.stem.startswith(("summary", "replications"))
             else p.stem for p in target.iterdir()}
    assert DIRECTORY_FILES | {"trace"} <= names  # the caravan is traced
    assert (target / f"trucks.{fmt}").exists()
    loaded = load_results(target)
    assert_same(loaded, in_memory)
    t = loaded.trucks
    caravan_trucks = set(zip(t.loc[t.caravan == "demo", "replication"], t.loc[t.caravan == "demo", "truck"]))
    assert len(caravan_trucks) == 3 * 3  # three trucks in each of three replications
    assert set(zip(loaded.trace["replication"], loaded.trace["truck"])) == caravan_trucks


def test_streamed_compare_and_sweep_directories_load_back(tmp_path):
    base = build_scenario(tiny())
    cmp = corridor_sim.compare(base, [corridor_sim.derive(base, {"name": "b", "nodes.post.lanes": 3})], 3, 1,
                               output=tmp_path / "cmp")
    assert_same(load_results(tmp_path / "cmp"), cmp)
    sw = corridor_sim.sweep(base, {"traffic.main.per_day": [10, 30]}, 2, 1, output=tmp_path / "sw")
    loaded = load_results(tmp_path / "sw")
    assert_same(loaded, sw)
    assert loaded.kind == "sweep" and len(loaded.sweep) == 2


def test_streamed_parquet_run_equals_in_memory_run(tmp_path, in_memory):
    pytest.importorskip("pyarrow")
    streamed = corridor_sim.run(caravan_scenario(), 3, 2, output=corridor_sim.Output(tmp_path / "pq", format="parquet"))
    assert (tmp_path / "pq" / "trucks.parquet").exists() and not (tmp_path / "pq" / "trucks.csv").exists()
    assert_same(streamed, in_memory)


def test_manifest_records_what_made_the_result(tmp_path, in_memory):
    target = in_memory.to_dir(tmp_path / "run")
    manifest = json.loads((target / "manifest.json").read_text())
    for key in ("versions", "python", "git_revision", "command", "scenario_hash", "seed", "replications", "workers",
                "executor", "started", "finished", "elapsed_s", "format", "kind"):
        assert key in manifest, key
    assert manifest["versions"]["simpy"] and manifest["seed"] == 2 and manifest["replications"] == 3
    text = (target / "summary.json").read_text()
    assert "NaN" not in text and "Infinity" not in text
    json.loads(text)


def test_never_overwrites_without_force(tmp_path, in_memory):
    target = tmp_path / "run"
    in_memory.to_dir(target)
    with pytest.raises(OutputError, match="already holds results"):
        in_memory.to_dir(target)
    with pytest.raises(OutputError, match="already holds results"):
        corridor_sim.run(caravan_scenario(), 2, 2, output=target)
    assert not (tmp_path / "run.partial").exists()
    (target / "extra.txt").write_text("the run's")
    in_memory.to_dir(target, force=True)
    assert not (target / "extra.txt").exists() and (target / "summary.json").exists()


def test_force_never_removes_what_is_not_a_run(tmp_path, in_memory):
    for name, files in (("notes", {"notes.txt": "mine"}), ("half", {"summary.json": "{}", "thesis.txt": "mine"})):
        target = tmp_path / name
        target.mkdir()
        for file, text in files.items():
            (target / file).write_text(text)
        for force in (False, True):
            with pytest.raises(OutputError, match="not a corridor-sim run .*nothing in it was changed"):
                in_memory.to_dir(target, force=force)
            with pytest.raises(OutputError, match="not a corridor-sim run"):
                corridor_sim.run(caravan_scenario(), 2, 2, output=corridor_sim.Output(target, force=force))
        assert {p.name: p.read_text() for p in target.iterdir()} == files
    assert not any(p.name.endswith((".tmp", ".partial")) or ".old-" in p.name for p in tmp_path.iterdir())


def test_a_failed_write_leaves_nothing_behind(tmp_path, in_memory):
    def broken_plots(result, directory):
        raise RuntimeError("plotting failed")

    with pytest.raises(RuntimeError):
        in_memory.to_dir(tmp_path / "run", extra_files=broken_plots)
    assert list(tmp_path.iterdir()) == []


def test_extra_files_land_in_the_run_directory(tmp_path, in_memory):
    seen = []

    def plots(result, directory):
        seen.append(result)
        (directory / "plots").mkdir()
        (directory / "plots" / "lead_time.txt").write_text(f"{result.scenario()['lead_time_h']['mean']:.3f}")

    in_memory.to_dir(tmp_path / "run", extra_files=plots)
    assert seen == [in_memory] and (tmp_path / "run" / "plots" / "lead_time.txt").exists()


def test_load_results_refuses_other_directories(tmp_path):
    with pytest.raises(OutputError, match="not a corridor-sim results directory"):
        load_results(tmp_path)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
                    max_leaves=20))
@settings(max_examples=200)
def test_a_saved_scenario_reads_back_as_it_was_whatever_its_text(tmp_path_factory, data):
    """Saved scenarios are written by libyaml where PyYAML has it; what they read back is the data."""
    file = tmp_path_factory.mktemp("yaml") / "scenario.yaml"
    dump_yaml({"raw": data}, file)
    assert yaml.safe_load(file.read_text(encoding="utf-8")) == {"raw": data}


def test_saved_scenarios_are_the_text_of_pythons_safe_dumper(tmp_path):
    """The bundled scenarios save as the same text as PyYAML's pure-Python safe dumper gives."""
    from corridor_sim.scenario import load_scenario

    for path in sorted(p for p in (ROOT / "scenarios").glob("*.yaml") if not p.name.startswith(("targets", "assumptions"))):
        raw = load_scenario(path).raw
        dump_yaml(raw, tmp_path / "s.yaml")
        assert (tmp_path / "s.yaml").read_text(encoding="utf-8") == yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), path
