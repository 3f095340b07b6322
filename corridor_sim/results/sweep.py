"""The sweep table: one row per grid point with its varied values, lead-time, cost and CO2 figures."""
from __future__ import annotations

from typing import Any

from ..model.truck import COMPONENTS
from .keys import ALL


SWEPT = ("cost_usd", "co2_kg")  # the ledger's figures per truck in each point's row, and paired with the first


def sweep_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of `sweep.csv` from a sweep's summary (every counted truck of each point).

    `difference_*` is the paired difference to the first point (the sweep's baseline).
    """
    spec = summary.get("sweep")
    if not spec:
        return []
    comparison = summary.get("comparison") or {}
    rows = []
    for index, point in enumerate(spec["points"]):
        name = point["scenario"]
        s = summary["scenarios"][name]
        row: dict[str, Any] = {"point": index, "scenario": name, **point["values"]}
        lead = s.get("lead_time_h")
        if lead:
            row.update({
                "replications": s["replications"], "trucks_per_replication": s["trucks_per_replication"],
                "lead_time_mean_h": lead["mean"], "lead_time_ci_low_h": lead["ci_low"],
                "lead_time_ci_high_h": lead["ci_high"], "lead_time_half_width_h": lead["half_width"],
                "lead_time_median_h": lead["median"], "lead_time_p95_h": lead["p95"],
                **{f"{c}_h": s["components_h"][c] for c in COMPONENTS},
                "swd_kmh": (s.get("swd_kmh") or {}).get("mean"),
                "inspections_per_100": s["inspections_per_100"]["mean"],
            })
        ledger = s.get("ledger") or {}
        row.update({f"{key}_mean": ledger[key]["mean"] for key in SWEPT if key in ledger})
        flow = (comparison.get(name) or {}).get("flows", {}).get(ALL, {})
        diff = flow.get("lead_time_h")
        if index == 0:
            row.update({"difference_h": 0.0, "difference_ci_low_h": 0.0, "difference_ci_high_h": 0.0})
            row.update({f"difference_{key}{end}": 0.0 for key in SWEPT if key in ledger for end in ("", "_ci_low", "_ci_high")})
        elif diff:
            row.update({"difference_h": diff["mean"], "difference_ci_low_h": diff["ci_low"],
                        "difference_ci_high_h": diff["ci_high"]})
            for key in SWEPT:
                d = (flow.get("ledger") or {}).get(key)
                if d:
                    row.update({f"difference_{key}": d["mean"], f"difference_{key}_ci_low": d["ci_low"],
                                f"difference_{key}_ci_high": d["ci_high"]})
        rows.append(row)
    return rows
