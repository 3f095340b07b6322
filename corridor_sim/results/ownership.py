"""Which directories are ours to replace, discard or clean: only what corridor-sim wrote.

A run directory and its `DIR.partial` carry a marker file (`.corridor-sim-run`: the command, the
time and a random token) that corridor-sim writes first, so a directory that merely holds a
`manifest.json` and a `summary.json` (a web app, another tool's output) is never taken for a
run. Run directories written before the marker are recognised by their whole content: the
files a run holds and nothing else, and a manifest with a run's fields; an interrupted run of
then by a `plan.json` whose checksum matches and nothing but its pieces. Anything else is
refused with the command to remove it by hand.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

from .paths import PLAN_FILE, partial_path, plan_checksum

MARKER = ".corridor-sim-run"
TOKEN = re.compile(r"[0-9a-f]{32}")

# what a run directory of an older version holds (tables in either format, plots, the report)
_TABLE = re.compile(r"[a-z_]+\.(csv|parquet)")
_RUN_FILES = {"summary.json", "manifest.json", "replications.jsonl", "scenario.yaml", "report.html", "demo.json"}
_RUN_DIRS = {"plots": re.compile(r"[a-z_]+\.(png|svg|pdf)"), "scenarios": re.compile(r"[^/]+\.yaml")}
_MANIFEST_FIELDS = {"versions", "command", "scenario_hash", "kind", "scenarios", "replications", "seed", "started",
                    "finished"}
_PARTIAL_ENTRIES = {"plan.json", "scenarios", "reps"}


def write_marker(directory: Path) -> None:
    """Mark `directory` as written by corridor-sim (called before anything else is put in it)."""
    from .. import __version__

    body = {"corridor_sim": __version__, "command": sys.argv,
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "token": secrets.token_hex(16)}
    (Path(directory) / MARKER).write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")


def has_marker(directory: Path) -> bool:
    """`directory` holds a marker as corridor-sim writes it."""
    marker = Path(directory) / MARKER
    try:
        if not marker.is_file() or marker.is_symlink() or marker.stat().st_size > 1 << 16:
            return False
        body = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(body, dict) and "corridor_sim" in body and isinstance(body.get("token"), str) \
        and TOKEN.fullmatch(body["token"]) is not None


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _older_run(directory: Path) -> bool:
    """A run directory written before the marker: a run's files and nothing else, its manifest
    with a run's fields."""
    manifest = _json(directory / "manifest.json")
    if not (isinstance(manifest, dict) and _MANIFEST_FIELDS <= set(manifest)
            and isinstance(manifest.get("versions"), dict) and "corridor-sim" in manifest["versions"]):
        return False
    if not isinstance(_json(directory / "summary.json"), dict) or not (directory / "replications.jsonl").is_file():
        return False
    for entry in directory.iterdir():
        if entry.is_symlink():
            return False
        if entry.is_dir():
            pattern = _RUN_DIRS.get(entry.name)
            if pattern is None or not all(f.is_file() and not f.is_symlink() and pattern.fullmatch(f.name)
                                          for f in entry.iterdir()):
                return False
        elif not (entry.name in _RUN_FILES or _TABLE.fullmatch(entry.name)):
            return False
    return True


def _older_partial(directory: Path) -> bool:
    """An interrupted run of before the marker: a checksummed plan and nothing but its pieces."""

    plan = _json(directory / PLAN_FILE)
    if not (isinstance(plan, dict) and "checksum" in plan and plan["checksum"] == plan_checksum(plan)):
        return False
    return all(entry.name in _PARTIAL_ENTRIES and not entry.is_symlink() for entry in directory.iterdir())


def is_ours(directory: Path, partial: bool = False) -> bool:
    """A run directory (or, with `partial`, an interrupted run's) that corridor-sim wrote."""
    directory = Path(directory)
    if not directory.is_dir() or directory.is_symlink():
        return False
    return has_marker(directory) or (_older_partial(directory) if partial else _older_run(directory))


def not_ours(directory: Path, what: str) -> str:
    """The one line that refuses to touch `directory`."""
    return (f"{directory} is not {what} (it has no {MARKER} marker, nor only the files of one); "
            f"nothing in it was changed: choose another -o, or remove it yourself (rm -r {shlex.quote(str(directory))}) "
            "if it is yours to delete")


def _alive(pid: int) -> bool:
    from .lock import _alive as alive

    return alive(pid)


def clean_stale(target: Path) -> list[Path]:
    """Remove the copies a dead process left beside run directory `target` (`.DIR.*.tmp` being
    built, `.DIR.old-PID` being replaced) and in `DIR.partial` (`.rNNNNN.tmp-PID` pieces), and
    only those: named so, marked as ours (or, inside the partial, in one of its replication
    folders), their process gone. Called under the run's lock, so no live run is writing them."""
    target = Path(target)
    removed = []
    parent = target.parent
    if parent.is_dir():
        tmp = re.compile(re.escape(f".{target.name}.") + r"[A-Za-z0-9_]{8}\.tmp")
        old = re.compile(re.escape(f".{target.name}.old-") + r"(\d+)")
        for entry in parent.iterdir():
            found = old.fullmatch(entry.name)
            stale = (tmp.fullmatch(entry.name) is not None) or (found is not None and not _alive(int(found.group(1))))
            if stale and entry.is_dir() and not entry.is_symlink() and has_marker(entry):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)

    reps = partial_path(target) / "reps"
    if is_ours(partial_path(target), partial=True) and reps.is_dir():
        piece = re.compile(r"\.r\d{5}\.tmp-(\d+)")
        for folder in reps.iterdir():
            if not folder.is_dir() or folder.is_symlink():
                continue
            for entry in folder.iterdir():
                found = piece.fullmatch(entry.name)
                if found and entry.is_dir() and not entry.is_symlink() and not _alive(int(found.group(1))):
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry)
    return removed
