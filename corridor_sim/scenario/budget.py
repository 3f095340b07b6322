"""How big a run is before it runs: trucks a replication and the memory they need.

Every value of a scenario has its own limit, but their product does not: 100,000 trucks a day
for a hundred years validates, and would fill the machine's memory for hours before failing.
The estimate comes from the scenario alone, so a command can refuse before any work is done,
with the figures and the option that lifts the limit:

- each flow's departures over the horizon: `per_day` x its weekly, hourly and monthly weights
  as they fall on the simulated clock (a horizon inside a peak month counts that month's rate,
  not the year's mean), plus the caravans' trucks;
- the drain: after the horizon a flow goes on departing, uncounted, while a counted truck is
  still due at a ferry link it sails (a background flow also at its controls), up to
  `network.run_on_until` at most, as the model; at a saturated control every such truck may
  still be on its way, so the bound counts a flow's departures over that whole time;
- traces (`--trace`, targets that need them, the animation): a traced truck keeps a log of
  every node it passes, measured below.
"""
from __future__ import annotations

import datetime as dt
import itertools
import math
import os
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..errors import CorridorSimError
from .calendar import week_hour
from .hours import DAYS
from .schema import Scenario

# Measured: `corridor-sim run tests/fixtures/contract/tandem_mmc.yaml -n 1 --set clock.horizon=16667d
# --set clock.warmup=0 --no-plots` (999,057 counted trucks) peaks at 1,275,696 kB with the cost
# ledger's columns in trucks.csv (892,048 kB without them), 150 MB of it the interpreter and
# libraries: 1.3 kB a counted truck, all included (the truck, its record, its table rows and their
# CSV); a background truck keeps no row and needs less, so for a scenario with background flows
# this is an upper bound.
MEMORY_BYTES_PER_TRUCK = 1300
# Measured: a truck still on its way holds its process, its plan and its place in a queue:
# `corridor-sim run tests/fixtures/contract/tandem_mmc.yaml -n 1 --set clock.horizon=3d --set
# clock.warmup=0 --set traffic.main.per_day=100000 --no-plots --engine reference` (300,000 trucks
# queued at the horizon, drained a year and refused) peaks at 717 MB against 153 MB for 30 days
# of the usual rate: 1.9 kB a truck on its way (0.5 kB on the fifo engine), rounded up. The
# drain's trucks are counted so: at a saturated control every one of them is still queued.
LIVE_BYTES_PER_TRUCK = 2000
# Measured: the same with --set clock.horizon=5020d (301,200 trucks on a route of three nodes)
# peaks at 390 MB untraced and 856 MB with --trace, against 153 MB for 30 days: 2.39 kB a traced
# truck, 1.56 kB of it the trace, about 520 B a node of its route; rounded up to 600.
TRACE_BYTES_PER_NODE = 600
# Measured: `corridor-sim run scenarios/middle_corridor.yaml -n 1 --engine reference --no-plots`
# (the slowest engine; 87,920 trucks in the estimate) takes 6.96 s of wall-clock time on a 2-core
# machine at rest, start-up included: 79 us a truck, rounded up. A replication that runs
# WALL_MARGIN times as long as its trucks (the drain's bound included) take at that rate, and at
# least WALL_FLOOR_S, is stopped by the watchdog (model/watchdog.py): the margin covers a slower
# machine, a busy one and the measures that double a truck's work, so only a loop that does not
# end meets it.
WALL_S_PER_TRUCK = 1e-4
WALL_MARGIN = 20.0
WALL_FLOOR_S = 600.0
MEMORY_SHARE = 0.5  # the default limit leaves the other half of the machine's memory alone
DRAIN_CAP_H = 365 * 24.0  # as the model's: a run drains for at most a year past the horizon
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # a common year, as the model's
MAX_CORNERS = 256  # a box of more parameters is checked point by point as the search goes
# the sections of a scenario the estimate reads (rates and weights, the clock, caravans, and the
# links and speed that routes are found by): a value elsewhere does not change it
SECTIONS = ("traffic", "clock", "caravans", "links", "drivers")


@dataclass(frozen=True)
class Budget:
    """What one replication of a scenario is expected to simulate."""

    trucks: float  # trucks departing over the horizon, counted or not, caravans included
    by_flow: dict[str, float]  # the same, by flow (and caravan)
    drain: float = 0.0  # at most this many more depart after the horizon (flows that run on)
    trace_bytes: float = 0.0  # what the trucks' traces add (traced runs), drain included
    running_on: tuple[str, ...] = ()  # the flows that may run on after the horizon

    @property
    def all_trucks(self) -> float:
        """Every truck a replication may make, the drain's bound included."""
        return self.trucks + self.drain

    @property
    def memory_bytes(self) -> float:
        """An upper bound on the peak memory of one replication."""
        return self.trucks * MEMORY_BYTES_PER_TRUCK + self.drain * LIVE_BYTES_PER_TRUCK + self.trace_bytes


