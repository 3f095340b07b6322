"""Non-intrusive inspection (corridor_sim/model/scanners.py): the scans each truck had.

A control's scans, anomalies, inspections avoided and scanner utilisation are columns of
controls.csv (the control's own record).
"""
from __future__ import annotations

from .outputs import MeasureOutputs, TruckCount

OUTPUTS = MeasureOutputs(
    name="scanners",
    truck_columns=(("scans", "int"),),
    counts=(TruckCount("scans", "scans"),),
    per_100={"scans_per_100": "scans"},
)
