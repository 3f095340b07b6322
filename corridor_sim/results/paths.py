"""Where a run lives: its directory, the `.partial` one it is written in, and its plan's checksum.

Kept apart from the store that writes runs and the ownership checks that guard them, so that
both import it and neither imports the other.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

PARTIAL_SUFFIX = ".partial"
PLAN_FILE = "plan.json"


def plan_checksum(plan: dict[str, Any]) -> str:
    body = {k: v for k, v in plan.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()


def partial_path(target: Path) -> Path:
    """`results/x` -> `results/x.partial`."""
    target = Path(target)
    return target.with_name(target.name + PARTIAL_SUFFIX)


def target_of(path: Path) -> Path:
    """The run directory a path names: `results/x.partial` and `results/x` both give `results/x`."""
    path = Path(path)
    return path.with_name(path.name[: -len(PARTIAL_SUFFIX)]) if path.name.endswith(PARTIAL_SUFFIX) else path
