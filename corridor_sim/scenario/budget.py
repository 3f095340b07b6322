"""How big a run is before it runs: trucks a replication and the memory they need.

Every value of a scenario has its own limit, but their product does not: 100,000 trucks a day
for a hundred years validates, and would fill the machine's memory for hours before failing.
The estimate comes from the scenario alone (each flow's rate x horizon x the mean of its weekly
profile, summed over flows, plus the caravans), so a command can refuse before any work is
done, with the figures and the option that lifts the limit.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

from ..errors import CorridorSimError
from .schema import Scenario

# Measured: `corridor-sim run tests/fixtures/contract/tandem_mmc.yaml -n 1 --set clock.horizon=16667d
# --set clock.warmup=0 --no-plots` (999,057 counted trucks) peaks at 948 MiB, 120 MiB of them the
# interpreter and libraries: about 0.9 kB a counted truck (the truck, its record, its table rows
# and their CSV), rounded up; a background truck keeps no row and needs less, so for a scenario
# with background flows this is an upper bound.
MEMORY_BYTES_PER_TRUCK = 1000
MEMORY_SHARE = 0.5  # the default limit leaves the other half of the machine's memory alone


@dataclass(frozen=True)
class Budget:
    """What one replication of a scenario is expected to simulate."""

    trucks: float  # trucks departing over the horizon, counted or not, caravans included (background
    # flows also run on while counted trucks have still to pass their controls: a few more)
    by_flow: dict[str, float]  # the same, by flow (and caravan)

    @property
    def memory_bytes(self) -> float:
        """An upper bound on the peak memory of one replication."""
        return self.trucks * MEMORY_BYTES_PER_TRUCK


def estimate(scenario: Scenario) -> Budget:
    """Expected trucks a replication: `per_day` x days x the flow's mean weekly factor (hourly
    and monthly weights are scaled to mean 1), summed over flows; caravans add their trucks."""
    days = scenario.clock.horizon / 24
    by_flow: dict[str, float] = {}
    for name, flow in scenario.traffic.items():
        weekly = [flow.weekly.get(d, 1.0) for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")] if flow.weekly else [1.0]
        by_flow[name] = flow.per_day * days * sum(weekly) / len(weekly)
    for name, caravan in scenario.caravans.items():
        by_flow[name] = float(caravan.trucks)
    return Budget(sum(by_flow.values()), by_flow)


def physical_memory() -> int | None:
    """The machine's memory in bytes, where the system says (Linux, macOS); None elsewhere."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return None


def default_max_trucks(at_once: int) -> int | None:
    """Trucks a replication such that `at_once` replications in parallel use at most half the
    machine's memory; None when the machine does not say how much it has."""
    memory = physical_memory()
    if memory is None:
        return None
    return max(1, int(memory * MEMORY_SHARE / MEMORY_BYTES_PER_TRUCK / max(1, at_once)))


def check_budget(scenarios: list[Scenario], at_once: int, max_trucks: int | None = None) -> None:
    """Refuse a scenario whose replication would simulate more than `max_trucks` trucks (by
    default what fits `at_once` replications into half of this machine's memory)."""
    limit = max_trucks if max_trucks is not None else default_max_trucks(at_once)
    if limit is None:
        return
    for scenario in scenarios:
        budget = estimate(scenario)
        if budget.trucks <= limit:
            continue
        top = max(budget.by_flow, key=budget.by_flow.__getitem__)
        why = (f"--max-trucks {limit:,}" if max_trucks is not None else
               f"the {limit:,} that fit {at_once} at once into half of this machine's memory")
        most = f"{_count(budget.by_flow[top])} of them from {top!r}; " if len(budget.by_flow) > 1 else ""
        raise CorridorSimError(
            f"{scenario.name}: about {_count(budget.trucks)} trucks a replication ({most}up to "
            f"{_size(budget.memory_bytes)} of memory each), more than {why}; shorten clock.horizon or lower the "
            f"rates, or raise the limit with --max-trucks N")


def _count(n: float) -> str:
    return f"{n:,.0f}" if n < 1e7 else f"{n:.3g}".replace("e+0", "e").replace("e+", "e")


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.3g} {unit}" if math.isfinite(n) else "?"
        n /= 1000
    return "?"
