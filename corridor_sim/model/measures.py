"""The customs measures a world builds, in the order they are built and wired into each control.

Each is a class of its own module (`audit.py`, `exchange.py`, `permits.py`) with `table` (its
record table's name), `__init__(world)` (what it needs for the whole replication, from its own
scenario section; nothing when the scenario has none), `wire(world, control, authorities, key)`
(attach itself to a control when the world makes one), `records()` and `truck_columns(ids)` (its
outputs at the end). The world goes through `MECHANISMS` and names none of them. Scanners are a
control's own equipment (`scanners.py`, built with the control's settings). What each measure adds
to the outputs is declared in `corridor_sim/measures/`.
"""
from __future__ import annotations

from .audit import AuditMeasure
from .exchange import ExchangeMeasure
from .permits import PermitMeasure

# the exchange before the audit: what the last country sent changes a verdict before the audit
# screen decides whether a selection is released to audit instead
MECHANISMS = (ExchangeMeasure, AuditMeasure, PermitMeasure)
