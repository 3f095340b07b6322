"""Replications of one or more scenarios, serially or in a process pool, with common seeds."""
from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

from .model import simulate
from .results.replication import replication_stats
from .results.run_result import RunResult
from .results.tables import replication_frames
from .scenario import Scenario, load_scenario

Progress = Callable[[str, int, int], None]  # (scenario name, done, total)


def run_replication(scenario: Scenario, replication: int, seed: int, trace: bool = False,
                    record_queues: bool = False) -> tuple[dict[str, Any], dict]:
    """One replication's statistics and table pieces; runs in any process."""
    result = simulate(scenario, replication, seed, trace=trace, record_queues=record_queues)
    return replication_stats(result), replication_frames(result)


def _as_scenario(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def run_many(scenarios: list[Scenario], replications: int, seed: int, workers: int = 1, trace: bool = False,
             progress: Progress | None = None, executor: Executor | None = None) -> RunResult:
    """Every scenario runs replications 0..n-1 with the same seeds (common random numbers)."""
    started = dt.datetime.now(dt.timezone.utc)
    clock = time.perf_counter()
    tasks = [(s, r) for s in scenarios for r in range(replications)]
    outputs: dict[tuple[str, int], tuple] = {}
    done: dict[str, int] = {s.name: 0 for s in scenarios}

    def record(name: str, r: int, out: tuple) -> None:
        outputs[(name, r)] = out
        done[name] += 1
        if progress:
            progress(name, done[name], replications)

    if executor is None and workers <= 1:
        for s, r in tasks:
            record(s.name, r, run_replication(s, r, seed, trace, r == 0))
    else:
        own = executor is None
        pool = executor or ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
        try:
            futures = {pool.submit(run_replication, s, r, seed, trace, r == 0): (s.name, r) for s, r in tasks}
            from concurrent.futures import as_completed

            for future in as_completed(futures):
                name, r = futures[future]
                record(name, r, future.result())
        finally:
            if own:
                pool.shutdown(cancel_futures=True)
    stats = {s.name: [outputs[(s.name, r)][0] for r in range(replications)] for s in scenarios}
    frames: dict[str, list] = {}
    for s in scenarios:
        for r in range(replications):
            for table, frame in outputs[(s.name, r)][1].items():
                frames.setdefault(table, []).append(frame)
    elapsed = time.perf_counter() - clock
    meta = {
        "seed": seed, "replications": replications, "workers": workers,
        "scenarios": [s.name for s in scenarios],
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed, 3),
    }
    return RunResult(scenarios, stats, frames, meta)


def run(scenario: Scenario | str | Path, replications: int | None = None, seed: int | None = None,
        workers: int = 1, trace: bool = False, progress: Progress | None = None) -> RunResult:
    """Replicate one scenario; defaults come from its `experiment` section."""
    s = _as_scenario(scenario)
    return run_many([s], replications or s.experiment.replications,
                    s.experiment.seed if seed is None else seed, workers, trace, progress)
