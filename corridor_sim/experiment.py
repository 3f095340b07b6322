"""Experiments: replications of one or more scenarios on any executor, with common random numbers.

Replication r of every scenario uses the same seed (docs/reference/experiments.md: common random numbers), so
`compare` and `sweep` pair scenarios replication by replication. Replications run in batches on a
`concurrent.futures.Executor` (serial, process pool or Dask); the results are the same whatever
the backend, and are ordered by replication. With an output directory, each finished
replication is written to `DIR.partial/` at once and only its small statistics stay in memory;
an interrupted run resumes from there, and the run directory is renamed into place at the end.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd

from .errors import OutputError, Problem, ScenarioError, SimulationError
from .executors import (SerialExecutor, backend_name, cancel_waiting, cluster_trouble, executor_width, lost_worker, make_executor,
                        scheduler_lost)
from .replicate import run_batch
from .results.io import DirTables, ExtraFiles, check_format, check_run_path, check_target, scenario_hash, write_run_dir
from .model.features import CHOICES
from .results.lock import run_lock
from .results.replication import engine_summary
from .results.ownership import clean_stale, is_ours, not_ours
from .results.run_result import RunResult
from .results.paths import partial_path, target_of
from .results.store import ReplicationStore
from .results.tables import TablePiece, frames_of
from .scenario import Scenario, derive, load_scenario

Progress = Callable[[str, int, int], None]  # (scenario name, replications done, total)
MAX_BATCH = 8  # replications per task at most: small enough to stream and to lose little on a crash
WATCH_S = 1.0  # how often a wait for results checks that no pool worker has died


class WorkerLost(SimulationError):
    """A worker process or Dask worker died; finished replications are kept for --resume."""


# --- what to run, where to save it --------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    """What an experiment runs; enough to check and resume an interrupted one."""

    scenarios: tuple[Scenario, ...]
    replications: int
    seed: int
    trace: bool = False
    kind: str = "run"                      # run | compare | sweep
    baseline: str | None = None            # compare and sweep: the scenario the others are paired with
    sweep: dict[str, Any] | None = None    # {"vary": {path: [values]}, "points": [{"scenario", "values"}]}
    engine: str = "auto"                   # the engine asked for (model/features.py): auto or reference
    # per scenario, what its settings say before it runs (scenario.lint); None: worked out here. Kept in
    # plan.json, since a resumed run's scenarios are read back without who set what
    warnings: dict[str, list[str]] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.warnings is None:
            from .scenario.lint import scenario_warnings

            object.__setattr__(self, "warnings", {s.name: scenario_warnings(s) for s in self.scenarios})
        if self.replications < 1:
            raise OutputError(f"replications must be at least 1, got {self.replications}")
        if self.engine not in CHOICES:
            raise OutputError(f"unknown engine {self.engine!r}; expected one of {', '.join(CHOICES)}")
        names = [s.name for s in self.scenarios]
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise ScenarioError(Problem("name", f"two scenarios are both named {', '.join(map(repr, twice))}; "
                                                "each scenario of an experiment needs its own name"))

    def describe(self) -> dict[str, Any]:
        """The plan as plain data (kept in plan.json and the manifest); equal plans give equal results."""
        return {
            "kind": self.kind, "scenarios": [s.name for s in self.scenarios],
            "replications": self.replications, "seed": self.seed, "trace": self.trace,
            "baseline": self.baseline, "sweep": self.sweep, "engine": self.engine,
            "scenario_hash": {s.name: scenario_hash(s.raw) for s in self.scenarios},
        }


@dataclass(frozen=True)
class Output:
    """Where a run is saved: streamed to `DIR.partial/` per replication, renamed to `DIR` at the end.

    `format` csv or parquet (None: csv, or on resume what the interrupted run used);
    `resume` continues `DIR.partial/`; `extra_files(result, directory)` adds files (e.g. plots) to the
    run directory before it is renamed into place; `resumable` False for a command that has no
    --resume (a demo): an interrupted run is then only started over.
    """

    directory: Path
    force: bool = False
    format: str | None = None
    resume: bool = False
    extra_files: ExtraFiles | None = field(default=None, compare=False)
    resumable: bool = True


def _as_output(output: Output | str | Path | None) -> Output | None:
    if output is None or isinstance(output, Output):
        return output
    return Output(Path(output))


def _as_scenario(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


# --- sinks: where finished replications go -------------------------------------------------------

class _MemorySink:
    """Finished replications kept in memory (a run without an output directory)."""

    def __init__(self) -> None:
        self._stats: dict[tuple[str, int], dict] = {}
        self._frames: dict[tuple[str, int], dict[str, pd.DataFrame]] = {}

    def finished(self) -> set[tuple[str, int]]:
        return set(self._stats)

    def add(self, name: str, r: int, stats: dict, pieces: dict[str, TablePiece]) -> None:
        self._stats[(name, r)] = stats
        self._frames[(name, r)] = frames_of(pieces)

    def stats(self, name: str, r: int) -> dict:
        return self._stats[(name, r)]

    def frames(self, order: Iterable[tuple[str, int]]) -> dict[str, list[pd.DataFrame]]:
        out: dict[str, list[pd.DataFrame]] = {}
        for key in order:
            for table, frame in self._frames[key].items():
                out.setdefault(table, []).append(frame)
        return out


class _StoreSink:
    """Finished replications written to the in-progress directory; statistics kept in memory."""

    def __init__(self, store: ReplicationStore):
        self.store = store
        self._stats = {key: store.stats(*key) for key in store.finished()}

    def finished(self) -> set[tuple[str, int]]:
        return set(self._stats)

    def add(self, name: str, r: int, stats: dict, pieces: dict[str, TablePiece]) -> None:
        self._stats[(name, r)] = self.store.add(name, r, stats, frames_of(pieces))

    def stats(self, name: str, r: int) -> dict:
        return self._stats[(name, r)]


def _open_store(plan: Plan, output: Output) -> ReplicationStore:
    """The in-progress directory for `output`: a new one, or the interrupted one to resume."""
    target = target_of(output.directory)
    partial = partial_path(target)
    wanted = plan.describe()
    if output.resume:
        store = _interrupted(target)
        check_target(target, output.force)
        # a run interrupted before the plan had an engine was run on the default one
        stored = {"engine": "auto", **{k: v for k, v in store.plan.items() if k in wanted}}
        if stored != wanted:
            diffs = [k for k in wanted if stored.get(k) != wanted[k]]
            raise OutputError(f"{partial} was started with a different {', '.join(diffs)}; resume it without "
                              f"scenario arguments (corridor-sim {plan.kind} --resume {target}), "
                              "or use --force to start over")
        if output.format and output.format != store.format:
            raise OutputError(f"{partial} was started with --format {store.format}, not {output.format}")
        return store
    check_target(target, output.force)
    if partial.exists():
        if not is_ours(partial, partial=True):
            raise OutputError(not_ours(partial, "an interrupted corridor-sim run"))
        if not output.force:
            how = f"complete it with --resume {target}, or use --force to start over" if output.resumable else (
                "use --force to start over")
            raise OutputError(f"{partial} holds an interrupted run; {how}")
        ReplicationStore(partial, {}).discard()
    fmt = output.format or "csv"
    check_format(fmt)
    return ReplicationStore.create(partial, {**wanted, "format": fmt, "warnings": plan.warnings}, list(plan.scenarios))


def _interrupted(target: Path) -> ReplicationStore:
    partial = partial_path(target)
    if not partial.is_dir():
        done = f" ({target} is already complete)" if (target / "summary.json").exists() else ""
        raise OutputError(f"nothing to resume: {partial} does not exist{done}")
    return ReplicationStore.open(partial)


def resume_plan(directory: str | Path, kind: str | None = None) -> Plan:
    """The plan of the interrupted run `directory` (or `directory.partial`), to run it to the end;
    `kind` (run, compare, sweep): the command resuming it, which must be the one that started it."""
    store = _interrupted(target_of(Path(directory)))
    p = store.plan
    if kind is not None and p["kind"] != kind:
        raise OutputError(f"{store.path} holds an interrupted {p['kind']}, not a {kind}; complete it with "
                          f"corridor-sim {p['kind']} --resume {directory}")
    return Plan(tuple(store.scenarios()), p["replications"], p["seed"], p["trace"], p["kind"], p["baseline"], p["sweep"],
                p.get("engine", "auto"), p.get("warnings"))


# --- running ------------------------------------------------------------------------------------

def _batches(pending: list[tuple[Scenario, int]], width: int) -> list[tuple[Scenario, list[int]]]:
    """Pending replications in tasks of up to MAX_BATCH, replication-major so scenarios advance together."""
    if width <= 1:
        size = 1
    else:
        size = max(1, min(MAX_BATCH, len(pending) // (4 * width)))
    by_scenario: dict[str, tuple[Scenario, list[int]]] = {}
    for s, r in pending:
        by_scenario.setdefault(s.name, (s, []))[1].append(r)
    chunks = {name: [reps[i:i + size] for i in range(0, len(reps), size)] for name, (s, reps) in by_scenario.items()}
    out = []
    for i in range(max((len(c) for c in chunks.values()), default=0)):
        for name, (s, _) in by_scenario.items():
            if i < len(chunks[name]):
                out.append((s, chunks[name][i]))
    return out


def _execute(plan: Plan, sink: _MemorySink | _StoreSink, executor: Executor, progress: Progress | None) -> None:
    """Run every replication the sink lacks; each is handed to the sink as soon as its task ends."""
    finished = sink.finished()
    pending = [(s, r) for s in plan.scenarios for r in range(plan.replications) if (s.name, r) not in finished]
    done = {s.name: sum(1 for r in range(plan.replications) if (s.name, r) in finished) for s in plan.scenarios}
    if progress:
        for name, count in done.items():
            progress(name, count, plan.replications)
    width = executor_width(executor)
    tasks = iter(_batches(pending, width))
    window = 1 if isinstance(executor, SerialExecutor) else 2 * width
    in_flight: dict[Future, str] = {}

    def submit_next() -> None:
        task = next(tasks, None)
        if task is not None:
            scenario, reps = task
            try:
                future = executor.submit(run_batch, scenario, reps, plan.seed, plan.trace, plan.engine)
            except BrokenProcessPool as exc:
                raise WorkerLost(f"a worker process stopped before finishing its replications ({exc})") from exc
            in_flight[future] = scenario.name

    def keep(ready: set[Future]) -> int:
        """Hand the finished tasks' replications to the sink; how many tasks there were. The
        futures are let go on return, so no finished task's tables are held while the next
        ones run (on the serial executor they run inside submit): memory stays that of one."""
        for future in ready:
            name = in_flight.pop(future)
            for r, stats, pieces in _result(future, executor):
                sink.add(name, r, stats, pieces)
                done[name] += 1
                if progress:
                    progress(name, done[name], plan.replications)
        return len(ready)

    try:
        for _ in range(window):
            submit_next()
        while in_flight:
            for _ in range(keep(wait_any(list(in_flight), executor))):
                submit_next()
    except BaseException:
        cancel_waiting(in_flight, executor)
        raise


def wait_any(futures: list[Future], executor: Executor) -> set[Future]:
    """The futures that are done, once at least one is; WorkerLost if a pool worker died meanwhile."""
    while True:
        ready, _ = wait(futures, timeout=WATCH_S, return_when=FIRST_COMPLETED)
        if ready:
            return ready
        code = lost_worker(executor)
        if code is not None:
            raise WorkerLost(f"a worker process stopped (exit code {code}) before finishing its replications")
        trouble = cluster_trouble(executor)
        if trouble is not None:
            raise WorkerLost(f"{trouble} before the replications were finished")


def _result(future: Future, executor: Executor) -> list:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise WorkerLost(f"a worker process stopped before finishing its replications ({exc})") from exc
    except Exception as exc:
        if type(exc).__name__ in ("KilledWorker", "CommClosedError", "CancelledError"):
            # a task is cancelled when the client loses its scheduler, not only a worker
            lost = scheduler_lost(executor)
            if lost:
                raise WorkerLost(f"{lost} before the replications were finished") from exc
            raise WorkerLost(f"a Dask worker was lost ({type(exc).__name__}: {exc})") from exc
        raise


def run_plan(plan: Plan, *, workers: int = 1, executor: Executor | str | None = None,
             progress: Progress | None = None, output: Output | str | Path | None = None,
             dask_address: str | None = None, when_done: Callable[[], None] | None = None) -> RunResult:
    """Run a plan on an executor (an Executor, or `serial`/`process`/`dask` with `workers`).

    A named executor is started only after the output directory has been checked, and shut
    down as soon as the replications are in; `dask_address` points the `dask` executor at a
    running scheduler. `when_done()` is called then too, before the tables are written: a caller
    that passed its own pool can let its workers go, so that their exit overlaps the writing.

    Without `output` the tables stay in memory. With it, every finished replication is written
    to `DIR.partial/` and the run directory `DIR` is renamed into place when all are done.
    """
    output = _as_output(output)
    if output is None:
        return _run_plan(plan, workers, executor, progress, None, dask_address, when_done)
    check_run_path(target_of(output.directory))
    if output.format:  # before the lock makes the directory it lives in
        check_format(output.format)
    with run_lock(target_of(output.directory)):  # one writer per run directory
        clean_stale(target_of(output.directory))  # what a dead process left half-written or half-replaced
        return _run_plan(plan, workers, executor, progress, output, dask_address, when_done)


def _run_plan(plan: Plan, workers: int, executor: Executor | str | None, progress: Progress | None,
              output: Output | None, dask_address: str | None,
              when_done: Callable[[], None] | None = None) -> RunResult:
    store = _open_store(plan, output) if output else None
    sink: _MemorySink | _StoreSink = _StoreSink(store) if store else _MemorySink()
    resumed = len(sink.finished())
    started = dt.datetime.now(dt.timezone.utc)
    clock = time.perf_counter()
    context = nullcontext(executor) if isinstance(executor, Executor) else make_executor(executor, workers, dask_address)
    try:
        with context as ex:
            width, backend = executor_width(ex), backend_name(ex)
            _execute(plan, sink, ex, progress)
            if when_done is not None:
                when_done()
    except BaseException:
        if store is not None and not store.finished():
            store.discard()  # nothing finished: leave no in-progress directory to resume
        raise
    order = [(s.name, r) for s in plan.scenarios for r in range(plan.replications)]
    stats = {s.name: [sink.stats(s.name, r) for r in range(plan.replications)] for s in plan.scenarios}
    elapsed = time.perf_counter() - clock
    meta = {
        **{k: v for k, v in plan.describe().items() if k != "scenario_hash"},
        "workers": width, "executor": backend,
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed, 3),
        "resumed_replications": resumed,
        "run_replications": len(order) - resumed,
        "engines": engine_summary(stats),
        "scenario_warnings": plan.warnings,
    }
    if store is not None and store.damaged:
        meta["rerun_damaged"] = list(store.damaged)  # found damaged in the interrupted run, run again
    if store is None or output is None:
        assert isinstance(sink, _MemorySink)
        return RunResult(list(plan.scenarios), stats, sink.frames(order), meta)
    result = RunResult(list(plan.scenarios), stats, meta=meta, source=store.tables())
    target = target_of(output.directory)
    write_run_dir(result, target, force=output.force, fmt=store.format, extra_files=output.extra_files)
    store.discard()  # result.meta is the manifest written with it
    result.source = DirTables(target)
    return result


def run_many(scenarios: list[Scenario], replications: int, seed: int, workers: int = 1, trace: bool = False,
             progress: Progress | None = None, executor: Executor | str | None = None, *,
             output: Output | str | Path | None = None, engine: str = "auto") -> RunResult:
    """Every scenario runs replications 0..n-1 with the same seeds (common random numbers)."""
    return run_plan(Plan(tuple(scenarios), replications, seed, trace, engine=engine), workers=workers, executor=executor,
                    progress=progress, output=output)


def run(scenario: Scenario | str | Path, replications: int | None = None, seed: int | None = None,
        workers: int = 1, trace: bool = False, progress: Progress | None = None, *,
        executor: Executor | str | None = None, output: Output | str | Path | None = None,
        engine: str = "auto") -> RunResult:
    """Replicate one scenario; replications and seed default to its `experiment` section.
    `engine="reference"` runs every truck on the reference engine, to cross-check a result."""
    s = _as_scenario(scenario)
    plan = Plan((s,), replications or s.experiment.replications, s.experiment.seed if seed is None else seed, trace,
                engine=engine)
    return run_plan(plan, workers=workers, executor=executor, progress=progress, output=output)


# --- compare -------------------------------------------------------------------------------------

def distinct_names(scenarios: list[Scenario], sources: list[Scenario | str | Path]) -> list[Scenario]:
    """Scenarios sharing a name (an overlay that kept its base's `name`) take their file's stem,
    made a name (`my copy.yaml`: my-copy) and distinct from the others' (my-copy-2)."""
    names = [s.name for s in scenarios]
    taken = set(names)
    out = []
    for s, source in zip(scenarios, sources):
        if names.count(s.name) > 1 and not isinstance(source, Scenario) and s is not scenarios[names.index(s.name)]:
            stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(source).stem).strip("_.-")[:190] or "scenario"
            name = next(n for n in itertools.chain([stem], (f"{stem}-{i}" for i in itertools.count(2)))
                        if n not in taken)
            taken.add(name)
            s = derive(s, {"name": name}, origin=f"the name of {Path(source).name}")
        out.append(s)
    return out


