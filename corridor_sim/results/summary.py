"""From per-replication statistics to the summary: means with CIs, quantiles, CPMM indicators."""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable

import numpy as np

from ..measures import MEASURES
from ..model.truck import COMPONENTS
from .keys import ALL
from .rates import pooled_share
from .stats import summary_ci
from .warnings import saturation_warnings


_ci = summary_ci

# of the non-compliant trucks, summary key -> the count: found at a border, by each measure that finds them, nowhere
SHARES = {"detection_rate": "detected", **{k: c for m in MEASURES for k, c in m.shares.items()}, "missed_rate": "missed"}


def _group_summary(reps: list[dict[str, Any]]) -> dict[str, Any] | None:
    reps = [r for r in reps if r and r.get("trucks", 0) > 0]
    if not reps:
        return None
    lead = _ci([r["lead_time_mean"] for r in reps])
    lead.update({
        "median": float(np.mean([r["lead_time_median"] for r in reps])),
        "p90": float(np.mean([r["lead_time_p90"] for r in reps])),
        "p95": float(np.mean([r["lead_time_p95"] for r in reps])),
    })
    swod = [r["km_sum"] / r["drive_sum"] for r in reps if r["drive_sum"] > 0]
    swd = [r["km_sum"] / r["lead_sum"] for r in reps if r["lead_sum"] > 0]
    return {
        "replications": len(reps),
        "trucks_per_replication": float(np.mean([r["trucks"] for r in reps])),
        "lead_time_h": lead,
        "components_h": {c: float(np.mean([r[c] for r in reps])) for c in COMPONENTS},
        "components_ci_h": {c: _ci([r[c] for r in reps]) for c in COMPONENTS},
        "swod_kmh": _ci(swod) if swod else None,
        "swd_kmh": _ci(swd) if swd else None,
        "inspections_per_100": _ci([100 * r["inspections"] / r["trucks"] for r in reps]),
        "yellow_per_100": _ci([100 * r["yellow"] / r["trucks"] for r in reps]),
        **{key: _ci([100 * r[count] / r["trucks"] for r in reps]) for m in MEASURES for key, count in m.per_100.items()},
        # of the non-compliant trucks: the share found at a border, by each measure that finds them, and
        # nowhere; pooled over the replications (each truck a trial) with a Wilson interval and its count,
        # since a few trucks a replication made a mean of shares look precise (0 of 4: [0, 0])
        **{key: pooled_share(reps, count, "noncompliant") for key, count in SHARES.items()},
        # means per truck (the ledger's money, fuel and emissions) where the replications were costed
        **{m.means_section: {c: _ci([r[c] for r in reps]) for c in m.means}
           for m in MEASURES if m.means and all(c in r for r in reps for c in m.means)},
        **({"trucks_per_year": reps[0]["trucks_per_year"]} if "trucks_per_year" in reps[0] else {}),
    }


def crossing_times(rep: dict[str, Any], group: str | None, counted: bool = False) -> dict[tuple[str, str], float]:
    """CPMM-style time to clear each crossing in one replication (node, crossing) -> hours.

    Both controls of a crossing add up; leaving a port by ferry adds the mean wait for a ferry
    there (weighted by trucks over the port's ferry links). `group` None: every truck; else one
    flow or caravan. The trucks are those that reached the control in the counting window (as
    CPMM counts a period's crossings), or with `counted` the counted trucks whenever they came,
    the trucks of the lead times, so that a comparison's crossings and components are of the
    same trucks.
    """
    if counted:
        # per control, the counted trucks of every flow (or of `group`), weighted by their number
        controls = _weighted_rows(rep["control_groups"], group, "counted", "counted_time_h",
                                  lambda r: (r["node"], r["crossing"], r["country"], r["direction"]))
        totals: dict[tuple[str, str], float] = {}
        for (node, crossing, _, _), time_h in controls.items():
            totals[(node, crossing)] = totals.get((node, crossing), 0.0) + time_h
        ferry_waits = _weighted_rows(rep.get("ferry_groups", []), group, "counted", "counted_wait_h",
                                     lambda r: (r["from"], r["crossing"]))
        for key, wait in ferry_waits.items():
            if key in totals:
                totals[key] += wait
        return totals
    totals = {}
    rows = rep["controls"] if group is None else [r for r in rep["control_groups"] if r["group"] == group]
    for row in rows:
        if row["trucks"]:
            key = (row["node"], row["crossing"])
            totals[key] = totals.get(key, 0.0) + row["mean_time_h"]
    ferries = rep["ferries"] if group is None else [r for r in rep.get("ferry_groups", []) if r["group"] == group]
    waits: dict[tuple[str, str], list[float]] = {}
    for row in ferries:
        if row["trucks"]:
            tally = waits.setdefault((row["from"], row["crossing"]), [0.0, 0.0])
            tally[0] += row["trucks"]
            tally[1] += row["trucks"] * row["mean_wait_h"]
    for key, (trucks, wait_sum) in waits.items():
        if key in totals:
            totals[key] += wait_sum / trucks
    return totals


