"""A design over the assumptions: at each point the base and every measure on the same seeds.

The design is in probability space (each group at a probability `u` of its distribution): a
Morris screening design (SALib) whose grid reaches both ends of every range, then a Latin
hypercube sample (SALib) that samples the groups from their distributions, plus the central
point. Every point is a small compare: the base and the measures with the groups set, run on
replications 0..n-1 of one seed (common random numbers), so the saving at a point is a paired
difference and its noise is small (which seed each point takes: `point_seed`). With targets, the
calibration scenario (the base, or another year that shares the groups) is run too and scored
as `calibrate` does.

Each finished point is one line of `DIR.partial/points.jsonl` at once; an interrupted design
resumes from there, and since the card is computed from the lines alone (in point order), a
resumed design gives the same card byte for byte.
"""
from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .assumptions import Assumptions, apply, paths_in
from .errors import CorridorSimError, OutputError, Problem, ScenarioError
from .results.keys import ALL

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from .calibrate import Targets
    from .scenario.schema import Scenario

MORRIS_LEVELS = 4
MAX_DESIGN = 10_000  # --trajectories and --samples, each at most


def max_points(groups: int) -> int:
    """The most points a design of `groups` groups can have: the central one, the trajectories'
    (groups + 1 each) and the samples."""
    return 1 + MAX_DESIGN * (groups + 1) + MAX_DESIGN

POINTS_FILE = "points.jsonl"
PLAN_FILE = "design.json"


def missing_extra(exc: ImportError) -> OutputError:
    """The one line when the `uncertainty` extra is not installed."""
    return OutputError(f"the uncertainty card needs SALib, scikit-learn and ema_workbench ({exc.name} is missing): "
                       "pip install 'corridor-sim[uncertainty]'")


@dataclass(frozen=True)
class Design:
    """Points in probability space, one row per point; `kinds`: central, morris or sample."""

    names: tuple[str, ...]
    u: tuple[tuple[float, ...], ...]
    kinds: tuple[str, ...]
    trajectories: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"names": list(self.names), "u": [list(p) for p in self.u], "kinds": list(self.kinds),
                "trajectories": self.trajectories}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Design":
        return cls(tuple(data["names"]), tuple(tuple(p) for p in data["u"]), tuple(data["kinds"]),
                   data.get("trajectories", 0))


def make_design(assumptions: Assumptions, trajectories: int, samples: int, seed: int) -> Design:
    """The central point, `trajectories` Morris trajectories, then `samples` Latin hypercube points."""
    try:
        from SALib.sample import latin, morris
    except ImportError as exc:
        raise missing_extra(exc) from None
    problem = unit_problem(assumptions.names)
    rows: list[tuple[float, ...]] = [tuple(assumptions.central_u())]
    kinds = ["central"]
    if trajectories:
        grid = morris.sample(problem, trajectories, num_levels=MORRIS_LEVELS, seed=seed)
        rows += [tuple(float(v) for v in row) for row in grid]
        kinds += ["morris"] * len(grid)
    if samples:
        sample = latin.sample(problem, samples, seed=seed)
        rows += [tuple(float(v) for v in row) for row in sample]
        kinds += ["sample"] * len(sample)
    return Design(tuple(assumptions.names), tuple(rows), tuple(kinds), trajectories)