def compare_plan(scenarios: list[Scenario], replications: int | None = None, seed: int | None = None,
                 trace: bool = False, own_effect: bool = False) -> Plan:
    """The plan of a comparison: the first scenario is the baseline and sets the default replications and seed.

    `own_effect`: each measure that changes background flows is followed by its own-effect
    variant (`NAME-own`, see own_effect.py), compared with the baseline like any other.
    """
    if len(scenarios) < 2:
        raise ScenarioError(Problem("", "compare needs a baseline and at least one other scenario"))
    if own_effect:
        from .own_effect import with_own_effects

        scenarios = with_own_effects(scenarios)
    base = scenarios[0]
    return Plan(tuple(scenarios), replications or base.experiment.replications,
                base.experiment.seed if seed is None else seed, trace, kind="compare", baseline=base.name)


def compare(baseline: Scenario | str | Path, others: Sequence[Scenario | str | Path],
            replications: int | None = None, seed: int | None = None, workers: int = 1, *,
            trace: bool = False, progress: Progress | None = None, executor: Executor | str | None = None,
            output: Output | str | Path | None = None, own_effect: bool = False, engine: str = "auto") -> RunResult:
    """Run the baseline and each other scenario on the same replications and seeds.

    The summary's `comparison` section pairs each other scenario with the baseline replication
    by replication (paired t CI, relative change, CRN variance ratio). Replications and seed
    default to the baseline's `experiment` section. `own_effect` adds each measure's own-effect
    variant (the measure with the background flows as in the baseline).
    """
    sources = [baseline, *others]
    plan = compare_plan(distinct_names([_as_scenario(s) for s in sources], sources), replications, seed, trace,
                        own_effect)
    return run_plan(replace(plan, engine=engine), workers=workers, executor=executor, progress=progress, output=output)