def crossing_costs(rep: dict[str, Any], group: str | None) -> dict[tuple[str, str], float]:
    """CPMM TFI2 of each crossing and direction in one replication, (node, crossing) -> US$: what a
    truck pays to clear both its controls (official fees and informal payments; the ledger's).
    `group` None: the controls every truck passed; else those a flow or caravan passed."""
    costs = {(r["node"], r["country"], r["direction"]): r["cost_usd"] for r in (rep.get("costs") or {}).get("controls", [])}
    if not costs:
        return {}
    rows = rep["controls"] if group is None else [r for r in rep["control_groups"] if r["group"] == group]
    totals: dict[tuple[str, str], float] = {}
    for row in rows:
        cost = costs.get((row["node"], row["country"], row["direction"]))
        if row["trucks"] and cost is not None:
            key = (row["node"], row["crossing"])
            totals[key] = totals.get(key, 0.0) + cost
    return totals


def _weighted_rows(rows: list[dict[str, Any]], group: str | None, weight: str, column: str,
                   key: Callable[[dict[str, Any]], tuple]) -> dict[tuple, float]:
    """`column` averaged over the rows of `group` (or all) that share a key, weighted by `weight`."""
    sums: dict[tuple, list[float]] = {}
    for row in rows:
        n = row.get(weight, 0)
        if n and (group is None or row["group"] == group):
            tally = sums.setdefault(key(row), [0.0, 0.0])
            tally[0] += n
            tally[1] += n * row[column]
    return {k: total / n for k, (n, total) in sums.items()}


def _crossings(rep_stats: list[dict[str, Any]], group: str | None) -> list[dict[str, Any]]:
    """Mean time to clear each crossing over replications, with its CI, in route order; where the
    replications were costed, CPMM's cost to clear it (TFI2) beside it."""
    per_rep: dict[tuple[str, str], list[float]] = defaultdict(list)
    costs: dict[tuple[str, str], list[float]] = defaultdict(list)
    for rep in rep_stats:
        for key, value in crossing_times(rep, group).items():
            per_rep[key].append(value)
        for key, value in crossing_costs(rep, group).items():
            costs[key].append(value)
    return [{"node": key[0], "crossing": key[1], "time_h": _ci(values),
             **({"cost_usd": _ci(costs[key])} if key in costs else {})} for key, values in per_rep.items()]


def scenario_summary(name: str, description: str, rep_stats: list[dict[str, Any]]) -> dict[str, Any]:
    overall = _group_summary([r["groups"].get(ALL, {}) for r in rep_stats]) or {}
    groups = sorted({g for r in rep_stats for g in r["groups"] if g != ALL})
    flows = {}
    for g in groups:
        summary = _group_summary([r["groups"].get(g, {}) for r in rep_stats])
        if summary is not None:
            summary["crossings"] = _crossings(rep_stats, g)
            flows[g] = summary
    return {
        "description": description,
        **overall,
        "crossings": _crossings(rep_stats, None),
        "flows": flows,
        **{m.section[0]: m.section[1](rep_stats) for m in MEASURES if m.section},
        "warnings": saturation_warnings(rep_stats),
        "conservation": {
            "created": int(sum(r["created"] for r in rep_stats)),
            "arrived": int(sum(r["arrived"] for r in rep_stats)),
        },
    }


def summary_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Flat rows (scenario, flow) for the summary table; flow '*' is every counted truck."""
    rows = []
    for scenario, s in summary["scenarios"].items():
        for flow, f in [(ALL, s)] + list(s.get("flows", {}).items()):
            if "lead_time_h" not in f:
                continue
            lead = f["lead_time_h"]
            row = {
                "scenario": scenario, "flow": flow, "replications": f["replications"],
                "trucks_per_replication": f["trucks_per_replication"],
                "lead_time_mean_h": lead["mean"], "lead_time_ci_low_h": lead["ci_low"],
                "lead_time_ci_high_h": lead["ci_high"], "lead_time_half_width_h": lead["half_width"],
                "lead_time_median_h": lead["median"], "lead_time_p90_h": lead["p90"], "lead_time_p95_h": lead["p95"],
            }
            row.update({f"{c}_h": v for c, v in f["components_h"].items()})
            row["swod_kmh"] = f["swod_kmh"]["mean"] if f.get("swod_kmh") else float("nan")
            row["swd_kmh"] = f["swd_kmh"]["mean"] if f.get("swd_kmh") else float("nan")
            row["inspections_per_100"] = f["inspections_per_100"]["mean"]
            for rate in SHARES:  # pooled over replications: the share, its Wilson interval, the trucks it is of
                share = f.get(rate) or {}
                row[rate] = share.get("mean", float("nan"))
                row[f"{rate}_ci_low"] = share.get("ci_low", float("nan"))
                row[f"{rate}_ci_high"] = share.get("ci_high", float("nan"))
                row[f"{rate}_n"] = share.get("n", 0)
            ledger = f.get("ledger") or {}  # what the time costs, per truck, where the run was costed
            for key in ("cost_usd", "fuel_l", "co2_kg", "co2e_wtw_kg", "nox_g", "pm_g"):
                if key in ledger:
                    row[key] = ledger[key]["mean"]
            rows.append(row)
    return rows
