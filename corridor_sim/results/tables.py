"""One replication's records as pandas DataFrames (the run directory's tables, see the README)."""
from __future__ import annotations

from dataclasses import fields

import numpy as np
import pandas as pd

from ..measures import MEASURES
from ..model.records import ControlFlowRecord, ControlRecord, FerryRecord, ReplicationResult, column_name, record_dict
from ..scenario.schema import REGIMES

MEASURE_TABLES = {m.table[0]: m.table[1] for m in MEASURES if m.table}  # a measure's own table: name -> record
TABLES = ("trucks", "controls", "control_flows", "ferries", *MEASURE_TABLES, "trace", "queues")
# not written when empty (trace is opt-in; queues: replication 0; a measure's table: only where
# the scenario has the measure)
OPTIONAL_TABLES = (*MEASURE_TABLES, "trace", "queues")
QUEUE_POINTS = 1000  # queue-length series are sampled on this many instants


def replication_frames(result: ReplicationResult) -> dict[str, pd.DataFrame]:
    """Every table of one replication, each with `scenario` and `replication` columns first."""
    key = {"scenario": result.scenario, "replication": result.replication}
    t = result.trucks
    groups = np.asarray(result.groups + [""], dtype=object)
    kinds = np.asarray(result.group_kinds + [""], dtype=object)
    codes = t["group"].astype(int) if len(t["group"]) else np.zeros(0, dtype=int)
    is_caravan = kinds[codes] == "caravan" if len(codes) else np.zeros(0, dtype=bool)
    names = groups[codes] if len(codes) else np.zeros(0, dtype=object)
    trucks = pd.DataFrame({
        **{k: np.repeat(v, len(codes)) for k, v in key.items()},
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
        **{c: t[c].astype(bool if kind == "bool" else np.int64) for m in MEASURES for c, kind in m.truck_columns},
        **{c: t[c].astype(float) for c in t if c.endswith("_h") and c not in ("depart_h", "arrive_h")},
    })
    frames = {
        "trucks": trucks,
        "controls": _rows(key, result.controls, CONTROL_COLUMNS),
        "control_flows": _rows(key, result.control_groups, CONTROL_FLOW_COLUMNS),
        "ferries": _rows(key, result.ferries, FERRY_COLUMNS),
        **{name: _rows(key, result.tables.get(name, []), MEASURE_COLUMNS[name]) for name in MEASURE_TABLES},
        "trace": pd.DataFrame(result.trace, columns=TRACE_COLUMNS).assign(**key)[[*key, *TRACE_COLUMNS]],
        "queues": _queue_frame(result, key),
    }
    return frames


def _columns(record_type) -> tuple[str, ...]:
    return tuple(column_name(f.name) for f in fields(record_type))


CONTROL_COLUMNS = _columns(ControlRecord)
CONTROL_FLOW_COLUMNS = _columns(ControlFlowRecord)
FERRY_COLUMNS = _columns(FerryRecord)
MEASURE_COLUMNS = {name: _columns(record) for name, record in MEASURE_TABLES.items()}
TRACE_COLUMNS = ("truck", "node", "event", "time_h", "km")
QUEUE_COLUMNS = ("control", "time_h", "queue_length")


def empty_frame(name: str) -> pd.DataFrame:
    """An optional table that was not written (nothing in it), with its columns."""
    columns = {**MEASURE_COLUMNS, "trace": TRACE_COLUMNS, "queues": QUEUE_COLUMNS}.get(name)
    return pd.DataFrame(columns=["scenario", "replication", *columns]) if columns else pd.DataFrame()


def _rows(key: dict, records: list, columns: tuple[str, ...]) -> pd.DataFrame:
    """Rows with the key columns first; an empty table still has its columns."""
    return pd.DataFrame([{**key, **record_dict(r)} for r in records], columns=[*key, *columns])


def _queue_frame(result: ReplicationResult, key: dict) -> pd.DataFrame:
    rows = []
    grid = np.linspace(0.0, result.end_h, QUEUE_POINTS)
    for control, series in result.queue_series.items():
        if not len(series):
            continue
        times, levels = series.arrays()
        idx = np.searchsorted(times, grid, side="right") - 1
        sampled = np.where(idx >= 0, levels[np.clip(idx, 0, None)], 0)
        rows.append(pd.DataFrame({**key, "control": control, "time_h": grid, "queue_length": sampled}))
    if not rows:
        return empty_frame("queues")
    return pd.concat(rows, ignore_index=True)
