"""Road permits (corridor_sim/model/permits.py): permits used and the waits for them per quota,
and a warning where a quota ran out. A truck's wait is its `permit` time component."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..model.permits import PermitRecord
from ..results.stats import summary_ci
from ..scenario.warning_codes import coded
from .outputs import MeasureOutputs, RepStats


def permit_summary(rep_stats: RepStats) -> dict[str, Any]:
    """Per quota `A -> B`: permits used and trucks that waited a replication, and the waits (CIs)."""
    per_pair: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rep in rep_stats:
        for row in rep.get("permits", []):
            per_pair[f"{row['registered']} -> {row['country']}"].append(row)
    out = {}
    for pair, rows in per_pair.items():
        entry: dict[str, Any] = {"permits": rows[0]["permits"], "period": rows[0]["period"],
                                 "used": summary_ci([r["used"] for r in rows]),
                                 "waited": summary_ci([r["waited"] for r in rows])}
        for k in ("mean_wait_h", "max_wait_h"):
            values = [r[k] for r in rows if r[k] == r[k]]
            entry[k] = summary_ci(values) if values else None
        out[pair] = entry
    return out


def permit_warnings(rep_stats: RepStats) -> list[str]:
    """Road permits that ran out: trucks waited at the border for a later period's quota."""
    waits: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for rep in rep_stats:
        for row in rep.get("permits", []):
            waits[row["registered"], row["country"]].append(row)
    out = []
    for (registered, country), rows in waits.items():
        waited = sum(r["waited"] for r in rows) / len(rows)
        if waited > 0:
            hours = [r["mean_wait_h"] for r in rows if r["mean_wait_h"] == r["mean_wait_h"]]
            out.append(coded("permits-ran-out",
                             f"road permits {registered} -> {country} ran out: {waited:.0f} trucks a replication waited at "
                             f"the border for the next {rows[0]['period']}'s quota, {sum(hours) / len(hours) / 24:.1f} days "
                             f"on average (the longest {max(r['max_wait_h'] for r in rows) / 24:.1f} days)"))
    return out


OUTPUTS = MeasureOutputs(
    name="road_permits",
    table=("permits", PermitRecord),
    section=("road_permits", permit_summary),
    warnings=permit_warnings,
)
