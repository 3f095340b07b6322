"""`corridor-sim run`: the run directory, refusals with exit code 2, formats, executors."""
from __future__ import annotations

import argparse
import json
import time

import pytest
import yaml

from corridor_sim.cli import main

from conftest import tiny


@pytest.fixture
def scenario_file(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny(), sort_keys=False), encoding="utf-8")
    return path


def test_run_writes_the_directory_and_a_final_line(scenario_file, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(scenario_file), "-n", "3", "--seed", "5", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "3 replications of 1 scenario on 1 worker(s) (serial)" in captured.out
    assert "s per replication" in captured.out and str(out) in captured.out
    assert captured.err == ""  # no progress display when not on a terminal
    summary = json.loads((out / "summary.json").read_text())
    assert summary["kind"] == "run" and summary["replications"] == 3 and summary["seed"] == 5
    assert {"mean", "ci_low", "ci_high", "half_width", "median", "p90", "p95"} <= set(summary["scenarios"]["tiny"]["lead_time_h"])
    assert not (tmp_path / "run.partial").exists()
    assert not (out / "trace.csv").exists()  # full traces are opt-in
    assert (out / "plots" / "lead_time.png").exists()  # plots are part of the run directory
    assert "lead_time" in (out / "report.html").read_text(encoding="utf-8")  # and the report, with them


def test_run_refuses_a_non_empty_directory_and_leaves_it_untouched(scenario_file, tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "earlier.csv").write_text("a,b\n1,2\n")
    for force in ([], ["--force"]):  # not a run directory: never replaced
        assert main(["run", str(scenario_file), "-n", "2", "-o", str(out), *force]) == 2
        assert "not a corridor-sim run" in capsys.readouterr().err
        assert [p.name for p in out.iterdir()] == ["earlier.csv"] and (out / "earlier.csv").read_text() == "a,b\n1,2\n"
    out = tmp_path / "again"
    assert main(["run", str(scenario_file), "-n", "2", "-o", str(out), "--quiet"]) == 0
    assert main(["run", str(scenario_file), "-n", "2", "-o", str(out), "--quiet"]) == 2
    assert "already holds results" in capsys.readouterr().err
    assert main(["run", str(scenario_file), "-n", "2", "-o", str(out), "--force", "--quiet", "--no-plots"]) == 0
    assert (out / "trucks.csv").exists() and not (out / "plots").exists()  # --no-plots
    assert not (out / "report.html").exists()


@pytest.mark.parametrize("args, message", [
    (["--set", "nodes.post.lanes=0"], "nodes.post.lanes"),
    (["--set", "traffic.main.per_dya=3"], "did you mean"),
    (["-n", "0"], "--replications must be at least 1"),
    (["--workers", "0"], "--workers must be at least 1"),
    (["--executor", "process", "--dask-address", "tcp://127.0.0.1:1"], "--dask-address needs --executor dask"),
    (["--resume", "elsewhere"], "name different directories"),
])
def test_bad_input_exits_2_and_writes_nothing(scenario_file, tmp_path, capsys, args, message):
    out = tmp_path / "run"
    assert main(["run", str(scenario_file), "-o", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists() and not (tmp_path / "run.partial").exists()


def test_bad_scenario_file_and_missing_arguments(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nclock: {horizon: 3 parsecs}\n")
    assert main(["run", str(bad), "-o", str(tmp_path / "run")]) == 2
    assert main(["run"]) == 2
    assert "or --resume DIR" in capsys.readouterr().err
    assert main(["run", "--resume", str(tmp_path / "never")]) == 2
    assert "nothing to resume" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [bad]


def test_parquet_and_trace(scenario_file, tmp_path):
    pytest.importorskip("pyarrow")
    out = tmp_path / "run"
    assert main(["run", str(scenario_file), "-n", "2", "-o", str(out), "--format", "parquet", "--trace", "--quiet", "--no-plots"]) == 0
    assert (out / "trucks.parquet").exists() and (out / "trace.parquet").exists()
    assert json.loads((out / "manifest.json").read_text())["format"] == "parquet"


def test_run_on_an_existing_dask_scheduler(scenario_file, tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                  dashboard_address=None) as cluster:
        code = main(["run", str(scenario_file), "-n", "4", "-o", str(tmp_path / "dask"), "--quiet", "--no-plots",
                     "--dask-address", cluster.scheduler_address])
    assert code == 0
    assert "on 2 worker(s) (dask)" in capsys.readouterr().out
    assert main(["run", str(scenario_file), "-n", "4", "-o", str(tmp_path / "serial"), "--quiet", "--no-plots"]) == 0
    for name in ("trucks.csv", "summary.json"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "serial" / name).read_bytes()


def test_unreachable_dask_scheduler_is_a_clear_error(scenario_file, tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("corridor_sim.executors.dask_cluster.CONNECT_TIMEOUT", "1s")
    assert main(["run", str(scenario_file), "-n", "2", "-o", str(tmp_path / "run"),
                 "--dask-address", "tcp://127.0.0.1:9"]) == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [scenario_file]  # neither a run directory nor an in-progress one


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_a_dask_scheduler_without_workers_is_one_line(scenario_file, tmp_path, capsys, monkeypatch):
    """The scheduler would take the tasks and hold them for ever: the command waits for a worker
    for WORKERS_TIMEOUT, then says there is none."""
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr("corridor_sim.executors.dask_cluster.WORKERS_TIMEOUT", "1s")
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp", dashboard_address=None) as cluster:
        started = time.monotonic()
        code = main(["run", str(scenario_file), "-n", "2", "-o", str(tmp_path / "run"), "--quiet", "--no-plots",
                     "--dask-address", cluster.scheduler_address])
    assert code == 2 and time.monotonic() - started < 30
    assert "has no workers (none joined within 1s)" in _one_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == [scenario_file]


@pytest.mark.parametrize("reply", [None, b"HTTP/1.0 400 Bad Request\r\n\r\n" + b"x" * 1000])
def test_an_address_that_is_not_a_dask_scheduler_is_one_line(reply, scenario_file, tmp_path, capsys, monkeypatch):
    """A server that accepts and never answers held the command for ever; one that answers
    something else made it read a garbage frame length and run out of memory."""
    import socket
    import threading

    pytest.importorskip("distributed")
    monkeypatch.setattr("corridor_sim.executors.dask_cluster.CONNECT_TIMEOUT", "1s")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    accepted = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            accepted.append(conn)
            if reply is not None:
                try:
                    conn.recv(100)
                    conn.sendall(reply)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    try:
        started = time.monotonic()
        code = main(["run", str(scenario_file), "-n", "2", "-o", str(tmp_path / "run"), "--quiet", "--no-plots",
                     "--dask-address", f"tcp://127.0.0.1:{server.getsockname()[1]}"])
        elapsed = time.monotonic() - started
    finally:
        server.close()
        for conn in accepted:
            conn.close()
    assert code == 2 and elapsed < 20
    line = _one_line(capsys.readouterr().err)
    assert "dask scheduler" in line.lower() and "127.0.0.1" in line
    assert list(tmp_path.iterdir()) == [scenario_file]


class _Client:
    def __init__(self, status: str, workers: int = 1):
        self.status = status
        self._scheduler_identity = {"n_workers": workers, "workers": {}}


def test_a_lost_dask_scheduler_is_named_as_such(monkeypatch):
    """A client that loses its scheduler cancels the tasks: that is said as the scheduler lost, not a worker."""
    from concurrent.futures import Future

    from corridor_sim.executors.dask_cluster import _Watch
    from corridor_sim.experiment import WorkerLost, _result

    class CancelledError(Exception):  # distributed's name for a task its client gave up
        pass

    future: Future = Future()
    future.set_exception(CancelledError("task"))
    executor = argparse.Namespace(corridor_sim_watch=_Watch(_Client("connecting"), "tcp://10.0.0.5:8786"))
    with pytest.raises(WorkerLost, match="the Dask scheduler at tcp://10.0.0.5:8786 was lost"):
        _result(future, executor)
    executor.corridor_sim_watch = _Watch(_Client("running"), "tcp://10.0.0.5:8786")
    with pytest.raises(WorkerLost, match="a Dask worker was lost"):
        _result(future, executor)


def test_a_dask_cluster_whose_workers_are_all_gone_is_said_after_the_timeout(monkeypatch):
    from corridor_sim.executors import cluster_trouble
    from corridor_sim.executors.dask_cluster import _Watch

    monkeypatch.setattr("corridor_sim.executors.dask_cluster.WORKERS_TIMEOUT", "0.2s")
    client = _Client("running", workers=0)
    executor = argparse.Namespace(corridor_sim_watch=_Watch(client, "tcp://10.0.0.5:8786"))
    assert cluster_trouble(executor) is None
    time.sleep(0.3)
    assert "has had no workers for 0.2s" in cluster_trouble(executor)
    client._scheduler_identity["n_workers"] = 1
    assert cluster_trouble(executor) is None
    client.status = "closed"
    assert "was lost" in cluster_trouble(executor)


def test_a_failure_after_the_replications_keeps_them_for_resume(scenario_file, tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("cannot draw")

    monkeypatch.setattr("corridor_sim.plots.write_plots", broken)
    out = tmp_path / "run"
    with pytest.raises(RuntimeError, match="cannot draw"):
        main(["run", str(scenario_file), "-n", "3", "-o", str(out), "--quiet"])
    assert "3 of 3 replications are kept" in capsys.readouterr().err
    assert not out.exists()
    assert main(["run", "--resume", str(out), "--quiet", "--no-plots"]) == 0
    assert "3 resumed, 0 run now" in capsys.readouterr().out
    assert (out / "summary.json").exists() and not (tmp_path / "run.partial").exists()


def test_the_run_summary_names_controls_by_label_and_gives_lead_times_in_days_and_components_in_rows(tmp_path, capsys):
    from corridor_sim.model import COMPONENTS
    from corridor_sim.scenario.loader import merge

    data = merge(tiny(), {"nodes": {"post": {"label": "Red Bridge"}}, "clock": {"horizon": "4d", "warmup": 0},
                          "links": {"origin -> post": {"km": 1200}}})
    path = tmp_path / "labelled.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["run", str(path), "-n", "2", "--quiet", "--no-plots", "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "Red Bridge" in out and "post AA" not in out and "…" not in out  # labels; no header cut
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["scenarios"]["tiny"]
    days = f"{summary['lead_time_h']['mean'] / 24:.1f}"
    assert days in out and "days" in out
    lines = out.splitlines()
    assert all(any(line.strip("│ ").startswith(c + " ") for line in lines) for c in COMPONENTS)


def test_a_run_directory_is_readable_as_the_umask_allows(scenario_file, tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        assert main(["run", str(scenario_file), "-n", "1", "-o", str(tmp_path / "run"), "--quiet", "--no-plots"]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "run").stat().st_mode) == 0o755  # not mkdtemp's owner-only 0o700
    assert stat.S_IMODE((tmp_path / "run" / "summary.json").stat().st_mode) == 0o644


def test_the_workers_of_a_run_start_before_its_scenario_is_loaded_and_stop_with_it():
    """`workers_ahead`: run, compare and sweep on a local pool start it first (its workers import
    the model meanwhile); other commands, one worker or Dask start none."""
    import argparse

    from corridor_sim.cli.common import workers_ahead

    args = argparse.Namespace(command="run", workers=2, executor=None, dask_address=None)
    with workers_ahead(args):
        pool = args.pool
        assert pool is not None and pool.submit(sum, [1, 2]).result(timeout=60) == 3
        workers = list(pool._processes.values())
        assert len(workers) == 2 and all(w.is_alive() for w in workers)
    assert args.pool is None and all(not w.is_alive() for w in workers)
    for other in (dict(command="demo", workers=2), dict(command="run", workers=1), dict(command="run", workers=10**5),
                  dict(command="run", workers=2, executor="dask"), dict(command="run", workers=2, dask_address="x:1")):
        args = argparse.Namespace(**{"executor": None, "dask_address": None, **other})
        with workers_ahead(args):
            assert getattr(args, "pool", None) is None, other
