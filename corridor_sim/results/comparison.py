"""Paired comparisons with a baseline under common random numbers (docs/reference/experiments.md explains them).

Replication r of every scenario uses the same seed, so per-replication differences cancel the
noise the scenarios share. For each other scenario and flow: the paired-t CI of the lead-time
difference, the relative change, and `crn_variance_ratio` = (paired / unpaired half-width)^2,
the share of variance left after pairing (below 1: common random numbers helped).
"""
from __future__ import annotations

from typing import Any, Callable

from ..measures import MEASURES
from ..model.truck import COMPONENTS
from .keys import ALL
from .stats import paired_difference
from .summary import SHARES, crossing_times

PAIRED_KEYS = ("mean", "ci_low", "ci_high", "half_width", "n", "relative", "relative_ci_low", "relative_ci_high",
               "unpaired_half_width", "crn_variance_ratio", "significant")


def _by_replication(rep_stats: list[dict[str, Any]], group: str) -> dict[int, dict[str, Any]]:
    """Replication index -> that replication's statistics of `group` (only if it counted trucks)."""
    out = {}
    for rep in rep_stats:
        g = rep["groups"].get(group)
        if g and g.get("trucks", 0) > 0:
            out[rep["replication"]] = g
    return out


def _paired(base: dict[int, float], other: dict[int, float]) -> dict[str, Any] | None:
    """Paired difference over the replications both sides have."""
    common = sorted(set(base) & set(other))
    if not common:
        return None
    diff = paired_difference([other[r] for r in common], [base[r] for r in common])
    return {k: diff[k] for k in ("baseline_mean", "scenario_mean", *PAIRED_KEYS)}


def paired_group(base_stats: list[dict], other_stats: list[dict], group: str,
                 measure: Callable[[dict[str, Any]], float]) -> dict[str, Any] | None:
    """A figure the summary does not pair (e.g. a sum of components), paired as the others are."""
    base, other = _by_replication(base_stats, group), _by_replication(other_stats, group)
    return _paired({r: measure(g) for r, g in base.items()}, {r: measure(g) for r, g in other.items()})


def _flow_comparison(base_stats: list[dict], other_stats: list[dict], group: str) -> dict[str, Any] | None:
    base = _by_replication(base_stats, group)
    other = _by_replication(other_stats, group)
    lead = _paired({r: g["lead_time_mean"] for r, g in base.items()}, {r: g["lead_time_mean"] for r, g in other.items()})
    if lead is None:
        return None
    components = {c: _paired({r: g[c] for r, g in base.items()}, {r: g[c] for r, g in other.items()}) for c in COMPONENTS}
    where = None if group == ALL else group
    # the counted trucks of the lead times, so that a crossing's saving is part of the total
    base_x = {rep["replication"]: crossing_times(rep, where, counted=True) for rep in base_stats}
    other_x = {rep["replication"]: crossing_times(rep, where, counted=True) for rep in other_stats}
    keys: list[tuple[str, str]] = []
    for times in list(base_x.values()) + list(other_x.values()):
        keys += [k for k in times if k not in keys]
    crossings = []
    for node, crossing in keys:
        diff = _paired({r: t[(node, crossing)] for r, t in base_x.items() if (node, crossing) in t},
                       {r: t[(node, crossing)] for r, t in other_x.items() if (node, crossing) in t})
        if diff is not None:
            crossings.append({"node": node, "crossing": crossing, "time_h": diff})
    out = {"lead_time_h": lead, "components_h": components, "crossings": crossings,
           "checks": _checks(base, other), "violations": _violations(base, other)}
    for m in MEASURES:
        if m.means and any(m.means[0] in g for g in base.values()):
            out[m.means_section] = _means(base, other, m.means)
    return out


def _means(base: dict[int, dict[str, Any]], other: dict[int, dict[str, Any]], columns: tuple[str, ...]) -> dict[str, Any]:
    """Paired differences of per-truck means (the ledger's money, fuel and emissions), and of the
    main ones scaled to a year at the flow's volume (its trucks a year; none for a caravan)."""
    from ..measures.ledger import PER_YEAR

    out: dict[str, Any] = {c: _paired({r: g[c] for r, g in base.items() if c in g},
                                      {r: g[c] for r, g in other.items() if c in g}) for c in columns}
    volume = next((g.get("trucks_per_year") for g in base.values()), None)
    if volume:
        out["trucks_per_year"] = volume
        out["per_year"] = {c: _scaled(out[c], volume) for c in PER_YEAR if out.get(c)}
    return out


