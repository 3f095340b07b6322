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

from . import audit, exchange, ledger, permits, scanners
from .outputs import MeasureOutputs, RepStats, TruckCount

__all__ = ["MEASURES", "MeasureOutputs", "RepStats", "TruckCount"]

# the order of columns, tables and summary sections in every output
MEASURES: tuple[MeasureOutputs, ...] = (scanners.OUTPUTS, audit.OUTPUTS, exchange.OUTPUTS, permits.OUTPUTS, ledger.OUTPUTS)