def unit_problem(names: Sequence[str]) -> dict[str, Any]:
    """SALib's problem: every group in [0, 1] (probability space)."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


@dataclass
class PointResult:
    """One design point: the groups' values and, per scenario, the mean lead time of every
    counted truck (or of the design's flow) in each replication; `plausible`: every target met (None without targets)."""

    index: int
    values: dict[str, float]
    lead: dict[str, list[float]]
    plausible: bool | None = None
    target_loss: float | None = None
    targets_met: int | None = None
    missed: list[str] | None = None  # the targets it misses, named as `calibrate` names them

    def line(self) -> str:
        return json.dumps({"index": self.index, "values": self.values, "lead": self.lead, "plausible": self.plausible,
                           "target_loss": self.target_loss, "targets_met": self.targets_met, "missed": self.missed})

    @classmethod
    def from_line(cls, text: str) -> "PointResult":
        d = json.loads(text)
        return cls(d["index"], d["values"], d["lead"], d.get("plausible"), d.get("target_loss"), d.get("targets_met"),
                   d.get("missed"))


@dataclass
class Inputs:
    """What a design runs: the base, the measures (each a scenario extending it), the groups, the
    replications and seed of every point, and optionally the targets and the scenario scored."""

    base: "Scenario"
    measures: list["Scenario"]
    assumptions: Assumptions
    replications: int
    seed: int
    design: Design
    threshold: float = 0.0
    targets: "Targets | None" = None
    calibration: "Scenario | None" = None
    extra: dict[str, Any] = field(default_factory=dict)
    flow: str | None = None  # the saving of one flow's (or caravan's) trucks; None: every counted truck

    def describe(self) -> dict[str, Any]:
        """Everything the card depends on, as plain data (kept in design.json; resume needs it equal)."""
        return {
            "base": self.base.raw, "measures": [m.raw for m in self.measures],
            "assumptions": self.assumptions.model_dump(mode="json"), "replications": self.replications,
            "seed": self.seed, "design": self.design.as_dict(), "threshold": self.threshold,
            "targets": self.targets.model_dump(mode="json", by_alias=True) if self.targets else None,
            "calibration": self.calibration.raw if self.calibration is not None else None, **self.extra,
            **({"flow": self.flow} if self.flow is not None else {}),
        }

    @classmethod
    def from_description(cls, d: dict[str, Any]) -> "Inputs":
        from .calibrate import Targets
        from .scenario.loader import build_scenario

        return cls(build_scenario(d["base"]), [build_scenario(m) for m in d["measures"]],
                   Assumptions.model_validate(d["assumptions"]), d["replications"], d["seed"],
                   Design.from_dict(d["design"]), d["threshold"],
                   Targets.model_validate(d["targets"]) if d.get("targets") else None,
                   build_scenario(d["calibration"]) if d.get("calibration") else None,
                   {k: v for k, v in d.items() if k in ("trajectories", "samples")}, d.get("flow"))

    def values_at(self, u: tuple[float, ...]) -> dict[str, float]:
        return {a.name: a.value_at(x) for a, x in zip(self.assumptions.assumptions, u)}

    def scenarios_at(self, index: int) -> tuple[list["Scenario"], "Scenario | None"]:
        """The base and measures at point `index`, and the calibration scenario to score there."""
        values = self.values_at(self.design.u[index])
        scenarios = [apply(s, self.assumptions, values, name=f"{s.name[:180]}.p{index}") for s in [self.base, *self.measures]]
        scored = None
        if self.targets is not None:
            if self.calibration is None:
                scored = scenarios[0]
            else:
                only = paths_in(self.calibration, self.assumptions)
                scored = apply(self.calibration, self.assumptions, values, name=f"{self.calibration.name[:180]}.p{index}",
                               only=only)
        return scenarios, scored


def point_seed(seed: int, index: int, kind: str) -> int:
    """The root seed of a point. The central point and the Morris points run on the design's own
    seed: screening compares neighbouring points, and common random numbers across them cancel
    the noise in each elementary effect (and the central saving is what `compare` gives). Each
    sampled point runs on a seed drawn from (seed, index): the sample estimates a distribution,
    so its points' noise must be independent for the spread to split into the assumptions' part
    and the noise's. Within a point the base and the measures always share the seed."""
    import numpy as np

    if kind != "sample":
        return seed
    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])


def run_point(inputs: Inputs, index: int, executor: "Executor | str | None" = None, workers: int = 1) -> PointResult:
    """Run one design point: the base and every measure (and the scored scenario) on the same seeds."""
    from .experiment import Plan, run_plan

    scenarios, scored = inputs.scenarios_at(index)
    runs = point_runs(scenarios, scored)
    plan = Plan(tuple(runs), inputs.replications, point_seed(inputs.seed, index, inputs.design.kinds[index]),
                needs_trace(inputs))
    return point_result(inputs, index, scenarios, scored, run_plan(plan, workers=workers, executor=executor))


def point_runs(scenarios: list["Scenario"], scored: "Scenario | None") -> list["Scenario"]:
    """What a point runs: its base and measures, and the scored scenario when it is another."""
    return list(scenarios) + ([scored] if scored is not None and scored is not scenarios[0] else [])


def needs_trace(inputs: Inputs) -> bool:
    return bool(inputs.targets is not None and inputs.targets.needs_trace)


def target_label(row: dict) -> str:
    """A target as a person reads it: its metric, where, and the statistic of a lead time."""
    return " ".join(str(part) for part in (row["metric"], row["where"], row.get("stat") or "",
                                           row.get("year") or "") if part != "")