def _scaled(d: dict[str, Any], factor: float) -> dict[str, Any]:
    """A paired difference per truck as a total for `factor` trucks (CIs scale with it)."""
    keys = ("mean", "ci_low", "ci_high", "half_width", "baseline_mean", "scenario_mean", "unpaired_half_width")
    return {k: (v * factor if k in keys and v is not None else v) for k, v in d.items()}


CHECKS = {"inspections_per_100": "inspections", **{k: c for m in MEASURES for k, c in m.per_100.items()},
          "yellow_per_100": "yellow"}


def _checks(base: dict[int, dict[str, Any]], other: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Paired differences of the checks a truck met: physical inspections, scans, audits and
    yellow checks per 100 trucks."""
    def rate(reps: dict[int, dict[str, Any]], key: str) -> dict[int, float]:
        return {r: 100 * g.get(key, 0) / g["trucks"] for r, g in reps.items()}
    return {name: _paired(rate(base, key), rate(other, key)) for name, key in CHECKS.items()}


def _violations(base: dict[int, dict[str, Any]], other: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Paired differences of what becomes of the non-compliant trucks: found at the border, in
    audit, or nowhere (shares of them; replications without one left out), each with the
    non-compliant trucks of its replications on both sides (`baseline_n`, `scenario_n`), so a
    difference of shares of a handful of trucks can be shown as such (`rates.MIN_TRIALS`)."""
    def shares(reps: dict[int, dict[str, Any]], key: str) -> dict[int, float]:
        return {r: g[key] / g["noncompliant"] for r, g in reps.items() if g.get("noncompliant", 0) > 0}
    out: dict[str, Any] = {}
    for name, key in SHARES.items():
        b, o = shares(base, key), shares(other, key)
        d = _paired(b, o)
        if d is not None:
            common = set(b) & set(o)
            d["baseline_n"] = int(sum(base[r]["noncompliant"] for r in common))
            d["scenario_n"] = int(sum(other[r]["noncompliant"] for r in common))
        out[name] = d
    return out


def comparison_section(stats: dict[str, list[dict[str, Any]]], baseline: str) -> dict[str, Any]:
    """`comparison.<scenario>.flows.<flow>.{lead_time_h, components_h, crossings}` against `baseline`."""
    base_stats = stats[baseline]
    out: dict[str, Any] = {}
    for name, other_stats in stats.items():
        if name == baseline:
            continue
        groups = [ALL] + sorted({g for rep in base_stats + other_stats for g in rep["groups"] if g != ALL})
        flows = {}
        for group in groups:
            entry = _flow_comparison(base_stats, other_stats, group)
            if entry is not None:
                flows[group] = entry
        out[name] = {"flows": flows}
    return out


def comparison_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """A tidy table of the comparison: one row per scenario, flow and measure."""
    baseline = summary.get("baseline")
    rows = []
    for name, entry in (summary.get("comparison") or {}).items():
        for flow, f in entry["flows"].items():
            measures = [("lead_time_h", "", f["lead_time_h"])]
            measures += [(f"{c}_h", "", d) for c, d in f["components_h"].items() if d is not None]
            measures += [("crossing_time_h", f"{x['node']} {x['crossing']}", x["time_h"]) for x in f["crossings"]]
            measures += [(name, "", d) for name, d in f.get("checks", {}).items() if d is not None]
            measures += [(name, "", d) for name, d in f.get("violations", {}).items() if d is not None]
            ledger = f.get("ledger") or {}
            measures += [(name, "", d) for name, d in ledger.items() if isinstance(d, dict) and "mean" in d]
            measures += [(f"{name}_per_year", "", d) for name, d in (ledger.get("per_year") or {}).items()]
            for measure, where, d in measures:
                rows.append({
                    "scenario": name, "baseline": baseline, "flow": flow, "measure": measure, "where": where,
                    "baseline_mean": d["baseline_mean"], "scenario_mean": d["scenario_mean"],
                    "difference": d["mean"], "ci_low": d["ci_low"], "ci_high": d["ci_high"],
                    "half_width": d["half_width"], "relative": d["relative"],
                    "unpaired_half_width": d["unpaired_half_width"], "crn_variance_ratio": d["crn_variance_ratio"],
                    "significant": d["significant"], "replications": d["n"],
                })
    return rows
