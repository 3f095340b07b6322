"""Interrupted runs keep their finished replications; --resume completes them to the same result."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

import corridor_sim
from corridor_sim.cli import main
from corridor_sim.errors import OutputError
from corridor_sim.executors.process import process_executor
from corridor_sim.experiment import Output, Plan, WorkerLost, resume_plan, run_plan, wait_any
from corridor_sim.results.paths import partial_path
from corridor_sim.results.store import ReplicationStore
from corridor_sim.scenario.loader import build_scenario

import pool_tasks
from conftest import tiny

REPS = 6
SAME_FILES = ("trucks.csv", "controls.csv", "control_flows.csv", "ferries.csv", "queues.csv", "summary.csv",
              "replications.csv", "replications.jsonl", "summary.json", "comparison.csv")


@pytest.fixture(scope="module")
def pair():
    base = build_scenario(tiny())
    data = tiny()
    data["name"] = "three-lanes"
    data["nodes"]["post"]["lanes"] = 3
    return base, build_scenario(data)


@pytest.fixture(scope="module")
def reference(pair, tmp_path_factory):
    """The uninterrupted comparison's run directory."""
    target = tmp_path_factory.mktemp("ref") / "run"
    corridor_sim.compare(pair[0], [pair[1]], REPS, 5, output=target)
    return target


def stop_after(k: int, error: BaseException):
    """A progress callback that raises `error` once k replications have finished."""
    count = {"n": 0}

    def progress(name: str, done: int, total: int) -> None:
        if done:
            count["n"] += 1
            if count["n"] >= k:
                raise error
    return progress


def assert_same_directory(a: Path, b: Path) -> None:
    for name in SAME_FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_interrupted_compare_resumes_to_the_uninterrupted_result(pair, reference, tmp_path):
    target = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        corridor_sim.compare(pair[0], [pair[1]], REPS, 5, output=target, progress=stop_after(5, KeyboardInterrupt()))
    assert not target.exists()  # no half-written run directory
    store = ReplicationStore.open(partial_path(target))
    assert len(store.finished()) == 5
    plan = resume_plan(target)
    assert [s.name for s in plan.scenarios] == ["tiny", "three-lanes"] and plan.baseline == "tiny"
    result = run_plan(plan, output=Output(target, resume=True))
    assert result.meta["resumed_replications"] == 5 and result.meta["run_replications"] == 2 * REPS - 5
    assert not partial_path(target).exists()
    assert_same_directory(target, reference)


def test_a_killed_worker_keeps_finished_replications(pair, reference, tmp_path):
    target = tmp_path / "run"
    killed = []
    with process_executor(2) as pool:
        def kill_a_worker(name: str, done: int, total: int) -> None:
            if done and not killed:
                killed.append(next(iter(pool._processes)))
                os.kill(killed[0], signal.SIGKILL)

        with pytest.raises(WorkerLost, match="worker process stopped"):
            corridor_sim.compare(pair[0], [pair[1]], REPS, 5, output=target, executor=pool, progress=kill_a_worker)
    kept = ReplicationStore.open(partial_path(target)).finished()
    assert 1 <= len(kept) < 2 * REPS
    corridor_sim.compare(pair[0], [pair[1]], REPS, 5, output=Output(target, resume=True))
    assert_same_directory(target, reference)


def test_a_worker_dying_while_it_sends_a_result_ends_the_run_instead_of_hanging_it():
    """ProcessPoolExecutor alone would wait for the rest of the half-sent result for ever."""
    started = time.perf_counter()
    with pytest.raises(WorkerLost, match=r"exit code -9"):
        with process_executor(2) as pool:  # the other worker keeps the result pipe open
            assert [f.result() for f in [pool.submit(pool_tasks.square, x) for x in (2, 3)]] == [4, 9]
            assert len(pool._processes) == 2
            manager = pool._executor_manager_thread
            wait_any([pool.submit(pool_tasks.die_halfway_through_sending_a_result)], pool)
    assert time.perf_counter() - started < 30
    manager.join(timeout=10)
    assert not manager.is_alive()  # nothing is left to hang the interpreter's exit