def point_result(inputs: Inputs, index: int, scenarios: list["Scenario"], scored: "Scenario | None",
                 result) -> PointResult:
    """A point's record from its run: each scenario's mean lead times, and its targets' verdict."""
    keys = ["base", *(m.name for m in inputs.measures)]
    group = inputs.flow or ALL
    lead = {key: [rep["groups"][group]["lead_time_mean"] if rep["groups"].get(group) else float("nan")
                  for rep in result.stats[s.name]] for key, s in zip(keys, scenarios)}
    point = PointResult(index, inputs.values_at(inputs.design.u[index]), lead)
    if scored is not None and inputs.targets is not None:
        from .calibrate import evaluate
        from .fit import loss_of

        table = evaluate(result, inputs.targets, scenario=scored.name)
        point.plausible = bool(table["within"].all())
        point.target_loss = float(loss_of(table))
        point.targets_met = int(table["within"].sum())
        point.missed = [target_label(row) for row in table.to_dict("records") if not row["within"]]
    return point


# --- the design's directory: DIR.partial while it runs, DIR when the card is written ---------------

class DesignStore:
    """`DIR.partial/`: design.json (the inputs) and points.jsonl (one line per finished point)."""

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def create(cls, path: Path, inputs: Inputs) -> "DesignStore":
        from .results.ownership import write_marker

        path.mkdir(parents=True)
        write_marker(path)
        description = inputs.describe()
        (path / PLAN_FILE).write_text(canonical({**description, "checksum": _checksum(description)}) + "\n",
                                      encoding="utf-8")
        (path / POINTS_FILE).write_text("", encoding="utf-8")
        return cls(path)

    def description(self) -> dict[str, Any]:
        """The inputs the design was started with, as written (its checksum checked and left out)."""
        file = self.path / PLAN_FILE
        try:
            stored = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise OutputError(f"{self.path} is not an interrupted uncertainty design ({PLAN_FILE}: {exc})") from None
        if not isinstance(stored, dict) or "checksum" not in stored:
            raise OutputError(f"{file} has no checksum, so it cannot be trusted to be the design that was started; "
                              "use --force to start over")
        description = {k: v for k, v in stored.items() if k != "checksum"}
        if stored["checksum"] != _checksum(description):
            raise OutputError(f"{file} has been changed since the design started (its checksum does not match); "
                              "use --force to start over")
        return description

    def inputs(self) -> "Inputs":
        """The design's inputs read back, held to the command line's limits: one line if they are not."""
        from .results.store import MAX_REPLICATIONS

        d = self.description()
        try:
            stored = Inputs.from_description(d)
            problem = None
            if not (type(stored.replications) is int and 1 <= stored.replications <= MAX_REPLICATIONS):
                problem = f"replications must be a whole number from 1 to {MAX_REPLICATIONS:,}"
            elif not (type(stored.seed) is int and stored.seed >= 0):
                problem = "seed must be a whole number of at least 0"
            elif not (0 < len(stored.design.u) <= max_points(len(stored.assumptions.assumptions)) and all(
                    len(u) == len(stored.assumptions.assumptions) for u in stored.design.u)):
                problem = "its design must hold at most the points --trajectories and --samples can ask, one value a group"
            elif not (isinstance(stored.threshold, (int, float)) and math.isfinite(stored.threshold)):
                problem = "threshold must be a finite number"
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, CorridorSimError) as exc:
            first = exc.problems[0] if isinstance(exc, ScenarioError) else exc
            problem = f"it cannot be read back ({type(exc).__name__}: {str(first)[:200]})"
        if problem:
            raise OutputError(f"{self.path / PLAN_FILE} is not a design the command line could have started: {problem}")
        return stored

    def points(self) -> dict[int, PointResult]:
        """The finished points; a last line cut short by an interruption is dropped (it reruns)."""
        out: dict[int, PointResult] = {}
        text = (self.path / POINTS_FILE).read_text(encoding="utf-8")
        for line in text.splitlines():
            try:
                point = PointResult.from_line(line)
            except (ValueError, KeyError, TypeError):
                continue
            out[point.index] = point
        return out

    def check_points(self, inputs: "Inputs") -> None:
        """Every finished point is one of this design's: its index, its groups and its scenarios'
        replications (a hand-edited line would otherwise enter the card, or end it in a traceback)."""
        keys = {"base", *(m.name for m in inputs.measures)}
        groups = set(inputs.assumptions.names)
        for index, point in self.points().items():
            lead = point.lead if isinstance(point.lead, dict) else {}
            if not (type(index) is int and 0 <= index < len(inputs.design.u)
                    and isinstance(point.values, dict) and set(point.values) == groups
                    and set(lead) == keys and all(isinstance(v, list) and len(v) == inputs.replications
                                                  for v in lead.values())):
                raise OutputError(f"{self.path / POINTS_FILE} holds a point that is not one of this design's "
                                  f"(index {str(index)[:20]}); use --force to start over")

    def repair(self) -> None:
        """Drop a last line that a killed process left without its end, so the next point's line
        starts on a line of its own (that point runs again)."""
        file = self.path / POINTS_FILE
        text = file.read_text(encoding="utf-8")
        if text and not text.endswith("\n"):
            file.write_text(text[: text.rfind("\n") + 1], encoding="utf-8")

    def add(self, point: PointResult) -> None:
        with open(self.path / POINTS_FILE, "a", encoding="utf-8") as f:
            f.write(point.line() + "\n")
            f.flush()


