"""The cost, fuel and emission ledger (corridor_sim/results/ledger.py): its columns in trucks.csv,
its means per truck (with CIs, and paired in compare), and CPMM's cost indicators: TFI2 per
control and TFI3 per section, each a mean over replications with its CI."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..results.stats import summary_ci
from .outputs import MeasureOutputs, RepStats

LEDGER_COLUMNS = (
    "cost_drive_usd", "cost_rest_usd", "cost_queue_usd", "cost_document_usd", "cost_inspection_usd",
    "cost_ferry_usd", "cost_fees_usd", "cost_ferry_tariff_usd", "cost_cargo_usd", "cost_usd",
    "fuel_drive_l", "fuel_idle_l", "fuel_l", "co2_kg", "co2e_wtw_kg", "nox_g", "pm_g",
)
# the figures a comparison scales to a year at the flow's volume
PER_YEAR = ("cost_usd", "fuel_l", "co2_kg", "co2e_wtw_kg")


def cost_indicators(rep_stats: RepStats) -> dict[str, Any]:
    """`controls`: TFI2, the cost a truck pays at each control (fees and informal payments);
    `sections`: TFI3, the cost of each flow's road section in a country (`*`: its whole road
    route), US$ per 500 km per 20 t; means over replications with 95% CIs."""
    controls: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    sections: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for rep in rep_stats:
        costs = rep.get("costs") or {}
        for row in costs.get("controls", []):
            controls[row["node"], row["country"], row["direction"]].append(row)
        for row in costs.get("sections", []):
            sections[row["flow"], row["country"]].append(row)
    return {
        "controls": [{"node": node, "country": country, "direction": direction, "crossing": rows[0]["crossing"],
                      "fees_usd": rows[0]["fees_usd"], "informal_usd": rows[0]["informal_usd"],
                      "cost_usd": summary_ci([r["cost_usd"] for r in rows])}
                     for (node, country, direction), rows in controls.items()],
        "sections": [{"flow": flow, "country": country, "km": rows[0]["km"],
                      "cost_usd": summary_ci([r["cost_usd"] for r in rows]),
                      "usd_per_500km_20t": summary_ci([r["usd_per_500km_20t"] for r in rows])}
                     for (flow, country), rows in sections.items()],
    }


OUTPUTS = MeasureOutputs(
    name="ledger",
    truck_columns=tuple((c, "float") for c in LEDGER_COLUMNS),
    means=LEDGER_COLUMNS,
    means_section="ledger",
    section=("cost_indicators", cost_indicators),
)
