"""Experiments: common random numbers, and identical results on every executor."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

import corridor_sim
from corridor_sim.errors import CorridorSimError, ScenarioError
from corridor_sim.executors import SerialExecutor, executor_width, make_executor
from corridor_sim.experiment import Plan, _batches, run_plan
from corridor_sim.scenario.loader import build_scenario

from conftest import tiny

REPS = 6


def scenario(**changes):
    data = tiny()
    for key, value in changes.items():
        data[key] = value
    return build_scenario(data)


@pytest.fixture(scope="module")
def base():
    return scenario()


@pytest.fixture(scope="module")
def serial_result(base):
    return corridor_sim.run(base, REPS, 7)


def same_result(a, b) -> None:
    """Every table and the summary equal, value for value."""
    for name in ("trucks", "controls", "control_flows", "ferries", "trace", "queues"):
        pd.testing.assert_frame_equal(a.table(name), b.table(name))
    assert json.dumps(a.summary_dict, sort_keys=True) == json.dumps(b.summary_dict, sort_keys=True)


def test_tables_are_ordered_by_replication(serial_result):
    trucks = serial_result.trucks
    assert list(trucks["replication"].unique()) == list(range(REPS))
    assert trucks["replication"].is_monotonic_increasing
    assert [s["replication"] for s in serial_result.stats["tiny"]] == list(range(REPS))
    assert serial_result.meta["executor"] == "serial" and serial_result.meta["workers"] == 1


def test_process_pool_gives_the_serial_result(base, serial_result):
    pooled = corridor_sim.run(base, REPS, 7, workers=2)
    assert pooled.meta["executor"] == "process" and pooled.meta["workers"] == 2
    same_result(pooled, serial_result)


def test_dask_local_cluster_gives_the_serial_result(base, serial_result):
    pytest.importorskip("distributed")
    from corridor_sim.executors.dask_cluster import dask_executor

    with dask_executor(workers=2, processes=False) as ex:
        assert executor_width(ex) == 2
        result = corridor_sim.run(base, REPS, 7, executor=ex)
    assert result.meta["executor"] == "dask"
    same_result(result, serial_result)


def _worker_settings() -> dict:
    import dask

    from corridor_sim.executors.dask_cluster import LOCAL_WORKERS

    return {key: dask.config.get(key) for key in LOCAL_WORKERS}


def test_a_local_cluster_spares_its_workers_the_periodic_jobs():
    # the settings reach the spawned workers: no profiler taking the GIL every 10 ms, slow ticks
    pytest.importorskip("distributed")
    from corridor_sim.executors.dask_cluster import LOCAL_WORKERS, dask_executor

    with dask_executor(workers=1) as ex:
        assert ex.submit(_worker_settings).result() == LOCAL_WORKERS
    assert _worker_settings() != LOCAL_WORKERS  # and this process's settings are as they were


def test_any_executor_and_batching_give_the_same_result(base, serial_result):
    with ThreadPoolExecutor(max_workers=3) as ex:  # any concurrent.futures.Executor will do
        same_result(corridor_sim.run(base, REPS, 7, executor=ex), serial_result)


def test_batches_cover_every_replication_once(base):
    other = scenario(name="other")
    pending = [(s, r) for s in (base, other) for r in range(50)]
    for width in (1, 2, 5):
        batches = _batches(pending, width)
        flat = sorted((s.name, r) for s, reps in batches for r in reps)
        assert flat == sorted((s.name, r) for s, r in pending)
        assert max(len(reps) for _, reps in batches) <= (1 if width == 1 else 8)
    assert len(_batches(pending, 2)) < len(pending)  # several replications per task on a pool


def test_common_random_numbers_narrow_the_comparison(base):
    """Two scenarios that differ in one control only: pairing must beat independent samples."""
    more_lanes = scenario(name="more-lanes", nodes={**tiny()["nodes"], "post": {
        "kind": "bcp", "border": ["AA", "BB"], "lanes": 2, "controls": {"BB": {"lanes": 3}}}})
    result = corridor_sim.compare(base, [more_lanes], replications=8, seed=3)
    d = result.summary_dict["comparison"]["more-lanes"]["flows"]["*"]["lead_time_h"]
    assert d["n"] == 8
    assert d["half_width"] < d["unpaired_half_width"]
    assert d["crn_variance_ratio"] < 0.5
    assert d["mean"] < 0 and d["significant"]
    # the drive time is untouched by a lane: with common random numbers it is identical
    drive = result.summary_dict["comparison"]["more-lanes"]["flows"]["*"]["components_h"]["drive"]
    assert drive["mean"] == 0.0 and drive["half_width"] == 0.0
    # same seeds: the same trucks depart at the same times in both scenarios
    t = result.trucks
    a = t[(t.scenario == "tiny") & (t.replication == 0)].sort_values("truck")
    b = t[(t.scenario == "more-lanes") & (t.replication == 0)].sort_values("truck")
    assert a["depart_h"].tolist() == b["depart_h"].tolist()


def test_serial_executor_delivers_errors_through_the_future():
    with SerialExecutor() as ex:
        future = ex.submit(lambda: 1 / 0)
        assert isinstance(future.exception(), ZeroDivisionError)
        assert ex.submit(lambda x: x + 1, 1).result() == 2


def test_executor_choices_are_checked():
    with pytest.raises(CorridorSimError, match="unknown executor"):
        with make_executor("cluster"):
            pass
    with pytest.raises(CorridorSimError, match="needs the dask executor"):
        with make_executor("process", 2, "tcp://127.0.0.1:1"):
            pass
    with make_executor(None, 1) as ex:
        assert isinstance(ex, SerialExecutor)


def test_plan_refuses_duplicate_names_and_no_replications(base):
    with pytest.raises(ScenarioError, match="both named 'tiny'"):
        Plan((base, base), 2, 1)
    with pytest.raises(CorridorSimError, match="at least 1"):
        run_plan(Plan((base,), 0, 1))


def test_a_callers_pool_is_let_go_once_the_replications_are_in_before_the_tables_are_written(base, tmp_path):
    """`when_done` is called once, after the last replication and before the run directory is
    written (the CLI shuts its own pool down there, so the workers' exit overlaps the writing)."""
    from corridor_sim.experiment import Output

    events = []
    with ThreadPoolExecutor(2) as pool:
        result = run_plan(Plan((base,), 3, 5), executor=pool,
                          progress=lambda name, done, total: events.append(f"done {done}"),
                          output=Output(tmp_path / "run", extra_files=lambda result, directory: events.append("writing")),
                          when_done=lambda: events.append("let go"))
        assert not pool._shutdown  # a caller's executor is the caller's to shut down
    assert events[-2:] == ["let go", "writing"] and events.count("let go") == 1 and "done 3" in events[:-2]
    assert result.meta["run_replications"] == 3


def test_on_the_serial_executor_no_finished_replications_tables_are_held_while_the_next_runs(base, tmp_path, monkeypatch):
    """Memory stays that of one replication however many run: the table pieces of a finished
    task are released (written to the run directory) before the next task runs."""
    import gc
    import weakref

    import corridor_sim.experiment as experiment
    from corridor_sim.experiment import Output

    alive_at_start = []
    earlier: list[weakref.ref] = []
    real = experiment.run_batch

    def watched(*args, **kwargs):
        gc.collect()
        alive_at_start.append(sum(ref() is not None for ref in earlier))
        out = real(*args, **kwargs)
        earlier.extend(weakref.ref(piece) for _, _, pieces in out for piece in pieces.values())
        return out

    monkeypatch.setattr(experiment, "run_batch", watched)
    run_plan(Plan((base,), 4, 5), executor="serial", output=Output(tmp_path / "run"))
    assert alive_at_start == [0, 0, 0, 0]