def open_store(target: Path, inputs: Inputs | None, force: bool, resume: bool) -> tuple[DesignStore, Inputs]:
    """The in-progress directory of `target`: a new one for `inputs`, or the interrupted one."""
    from .results.ownership import is_ours, not_ours
    from .results.paths import partial_path

    partial = partial_path(target)
    if target.exists() and not force:
        raise OutputError(f"{target} already exists; use --force to replace it, or -o to write elsewhere")
    if target.exists() and not is_ours(target):
        raise OutputError(not_ours(target, "a corridor-sim run"))
    if resume:
        if not partial.is_dir():
            raise OutputError(f"nothing to resume: {partial} does not exist")
        if not is_ours(partial, partial=True):
            raise OutputError(not_ours(partial, "an interrupted corridor-sim run"))
        store = DesignStore(partial)
        stored = store.inputs()
        store.check_points(stored)
        store.repair()
        if inputs is not None and canonical(inputs.describe()) != canonical(store.description()):
            raise OutputError(f"{partial} was started with other inputs; resume it with --resume {target} alone, "
                              "or use --force to start over")
        return store, stored
    assert inputs is not None
    if partial.exists():
        if not is_ours(partial, partial=True):
            raise OutputError(not_ours(partial, "an interrupted corridor-sim run"))
        if not force:
            raise OutputError(f"{partial} holds an interrupted design; complete it with --resume {target}, "
                              "or use --force to start over")
        shutil.rmtree(partial)
    return DesignStore.create(partial, inputs), inputs


def _checksum(description: dict[str, Any]) -> str:
    import hashlib

    return hashlib.sha256(canonical(description).encode("utf-8")).hexdigest()


def canonical(description: dict[str, Any]) -> str:
    """The inputs as JSON text (dates as ISO text), the form kept and compared on resume."""
    from .results.io import _json_default

    return json.dumps(description, sort_keys=True, default=_json_default)


Progress = Callable[[int, int], None]


def run_design(inputs: Inputs, store: DesignStore | None = None, executor: "Executor | str | None" = None,
               workers: int = 1, progress: Progress | None = None, dask_address: str | None = None
               ) -> list[PointResult]:
    """Every point of the design, those in `store` kept, the others run and kept as each finishes.
    A named executor (`serial`, `process`, `dask`) is started once for the whole design; on more
    than one worker, several points run at once (`_run_together`)."""
    from concurrent.futures import Executor
    from contextlib import nullcontext

    from .executors import SerialExecutor, executor_width, make_executor

    done = store.points() if store is not None else {}
    total = len(inputs.design.u)
    if progress:
        progress(len(done), total)

    def keep(point: PointResult) -> None:
        done[point.index] = point
        if store is not None:
            store.add(point)
        if progress:
            progress(len(done), total)

    pending = [i for i in range(total) if i not in done]
    if pending:
        context = nullcontext(executor) if isinstance(executor, Executor) \
            else make_executor(executor, workers, dask_address)
        with context as ex:
            if isinstance(ex, SerialExecutor) or executor_width(ex) <= 1:
                for index in pending:
                    keep(run_point(inputs, index, ex, workers))
            else:
                _run_together(inputs, pending, ex, keep)
    return [done[i] for i in range(total)]


