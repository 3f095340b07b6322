"""The in-progress directory of a run: finished replications on disk, so a run can resume.

While `results/x` runs, `results/x.partial/` holds the plan (`plan.json`, the resolved
scenarios) and one directory per finished replication (`reps/<scenario>/r00007/`: `stats.json`
and one table file each). A replication directory is renamed into place only when complete,
so whatever an interruption leaves is either whole or absent. When every replication is done
the run directory is assembled from the pieces and renamed into place; the partial directory
is then removed.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, TypeGuard

import pandas as pd

from ..errors import OutputError, ScenarioError
from ..scenario.loader import build_scenario
from ..scenario.yamlfile import read_yaml
from ..scenario.schema import Scenario
from .formats import FORMATS
from .io import concat_table_files, dump_json, dump_yaml, read_table_file, stats_json, write_table
from .ownership import is_ours, not_ours, write_marker
from .paths import PLAN_FILE, plan_checksum
from .tables import OPTIONAL_TABLES, empty_frame

PIECES_FILE = "pieces.json"  # in each replication's directory: what it holds, with a checksum a file


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as src:
        for block in iter(lambda: src.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


MAX_REPLICATIONS = 100_000  # as `-n` and `experiment.replications`
KINDS = ("run", "compare", "sweep")


def _count(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def plan_problem(plan: dict[str, Any]) -> str | None:
    """What makes `plan` one the command line could not have made (None if nothing): a checksum
    is only a digest anyone can recompute, so a plan is held to the command line's limits, and
    its scenario names, which become file names, to plain names."""
    names = plan.get("scenarios")
    if plan.get("kind") not in KINDS:
        return f"kind is {plan.get('kind')!r}, expected one of {', '.join(KINDS)}"
    if not (isinstance(names, list) and names and all(isinstance(n, str) for n in names)):
        return "scenarios is not a list of names"
    if any(n in ("", ".", "..") or Path(n).name != n or "\\" in n or len(n) > 200 for n in names) \
            or len(set(names)) != len(names):
        return "a scenario name is not a plain file name, or is given twice"
    replications = plan.get("replications")
    if not (_count(replications) and 1 <= replications <= MAX_REPLICATIONS):
        return f"replications must be a whole number from 1 to {MAX_REPLICATIONS:,}, got {replications!r:.40}"
    if not (_count(plan.get("seed")) and plan["seed"] >= 0):
        return f"seed must be a whole number of at least 0, got {plan.get('seed')!r:.40}"
    if not isinstance(plan.get("trace"), bool) or not isinstance(plan.get("engine", "auto"), str):
        return "trace or engine is of the wrong type"
    if plan.get("format") not in FORMATS:
        return f"format must be one of {', '.join(FORMATS)}"
    if not (plan.get("baseline") is None or plan["baseline"] in names):
        return "baseline is not one of its scenarios"
    warnings = plan.get("warnings")
    if not (warnings is None or isinstance(warnings, dict) and all(
            isinstance(lines, list) and all(isinstance(line, str) for line in lines) for lines in warnings.values())):
        return "warnings is not a list of sentences per scenario"
    for key in ("sweep", "scenario_hash"):
        if not (plan.get(key) is None or isinstance(plan[key], dict)):
            return f"{key} is not a mapping"
    return None


class ReplicationStore:
    """Finished replications of one plan, one atomic directory each."""

    def __init__(self, path: Path, plan: dict[str, Any]):
        self.path = Path(path)
        self.plan = plan
        self._finished: set[tuple[str, int]] | None = None
        self.damaged: list[str] = []  # replications found damaged (and so to be run again), said in words

    @property
    def format(self) -> str:
        return self.plan["format"]

    # --- creating and opening -------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, plan: dict[str, Any], scenarios: list[Scenario]) -> "ReplicationStore":
        path = Path(path)
        path.mkdir(parents=True)
        write_marker(path)
        (path / "scenarios").mkdir()
        for s in scenarios:
            dump_yaml(s.raw, path / "scenarios" / f"{s.name}.yaml")
        (path / "reps").mkdir()
        tmp = path / f".{PLAN_FILE}.tmp"
        dump_json({**plan, "checksum": plan_checksum(plan)}, tmp)
        os.replace(tmp, path / PLAN_FILE)
        return cls(path, plan)

    @classmethod
    def open(cls, path: Path) -> "ReplicationStore":
        path = Path(path)
        if not is_ours(path, partial=True):
            raise OutputError(not_ours(path, "an interrupted corridor-sim run"))
        try:
            plan = json.loads((path / PLAN_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise OutputError(f"{path} is not an interrupted corridor-sim run (no {PLAN_FILE})") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise OutputError(f"{path / PLAN_FILE} is damaged ({exc}); start over with --force") from None
        if not isinstance(plan, dict) or "checksum" not in plan:
            raise OutputError(f"{path / PLAN_FILE} has no checksum, so it cannot be trusted to be the plan the run "
                              "started with; start over with --force")
        if plan["checksum"] != plan_checksum(plan):
            raise OutputError(f"{path / PLAN_FILE} has been changed since the run started (its checksum does not "
                              "match); start over with --force")
        plan = {k: v for k, v in plan.items() if k != "checksum"}
        problem = plan_problem(plan)
        if problem:
            raise OutputError(f"{path / PLAN_FILE} is not a plan corridor-sim runs: {problem}; start over with --force")
        return cls(path, plan)

    def scenarios(self) -> list[Scenario]:
        """The scenarios exactly as the interrupted run had them, in plan order."""
        out = []
        for name in self.plan["scenarios"]:
            file = self.path / "scenarios" / f"{name}.yaml"
            try:
                out.append(build_scenario(read_yaml(file).data))  # the guarded reader, as any scenario file
            except (OSError, ScenarioError) as exc:
                raise OutputError(f"{file} cannot be read back ({exc}); start over with --force") from None
        return out

    # --- replications --------------------------------------------------------------------
    def _rep_dir(self, name: str, replication: int) -> Path:
        return self.path / "reps" / name / f"r{replication:05d}"

    def finished(self) -> set[tuple[str, int]]:
        """(scenario, replication) pairs whose directory is whole: every piece it lists is there
        with its checksum, and it is the replication its folder names. A damaged one is left out
        (and said in `damaged`), so a resume runs it again."""
        if self._finished is None:
            self._finished = set()
            for name in self.plan["scenarios"]:
                folder = self.path / "reps" / name
                if not folder.is_dir():
                    continue
                for rep in sorted(folder.iterdir()):
                    if not (rep.name.startswith("r") and rep.name[1:].isdigit()):
                        continue  # a temporary piece being written, or something else
                    r = int(rep.name[1:])
                    if r >= self.plan["replications"]:
                        continue
                    problem = self._check(rep, name, r)
                    if problem is None:
                        self._finished.add((name, r))
                    else:
                        self.damaged.append(f"{name} replication {r}: {problem}")
        return set(self._finished)

    def _check(self, rep: Path, name: str, replication: int) -> str | None:
        """None for a whole replication directory, else what is wrong with it."""
        try:
            pieces = json.loads((rep / PIECES_FILE).read_text(encoding="utf-8"))
            listed = dict(pieces["sha256"])
            owner = (pieces["scenario"], pieces["replication"])
        except FileNotFoundError:
            return f"{PIECES_FILE} is missing"
        except (OSError, ValueError, KeyError, TypeError):
            return f"{PIECES_FILE} is damaged"
        if owner != (name, replication):
            return f"it holds {owner[0]} replication {owner[1]}"
        missing = sorted({"stats.json"} - set(listed)) + sorted(f for f in listed if not (rep / f).is_file())
        if missing:
            return f"{', '.join(missing)} missing"
        wrong = [f for f, digest in listed.items() if _sha256(rep / f) != digest]
        return f"{', '.join(wrong)} does not match its checksum" if wrong else None

    def add(self, name: str, replication: int, stats: dict[str, Any], frames: dict[str, pd.DataFrame]) -> dict[str, Any]:
        """Write one replication atomically; returns its statistics as they read back from disk."""
        final = self._rep_dir(name, replication)
        final.parent.mkdir(exist_ok=True)
        tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        try:
            for table, frame in frames.items():
                if len(frame) or table not in OPTIONAL_TABLES:  # an empty table keeps its columns
                    write_table(frame, tmp / table, self.format)
            text = stats_json(stats)
            (tmp / "stats.json").write_text(text, encoding="utf-8")
            checksums = {f.name: _sha256(f) for f in sorted(tmp.iterdir())}
            dump_json({"scenario": name, "replication": replication, "sha256": checksums}, tmp / PIECES_FILE)
        except BaseException:  # a full disk, a signal: leave no half-written piece behind
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if final.exists():  # a damaged earlier attempt, found by `finished`
            shutil.rmtree(final)
        os.replace(tmp, final)
        if self._finished is not None:
            self._finished.add((name, replication))
        return json.loads(text)

    def stats(self, name: str, replication: int) -> dict[str, Any]:
        return json.loads((self._rep_dir(name, replication) / "stats.json").read_text(encoding="utf-8"))

    def tables(self) -> "StoreTables":
        return StoreTables(self)

    def piece_files(self, table: str) -> list[Path]:
        """The table's pieces in scenario order, then replication order."""
        files = []
        for name in self.plan["scenarios"]:
            for r in range(self.plan["replications"]):
                file = self._rep_dir(name, r) / f"{table}.{self.format}"
                if file.exists():
                    files.append(file)
        return files

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


class StoreTables:
    """The tables of a store's finished replications (a table source for RunResult)."""

    def __init__(self, store: ReplicationStore):
        self.store = store

    def frame(self, name: str) -> pd.DataFrame:
        pieces = [read_table_file(f) for f in self.store.piece_files(name)]
        return pd.concat(pieces, ignore_index=True) if pieces else empty_frame(name)

    def write(self, name: str, dest: Path, fmt: str) -> Path | None:
        files = self.store.piece_files(name)
        if not files and name in OPTIONAL_TABLES:
            return None
        if fmt != self.store.format:
            return write_table(self.frame(name), dest, fmt)
        if not files:
            return write_table(pd.DataFrame(), dest, fmt)
        return concat_table_files(files, dest, fmt)
