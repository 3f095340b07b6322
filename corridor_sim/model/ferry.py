"""Ferry links: vessels shuttling between two ports, port queues, departure rules, storms."""
from __future__ import annotations

import datetime as dt
import heapq
import math
from typing import Generator

import simpy

from ..scenario.dists import Dist
from ..scenario.schema import Link
from .priority import priority_table
from .rng import Streams
from .truck import Component, Truck

FERRY_WAIT, FERRY_SAIL = Component.FERRY_WAIT, Component.FERRY_SAIL


class Side:
    """One direction of a ferry link: the queue of trucks waiting at the departure port."""

    def __init__(self, env: simpy.Environment, port: str, to: str, warmup: float, horizon: float):
        self.env = env
        self.port = port
        self.to = to
        self.waiting: list[tuple[int, int, simpy.Event]] = []
        self.seq = 0
        self.watchers: list[simpy.Event] = []
        self.pending = 0  # trucks created that will still board here
        self.due = 0  # of them, trucks of counted flows and caravans (World._register)
        self.other: Side | None = None  # the link's other direction
        self.warmup = warmup
        self.horizon = horizon
        self.first = priority_table()  # first[aeo][regime]: who goes first in the queue (priority.py)
        self.sailings = 0
        self.load_sum = 0
        self.group_waits: dict[int, list[float]] = {}  # group -> [trucks, wait sum] over the counting window
        self.counted_waits: dict[int, list[float]] = {}  # the same for the counted trucks, whenever they come

    def notify(self) -> None:
        watchers, self.watchers = self.watchers, []
        for event in watchers:
            event.succeed()

    def watch(self) -> simpy.Event:
        event = self.env.event()
        self.watchers.append(event)
        return event

    def carry(self, truck: Truck) -> Generator:
        """Wait for a vessel, sail, land: ferry_wait then ferry_sail; the crossing counts as rest."""
        env = self.env
        start = env.now
        truck.where = f"ferry queue at {self.port}"
        priority = 0 if truck.prenotified or self.first[truck.aeo][truck.regime] else 1
        boarded = env.event()
        self.seq += 1
        heapq.heappush(self.waiting, (priority, self.seq, boarded))
        self.notify()
        landed = yield boarded
        truck.book(FERRY_WAIT, env.now)
        truck.log(self.port, "board", env.now)
        if self.warmup <= start < self.horizon:
            tally = self.group_waits.setdefault(truck.group, [0, 0.0])
            tally[0] += 1
            tally[1] += env.now - start
        if truck.counted:
            tally = self.counted_waits.setdefault(truck.group, [0, 0.0])
            tally[0] += 1
            tally[1] += env.now - start
        truck.where = f"on the ferry {self.port} -> {self.to}"
        yield landed
        truck.book(FERRY_SAIL, env.now)
        truck.today = truck.since_break = 0.0
        truck.last_drive_end = env.now


class Ferry:
    """A ferry link's vessels, both sides' queues and its storms."""

    def __init__(self, env: simpy.Environment, key: str, a: str, b: str, link: Link, streams: Streams,
                 start: dt.datetime, warmup: float, horizon: float):
        self.env = env
        self.key = key
        self.link = link
        self.capacity = link.capacity or 1
        self.rule = link.departure
        self.sides = (Side(env, a, b, warmup, horizon), Side(env, b, a, warmup, horizon))
        self.sides[0].other, self.sides[1].other = self.sides[1], self.sides[0]
        self.sailing = streams.sampler(link.sailing or Dist.fixed(0.0), "ferry", key)
        self.storm_until = 0.0
        self.storm_hours = 0.0
        self.warmup = warmup
        self.horizon = horizon
        self.start = start
        # no counted truck departs after the horizon; the flows that go on then only keep the
        # last counted trucks company (World._watch), they are not what a vessel waits for
        self.closed = env.timeout(horizon)
        for i in range(link.n_vessels):
            env.process(self.vessel(i % 2))
        if link.storms is not None and link.storms.per_year > 0:
            env.process(self.storms(streams))

    def _ready_to_leave(self, side: Side) -> bool:
        """when_full: full; or, past the horizon, every truck on its way here is aboard, or none
        is and trucks wait at the other port (the vessel sails empty to fetch them instead of
        waiting for ever)."""
        n = len(side.waiting)
        if n >= self.capacity:
            return True
        if not self.closed.processed or n < side.pending:
            return False
        return n > 0 or len(self._other(side).waiting) > 0

    def _other(self, side: Side) -> Side:
        return self.sides[1] if side is self.sides[0] else self.sides[0]

    def vessel(self, at: int) -> Generator:
        env = self.env
        rule = self.rule
        while True:
            side = self.sides[at]
            ready = env.now
            if rule.every is not None:
                slot = math.ceil(ready / rule.every - 1e-9) * rule.every
                if slot > env.now:
                    yield env.timeout(slot - env.now)
            elif rule.when_full_or_after is not None:
                deadline = ready + rule.when_full_or_after
                while len(side.waiting) < self.capacity and env.now < deadline:
                    yield side.watch() | env.timeout(deadline - env.now)
            else:
                while not self._ready_to_leave(side):
                    if self.closed.processed:
                        yield side.watch() | self._other(side).watch()
                    else:
                        yield side.watch() | self.closed
            while env.now < self.storm_until:
                yield env.timeout(self.storm_until - env.now)
            load = min(self.capacity, len(side.waiting))
            landed = env.event()
            for _ in range(load):
                _, _, boarded = heapq.heappop(side.waiting)
                boarded.succeed(landed)
            side.pending -= load
            if self.warmup <= env.now < self.horizon:
                side.sailings += 1
                side.load_sum += load
            yield env.timeout(self.sailing())
            landed.succeed()
            at = 1 - at

    def storms(self, streams: Streams) -> Generator:
        env = self.env
        spec = self.link.storms
        assert spec is not None  # started only for a link with storms
        months = set(spec.months)
        rate = spec.per_year / 8760.0 * 12 / len(months)  # all storms fall in the listed months
        gap = streams.sampler(Dist("exponential", (1 / rate,)), "storms", self.key, "gap")
        duration = streams.sampler(spec.duration, "storms", self.key, "duration")
        t = 0.0
        while True:
            t += gap()
            yield env.timeout(t - env.now)
            if (self.start + dt.timedelta(hours=env.now)).month not in months:
                continue
            end = env.now + duration()
            if end > self.storm_until:
                begin = max(self.storm_until, env.now, self.warmup)
                if min(end, self.horizon) > begin:
                    self.storm_hours += min(end, self.horizon) - begin
                self.storm_until = end
