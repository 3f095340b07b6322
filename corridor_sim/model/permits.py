"""Road permits: bilateral quotas on the trucks of one country entering (or crossing) another.

`road_permits: {"A -> B": {permits, period}}`: each time a truck registered in A reaches one
of B's entry controls it takes one of the period's permits; when they are gone it waits there,
first come first served, for the next period's quota, and the control books the wait as
`permit`. One quota serves all of B's entry controls (the permits are national), and the
trucks of every flow registered in A, background traffic included, draw on it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generator

import simpy

from ..scenario.schema import RoadPermits
from .admission import Periods, Quota, QuotaLine
from .measure import Measure
from .truck import Component, Truck

PERMIT = Component.PERMIT


@dataclass(frozen=True)
class PermitRecord:
    """One quota over the counting window (trucks that reached one of B's entry controls in it)."""

    registered: str       # A: where the trucks are registered
    country: str          # B: the country whose permits they need
    period: str
    permits: int          # a period
    used: int             # permits taken
    waited: int           # trucks that waited for one
    mean_wait_h: float    # over the trucks that waited
    max_wait_h: float


class PermitQuota:
    """B's permits for trucks registered in A, and what waiting for them cost."""

    def __init__(self, env: simpy.Environment, registered: str, country: str, spec: RoadPermits, periods: Periods,
                 warmup: float, horizon: float):
        self.env = env
        self.registered = registered
        self.country = country
        self.spec = spec
        if spec.at_start is not None:
            first = spec.at_start
        else:  # the share of the clock's first period still to come
            begins, ends = periods.begins(0), periods.begins(1)
            first = round(spec.permits * (ends - env.now) / (ends - begins))
        self.quota = Quota(env, spec.permits, periods, first)
        # the same quota for the one first-come first-served control that asks for its permits
        # (`take_at`): each truck's permit worked out when it asks, in order of time
        self.line = QuotaLine(spec.permits, periods, env.now, first)
        self.warmup = warmup
        self.horizon = horizon
        self.used = self.waited = 0
        self.wait_sum = self.wait_max = 0.0

    def take(self, truck: Truck) -> Generator:
        """The truck takes a permit, waiting for a later period's when this one's are gone."""
        arrived = self.env.now
        granted = self.quota.request()
        if granted is not None:
            yield granted
            truck.book(PERMIT, self.env.now)
        self._tally(arrived, self.env.now, granted is not None)

    def take_at(self, arrived: float) -> float:
        """`take` for a truck that asks at `arrived` at a first-come first-served control: when
        it gets its permit, tallied as `take` tallies it."""
        at = self.line.admit(arrived)
        self._tally(arrived, at, at > arrived)
        return at

    def _tally(self, arrived: float, at: float, waited: bool) -> None:
        """A permit asked for at `arrived` and got at `at`, after a wait if `waited`: counted in the window."""
        if self.warmup <= arrived < self.horizon:
            self.used += 1
            if waited:
                wait = at - arrived
                self.waited += 1
                self.wait_sum += wait
                self.wait_max = max(self.wait_max, wait)

    def record(self) -> PermitRecord:
        return PermitRecord(registered=self.registered, country=self.country, period=self.spec.period,
                            permits=self.spec.permits, used=self.used, waited=self.waited,
                            mean_wait_h=self.wait_sum / self.waited if self.waited else float("nan"),
                            max_wait_h=self.wait_max)


class PermitMeasure(Measure):
    """The road-permit quotas of one replication: a control where trucks enter a country asks
    each truck for a permit of its registration country's quota there (when there is one)."""

    table = "permits"

    def __init__(self, world) -> None:
        from ..scenario.schema import exchange_countries
        from .admission import Periods

        self.world = world  # its flows' plans: which controls ask for each quota's permits
        self.gates: dict[int, list[PermitQuota | None]] = {}  # control (id) -> the quota each flow needs there
        self.asked_at: dict[int, set[int]] | None = None       # `_asked_at`, once the plans are made
        start = world.scenario.clock.start
        self.quotas = {exchange_countries(key): PermitQuota(world.env, *exchange_countries(key), spec,
                                                            Periods(spec.period, start), world.warmup, world.horizon)
                       for key, spec in world.scenario.road_permits.items()}

    def wire(self, world, control, authorities: list, key) -> None:
        if self.quotas and key.direction != "exit":  # entering countries[-1]: its permits
            needed = [self.quotas.get((country, key.countries[-1])) for country in world.registered]
            if any(needed):
                control.set_before_lane(_permit_gate(needed), "road_permits", needed)
                self.gates[id(control)] = needed

    def features(self, control) -> set[str]:
        """`road_permits` where trucks ask for permits; `shared_road_permits` where a quota's
        permits are also asked for at another control, so that requests at both must be taken in
        order of time."""
        needed = self.gates.get(id(control))
        if needed is None:
            return set()
        asked_at = self._asked_at()
        shared = any(len(asked_at.get(id(quota), ())) > 1 for quota in needed if quota is not None)
        return {"road_permits", "shared_road_permits"} if shared else {"road_permits"}

    def _asked_at(self) -> dict[int, set[int]]:
        """Quota (id) -> the controls (ids) where its trucks ask for permits: from the plans, once."""
        if self.asked_at is None:
            from .plan import CONTROL

            self.asked_at = {}
            for group, plan in enumerate(self.world.plans):
                for kind, step, _ in plan:
                    gate = self.gates.get(id(step)) if kind == CONTROL else None
                    if gate is not None and gate[group] is not None:
                        self.asked_at.setdefault(id(gate[group]), set()).add(id(step))
        return self.asked_at

    def records(self) -> list[PermitRecord]:
        return [quota.record() for quota in self.quotas.values()]


def _permit_gate(needed: list[PermitQuota | None]):
    """Before the lane: a permit of the quota the truck's flow needs here (none: straight on)."""
    def gate(truck: Truck) -> Generator:
        quota = needed[truck.group]
        if quota is not None:
            yield from quota.take(truck)
    return gate
