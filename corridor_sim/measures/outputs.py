"""The shape of a measure's outputs: what the result layers read of each one (`MEASURES`)."""
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
    truck_columns: tuple[tuple[str, str], ...] = ()  # (column, "int" | "bool" | "float") in trucks.csv, in this order
    counts: tuple[TruckCount, ...] = ()
    per_100: dict[str, str] = field(default_factory=dict)  # summary key -> count, per 100 trucks (and compared)
    shares: dict[str, str] = field(default_factory=dict)  # summary key -> count, a share of non-compliant trucks
    detections: tuple[str, ...] = ()  # counts that find a violation: a truck found by none is missed
    means: tuple[str, ...] = ()  # per-truck columns averaged over a flow's trucks (CIs, paired in compare)
    means_section: str = ""  # the summary key the means go under
    table: tuple[str, type] | None = None  # (table name, record type): ReplicationResult.tables[name]
    section: tuple[str, Callable[[RepStats], dict[str, Any]]] | None = None  # summary key, its figures
    warnings: Callable[[RepStats], list[str]] | None = None
