"""Information exchange between customs (corridor_sim/model/exchange.py): what each ordered pair
of countries' exchange did to the trucks."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..model.exchange import ExchangeRecord
from ..results.stats import summary_ci
from .outputs import MeasureOutputs, RepStats

EXCHANGE_COUNTS = ("trucks", "in_time", "precleared", "recognised", "alerts", "alerted", "alert_reds")


def exchange_summary(rep_stats: RepStats) -> dict[str, Any]:
    """Per ordered pair `A -> B`: what the exchange did, in trucks a replication (means with CIs)."""
    per_pair: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rep in rep_stats:
        for row in rep.get("exchanges", []):
            per_pair[f"{row['exporter']} -> {row['importer']}"].append(row)
    return {pair: {k: summary_ci([r[k] for r in rows]) for k in EXCHANGE_COUNTS} for pair, rows in per_pair.items()}


OUTPUTS = MeasureOutputs(
    name="information_exchange",
    table=("exchanges", ExchangeRecord),
    section=("information_exchange", exchange_summary),
)
