"""One replication's records as the run directory's tables (docs/reference/outputs.md).

A replication's tables travel from the process that simulated it as `TablePiece`s, the plain
columns and rows a DataFrame is made of, and become DataFrames where they are kept or written:
a worker then never imports pandas (half of what a new worker would import), and the frames are
the same as if it had made them.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from ..measures import MEASURES
from ..model.records import ControlFlowRecord, ControlRecord, FerryRecord, ReplicationResult, column_name, record_dict
from ..scenario.schema import REGIMES

if TYPE_CHECKING:
    import pandas as pd

MEASURE_TABLES = {m.table[0]: m.table[1] for m in MEASURES if m.table}  # a measure's own table: name -> record
TABLES = ("trucks", "controls", "control_flows", "ferries", *MEASURE_TABLES, "trace", "queues")
# not written when empty (trace is opt-in; queues: replication 0; a measure's table: only where
# the scenario has the measure)
OPTIONAL_TABLES = (*MEASURE_TABLES, "trace", "queues")
QUEUE_POINTS = 1000  # queue-length series are sampled on this many instants


@dataclass(frozen=True)
class TablePiece:
    """One replication's table before it is a DataFrame: `frame()` makes it.

    `kind` says how: "columns" (`data` maps column to array; the key columns are repeated in
    front), "records" (`data` is a list of dicts; `columns` the record's columns, after the key),
    "tuples" (`data` is a list of tuples of `columns`), "blocks" (`data` is a list of column
    mappings, one frame each, concatenated)."""

    name: str
    kind: str
    key: dict[str, Any]
    data: Any
    columns: tuple[str, ...] = ()

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        key = self.key
        if self.kind == "columns":
            n = len(next(iter(self.data.values()))) if self.data else 0
            return pd.DataFrame({**{k: np.repeat(v, n) for k, v in key.items()}, **self.data})
        if self.kind == "records":
            return pd.DataFrame([{**key, **row} for row in self.data], columns=[*key, *self.columns])
        if self.kind == "tuples":
            return pd.DataFrame(self.data, columns=list(self.columns)).assign(**key)[[*key, *self.columns]]
        if self.kind == "blocks":
            if not self.data:
                return empty_frame(self.name)
            return pd.concat([pd.DataFrame({**key, **block}) for block in self.data], ignore_index=True)
        raise ValueError(f"unknown table piece kind {self.kind!r}")


def replication_frames(result: ReplicationResult) -> dict[str, pd.DataFrame]:
    """Every table of one replication, each with `scenario` and `replication` columns first."""
    return frames_of(replication_pieces(result))


def frames_of(pieces: dict[str, TablePiece]) -> dict[str, pd.DataFrame]:
    """The DataFrames of a replication's table pieces, by table name."""
    return {name: piece.frame() for name, piece in pieces.items()}


def replication_pieces(result: ReplicationResult) -> dict[str, TablePiece]:
    """Every table of one replication as a `TablePiece` (what a worker sends back)."""
    key = {"scenario": result.scenario, "replication": result.replication}
    t = result.trucks
    groups = np.asarray(result.groups + [""], dtype=object)
    kinds = np.asarray(result.group_kinds + [""], dtype=object)
    codes = t["group"].astype(int) if len(t["group"]) else np.zeros(0, dtype=int)
    is_caravan = kinds[codes] == "caravan" if len(codes) else np.zeros(0, dtype=bool)
    names = groups[codes] if len(codes) else np.zeros(0, dtype=object)
    trucks = TablePiece("trucks", "columns", key, {
        "truck": t["truck"].astype(np.int64),
        "flow": np.where(is_caravan, "", names),
        "caravan": np.where(is_caravan, names, ""),
        "index": t["index"].astype(np.int64),
        "aeo": t["aeo"].astype(bool),
        "regime": np.asarray(REGIMES, dtype=object)[t["regime"].astype(int)] if len(codes) else np.zeros(0, dtype=object),
        "risk": np.asarray(result.risk_classes, dtype=object)[t["risk"].astype(int)] if len(codes) else np.zeros(0, dtype=object),
        "noncompliant": t["noncompliant"].astype(bool),
        "detected": t["detected"].astype(bool),
        "depart_h": t["depart_h"].astype(float),
        "arrive_h": t["arrive_h"].astype(float),
        "lead_time_h": (t["arrive_h"] - t["depart_h"]).astype(float),
        "km": t["km"].astype(float),
        "yellow": t["yellow"].astype(np.int64),
        "inspections": t["inspections"].astype(np.int64),
        **{c: t[c].astype(bool if kind == "bool" else np.int64) for m in MEASURES for c, kind in m.truck_columns
           if kind != "float"},
        **{c: t[c].astype(float) for c in t if c.endswith("_h") and c not in ("depart_h", "arrive_h")},
        # the ledger's money, fuel and emissions (results/ledger.py), where the replication was costed:
        # to the cent and the thousandth of a litre, kg or g (the factors carry two or three digits;
        # seventeen would double the time to write a large trucks table, and say nothing more)
        **{c: np.round(t[c].astype(float), 2 if c.endswith("_usd") else 3)
           for m in MEASURES for c, kind in m.truck_columns if kind == "float" and c in t},
    })
    return {
        "trucks": trucks,
        "controls": _rows("controls", key, result.controls, CONTROL_COLUMNS),
        "control_flows": _rows("control_flows", key, result.control_groups, CONTROL_FLOW_COLUMNS),
        "ferries": _rows("ferries", key, result.ferries, FERRY_COLUMNS),
        **{name: _rows(name, key, result.tables.get(name, []), MEASURE_COLUMNS[name]) for name in MEASURE_TABLES},
        "trace": TablePiece("trace", "tuples", key, list(result.trace), TRACE_COLUMNS),
        "queues": _queue_piece(result, key),
    }


def _columns(record_type) -> tuple[str, ...]:
    return tuple(column_name(f.name) for f in fields(record_type))


CONTROL_COLUMNS = _columns(ControlRecord)
CONTROL_FLOW_COLUMNS = _columns(ControlFlowRecord)
FERRY_COLUMNS = _columns(FerryRecord)
MEASURE_COLUMNS = {name: _columns(record) for name, record in MEASURE_TABLES.items()}
TRACE_COLUMNS = ("truck", "node", "event", "time_h", "km")
QUEUE_COLUMNS = ("control", "time_h", "queue_length")


TRUCK_COLUMNS = ("truck", "flow", "caravan", "depart_h", "arrive_h", "lead_time_h", "km")  # what every run writes
NUMERIC_COLUMNS = {"replication", "truck", "km", "queue_length"}  # besides every `*_h`


def required_columns(name: str) -> tuple[str, ...]:
    """The columns a table read back from a run directory must have for its readers."""
    columns = {"trucks": TRUCK_COLUMNS, "controls": CONTROL_COLUMNS, "control_flows": CONTROL_FLOW_COLUMNS,
               "ferries": FERRY_COLUMNS, **MEASURE_COLUMNS, "trace": TRACE_COLUMNS, "queues": QUEUE_COLUMNS}.get(name, ())
    return ("scenario", "replication", *columns)


def empty_frame(name: str) -> pd.DataFrame:
    """An optional table that was not written (nothing in it), with its columns."""
    import pandas as pd

    columns = {**MEASURE_COLUMNS, "trace": TRACE_COLUMNS, "queues": QUEUE_COLUMNS}.get(name)
    return pd.DataFrame(columns=["scenario", "replication", *columns]) if columns else pd.DataFrame()


def _rows(name: str, key: dict, records: list, columns: tuple[str, ...]) -> TablePiece:
    """Rows with the key columns first; an empty table still has its columns."""
    return TablePiece(name, "records", key, [record_dict(r) for r in records], columns)


def _queue_piece(result: ReplicationResult, key: dict) -> TablePiece:
    blocks = []
    grid = np.linspace(0.0, result.end_h, QUEUE_POINTS)
    for control, series in result.queue_series.items():
        if not len(series):
            continue
        times, levels = series.arrays()
        idx = np.searchsorted(times, grid, side="right") - 1
        sampled = np.where(idx >= 0, levels[np.clip(idx, 0, None)], 0)
        blocks.append({"control": control, "time_h": grid, "queue_length": sampled})
    return TablePiece("queues", "blocks", key, blocks, QUEUE_COLUMNS)
