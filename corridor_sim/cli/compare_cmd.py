"""`compare`: a baseline and other scenarios on the same replications, paired differences."""
from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING, Any

from .common import (add_experiment_options, check_experiment_args, console, final_line, output_dir, result_warnings,
                     run_to_directory)

if TYPE_CHECKING:
    from rich.table import Table

    from ..results.run_result import RunResult

TOP_CROSSINGS = 5  # crossings listed per scenario, largest changes first


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="run a baseline and other scenarios with common random numbers; paired differences",
                       description="Run BASELINE and each OTHER on the same replications and seeds, then pair "
                                   "them replication by replication: the lead-time difference with its paired-t "
                                   "95% CI, the relative change, and the variance common random numbers removed.")
    p.add_argument("baseline", metavar="BASELINE", nargs="?", help="the reference scenario file")
    p.add_argument("others", metavar="OTHER", nargs="*", help="scenario files to compare with it")
    p.add_argument("--own-effect", action="store_true",
                   help="also run each measure adopted by the headline flows only (background flows as in the "
                        "baseline), as OTHER-own: its own effect apart from the fleet effect")
    add_experiment_options(p, "results/<baseline>-compare")
    p.set_defaults(func=compare)


def _f(x: Any, digits: int = 2, sign: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"


def _ci(d: dict[str, Any], digits: int = 2) -> str:
    return f"[{_f(d['ci_low'], digits, True)}, {_f(d['ci_high'], digits, True)}]"


def _table(title: str, columns: list[str], names: list[str]) -> Table:
    """The first column holds `names`, each kept whole on one line; figures are right-aligned."""
    from .tables import add_name_column, add_number_columns, text_table

    table = text_table(title)
    add_name_column(table, columns[0], names)
    add_number_columns(table, columns[1:])
    return table


def print_comparison(result: RunResult) -> None:
    from rich.text import Text

    from ..model.truck import COMPONENTS
    from ..results.keys import ALL
    from ..results.rates import MIN_TRIALS, share_text

    summary = result.summary_dict
    baseline = summary["baseline"]
    scen = _table(f"lead time of all counted trucks, hours ({summary['replications']} replications, "
                  f"seed {summary['seed']}; baseline {baseline})",
                  ["scenario", "mean", "±95%", "p95", "SWD", "insp./100", "found (n)"], list(summary["scenarios"]))
    for name, s in summary["scenarios"].items():
        if "lead_time_h" not in s:
            scen.add_row(name, "–", *[""] * 5)
            continue
        lead = s["lead_time_h"]
        scen.add_row(name, _f(lead["mean"]), _f(lead["half_width"]), _f(lead["p95"]),
                     _f((s.get("swd_kmh") or {}).get("mean"), 1), _f(s["inspections_per_100"]["mean"], 1),
                     share_text(s.get("detection_rate"), interval=False, count=""))
    console.print(scen)
    console.print(f"SWD: speed with delay, km/h; found (n): share of the non-compliant trucks found at a border, "
                  f"pooled over the replications, and how many there were (fewer than {MIN_TRIALS}: –)", style="dim")

    for name, entry in summary["comparison"].items():
        diff = _table(f"{name} − {baseline}: paired difference of mean lead time, hours (CRN: paired/unpaired "
                      "variance, below 1 when common random numbers helped)",
                      ["flow", "diff.", "95% CI", "relative", "CRN", "sig."],
                      ["all" if flow == ALL else flow for flow in entry["flows"]])
        for flow, f in entry["flows"].items():
            d = f["lead_time_h"]
            diff.add_row("all" if flow == ALL else flow, _f(d["mean"], 2, True), _ci(d),
                         f"{d['relative']:+.1%}" if d["relative"] == d["relative"] else "–",
                         _f(d["crn_variance_ratio"], 2), Text("yes", style="green") if d["significant"] else "no")
        console.print(diff)

    for name, entry in summary["comparison"].items():
        overall = entry["flows"].get(ALL)
        if not overall:
            continue
        changes = sorted(overall["crossings"], key=lambda x: -abs(x["time_h"]["mean"]))[:TOP_CROSSINGS]
        where = _table(f"{name} − {baseline}: where the time changes, hours per truck (clear: CPMM time "
                       "to clear a crossing)", ["component", "baseline", "scenario", "difference", "95% CI"],
                       [*COMPONENTS, *(f"clear {x['node']} {x['crossing']}" for x in changes)])
        for c in COMPONENTS:
            d = overall["components_h"].get(c)
            if d and (d["baseline_mean"] or d["scenario_mean"]):
                where.add_row(c, _f(d["baseline_mean"]), _f(d["scenario_mean"]), _f(d["mean"], 2, True), _ci(d))
        for x in changes:
            d = x["time_h"]
            where.add_row(f"clear {x['node']} {x['crossing']}", _f(d["baseline_mean"]), _f(d["scenario_mean"]),
                          _f(d["mean"], 2, True), _ci(d))
        console.print(where)
    _print_savings(summary)


# the ledger's figures a comparison states per truck and a year: key, label, unit a truck, a year (scale)
SAVINGS = (("cost_usd", "cost", "US$", "US$ M", 1e-6), ("fuel_l", "fuel", "L", "kL", 1e-3),
           ("co2_kg", "CO2", "kg", "t", 1e-3), ("co2e_wtw_kg", "CO2e WTW", "kg", "t", 1e-3))


def _print_savings(summary: dict[str, Any]) -> None:
    """Money, fuel and CO2 per truck, and a year at the flows' volume, paired with the baseline."""
    from ..results.keys import ALL

    baseline = summary["baseline"]
    for name, entry in summary["comparison"].items():
        overall = entry["flows"].get(ALL) or {}
        ledger = overall.get("ledger")
        if not ledger:
            continue
        rows: list[tuple[str, dict[str, Any], int]] = []
        for key, label, unit, year_unit, scale in SAVINGS:
            if ledger.get(key):
                rows.append((f"{label}, {unit} a truck", ledger[key], 1 if key == "cost_usd" else 2))
            if (ledger.get("per_year") or {}).get(key):
                d = ledger["per_year"][key]
                rows.append((f"{label}, {year_unit} a year", {k: (v * scale if isinstance(v, float) else v)
                                                              for k, v in d.items()}, 2))
        volume = ledger.get("trucks_per_year")
        year = f", a year at the flows' {volume:,.0f} trucks" if volume else ""
        table = _table(f"{name} − {baseline}: money, fuel and emissions, paired (all counted trucks{year}; "
                       "negative: saved)", ["figure", "baseline", "scenario", "difference", "95% CI"],
                       [label for label, _, _ in rows])
        for label, d, digits in rows:
            table.add_row(label, _f(d["baseline_mean"], digits), _f(d["scenario_mean"], digits),
                          _f(d["mean"], digits, True), _ci(d, digits))
        console.print(table)


def compare(args: argparse.Namespace) -> int:
    from ..experiment import compare_plan, distinct_names, resume_plan
    from ..scenario import load_scenario

    check_experiment_args(args, [args.baseline])
    if args.baseline:
        files = [args.baseline, *args.others]
        scenarios = distinct_names([load_scenario(f, args.overrides) for f in files], files)
        plan = compare_plan(scenarios, args.replications, args.seed, args.trace, args.own_effect)
    else:
        plan = resume_plan(args.resume, "compare")
    target = output_dir(args, f"{plan.baseline}-compare")
    result = run_to_directory(args, plan, target)
    print_comparison(result)
    result_warnings(result)
    final_line(result, target)
    return 0
