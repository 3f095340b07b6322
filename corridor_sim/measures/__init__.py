"""The outputs of each customs measure, declared in one place per measure.

A measure (post-clearance audit, scanners, information exchange, road permits) adds columns to
the trucks table, its own table, rates per 100 trucks, shares of the non-compliant trucks, a
section of the summary and warnings. Each measure's module here declares them as one
`MeasureOutputs`; the result layers (tables, per-replication statistics, summary, comparison,
warnings) go through `MEASURES` instead of naming any measure, so a new measure adds its module
and its entry here, not edits across those layers. The mechanisms themselves live in
`corridor_sim/model/` (one module each, with their own random streams).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

RepStats = list[dict[str, Any]]  # one scenario's per-replication statistics


@dataclass(frozen=True)
class TruckCount:
    """A per-truck column summed over a flow's trucks in each replication (`nan_sum`: NaN means none)."""

    stat: str
    column: str
    nan_sum: bool = False


@dataclass(frozen=True)
class MeasureOutputs:
    name: str
    truck_columns: tuple[tuple[str, str], ...] = ()  # (column, "int" | "bool") in trucks.csv, in this order
    counts: tuple[TruckCount, ...] = ()
    per_100: dict[str, str] = field(default_factory=dict)  # summary key -> count, per 100 trucks (and compared)
    shares: dict[str, str] = field(default_factory=dict)  # summary key -> count, a share of non-compliant trucks
    detections: tuple[str, ...] = ()  # counts that find a violation: a truck found by none is missed
    table: tuple[str, type] | None = None  # (table name, record type): ReplicationResult.tables[name]
    section: tuple[str, Callable[[RepStats], dict[str, Any]]] | None = None  # summary key, its figures
    warnings: Callable[[RepStats], list[str]] | None = None


def _registry() -> tuple[MeasureOutputs, ...]:
    from . import audit, exchange, permits, scanners

    # the order of columns, tables and summary sections in every output
    return (scanners.OUTPUTS, audit.OUTPUTS, exchange.OUTPUTS, permits.OUTPUTS)


MEASURES: tuple[MeasureOutputs, ...] = _registry()
