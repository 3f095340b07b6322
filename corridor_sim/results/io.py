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
from typing import Any, Callable

import pandas as pd
import yaml

from ..errors import OutputError
from ..scenario.loader import build_scenario
from ..scenario.yamlfile import read_yaml
from .formats import FORMATS, check_format
from .modes import as_created
from .ownership import is_ours, not_ours, write_marker
from .tables import NUMERIC_COLUMNS, OPTIONAL_TABLES, TABLES, empty_frame, required_columns

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
    versions: dict[str, str | None] = {}
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


RUN_MARKERS = ("manifest.json", "summary.json")  # what every run directory holds


def is_run_dir(path: Path) -> bool:
    """A directory that holds a corridor-sim run written by corridor-sim (the only kind `--force`
    replaces): its marker, or an older run's files and nothing else (see ownership.py)."""
    return path.is_dir() and all((path / marker).is_file() for marker in RUN_MARKERS) and is_ours(path)


# what the program adds to a run directory's name: DIR.partial, .DIR.lock, .r00000.tmp-<pid> pieces
NAME_ROOM = 24


def check_run_path(path: Path) -> None:
    """Refuse a run directory that cannot be one, before anything is locked or written: the
    current directory, one of its parents or a root (a run replaces its directory as a whole),
    a path through a file, or a name the file system cannot hold with the program's suffixes."""
    path = Path(path)
    if path.name in ("", ".", ".."):
        raise OutputError(f"{path} cannot be a run directory; name a directory of its own, e.g. {path / 'run'}")
    here, resolved = Path.cwd().resolve(), path.resolve()
    if resolved == here or resolved in here.parents:
        raise OutputError(f"{path} holds the current directory and cannot be a run directory; name another, "
                          "e.g. results/run")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"{path} cannot be written: {parent} is a file, not a directory")
            break
    else:
        parent = Path(".")
    try:
        most = os.pathconf(parent, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # no pathconf (Windows) or no answer: the common limit
        most = 255
    if len(path.name.encode("utf-8", "surrogateescape")) + NAME_ROOM > most:
        raise OutputError(f"the run directory's name is {len(path.name.encode('utf-8', 'surrogateescape'))} bytes "
                          f"long; this file system allows {most - NAME_ROOM} for it (with room for .partial): "
                          "choose a shorter -o")


def check_target(path: Path, force: bool) -> None:
    """Refuse a non-empty directory without `force` (before any work is done), and with `force`
    anything but a corridor-sim run directory: --force replaces results, never other files."""
    check_run_path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path} exists and is not a directory")
    if path.exists() and any(path.iterdir()):
        if not is_run_dir(path):
            raise OutputError(not_ours(path, "a corridor-sim run"))
        if not force:
            raise OutputError(f"{path} already holds results; use --force to replace them, or -o to write elsewhere")


# floats read back bit for bit: pandas 3 does so by default, pandas 2 needs the round-trip parser
CSV_EXACT = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}


def write_table(frame: pd.DataFrame, path: Path, fmt: str) -> Path:
    """`path` without suffix; floats are written so they read back exactly."""
    from .csv_text import write_csv

    file = path.with_suffix(f".{fmt}")
    if fmt == "parquet":
        frame.to_parquet(file, index=False)
    else:
        write_csv(frame, file)
    return file


def read_table_file(file: Path) -> pd.DataFrame:
    """One table file back as the DataFrame that was written (empty labels stay empty strings);
    a file that cannot be read as its format is one line, naming it."""
    try:
        if file.suffix == ".parquet":
            try:
                import pyarrow.parquet  # noqa: F401
            except ImportError:
                raise OutputError(f"{file} is a Parquet table; reading it needs pyarrow: "
                                  "pip install 'corridor-sim[parquet]'") from None
            frame = pd.read_parquet(file)
            if len(frame.columns) == 0:
                return pd.DataFrame()
        else:
            try:
                frame = pd.read_csv(file, **CSV_EXACT)
            except pd.errors.EmptyDataError:
                return pd.DataFrame()
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise OutputError(f"{file} is damaged ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); "
                          "rerun it") from None
    for col in ("flow", "caravan"):
        if col in frame:
            frame[col] = frame[col].astype(object).fillna("").astype(str)
    return frame


