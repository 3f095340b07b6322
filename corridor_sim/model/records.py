"""What one replication returns: typed records and numeric columns, cheap to pickle between processes.

The trucks table is one numpy array per column of `truck.RECORD_COLUMNS` (counted trucks only);
controls and ferries are lists of frozen dataclasses. The result tables, the summary and the
plots read these by name: `dataclasses.fields(ControlRecord)` is the column list of
`controls.csv`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .truck import RECORD_COLUMNS

if TYPE_CHECKING:
    from .stats import Changes


@dataclass(frozen=True)
class ControlRecord:
    """One control (a country's customs at a node, one direction) over the counting window."""

    node: str
    country: str          # one country, or "A+B" at a joint control
    direction: str        # "exit", "entry" or "joint"
    crossing: str         # see crossing_label
    lanes: int
    inspection_bays: int
    trucks: int
    arrivals_per_h: float
    mean_time_h: float
    p95_time_h: float
    mean_queue_h: float
    mean_closed_h: float  # waiting for the control to open (hours, holidays, outages do not count)
    lane_utilisation: float
    bay_utilisation: float
    mean_queue_len: float
    max_queue_len: int
    yellow: int
    red: int
    detections: int
    outage_hours: float   # hours with an outage in progress
    scans: int = 0                   # trucks scanned (non-intrusive inspection)
    scan_anomalies: int = 0          # scans that sent the truck to the bay
    inspections_avoided: int = 0     # red selections a scan released without a physical inspection
    scanner_utilisation: float = 0.0  # busy scanner-hours over all scanner-hours of the window


@dataclass(frozen=True)
class ControlFlowRecord:
    """One flow's (or caravan's) trucks at one control: those that came in the counting window,
    and the counted trucks (those of the lead times) whenever they came."""

    node: str
    country: str
    direction: str
    crossing: str
    group: str
    trucks: int
    mean_time_h: float
    mean_queue_h: float
    counted: int = 0
    counted_time_h: float = float("nan")


@dataclass(frozen=True)
class FerryRecord:
    """One direction of a ferry link over the counting window."""

    link: str
    from_: str
    to: str
    crossing: str         # the crossing the wait belongs to: leaving the departure port
    vessels: int
    capacity: int
    sailings: int
    mean_load: float
    trucks: int
    mean_wait_h: float
    storm_hours: float


@dataclass(frozen=True)
class FerryFlowRecord:
    """One flow's trucks waiting for one direction of a ferry link (in the window, and the counted
    trucks whenever they came)."""

    link: str
    from_: str
    to: str
    crossing: str
    group: str
    trucks: int
    mean_wait_h: float
    counted: int = 0
    counted_wait_h: float = float("nan")


def column_name(field_name: str) -> str:
    """A record field's column in the tables (`from_`, a Python keyword's stand-in, is `from`)."""
    return "from" if field_name == "from_" else field_name


def record_dict(record) -> dict:
    """A record as a plain mapping with the table's column names."""
    return {column_name(k): v for k, v in record.__dict__.items()}


@dataclass
class ReplicationResult:
    """One replication's records. `trucks` holds one array per column of RECORD_COLUMNS, then each
    measure's columns (the audit's: zeros when no country audits)."""

    scenario: str
    replication: int
    seed: int
    groups: list[str]
    group_kinds: list[str]                # "flow", "background" or "caravan"
    risk_classes: list[str]
    trucks: dict[str, np.ndarray]
    controls: list[ControlRecord]
    control_groups: list[ControlFlowRecord]
    ferries: list[FerryRecord]
    ferry_groups: list[FerryFlowRecord] = field(default_factory=list)
    # each customs measure's records by its table's name (measures.py): `audits` one per country
    # with a post-clearance audit, `exchanges` one per ordered pair exchanging information,
    # `permits` one per road-permit quota
    tables: dict[str, list] = field(default_factory=dict)
    trace: list[tuple] = field(default_factory=list)
    queue_series: dict[str, Changes] = field(default_factory=dict)  # (time, level) per change
    created: int = 0
    arrived: int = 0
    end_h: float = 0.0
    warmup_h: float = 0.0
    # the engine that ran it (features.py), what kept controls or the world on the reference
    # engine (by place: `world` or a control's name), and how many trucks went outside the event loop
    engine: str = "reference"
    engine_reasons: dict[str, list[str]] = field(default_factory=dict)
    outside: int = 0

    @property
    def n_trucks(self) -> int:
        return len(self.trucks["truck"])

    def lead_times(self) -> np.ndarray:
        return self.trucks["arrive_h"] - self.trucks["depart_h"]


def join_columns(chunks: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Chunks of `truck_columns`, in order, as one set of columns."""
    if len(chunks) == 1:
        return chunks[0]
    return {name: np.concatenate([c[name] for c in chunks]) for name, _ in RECORD_COLUMNS}


def truck_columns(rows: list[tuple]) -> dict[str, np.ndarray]:
    """The trucks' rows (`Truck.record`) as typed columns."""
    if not rows:
        return {name: np.zeros(0, dtype=dtype) for name, dtype in RECORD_COLUMNS}
    return {name: np.asarray(column, dtype=dtype) for (name, dtype), column in zip(RECORD_COLUMNS, zip(*rows))}
