"""`run`: replicate one scenario and write its run directory."""
from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

from .common import (add_experiment_options, check_experiment_args, console, final_line, output_dir, result_warnings,
                     run_to_directory)

if TYPE_CHECKING:
    import pandas as pd

    from ..results.run_result import RunResult


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run a scenario's replications and write tables, summary and manifest",
                       description="Run a scenario's replications and write its run directory. Finished "
                                   "replications are kept in DIR.partial/ until the run is complete; "
                                   "an interrupted run is completed with --resume DIR.")
    p.add_argument("file", metavar="SCENARIO", nargs="?", help="scenario file (not needed with --resume)")
    add_experiment_options(p)
    p.set_defaults(func=run)


def _fmt(x: float | None, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def print_summary(result: RunResult) -> None:
    from ..model.truck import COMPONENTS
    from ..scenario.network import place_name
    from .tables import add_name_column, add_number_columns, text_table

    for name, s in result.summary_dict["scenarios"].items():
        if "lead_time_h" not in s:
            console.line(f"{name}: no counted trucks arrived")
            continue
        lead = s["lead_time_h"]
        table = text_table(f"{name}: lead time over {s['replications']} replications "
                           f"({s['trucks_per_replication']:.0f} counted trucks each)")
        rows = [("all counted", s)] + list(s.get("flows", {}).items())
        add_name_column(table, "flow", [label for label, _ in rows])
        add_number_columns(table, ("mean h", "±95% CI", "days", "median h", "p95 h", "SWOD", "SWD"))
        for label, f in rows:
            lead = f["lead_time_h"]
            table.add_row(label, _fmt(lead["mean"]), _fmt(lead["half_width"]), _fmt(lead["mean"] / 24, 1),
                          _fmt(lead["median"]), _fmt(lead["p95"]),
                          _fmt((f.get("swod_kmh") or {}).get("mean"), 1), _fmt((f.get("swd_kmh") or {}).get("mean"), 1))
        console.print(table)
        console.print("SWOD, SWD: speed without and with delay (km/h)", style="dim")
        # one row a component: ten columns would not fit a terminal's width
        comps = text_table("where the time goes (mean hours per truck)")
        add_name_column(comps, "component", COMPONENTS)
        add_number_columns(comps, ("mean h", "share"))
        total = sum(s["components_h"].values())
        for c in COMPONENTS:
            hours = s["components_h"][c]
            comps.add_row(c, _fmt(hours), f"{hours / total:.0%}" if total > 0 else "–")
        console.print(comps)
        scenario = result.scenarios.get(name)
        labels = {n: place_name(scenario, n, short=True) for n in scenario.nodes} if scenario else {}
        print_costs(name, s, labels)
        controls = result.controls
        if not controls.empty:
            print_waits(controls[controls["scenario"] == name], labels)


# the ledger's figures a run states per truck: key, label, digits
COSTS = (("cost_usd", "cost, US$", 0), ("cost_cargo_usd", "  of which the cargo's time, US$", 0),
         ("cost_fees_usd", "  of which fees, US$", 0), ("fuel_l", "fuel, L", 1), ("fuel_idle_l", "  of which idling, L", 1),
         ("co2_kg", "CO2, kg", 1), ("co2e_wtw_kg", "CO2e well-to-wheel, kg", 1), ("nox_g", "NOx, g", 0), ("pm_g", "PM, g", 1))


def print_costs(name: str, s: dict, labels: dict[str, str] | None = None) -> None:
    """What the time costs per truck (the ledger), and CPMM's time and cost to clear each crossing,
    named by their nodes' labels where the scenario gives them."""
    from .tables import add_name_column, add_number_columns, text_table

    ledger = s.get("ledger")
    if not ledger:
        return
    table = text_table("what the time costs (mean per counted truck)")
    add_name_column(table, "figure", [label for _, label, _ in COSTS])
    add_number_columns(table, ("mean", "±95% CI"))
    for key, label, digits in COSTS:
        table.add_row(label, _fmt(ledger[key]["mean"], digits), _fmt(ledger[key]["half_width"], digits))
    console.print(table)
    crossings = [x for x in s.get("crossings") or [] if "cost_usd" in x]
    if crossings:
        cpmm = text_table(f"{name}: CPMM indicators by crossing and direction (all trucks)")
        names = [f"{(labels or {}).get(x['node'], x['node'])} {x['crossing']}" for x in crossings]
        add_name_column(cpmm, "crossing", names)
        add_number_columns(cpmm, ("TFI1 h", "±95% CI", "TFI2 US$"))
        for label, x in zip(names, crossings):
            cpmm.add_row(label, _fmt(x["time_h"]["mean"], 1), _fmt(x["time_h"]["half_width"], 1),
                         _fmt(x["cost_usd"]["mean"], 0))
        console.print(cpmm)
        console.print("TFI1: hours to clear the crossing (both controls; leaving a port, the ferry wait too); "
                      "TFI2: what a truck pays there (fees and informal payments); TFI3 by section: summary.json "
                      "cost_indicators", style="dim")


def busiest_waits(controls: "pd.DataFrame", n: int = 3) -> "pd.DataFrame":
    """The controls where trucks lose the most hours a day (trucks a day x mean time there), so a
    big crossing with a short wait outranks a small post that is closed at weekends."""
    cols = ["arrivals_per_h", "mean_time_h", "mean_closed_h", "mean_queue_h", "lane_utilisation"]
    mean = controls.groupby(["node", "country", "direction"])[cols].mean()
    mean["trucks_per_day"] = mean["arrivals_per_h"] * 24
    mean["truck_hours_per_day"] = mean["trucks_per_day"] * mean["mean_time_h"]
    return mean.sort_values("truck_hours_per_day", ascending=False).head(n)


def print_waits(controls: "pd.DataFrame", labels: dict[str, str] | None = None) -> None:
    """The busiest controls, named by their nodes' labels where the scenario gives them."""
    from .tables import add_name_column, add_number_columns, text_table

    waits = busiest_waits(controls)
    if not len(waits):
        return
    t = text_table("where trucks lose the most hours (all trucks, background included)")
    names = [f"{(labels or {}).get(node, node)} {country} {direction}" for node, country, direction in waits.index]
    add_name_column(t, "control", names)
    # short headers: the table fits 80 columns, so no header is cut
    add_number_columns(t, ("trucks/d", "truck-h/d", "mean h", "closed h", "queue h", "lane use"))
    for label, (_, row) in zip(names, waits.iterrows()):
        t.add_row(label, _fmt(row["trucks_per_day"], 0), _fmt(row["truck_hours_per_day"], 0),
                  _fmt(row["mean_time_h"]), _fmt(row["mean_closed_h"]), _fmt(row["mean_queue_h"]),
                  _fmt(row["lane_utilisation"]))
    console.print(t)
    console.print("trucks/d: trucks a day; truck-h/d: trucks a day x mean hours there; lane use: busy share of the lane-hours staffed "
                  "(shifts and outages counted); closed h: waiting for the control to open", style="dim")


def run(args: argparse.Namespace) -> int:
    from ..experiment import Plan, resume_plan
    from ..scenario import load_scenario

    check_experiment_args(args, [args.file])
    if args.file:
        scenario = load_scenario(args.file, args.overrides)
        plan = Plan((scenario,), args.replications or scenario.experiment.replications,
                    scenario.experiment.seed if args.seed is None else args.seed, args.trace)
    else:
        plan = resume_plan(args.resume, "run")
    target = output_dir(args, plan.scenarios[0].name)
    result = run_to_directory(args, plan, target)
    print_summary(result)
    result_warnings(result)
    final_line(result, target)
    return 0