def concat_table_files(files: list[Path], dest: Path, fmt: str) -> Path:
    """Concatenate table pieces into one file without holding them all in memory.

    CSV pieces are appended as text (one header); Parquet pieces become row groups of one
    file under their unified schema.
    """
    file = dest.with_suffix(f".{fmt}")
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.unify_schemas([pq.read_schema(f) for f in files], promote_options="permissive") if files else None
        if schema is None:
            pd.DataFrame().to_parquet(file, index=False)
            return file
        schema = schema.remove_metadata()
        with pq.ParquetWriter(file, schema) as writer:
            for f in files:
                writer.write_table(pq.read_table(f).replace_schema_metadata(None).cast(schema))
        return file
    headers = []
    for f in files:
        with open(f, encoding="utf-8", newline="") as src:
            headers.append(src.readline())
    if len(set(headers)) > 1:  # pieces with different columns: let pandas align them
        pieces = [read_table_file(f) for f in files]
        return write_table(pd.concat(pieces, ignore_index=True), dest, fmt)
    with open(file, "w", encoding="utf-8", newline="") as out:
        for i, f in enumerate(files):
            with open(f, encoding="utf-8", newline="") as src:
                first = src.readline()
                if i == 0:
                    out.write(first)
                shutil.copyfileobj(src, out)
    return file


class MemoryTables:
    """Tables held in memory as per-replication pieces, concatenated on first use."""

    def __init__(self, frames: dict[str, list[pd.DataFrame]] | None = None, tables: dict[str, pd.DataFrame] | None = None):
        self._frames = frames or {}
        self._tables = dict(tables or {})

    def frame(self, name: str) -> pd.DataFrame:
        if name not in self._tables:
            frames = self._frames.get(name, [])
            pieces = [f for f in frames if len(f)]
            if pieces:
                self._tables[name] = pd.concat(pieces, ignore_index=True)
            else:  # keep the columns of an empty table
                self._tables[name] = frames[0].iloc[0:0].copy() if frames else pd.DataFrame()
        return self._tables[name]

    def write(self, name: str, dest: Path, fmt: str) -> Path | None:
        frame = self.frame(name)
        if frame.empty and name in OPTIONAL_TABLES:
            return None
        return write_table(frame, dest, fmt)


