"""Signals and workers: SIGTERM stops like Ctrl-C, no worker outlives its command, resume completes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import yaml

import corridor_sim
from corridor_sim.results.paths import partial_path
from corridor_sim.results.store import ReplicationStore
from corridor_sim.scenario.loader import build_scenario

from conftest import tiny

CLI = [sys.executable, "-m", "corridor_sim"]


def _long(tmp_path: Path) -> tuple[dict, Path]:
    data = tiny()
    data["clock"]["horizon"] = "60d"
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return data, path


def _start(args: list[str], target: Path, finished: int = 2) -> tuple[subprocess.Popen, list[psutil.Process]]:
    """A run in its own session, once `finished` replications are on disk; with its process tree."""
    proc = subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    reps = partial_path(target) / "reps" / "tiny"
    deadline = time.monotonic() + 90
    while not (reps.is_dir() and sum(1 for p in reps.iterdir() if p.name.startswith("r")) >= finished):
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() is not None else ""
        time.sleep(0.02)
    return proc, psutil.Process(proc.pid).children(recursive=True)


def _left(processes: list[psutil.Process], within: float) -> list[int]:
    """The processes still running (zombies count as gone) after waiting up to `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        alive = [p.pid for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGTERM", "SIGTERM to the process group", "kill -9"])
def test_no_worker_outlives_its_command_and_resume_completes_the_run(how, tmp_path):
    data, scenario = _long(tmp_path)
    target = tmp_path / "run"
    proc, children = _start(["run", str(scenario), "-n", "16", "-o", str(target), "--workers", "2",
                             "--quiet", "--no-plots"], target)
    assert len(children) >= 2  # the two workers (and the pool's resource tracker)
    if how == "kill -9":
        proc.kill()
    elif how == "SIGTERM":
        proc.send_signal(signal.SIGTERM)
    else:
        os.killpg(proc.pid, signal.SIGTERM)  # what a batch scheduler or a terminal's hang-up does
    _, err = proc.communicate(timeout=30)
    assert _left(children, within=5.0) == []
    if how == "kill -9":
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 143, err
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("terminated: ") and f"--resume {target}" in err, err
        assert "Traceback" not in err
    kept = len(ReplicationStore.open(partial_path(target)).finished())
    assert 2 <= kept < 16 and not target.exists()
    done = subprocess.run([*CLI, "run", "--resume", str(target), "--quiet", "--no-plots", "--workers", "2"],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert f"{kept} resumed" in done.stdout
    corridor_sim.run(build_scenario(data), 16, data["experiment"]["seed"], output=tmp_path / "ref")
    for name in ("trucks.csv", "controls.csv", "summary.json"):
        assert (target / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name


def test_a_sigterm_while_stopping_on_a_lost_worker_still_says_what_is_kept(tmp_path, capsys, monkeypatch, request):
    """SIGTERM to the process group kills the workers too, so the command may be stopping on the
    lost worker when its own signal is handled: the one line still says what is kept and how to
    resume (exit 143), and Ctrl-C there is the same."""
    from corridor_sim import experiment
    from corridor_sim.cli import main
    from corridor_sim.results import store as store_module

    data, scenario = _long(tmp_path)
    data["clock"]["horizon"] = "10d"
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    # Ctrl-C as in a terminal's process (an earlier test in this process, a Dask cluster's, may have
    # left another handler, which the command then leaves alone)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    request.addfinalizer(lambda: signal.signal(signal.SIGINT, previous))
    real_result, real_finished = experiment._result, store_module.ReplicationStore.finished
    for number, (sig, code, word) in enumerate([(signal.SIGTERM, 143, "terminated"),
                                                (signal.SIGINT, 130, "interrupted"),
                                                (signal.SIGHUP, 129, "hung up")]):
        results, lost = [], []

        def result(future, executor, results=results, lost=lost):
            results.append(future)
            if len(results) == 3:  # two replications are on disk: the third task's worker is lost
                lost.extend([True, False])  # the run's own check first, then the count for the line
                raise experiment.WorkerLost("a worker process stopped before finishing its replications")
            return real_result(future, executor)

        def finished(self, lost=lost, sig=sig):
            if lost and not lost.pop(0):
                os.kill(os.getpid(), sig)  # handled at once: in the middle of counting what is kept
            return real_finished(self)

        monkeypatch.setattr(experiment, "_result", result)
        monkeypatch.setattr(store_module.ReplicationStore, "finished", finished)
        target = tmp_path / f"run{number}"
        assert main(["run", str(scenario), "-n", "4", "-o", str(target), "--quiet", "--no-plots"]) == code
        err = capsys.readouterr().err
        assert err == (f"{word}: 2 of 4 replications are kept in {partial_path(target)}/; "
                       f"complete them with: corridor-sim run --resume {target}\n"), err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers as they were
    assert signal.getsignal(signal.SIGHUP) is signal.SIG_DFL


def test_ctrl_c_with_tasks_waiting_in_the_pool_leaves_no_traceback_of_the_pools_thread(monkeypatch):
    """Ctrl-C to the command alone, while the pool holds a task no worker has taken: cancelled
    from the command, that task was failed again by the pool's thread when the stopped workers
    broke the pool, and Python 3.11 printed that thread's InvalidStateError traceback beside the
    one line. The pool's own stop cancels it now."""
    import threading

    from corridor_sim import experiment
    from corridor_sim.executors.process import process_executor

    caught: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda hook: caught.append(hook.exc_value))
    managers = []

    def interrupted(futures, executor):
        deadline = time.monotonic() + 60
        while sum(f.running() for f in futures) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)  # three taken into the pool's queue, one waiting behind them
        assert sum(f.running() for f in futures) == 3 and len(futures) == 4
        managers.append(executor._executor_manager_thread)
        raise KeyboardInterrupt

    monkeypatch.setattr(experiment, "wait_any", interrupted)
    data = tiny()
    data["clock"]["horizon"] = "30d"
    with pytest.raises(KeyboardInterrupt):
        with process_executor(2) as pool:
            corridor_sim.run(build_scenario(data), 8, 1, workers=2, executor=pool)
    managers[0].join(timeout=30)
    assert not managers[0].is_alive() and caught == []


def test_a_closed_terminal_stops_the_run_with_a_word_and_keeps_what_is_finished(tmp_path):
    """SIGHUP (the terminal closed) ended the command without a word, the lock and the finished
    replications left as they were; now it stops as on SIGTERM: one line, exit 129, resumable."""
    _, scenario = _long(tmp_path)
    target = tmp_path / "run"
    proc, _ = _start(["run", str(scenario), "-n", "400", "-o", str(target), "--workers", "1", "--executor", "serial",
                      "--quiet", "--no-plots"], target)
    proc.send_signal(signal.SIGHUP)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 129, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("hung up: ") and f"corridor-sim run --resume {target}" in err, err
    kept = len(ReplicationStore.open(partial_path(target)).finished())
    assert 2 <= kept < 400 and not target.exists()
    assert not (tmp_path / ".run.lock").exists()


def test_a_worker_whose_parent_is_gone_exits(tmp_path):
    """The parent watch on its own: a pool worker started by a process that is then killed."""
    script = tmp_path / "parent.py"
    script.write_text(
        "import os, time\n"
        "from corridor_sim.executors.process import process_executor\n"
        "if __name__ == '__main__':\n"
        "    with process_executor(1) as pool:\n"
        "        print(pool.submit(os.getpid).result(), flush=True)\n"
        "        time.sleep(60)\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, start_new_session=True)
    worker = psutil.Process(int(proc.stdout.readline()))
    proc.kill()
    proc.wait(timeout=10)
    assert _left([worker], within=5.0) == []


def test_a_full_disk_is_one_line_and_resume_completes_the_run(tmp_path, capsys, monkeypatch):
    """The third table piece meets a full disk: exit 2, one line saying what is kept; resume
    (with space again) gives the uninterrupted tables."""
    import errno

    from corridor_sim.cli import main
    from corridor_sim.results import store as store_module

    data, scenario = _long(tmp_path)
    data["clock"]["horizon"] = "10d"
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    real, folders = store_module.write_table, []

    def full_disk(frame, path, fmt):
        if path.parent not in folders:
            folders.append(path.parent)
        if len(folders) == 3:  # the third replication's first piece
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(frame, path, fmt)

    monkeypatch.setattr(store_module, "write_table", full_disk)
    target = tmp_path / "run"
    assert main(["run", str(scenario), "-n", "4", "-o", str(target), "--quiet", "--no-plots"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err and "2 of 4 replications are kept" in err, err
    assert sorted(p.name for p in (tmp_path / "run.partial" / "reps" / "tiny").iterdir()) == ["r00000", "r00001"]  # no half piece
    monkeypatch.setattr(store_module, "write_table", real)
    assert main(["run", "--resume", str(target), "--quiet", "--no-plots"]) == 0
    corridor_sim.run(build_scenario(data), 4, data["experiment"]["seed"], output=tmp_path / "ref")
    for name in ("trucks.csv", "summary.json"):
        assert (target / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name


def test_a_file_size_limit_is_one_line_not_a_killed_process(tmp_path):
    """`ulimit -f`: the write that crosses it fails (SIGXFSZ is ignored), and the command says so."""
    import resource

    _, scenario = _long(tmp_path)
    limit = 256 * 1024  # room for the interpreter's own small files, not for a 60-day trucks table

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run([*CLI, "run", str(scenario), "-n", "2", "-o", str(tmp_path / "run"), "--quiet", "--no-plots"],
                          capture_output=True, text=True, timeout=120, preexec_fn=limited)
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "File too large" in lines[0] and "Traceback" not in done.stderr, done.stderr