def _week_integral(weekly: list[float] | None, hourly: list[float] | None, offset: float) -> Callable[[float], float]:
    """F(t): the integral over simulated hours [0, t) of the weekly x hourly factor (each hour of
    the week a constant), for a clock whose hour 0 is hour `offset` of the week."""
    import numpy as np

    factor = np.array([(weekly[h // 24] if weekly else 1.0) * (hourly[h % 24] if hourly else 1.0)
                       for h in range(168)])
    knots = np.concatenate(([0.0], np.cumsum(factor)))
    week = float(knots[-1])

    def cumulative(x: float) -> float:
        whole, rest = divmod(x, 168.0)
        return whole * week + float(np.interp(rest, np.arange(169.0), knots))

    base = cumulative(offset)
    return lambda t: cumulative(offset + t) - base


def _months(start: dt.datetime, until: float, weights: dict[int, float]) -> list[tuple[float, float]]:
    """(start hour, factor) of each month from the clock start to `until`, factors scaled so that
    their mean over a common year, weighted by days, is 1 (as the model scales them)."""
    raw = [weights.get(m, 1.0) for m in range(1, 13)]
    mean = sum(w * d for w, d in zip(raw, DAYS_IN_MONTH)) / sum(DAYS_IN_MONTH)
    factors = [w / mean for w in raw] if mean > 0 else [0.0] * 12
    out: list[tuple[float, float]] = []
    year, month = start.year, start.month
    while year <= dt.MAXYEAR:
        at = (dt.datetime(year, month, 1) - start).total_seconds() / 3600
        if at > until:
            break
        out.append((max(at, 0.0), factors[month - 1]))
        year, month = year + month // 12, month % 12 + 1
    return out


def flow_departures(scenario: Scenario, flow: Any, begin: float, end: float) -> float:
    """Expected departures of `flow` over simulated hours [begin, end): `per_day` x its weights as
    they fall there. Past the horizon the horizon's month goes on (as in the model)."""
    weekly = [flow.weekly.get(d, 1.0) for d in DAYS] if flow.weekly else None
    hourly = [24 * w / sum(flow.hourly) for w in flow.hourly] if flow.hourly and sum(flow.hourly) > 0 else (
        [0.0] * 24 if flow.hourly else None)
    integral = _week_integral(weekly, hourly, week_hour(scenario.clock.start))
    horizon = scenario.clock.horizon
    if not flow.monthly:
        return flow.per_day / 24 * (integral(end) - integral(begin))
    months = _months(scenario.clock.start, horizon, flow.monthly)
    total = 0.0
    for (at, factor), following in zip(months, [m[0] for m in months[1:]] + [math.inf]):
        a, b = max(at, begin), min(following, end)
        if b > a:
            total += factor * (integral(b) - integral(a))
    return flow.per_day / 24 * total


def _route_nodes(scenario: Scenario, graph: Any, item: Any) -> tuple[str, ...] | None:
    from .network import resolve_route

    try:
        return resolve_route(graph, item.route, item.from_, item.to)
    except Exception:  # no path: the model refuses it with its own message
        return None


def estimate(scenario: Scenario, trace: bool = False) -> Budget:
    """Expected trucks a replication (see the module's docstring), the drain's bound, and what a
    truck may need (`trace`: every truck keeps its log)."""
    from .network import build_graph, run_on_until

    horizon = scenario.clock.horizon
    graph = build_graph(scenario)
    by_flow: dict[str, float] = {}
    drain = 0.0
    counted = any(not f.background for f in scenario.traffic.values()) or bool(scenario.caravans)
    traces = 0.0  # a traced truck logs each node of its route (a route not found: every node)
    running_on = []
    routes = {name: _route_nodes(scenario, graph, item)
              for name, item in (*scenario.traffic.items(), *scenario.caravans.items())}
    counted_routes = [r for name, r in routes.items() if r is not None
                      and (name in scenario.caravans or not scenario.traffic[name].background)]
    until = run_on_until(scenario, graph, counted_routes)
    for name, flow in scenario.traffic.items():
        by_flow[name] = flow_departures(scenario, flow, 0.0, horizon)
        route = _route_nodes(scenario, graph, flow)
        sails = route is None or any(graph.has_edge(a, b) and graph.edges[a, b]["mode"] == "ferry"
                                     for a, b in zip(route, route[1:]))
        after = 0.0
        if counted and (flow.background or sails):  # it may run on (World._watch), up to `until` at most
            after = flow_departures(scenario, flow, horizon, until)
            drain += after
            running_on.append(name)
        traces += (by_flow[name] + after) * (len(scenario.nodes) if route is None else len(route))
    for name, caravan in scenario.caravans.items():
        by_flow[name] = float(caravan.trucks)
        route = _route_nodes(scenario, graph, caravan)
        traces += caravan.trucks * (len(scenario.nodes) if route is None else len(route))
    return Budget(sum(by_flow.values()), by_flow, drain, TRACE_BYTES_PER_NODE * traces if trace else 0.0,
                  tuple(running_on))


def wall_limit(scenario: Scenario) -> float:
    """The seconds of wall-clock time one replication may take before the watchdog stops it: far
    more than its trucks (the drain's bound included) take on any machine that runs it."""
    return max(WALL_FLOOR_S, WALL_MARGIN * WALL_S_PER_TRUCK * estimate(scenario).all_trucks)


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


def check_budget(scenarios: Sequence[Scenario], at_once: int, max_trucks: int | None = None,
                 trace: bool = False, what: str | None = None, extra_bytes: float = 0.0,
                 lift: str | None = "--max-trucks N") -> None:
    """Refuse a scenario whose replication would need more memory than `max_trucks` untraced
    counted trucks (by default what fits `at_once` replications into half of this machine's
    memory). `what` names where the scenarios come from (a sweep point, a fit's candidate);
    `extra_bytes` is what the command holds beside the trucks (an animation's frames); `lift` the
    option that raises the limit, None for a command that has none."""
    limit = max_trucks if max_trucks is not None else default_max_trucks(at_once)
    if limit is None:
        return
    for scenario in scenarios:
        budget = estimate(scenario, trace)
        memory = budget.memory_bytes + extra_bytes
        if memory <= limit * MEMORY_BYTES_PER_TRUCK:
            continue
        top = max(budget.by_flow, key=budget.by_flow.__getitem__)
        allowed = _size(limit * MEMORY_BYTES_PER_TRUCK)
        each = _size(MEMORY_BYTES_PER_TRUCK)
        why = (f"--max-trucks {limit:,} allows ({allowed}, at {each} a truck)" if max_trucks is not None else
               f"the {allowed} ({limit:,} trucks at {each}) that fit {at_once} at once into half of this "
               "machine's memory")
        most = f" ({_count(budget.by_flow[top])} of them from {top!r})" if len(budget.by_flow) > 1 else ""
        drain = (f" and up to {_count(budget.drain)} more departing in the drain after the horizon"
                 if budget.drain >= 0.5 else "")
        traced = " traced" if trace else ""
        where = f"{what}: " if what else ""
        frames = f", {_size(extra_bytes)} of it the frames" if extra_bytes else ""
        raise CorridorSimError(
            f"{where}{scenario.name}: about {_count(budget.trucks)}{traced} trucks a replication{most}{drain}: up "
            f"to {_size(memory)} of memory each{frames}, more than {why}; "
            + ("run fewer at once (--workers), " if max_trucks is None and at_once > 1 else "")
            + "shorten clock.horizon or lower the rates" + (f", or raise the limit with {lift}" if lift else ""))


def check_box(scenario: Scenario, bounds: Sequence[tuple[str, float, float, bool]], at_once: int,
              max_trucks: int | None = None, trace: bool = False, what: str = "--fit",
              lift: str | None = None) -> None:
    """Refuse a search over `bounds` ((path, low, high, integer) each) whose worst point is over
    the budget, before it starts: the estimate is monotone in each value (a rate, a weight, a
    horizon, a caravan's trucks), so its largest is at a corner of the box. A box of more than
    `MAX_CORNERS` corners is left to the check of each candidate."""
    from .loader import derive

    if not bounds or 2 ** len(bounds) > MAX_CORNERS:
        return
    for corner in itertools.product(*[(low, high) for _, low, high, _ in bounds]):
        values = {path: (int(round(v)) if integer else v) for (path, _, _, integer), v in zip(bounds, corner)}
        shown = ", ".join(f"{path}={v:g}" for path, v in values.items())
        check_budget([derive(scenario, values)], at_once, max_trucks, trace, what=f"{what} at {shown}", lift=lift)


def _count(n: float) -> str:
    return f"{n:,.0f}" if n < 1e7 else f"{n:.3g}".replace("e+0", "e").replace("e+", "e")


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.3g} {unit}" if math.isfinite(n) else "?"
        n /= 1000
    return "?"