def _run_together(inputs: Inputs, pending: list[int], executor: "Executor",
                  keep: Callable[[PointResult], None]) -> None:
    """The pending points' replications as tasks of one replication each, point after point, at
    most twice as many in flight as there are workers: the workers stay busy across the points
    (a point alone may have fewer replications than there are workers). A point is kept as soon
    as all its replications are in; the tasks still in flight are cancelled on any error
    (`cancel_waiting`)."""
    from .experiment import _MemorySink, _result, wait_any
    from .replicate import run_batch
    from .executors import cancel_waiting, executor_width
    from .results.run_result import RunResult

    trace = needs_trace(inputs)
    state: dict[int, dict[str, Any]] = {}

    def tasks():
        for index in pending:
            scenarios, scored = inputs.scenarios_at(index)
            runs = point_runs(scenarios, scored)
            state[index] = {"scenarios": scenarios, "scored": scored, "runs": runs, "sink": _MemorySink(),
                            "left": len(runs) * inputs.replications}
            seed = point_seed(inputs.seed, index, inputs.design.kinds[index])
            for r in range(inputs.replications):
                for s in runs:
                    yield index, s, r, seed

    queue = tasks()
    in_flight: dict[Any, tuple[int, str]] = {}

    def submit_next() -> None:
        task = next(queue, None)
        if task is not None:
            index, scenario, r, seed = task
            in_flight[executor.submit(run_batch, scenario, [r], seed, trace)] = (index, scenario.name)

    def finish(index: int) -> None:
        s = state.pop(index)
        order = [(x.name, r) for x in s["runs"] for r in range(inputs.replications)]
        stats = {x.name: [s["sink"].stats(x.name, r) for r in range(inputs.replications)] for x in s["runs"]}
        result = RunResult(list(s["runs"]), stats, s["sink"].frames(order), {"kind": "run"})
        keep(point_result(inputs, index, s["scenarios"], s["scored"], result))

    try:
        for _ in range(2 * executor_width(executor)):
            submit_next()
        while in_flight:
            for future in wait_any(list(in_flight), executor):
                index, name = in_flight.pop(future)
                for r, stats, pieces in _result(future, executor):
                    state[index]["sink"].add(name, r, stats, pieces)
                    state[index]["left"] -= 1
                if state[index]["left"] == 0:
                    finish(index)
                submit_next()
    except BaseException:
        cancel_waiting(in_flight, executor)
        raise


def check_inputs(base: "Scenario", measures: list["Scenario"]) -> None:
    """The measures have names of their own (a point's scenarios are named after them)."""
    names = [base.name, *(m.name for m in measures)]
    if not measures:
        raise ScenarioError(Problem("MEASURE", "give at least one measure scenario to compare with the base"))
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ScenarioError(Problem("MEASURE", f"two scenarios are both named {', '.join(map(repr, twice))}"))


def points_frame(inputs: Inputs, points: list[PointResult]):
    """One row per point: its kind, the groups' values, and per measure the mean paired saving."""
    import numpy as np
    import pandas as pd

    rows = []
    for p, kind in zip(points, inputs.design.kinds):
        row: dict[str, Any] = {"point": p.index, "kind": kind, **p.values}
        base = np.asarray(p.lead["base"], dtype=float)
        row["base_lead_time_h"] = float(base.mean())
        for m in inputs.measures:
            row[f"saving_h:{m.name}"] = float((base - np.asarray(p.lead[m.name], dtype=float)).mean())
        if p.plausible is not None:
            row.update({"plausible": p.plausible, "targets_met": p.targets_met, "target_loss": p.target_loss})
        rows.append(row)
    return pd.DataFrame(rows)


def write_card_dir(store: DesignStore, target: Path, summary: dict[str, Any], frame, meta: dict[str, Any],
                   draw: Callable[[Path], None] | None = None) -> Path:
    """The card's directory, built in the in-progress one and renamed into place: summary.json,
    points.csv, manifest.json, design.json (the inputs), and the plots `draw` adds."""
    from .results.csv_text import write_csv
    from .results.io import dump_json

    partial = store.path
    # in the points' order: on several workers they finish in another, and a resumed design
    # appends the rest after the interrupted one's
    (partial / POINTS_FILE).write_text("".join(p.line() + "\n" for _, p in sorted(store.points().items())),
                                       encoding="utf-8")
    dump_json(summary, partial / "summary.json")
    write_csv(frame, partial / "points.csv")
    dump_json(meta, partial / "manifest.json")
    if draw is not None:
        (partial / "plots").mkdir(exist_ok=True)
        draw(partial / "plots")
    if target.exists():
        shutil.rmtree(target)
    partial.rename(target)
    return target
