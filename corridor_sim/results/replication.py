"""Per-replication statistics: the small numbers a summary is built from (streamable)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..measures import MEASURES
from ..model.records import ReplicationResult, record_dict
from ..model.truck import COMPONENTS
from .keys import ALL

if TYPE_CHECKING:
    from .ledger import Ledger



COUNTS = [c for m in MEASURES for c in m.counts]
MEASURE_TABLES = [m.table for m in MEASURES if m.table]
DETECTIONS = [d for m in MEASURES for d in m.detections]  # columns besides `detected` that find a violation


def _missed(col) -> np.ndarray:
    """Non-compliant trucks that neither a border nor any measure found."""
    found = col("detected").astype(bool)
    for column in DETECTIONS:
        found = found | col(column).astype(bool)
    return col("noncompliant").astype(bool) & ~found


MEANS = [c for m in MEASURES for c in m.means]  # per-truck figures averaged per flow (the ledger's)


def _group_stats(trucks: dict[str, np.ndarray], mask: np.ndarray | None) -> dict[str, Any]:
    def col(name: str) -> np.ndarray:
        values = trucks[name]
        return values if mask is None else values[mask]

    lead = col("arrive_h") - col("depart_h")
    n = len(lead)
    out: dict[str, Any] = {"trucks": n}
    if n == 0:
        return out
    drive = col("drive_h")
    km = col("km")
    q = np.quantile(lead, [0.5, 0.9, 0.95])
    out.update({
        "lead_time_mean": float(lead.mean()), "lead_time_median": float(q[0]),
        "lead_time_p90": float(q[1]), "lead_time_p95": float(q[2]),
        "km_sum": float(km.sum()), "drive_sum": float(drive.sum()), "lead_sum": float(lead.sum()),
        "inspections": int(col("inspections").sum()), "yellow": int(col("yellow").sum()),
        "noncompliant": int(col("noncompliant").sum()), "detected": int(col("detected").sum()),
        **{c.stat: float(np.nansum(col(c.column))) if c.nan_sum else int(col(c.column).sum()) for c in COUNTS},
        "missed": int(_missed(col).sum()),
    })
    for c in COMPONENTS:
        out[c] = float(col(f"{c}_h").mean())
    for c in MEANS:
        if c in trucks:
            out[c] = float(col(c).mean())
    return out


def replication_stats(result: ReplicationResult, ledger: Ledger | None = None) -> dict[str, Any]:
    """Scenario-wide and per-flow/caravan figures of one replication; with a `ledger` (which has
    put its columns into the trucks table), the cost indicators and each flow's trucks a year."""
    trucks = result.trucks
    groups: dict[str, Any] = {ALL: _group_stats(trucks, None)}
    codes = trucks["group"]
    for g, name in enumerate(result.groups):
        if result.group_kinds[g] == "background":
            continue
        groups[name] = _group_stats(trucks, codes == g)
    extra: dict[str, Any] = {}
    if ledger is not None:
        extra["costs"] = ledger.indicators(result)
        headline = [ledger.per_year[name] for g, name in enumerate(result.groups) if result.group_kinds[g] == "flow"]
        for name, g in groups.items():
            g["trucks_per_year"] = sum(v for v in headline if v) if name == ALL else ledger.per_year.get(name)
    return {
        "replication": result.replication,
        "groups": groups,
        "controls": [record_dict(r) for r in result.controls],
        "control_groups": [record_dict(r) for r in result.control_groups],
        "ferries": [record_dict(r) for r in result.ferries],
        "ferry_groups": [record_dict(r) for r in result.ferry_groups],
        **{name: [record_dict(r) for r in result.tables.get(name, [])] for name, _ in MEASURE_TABLES},
        "created": result.created,
        "arrived": result.arrived,
        "end_h": result.end_h,
        "engine": {"name": result.engine, "outside": result.outside, "reasons": result.engine_reasons},
        **extra,
    }


def engine_summary(stats: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """By scenario: the engine that ran its replications, the share of its trucks worked out
    outside the event loop, and what kept controls or the whole world on the reference engine."""
    out = {}
    for name, reps in stats.items():
        engines = [rep["engine"] for rep in reps if rep and "engine" in rep]
        if not engines:
            continue
        created = sum(rep["created"] for rep in reps if rep and "engine" in rep)
        out[name] = {
            "engine": "/".join(sorted({e["name"] for e in engines})),
            "outside_loop_share": sum(e["outside"] for e in engines) / created if created else 0.0,
            "reference_because": engines[0]["reasons"],
        }
    return out


def _hours(key: str) -> str:
    """Column names of the tidy table: hours carry `_h`, as in the other tables."""
    if key.startswith("lead_time_") or key in COMPONENTS:
        return f"{key}_h"
    return {"drive_sum": "drive_sum_h", "lead_sum": "lead_sum_h"}.get(key, key)


def replication_rows(stats: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """A tidy table of the per-replication figures the summary's CIs are computed from.

    One row per scenario, replication and flow (`*`: every counted truck); hours end in `_h`.
    """
    rows = []
    for scenario, reps in stats.items():
        for rep in reps:
            for group, g in rep["groups"].items():
                row = {"scenario": scenario, "replication": rep["replication"], "flow": group}
                row.update({_hours(k): v for k, v in g.items()})
                rows.append(row)
    return rows