def test_resume_refuses_a_different_plan_and_a_stale_partial(pair, tmp_path):
    target = tmp_path / "run"
    base = pair[0]
    with pytest.raises(KeyboardInterrupt):
        corridor_sim.run(base, 4, 5, output=target, progress=stop_after(2, KeyboardInterrupt()))
    with pytest.raises(OutputError, match="different seed"):
        corridor_sim.run(base, 4, 6, output=Output(target, resume=True))
    with pytest.raises(OutputError, match="holds an interrupted run"):
        corridor_sim.run(base, 4, 5, output=target)
    with pytest.raises(OutputError, match="was started with --format csv"):
        corridor_sim.run(base, 4, 5, output=Output(target, resume=True, format="parquet"))
    assert len(ReplicationStore.open(partial_path(target)).finished()) == 2  # refusals touched nothing
    fresh = corridor_sim.run(base, 4, 5, output=Output(target, force=True))  # --force starts over
    assert fresh.meta["resumed_replications"] == 0
    with pytest.raises(OutputError, match="nothing to resume.*already complete"):
        resume_plan(target)


def test_cli_resume_after_interrupt(pair, tmp_path, capsys):
    scenario_file = tmp_path / "tiny.yaml"
    scenario_file.write_text(yaml.safe_dump(tiny()), encoding="utf-8")
    target = tmp_path / "run"
    plan = Plan((pair[0],), 4, 9)
    with pytest.raises(KeyboardInterrupt):
        run_plan(plan, output=target, progress=stop_after(1, KeyboardInterrupt()))
    # what the interrupted plan fixes cannot be changed on the way: refused, and nothing touched
    for extra in (["-n", "20"], ["--seed", "8"], ["--set", "traffic.main.per_day=5"], ["--trace"]):
        assert main(["run", "--resume", str(target), "--quiet", "--no-plots", *extra]) == 2
        assert f"{extra[0]} cannot change that plan" in capsys.readouterr().err
    assert main(["compare", "--resume", str(target), "--quiet", "--no-plots"]) == 2  # another command's run
    assert "holds an interrupted run, not a compare; complete it with corridor-sim run --resume" in capsys.readouterr().err
    assert len(ReplicationStore.open(partial_path(target)).finished()) == 1
    assert main(["run", "--resume", str(target), "--quiet", "--no-plots"]) == 0
    assert "1 resumed, 3 run now" in capsys.readouterr().out
    assert main(["run", str(scenario_file), "-n", "4", "--seed", "9", "-o", str(tmp_path / "ref"), "--quiet", "--no-plots"]) == 0
    for name in ("trucks.csv", "summary.json"):
        assert (target / name).read_bytes() == (tmp_path / "ref" / name).read_bytes()


@pytest.mark.slow
def test_sigint_to_a_real_run_then_resume(tmp_path):
    data = tiny()
    data["clock"]["horizon"] = "40d"
    scenario_file = tmp_path / "long.yaml"
    scenario_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    target = tmp_path / "run"
    cli = [sys.executable, "-m", "corridor_sim"]
    # as a terminal's Ctrl-C reaches a foreground command: a suite started in the background of a
    # non-interactive shell inherits SIGINT ignored, which would make the run deaf to it
    proc = subprocess.Popen([*cli, "run", str(scenario_file), "-n", "20", "-o", str(target), "--quiet", "--no-plots"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    reps = partial_path(target) / "reps" / "tiny"
    deadline = time.monotonic() + 60
    while not (reps.is_dir() and sum(1 for p in reps.iterdir() if p.name.startswith("r")) >= 2):
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() is not None else ""
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert f"--resume {target}" in err
    kept = len(ReplicationStore.open(partial_path(target)).finished())
    assert 2 <= kept < 20
    assert not target.exists()
    done = subprocess.run([*cli, "run", "--resume", str(target), "--quiet", "--no-plots"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"{kept} resumed" in done.stdout
    ref = corridor_sim.run(build_scenario(data), 20, data["experiment"]["seed"], output=tmp_path / "ref")
    for name in ("trucks.csv", "controls.csv", "summary.json"):
        assert (target / name).read_bytes() == (tmp_path / "ref" / name).read_bytes()
    assert ref.meta["replications"] == 20


def test_a_run_interrupted_before_plans_named_their_engine_resumes_on_the_default_one(pair, tmp_path):
    import json

    from corridor_sim.results.paths import plan_checksum

    target = tmp_path / "run"
    base = pair[0]
    with pytest.raises(KeyboardInterrupt):
        corridor_sim.run(base, 3, 5, output=target, progress=stop_after(1, KeyboardInterrupt()))
    plan_file = partial_path(target) / "plan.json"
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    del plan["engine"]  # as an earlier version wrote it
    plan["checksum"] = plan_checksum(plan)
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    with pytest.raises(OutputError, match="different engine"):
        corridor_sim.run(base, 3, 5, output=Output(target, resume=True), engine="reference")
    resumed = corridor_sim.run(base, 3, 5, output=Output(target, resume=True))
    assert resumed.meta["resumed_replications"] == 1 and resumed.meta["engine"] == "auto"
