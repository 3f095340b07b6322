"""What each control can serve a day against what the flows ask of it, from the scenario alone.

A saturated design (more trucks a day than the lanes can clear) is otherwise found only after a
run, as a queue that grows for weeks. This is the arithmetic of the scenario's means, before
anything runs:

- **lane-hours a day**: the lanes staffed in each hour of the week (the model's own
  `LaneSchedule`: `lanes` outside the shifts, the largest shift where they overlap) while the
  control is open (its weekly hours), averaged over the week, less the share of the horizon its
  holidays close it;
- **service**: the mean time a truck holds a lane, as `Control.verdict` books it: the document
  check of its regime, a document error's correction and a yellow check (each unless done
  aside), and the handling; the yellow share after AEO recognition (`aeo_factor`) and e-TIR
  pre-clearing (`etir_preclear`), weighted by each flow's regime, risk class and AEO mix and by
  its trucks a day. At a joint control, the longer of the two countries' means (the stop lasts
  as long as the slower check; the mean of that maximum is somewhat longer, so this is a floor);
- **demand a day**: each flow's departures over the horizon (`budget.flow_departures`, its
  weekly, hourly and monthly weights as they fall) divided by the horizon's days; a caravan's
  trucks pass once and are left out;
- **capacity a day**: lane-hours a day divided by the service, or the control's
  `admissions_per_day` where that is lower; **utilisation**: demand over capacity. At 1 or more
  the queue grows without end; well below 1 it still queues (Erlang C), and variation in the
  hours and the arrivals adds to it;
- **bays**: the red share times the mean inspection, against the bays' hours open.

Left out, since they change a truck's verdict or time by rules that need the run: an
information exchange, a post-clearance audit's releases, scanners, outages, a neutral zone's
blocking.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .model.staffing import LaneSchedule
from .scenario.budget import flow_departures
from .scenario.hours import WEEK
from .scenario.network import ControlKey, build_graph, controls_at, resolve_route
from .scenario.schema import REGIMES, CustomsPolicy, Flow, Scenario


@dataclass(frozen=True)
class ControlLoad:
    """One control's means: what it can serve a day and what it is asked to."""

    key: ControlKey
    lane_hours: float    # lanes staffed and open, hours a day on average
    service_h: float     # mean hours a truck holds a lane
    demand: float        # trucks a day
    capacity: float      # trucks a day its lanes (or its admissions cap) can clear
    bay_utilisation: float

    @property
    def utilisation(self) -> float:
        return self.demand / self.capacity if self.capacity > 0 else float("inf")


def open_lane_hours_a_week(lanes: int, shifts: dict[str, int], hours: Any) -> float:
    """Lane-hours a week that are staffed while the control is open (`hours`: WeeklyHours)."""
    schedule = LaneSchedule(lanes, shifts)
    ends = [*schedule.starts[1:], WEEK]
    total = 0.0
    for start, end, n in zip(schedule.starts, ends, schedule.lanes):
        total += n * sum(max(0.0, min(end, b) - max(start, a)) for a, b in hours.intervals)
    return total


def closed_share(holidays: tuple[tuple[dt.date, dt.date], ...], start: dt.datetime, horizon_h: float) -> float:
    """The share of the simulated hours [0, horizon) that fall on the holidays."""
    end = start + dt.timedelta(hours=horizon_h)
    closed = 0.0
    for first, last in holidays:
        a = max(dt.datetime.combine(first, dt.time()), start)
        b = min(dt.datetime.combine(last, dt.time()) + dt.timedelta(days=1), end)
        closed += max(0.0, (b - a).total_seconds() / 3600)
    return min(1.0, closed / horizon_h) if horizon_h > 0 else 0.0


def lane_and_bay_hours(policy: CustomsPolicy, flow: Flow, risk_classes: list[str], aside: tuple[str, ...]
                       ) -> tuple[float, float]:
    """(mean hours in the lane, mean hours in a bay) of one of `flow`'s trucks at one country's
    officers, handling apart."""
    regimes = {r: flow.regime.get(r, 0.0) for r in REGIMES}
    document = sum(share * policy.document[r].mean() for r, share in regimes.items())
    error = sum(share * policy.document_error[r] for r, share in regimes.items()) * policy.error_delay.mean()
    risk = flow.risk or {risk_classes[0]: 1.0}
    channels = [(share, policy.channels.get(c)) for c, share in risk.items()]
    yellow = sum(share * ch.yellow for share, ch in channels if ch is not None)
    red = sum(share * ch.red for share, ch in channels if ch is not None)
    if policy.recognises_aeo:  # recognised AEO trucks are selected at aeo_factor times the rates
        scale = 1 - flow.aeo + flow.aeo * policy.aeo_factor
        yellow, red = yellow * scale, red * scale
    yellow *= 1 - regimes["etir"] * policy.etir_preclear  # e-TIR data pre-clear that share
    lane = document + (0.0 if "error_correction" in aside else error)
    lane += 0.0 if "yellow_check" in aside else yellow * policy.yellow_check.mean()
    return lane, red * policy.inspection.mean()


def control_loads(scenario: Scenario) -> list[ControlLoad]:
    """Each control a flow passes, in the order of the nodes (see the module's docstring)."""
    graph = build_graph(scenario)
    horizon_days = scenario.clock.horizon / 24
    risk_classes = list(scenario.risk_classes)
    # per control: trucks a day, and trucks a day x hours (lane, bay), summed over the flows
    sums: dict[ControlKey, list[float]] = {}
    for flow in scenario.traffic.values():
        per_day = flow_departures(scenario, flow, 0.0, scenario.clock.horizon) / horizon_days
        route = resolve_route(graph, flow.route, flow.from_, flow.to)
        for i in range(len(route)):
            for key in controls_at(scenario, graph, route, i):
                settings = _settings(scenario, key)
                times = [lane_and_bay_hours(scenario.policy(c), flow, risk_classes, settings["pull_aside"])
                         for c in key.countries]
                lane = max(t[0] for t in times) + settings["handling"].mean()
                bay = max(t[1] for t in times)
                row = sums.setdefault(key, [0.0, 0.0, 0.0])
                row[0] += per_day
                row[1] += per_day * lane
                row[2] += per_day * bay
    out = []
    order = list(scenario.nodes)
    for key in sorted(sums, key=lambda k: (order.index(k.node), k.country, k.direction != "exit")):
        demand, lane_load, bay_load = sums[key]
        settings = _settings(scenario, key)
        open_share = 1 - closed_share(settings["holidays"], scenario.clock.start, scenario.clock.horizon)
        lane_hours = open_lane_hours_a_week(settings["lanes"], settings["shifts"], settings["hours"]) / 7 * open_share
        service = lane_load / demand if demand > 0 else 0.0
        capacity = lane_hours / service if service > 0 else float("inf")
        if settings["admissions_per_day"] is not None:
            capacity = min(capacity, float(settings["admissions_per_day"]))
        bay_hours = settings["inspection_bays"] * settings["hours"].open_hours_per_week() / 7 * open_share
        bays = bay_load / bay_hours if bay_hours > 0 else float("inf") if bay_load > 0 else 0.0
        out.append(ControlLoad(key, lane_hours, service, demand, capacity, bays))
    return out


def _settings(scenario: Scenario, key: ControlKey) -> dict[str, Any]:
    """The control's settings as the world takes them (a joint control: the node's own)."""
    country = None if key.direction == "joint" else key.country
    return scenario.nodes[key.node].control_settings(country, "exit" if key.direction == "joint" else key.direction)
