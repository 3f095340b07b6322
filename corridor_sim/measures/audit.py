"""Post-clearance audit (corridor_sim/model/audit.py): audits, detections in audit and their delay,
the audit offices' figures, and a warning for a saturated office."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from ..model.audit import AuditRecord
from ..results.stats import summary_ci
from ..scenario.warning_codes import coded
from .outputs import MeasureOutputs, RepStats, TruckCount

SATURATED = 0.97  # mean auditor utilisation over the counting window, across replications
AUDIT_COUNTS = ("released", "audited", "noncompliant", "detected", "missed")
AUDIT_MEANS = ("mean_wait_h", "mean_delay_h", "auditor_utilisation", "mean_backlog")


def audit_summary(rep_stats: RepStats) -> dict[str, Any]:
    """Per country with a post-clearance audit: counts a replication (means) and CIs of the rest."""
    per_country: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rep in rep_stats:
        for row in rep.get("audits", []):
            per_country[row["country"]].append(row)
    out = {}
    for country, rows in per_country.items():
        entry: dict[str, Any] = {"auditors": rows[0]["auditors"]}
        entry.update({f"{k}_per_replication": float(np.mean([r[k] for r in rows])) for k in AUDIT_COUNTS})
        for k in AUDIT_MEANS:
            values = [r[k] for r in rows if r[k] == r[k]]  # NaN: no audit or no detection that replication
            entry[k] = summary_ci(values) if values else None
        out[country] = entry
    return out


def audit_warnings(rep_stats: RepStats) -> list[str]:
    """An audit office busy nearly all the time: its backlog, and the delay to detection, grow without end."""
    busy: dict[str, list[float]] = defaultdict(list)
    for rep in rep_stats:
        for row in rep.get("audits", []):
            busy[row["country"]].append(row["auditor_utilisation"])
    out = []
    for country, values in busy.items():
        mean = sum(values) / len(values)
        if mean >= SATURATED:
            out.append(coded("saturated-audit",
                             f"the post-clearance audit office of {country} is saturated: its auditors are busy {mean:.0%} "
                             f"of the time, so its backlog and the delay to detection grow for as long as the run lasts "
                             f"(give it more auditors, or audit a smaller share)"))
    return out


OUTPUTS = MeasureOutputs(
    name="post_clearance_audit",
    truck_columns=(("audits", "int"), ("audit_detected", "bool")),
    counts=(TruckCount("audit_detected", "audit_detected"), TruckCount("audits", "audits"),
            TruckCount("audit_delay_sum", "audit_delay_h", nan_sum=True)),
    per_100={"audits_per_100": "audits"},
    # of the non-compliant trucks: the share found by a post-clearance audit
    shares={"audit_detection_rate": "audit_detected"},
    detections=("audit_detected",),
    table=("audits", AuditRecord),
    section=("post_clearance_audit", audit_summary),
    warnings=audit_warnings,
)