# --- sweep ---------------------------------------------------------------------------------------

def short_keys(paths: list[str]) -> dict[str, str]:
    """The shortest dotted suffix that tells each varied path apart (`nodes.post.lanes` -> `lanes`)."""
    out = {}
    for path in paths:
        parts = path.split(".")
        for k in range(1, len(parts) + 1):
            suffix = ".".join(parts[-k:])
            if sum(1 for p in paths if p == suffix or p.endswith("." + suffix)) == 1:
                out[path] = suffix
                break
    return out


def _name_part(value: Any) -> str:
    return re.sub(r"[^A-Za-z0-9_.\-]+", "_", str(value)).strip("_") or "x"


def sweep_points(scenario: Scenario, vary: Mapping[str, Sequence[Any]]) -> list[tuple[dict[str, Any], Scenario]]:
    """Every grid point (first path varies slowest) as (values, derived scenario), each validated.

    Points are named `<base>_<key>-<value>...`, `key` the shortest suffix of the path that is unique.
    """
    problems = []
    if not vary:
        problems.append(Problem("--vary", "give at least one PATH=V1,V2,... to vary"))
    for path, values in vary.items():
        if len(values) == 0:
            problems.append(Problem(f"--vary {path}", "has no values"))
        elif len({repr(v) for v in values}) != len(values):
            problems.append(Problem(f"--vary {path}", f"repeats a value: {list(values)}"))
    if problems:
        raise ScenarioError(problems)
    keys = short_keys(list(vary))
    points: list[tuple[dict[str, Any], Scenario]] = []
    names: set[str] = set()
    for combo in itertools.product(*vary.values()):
        point_values: dict[str, Any] = dict(zip(vary, combo))
        name = "_".join([scenario.name] + [f"{_name_part(keys[p])}-{_name_part(v)}" for p, v in point_values.items()])
        if name in names:
            name = f"{scenario.name}_p{len(points)}"
        names.add(name)
        try:
            point = derive(scenario, {**point_values, "name": name}, origin="--vary")
        except ScenarioError as exc:
            where = ", ".join(f"{p}={v}" for p, v in point_values.items())
            raise ScenarioError([Problem(f"sweep point {where}: {p.path}" if p.path else f"sweep point {where}",
                                         p.message) for p in exc.problems]) from None
        points.append((point_values, point))
    return points


