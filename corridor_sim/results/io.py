"""Run directories: written atomically, never over an earlier result without `force`."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..errors import OutputError
from ..scenario.loader import build_scenario
from .tables import TABLES

LIBRARIES = ("corridor-sim", "simpy", "numpy", "scipy", "pandas", "networkx", "pydantic", "matplotlib", "pyyaml", "rich")


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _clean(value: Any) -> Any:
    """NaN and infinities become null: summary.json stays valid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return _clean(value.item())
    return value


def dump_json(data: Any, path: Path) -> None:
    path.write_text(json.dumps(_clean(data), indent=2, default=_json_default, allow_nan=False) + "\n", encoding="utf-8")


def scenario_hash(raw: dict) -> str:
    text = json.dumps(raw, sort_keys=True, default=_json_default)
    return hashlib.sha256(text.encode()).hexdigest()


def git_revision() -> str | None:
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def manifest(result, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = None
    data = {
        "versions": versions,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "git_revision": git_revision(),
        "command": sys.argv,
        "scenario_hash": {name: scenario_hash(s.raw) for name, s in result.scenarios.items()},
    }
    data.update(result.meta)
    if extra:
        data.update(extra)
    return data


def check_target(path: Path, force: bool) -> None:
    """Refuse a non-empty directory without `force` (before any work is done)."""
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path} exists and is not a directory")
    if path.exists() and any(path.iterdir()) and not force:
        raise OutputError(f"{path} already holds results; use --force to replace them, or -o to write elsewhere")


def write_table(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        frame.to_parquet(path.with_suffix(".parquet"), index=False)
    else:
        frame.to_csv(path.with_suffix(".csv"), index=False)


def write_run_dir(result, path, force: bool = False, fmt: str = "csv", extra_files=None) -> Path:
    """Write into a temporary sibling directory, then rename it into place."""
    target = Path(path)
    check_target(target, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        for name in TABLES:
            frame = result.table(name)
            if name in ("trace", "queues") and frame.empty:
                continue
            write_table(frame, tmp / name, fmt)
        write_table(result.summary, tmp / "summary", "csv")
        dump_json(result.summary_dict, tmp / "summary.json")
        if len(result.scenarios) == 1:
            scenario = next(iter(result.scenarios.values()))
            (tmp / "scenario.yaml").write_text(yaml.safe_dump(scenario.raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
        else:
            (tmp / "scenarios").mkdir()
            for name, scenario in result.scenarios.items():
                (tmp / "scenarios" / f"{name}.yaml").write_text(
                    yaml.safe_dump(scenario.raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
        dump_json(manifest(result), tmp / "manifest.json")
        if extra_files:
            extra_files(tmp)
        _swap_into_place(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _swap_into_place(tmp: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _read_table(directory: Path, name: str) -> pd.DataFrame:
    for suffix, reader in ((".parquet", pd.read_parquet), (".csv", pd.read_csv)):
        file = directory / f"{name}{suffix}"
        if file.exists():
            try:
                frame = reader(file)
            except pd.errors.EmptyDataError:
                return pd.DataFrame()
            for col in ("flow", "caravan"):
                if col in frame:
                    frame[col] = frame[col].fillna("")
            return frame
    return pd.DataFrame()


def load_results(path):
    """A saved run directory back as the RunResult a run returns."""
    from .run_result import RunResult

    directory = Path(path)
    summary_file = directory / "summary.json"
    if not summary_file.exists():
        raise OutputError(f"{directory} is not a corridor-sim results directory (no summary.json)")
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    meta = json.loads((directory / "manifest.json").read_text(encoding="utf-8")) if (directory / "manifest.json").exists() else {}
    files = [directory / "scenario.yaml"] if (directory / "scenario.yaml").exists() else sorted((directory / "scenarios").glob("*.yaml"))
    scenarios = [build_scenario(yaml.safe_load(f.read_text(encoding="utf-8"))) for f in files]
    order = list(summary.get("scenarios", {}))
    scenarios.sort(key=lambda s: order.index(s.name) if s.name in order else len(order))
    tables = {name: _read_table(directory, name) for name in TABLES}
    return RunResult(scenarios, stats={}, meta=meta, summary=summary, tables=tables)