class DirTables:
    """Tables of a saved run directory, read when first asked for."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._tables: dict[str, pd.DataFrame] = {}

    def file(self, name: str) -> Path | None:
        for fmt in FORMATS:
            file = self.directory / f"{name}.{fmt}"
            if file.exists():
                return file
        return None

    def frame(self, name: str) -> pd.DataFrame:
        if name not in self._tables:
            file = self.file(name)
            self._tables[name] = _checked(read_table_file(file), file, name) if file else empty_frame(name)
        return self._tables[name]

    def write(self, name: str, dest: Path, fmt: str) -> Path | None:
        file = self.file(name)
        if file is None:
            return None
        if file.suffix == f".{fmt}":
            target = dest.with_suffix(file.suffix)
            shutil.copyfile(file, target)
            return target
        return write_table(self.frame(name), dest, fmt)


def _checked(frame: pd.DataFrame, file: Path, name: str) -> pd.DataFrame:
    """A table of a saved directory with the columns its readers need, numbers where numbers are
    written: a file another tool rewrote, or cut short, is one line here, not a KeyError in a plot."""
    if len(frame.columns) == 0:
        if name in OPTIONAL_TABLES:
            return frame
        raise OutputError(f"{file} is damaged: it is empty, without even the header a run writes; rerun it")
    missing = [c for c in required_columns(name) if c not in frame.columns]
    if missing:
        raise OutputError(f"{file} is damaged: it lacks the column{'s' * (len(missing) > 1)} "
                          f"{', '.join(missing[:5])}{' ...' * (len(missing) > 5)}; rerun it")
    for column in frame.columns if len(frame) else ():  # an empty table's columns read back as text
        if (column in NUMERIC_COLUMNS or str(column).endswith("_h")) and not pd.api.types.is_numeric_dtype(frame[column]):
            raise OutputError(f"{file} is damaged: its column {column} holds something other than numbers; rerun it")
    return frame


ExtraFiles = Callable[[Any, Path], Any]  # (result, directory being written) -> anything


def write_run_dir(result, path, force: bool = False, fmt: str = "csv", extra_files: ExtraFiles | None = None) -> Path:
    """Write a run directory: build it under a temporary sibling name, then rename it into place.

    `extra_files(result, directory)` is called last on the temporary directory, so whatever it
    writes (e.g. plots) is part of the same atomic result; `result.meta` is by then the manifest
    written (versions, git revision, command), so a report drawn there says where it came from.
    Returns the final path.
    """
    target = Path(path)
    check_target(target, force)
    check_format(fmt)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    os.chmod(tmp, as_created(0o777))  # readable by colleagues as the umask allows, not mkdtemp's owner-only mode
    try:
        write_marker(tmp)  # first: a copy a dead process leaves is known as ours, and cleaned
        for name in TABLES:
            result.write_table(name, tmp / name, fmt)
        write_table(result.summary, tmp / "summary", "csv")
        if not result.comparison.empty:
            write_table(result.comparison, tmp / "comparison", "csv")
        if not result.sweep.empty:
            write_table(result.sweep, tmp / "sweep", "csv")
        write_table(result.replications, tmp / "replications", "csv")
        write_jsonl(result.replication_stats(), tmp / "replications.jsonl")
        dump_json(result.summary_dict, tmp / "summary.json")
        write_scenarios(result.scenarios, tmp)
        result.meta = manifest(result, {"format": fmt})
        dump_json(result.meta, tmp / "manifest.json")
        if extra_files:  # after the manifest: a report drawn here carries the run's provenance
            extra_files(result, tmp)
        _swap_into_place(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def dump_yaml(data: Any, path: Path) -> None:
    """Safe YAML, written by libyaml where PyYAML has it (the same text, several times faster)."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")


def write_scenarios(scenarios: dict, directory: Path) -> None:
    """The resolved scenario(s): `scenario.yaml` for one, `scenarios/<name>.yaml` for several."""
    if len(scenarios) == 1:
        dump_yaml(next(iter(scenarios.values())).raw, directory / "scenario.yaml")
        return
    (directory / "scenarios").mkdir()
    for name, scenario in scenarios.items():
        dump_yaml(scenario.raw, directory / "scenarios" / f"{name}.yaml")


def read_scenarios(directory: Path, order: list[str]) -> list:
    files = [directory / "scenario.yaml"] if (directory / "scenario.yaml").exists() else sorted((directory / "scenarios").glob("*.yaml"))
    if not files:
        raise OutputError(f"{directory} has lost its saved scenario (scenario.yaml or scenarios/*.yaml); rerun it")
    # read back with the same guards as any scenario file (a saved file may have been edited)
    scenarios = [build_scenario(read_yaml(f).data) for f in files]
    scenarios.sort(key=lambda s: order.index(s.name) if s.name in order else len(order))
    return scenarios


def stats_json(stats: dict[str, Any]) -> str:
    """One replication's statistics as one line of JSON (floats round-trip exactly; NaN kept)."""
    return json.dumps(stats, default=_json_default, separators=(",", ":"))


def write_jsonl(lines: list[dict[str, Any]], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for line in lines:
            out.write(stats_json(line) + "\n")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as src:
        try:
            lines = [json.loads(line) for line in src if line.strip()]
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise OutputError(f"{path} is damaged ({exc})") from None
    if not all(isinstance(line, dict) for line in lines):
        raise OutputError(f"{path} is damaged (a line is not a JSON object)")
    return lines


def _swap_into_place(tmp: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