def sweep_plan(scenario: Scenario, vary: Mapping[str, Sequence[Any]], replications: int | None = None,
               seed: int | None = None, trace: bool = False) -> Plan:
    """The plan of a sweep: every grid point, the first one as the baseline of the paired differences."""
    points = sweep_points(scenario, vary)
    spec = {"vary": {p: list(v) for p, v in vary.items()},
            "points": [{"scenario": s.name, "values": values} for values, s in points]}
    return Plan(tuple(s for _, s in points), replications or scenario.experiment.replications,
                scenario.experiment.seed if seed is None else seed, trace, kind="sweep",
                baseline=points[0][1].name, sweep=spec)


def sweep(scenario: Scenario | str | Path, vary: Mapping[str, Sequence[Any]], replications: int | None = None,
          seed: int | None = None, workers: int = 1, *, trace: bool = False, progress: Progress | None = None,
          executor: Executor | str | None = None, output: Output | str | Path | None = None,
          engine: str = "auto") -> RunResult:
    """Run every point of the grid `vary` ({dotted path: values}) on the same replications and seeds.

    Each point is the scenario with `--set` semantics applied (`derive`). `result.sweep` has one
    row per point; differences are paired with the first point.
    """
    plan = sweep_plan(_as_scenario(scenario), vary, replications, seed, trace)
    return run_plan(replace(plan, engine=engine), workers=workers, executor=executor, progress=progress, output=output)
