"""What one replication returns: plain columns and rows, cheap to pickle between processes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..scenario.schema import REGIMES
from .truck import COMPONENTS

if TYPE_CHECKING:
    from .world import World

TRUCK_COLUMNS = ("truck", "group", "aeo", "regime", "risk", "noncompliant", "detected", "depart_h", "arrive_h",
                 "km", "yellow", "inspections") + tuple(f"{c}_h" for c in COMPONENTS)


@dataclass
class ReplicationResult:
    """One replication's records. `trucks` holds one array per column (counted trucks only)."""

    scenario: str
    replication: int
    seed: int
    groups: list[str]
    group_kinds: list[str]                # "flow", "background" or "caravan"
    risk_classes: list[str]
    trucks: dict[str, np.ndarray]
    controls: list[dict[str, Any]]
    control_groups: list[dict[str, Any]]
    ferries: list[dict[str, Any]]
    ferry_groups: list[dict[str, Any]] = field(default_factory=list)
    trace: list[tuple] = field(default_factory=list)
    queue_series: dict[str, list[tuple[float, int]]] = field(default_factory=dict)
    created: int = 0
    arrived: int = 0
    end_h: float = 0.0
    warmup_h: float = 0.0
    horizon_h: float = 0.0

    @property
    def n_trucks(self) -> int:
        return len(self.trucks["truck"])

    def lead_times(self) -> np.ndarray:
        return self.trucks["arrive_h"] - self.trucks["depart_h"]


def collect(world: "World") -> ReplicationResult:
    scenario = world.scenario
    end = world.env.now
    rows = world.rows
    if rows:
        columns = list(zip(*rows))
        trucks = {name: np.asarray(col) for name, col in zip(TRUCK_COLUMNS, columns)}
    else:
        trucks = {name: np.zeros(0) for name in TRUCK_COLUMNS}
    kinds = ["background" if f.background else "flow" for f in scenario.traffic.values()] + ["caravan"] * len(scenario.caravans)
    window = world.horizon - world.warmup  # tallies and levels cover [warm-up, horizon)
    controls = []
    control_groups = []
    for (node, country, direction), c in world.controls.items():
        crossing = crossing_label(scenario, node, country, direction)
        times = np.asarray(c.times) if c.times else np.zeros(0)
        lanes = c.lanes.capacity
        controls.append({
            "node": node, "country": country, "direction": direction, "crossing": crossing,
            "lanes": lanes, "inspection_bays": c.bays.capacity,
            "trucks": c.n,
            "arrivals_per_h": c.n / window if window > 0 else 0.0,
            "mean_time_h": float(times.mean()) if c.n else float("nan"),
            "p95_time_h": float(np.quantile(times, 0.95)) if c.n else float("nan"),
            "mean_queue_h": c.queue_sum / c.n if c.n else float("nan"),
            "lane_utilisation": c.busy_level.mean(end) / lanes,
            "bay_utilisation": c.bay_busy.mean(end) / c.bays.capacity,
            "mean_queue_len": c.queue_level.mean(end),
            "max_queue_len": c.queue_level.peak,
            "yellow": c.yellow, "red": c.red, "detections": c.detections,
        })
        for g, n in enumerate(c.group_n):
            if n:
                control_groups.append({
                    "node": node, "country": country, "direction": direction, "crossing": crossing,
                    "group": world.groups[g],
                    "trucks": n, "mean_time_h": c.group_time[g] / n, "mean_queue_h": c.group_queue[g] / n,
                })
    ferries = []
    ferry_groups = []
    for key, f in world.ferries.items():
        for side in f.sides:
            waits = wait_sum = 0
            for g, (n, group_sum) in sorted(side.group_waits.items()):
                ferry_groups.append({"link": key, "from": side.port, "to": side.to, "group": world.groups[g],
                                     "trucks": n, "mean_wait_h": group_sum / n})
                waits += n
                wait_sum += group_sum
            ferries.append({
                "link": key, "from": side.port, "to": side.to, "vessels": f.link.n_vessels,
                "capacity": f.capacity, "sailings": side.sailings,
                "mean_load": side.load_sum / side.sailings if side.sailings else 0.0,
                "trucks": waits,
                "mean_wait_h": wait_sum / waits if waits else float("nan"),
                "storm_hours": f.storm_hours,
            })
    series = {c.name: c.queue_level.series for c in world.controls.values() if c.queue_level.series is not None}
    return ReplicationResult(
        scenario=scenario.name, replication=world.replication, seed=world.seed,
        groups=world.groups, group_kinds=kinds, risk_classes=world.risk_classes,
        trucks=trucks, controls=controls, control_groups=control_groups, ferries=ferries,
        ferry_groups=ferry_groups,
        trace=world.traces, queue_series=series, created=world.created, arrived=world.arrived,
        end_h=end, warmup_h=world.warmup, horizon_h=world.horizon,
    )


def crossing_label(scenario, node: str, country: str, direction: str) -> str:
    """Which crossing a control belongs to: `AZ->GE` at a bcp, `KZ outbound` at a port."""
    spec = scenario.nodes[node]
    if spec.kind == "bcp":
        if direction == "joint":
            return country.replace("+", "->")
        other = spec.border[1] if spec.border[0] == country else spec.border[0]
        return f"{country}->{other}" if direction == "exit" else f"{other}->{country}"
    return f"{country} {'outbound' if direction == 'exit' else 'inbound'}"


REGIME_NAMES = REGIMES
