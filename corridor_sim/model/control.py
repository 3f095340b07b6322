"""A control: one country's (or, joint, two countries') customs at a node, one direction."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generator

import simpy

from ..scenario.dists import Dist
from ..scenario.schema import REGIMES, CustomsPolicy
from .calendar import Calendar
from .lanes import Pool
from .rng import Streams
from .stats import Level
from .truck import Truck

GREEN, YELLOW, RED = 0, 1, 2


class Authority:
    """One country's officers at a control: document check and risk engine, with their draws."""

    __slots__ = ("country", "document", "error_rate", "error_delay", "thresholds", "preclear",
                 "yellow_check", "inspection", "detection", "recognises_aeo", "priority_lane", "u")

    def __init__(self, country: str, policy: CustomsPolicy, risk_classes: list[str], streams: Streams, owner: tuple):
        self.country = country
        self.document = [streams.sampler(policy.document[r], "service", *owner, "document", r) for r in REGIMES]
        self.error_rate = [policy.document_error[r] for r in REGIMES]
        self.error_delay = streams.sampler(policy.error_delay, "service", *owner, "error_delay")
        self.yellow_check = streams.sampler(policy.yellow_check, "service", *owner, "yellow_check")
        self.inspection = streams.sampler(policy.inspection, "service", *owner, "inspection")
        self.detection = policy.detection
        self.preclear = policy.etir_preclear
        self.recognises_aeo = policy.recognises_aeo
        self.priority_lane = policy.recognises_aeo and policy.aeo_priority_lane
        # thresholds[risk][recognised AEO] = (P(red), P(red) + P(yellow)) for one uniform draw
        self.thresholds = []
        for cls in risk_classes:
            ch = policy.channels.get(cls)
            y, r = (ch.yellow, ch.red) if ch is not None else (0.0, 0.0)
            f = policy.aeo_factor
            self.thresholds.append(((r, r + y), (r * f, (r + y) * f)))
        self.u = streams.uniforms("risk", *owner)

    def channel(self, truck: Truck) -> int:
        """Green, yellow or red for this truck; advance data may pre-clear a yellow check."""
        red, red_or_yellow = self.thresholds[truck.risk][truck.aeo and self.recognises_aeo]
        u = self.u()
        if u < red:
            return RED
        if u < red_or_yellow:
            if (truck.regime == 1 or truck.prenotified) and self.u() < self.preclear:
                return GREEN
            return YELLOW
        return GREEN


@dataclass(frozen=True)
class ControlSettings:
    lanes: int
    inspection_bays: int
    calendar: Calendar
    handling: Dist


class Control:
    """Lanes, inspection bays, a calendar and one or two authorities; tallies what passes."""

    def __init__(self, env: simpy.Environment, node: str, countries: tuple[str, ...], direction: str,
                 settings: ControlSettings, authorities: list[Authority], streams: Streams,
                 n_groups: int, warmup: float, horizon: float, record_queue: bool = False):
        self.env = env
        self.node = node
        self.country = "+".join(countries)
        self.direction = direction
        self.name = f"{node} {self.country} {direction}"
        self.calendar = settings.calendar
        self.warmup = warmup
        self.horizon = horizon
        self.queue_level = Level(warmup, horizon, [] if record_queue else None)
        self.busy_level = Level(warmup, horizon)
        self.bay_busy = Level(warmup, horizon)
        self.lanes = Pool(env, settings.lanes, self.queue_level, self.busy_level)
        self.bays = Pool(env, settings.inspection_bays, self.queue_level, self.bay_busy)
        self.handling = streams.sampler(settings.handling, "service", node, self.country, direction, "handling")
        self.authorities = authorities
        self.single = authorities[0] if len(authorities) == 1 else None
        self.aeo_priority = any(a.priority_lane for a in authorities)
        # tallies of the trucks that arrive in the window [warm-up, horizon)
        self.n = 0
        self.times: list[float] = []
        self.queue_sum = 0.0
        self.yellow = 0
        self.red = 0
        self.detections = 0
        self.group_n = [0] * n_groups
        self.group_time = [0.0] * n_groups
        self.group_queue = [0.0] * n_groups

    def _draw(self, truck: Truck) -> tuple[float, int, list[Authority]]:
        """Document time (incl. error correction and yellow check), channel, red authorities."""
        regime = truck.regime
        if self.single is not None:
            a = self.single
            doc = a.document[regime]()
            rate = a.error_rate[regime]
            if rate and a.u() < rate:
                doc += a.error_delay()
            channel = a.channel(truck)
            if channel == YELLOW:
                doc += a.yellow_check()
            return doc, channel, [a] if channel == RED else []
        # joint control: both countries' officers work together; the stop lasts as long as the
        # slower check, and the truck takes the more severe of the two channels only (a red truck
        # goes to the inspection bay; a yellow check the other country asked for is not added)
        doc = 0.0
        channel = GREEN
        error = False
        yellow = 0.0
        reds: list[Authority] = []
        for a in self.authorities:
            doc = max(doc, a.document[regime]())
            rate = a.error_rate[regime]
            if rate and a.u() < rate:
                error = True
            c = a.channel(truck)
            if c == YELLOW:
                yellow = max(yellow, a.yellow_check())
            elif c == RED:
                reds.append(a)
            channel = max(channel, c)
        if error:
            doc += self.authorities[0].error_delay()
        return (doc if channel == RED else doc + yellow), channel, reds

    def pass_truck(self, truck: Truck) -> Generator:
        env = self.env
        start = env.now
        queue0 = truck.queue
        truck.where = self.name
        calendar = self.calendar
        if not calendar.always_open:
            opens = calendar.next_open(start)
            if opens > start:
                yield env.timeout(opens - start)
                truck.closed += env.now - truck.mark
                truck.mark = env.now
        priority = 0 if truck.prenotified or (truck.aeo and self.aeo_priority) else 1
        granted = self.lanes.request(priority)
        if granted is not None:
            yield granted
            truck.queue += env.now - truck.mark
            truck.mark = env.now
        if not calendar.always_open:  # it may have closed while the truck queued
            opens = calendar.next_open(env.now)
            if opens > env.now:
                yield env.timeout(opens - env.now)
                truck.closed += env.now - truck.mark
                truck.mark = env.now
        if truck.trace is not None:  # the officers start on this truck (traced trucks only)
            truck.log(self.node, "service", env.now)
        doc, channel, reds = self._draw(truck)
        if doc > 0:
            yield env.timeout(doc)
            truck.document += env.now - truck.mark
            truck.mark = env.now
        handling = self.handling()
        if handling > 0:
            yield env.timeout(handling)
            truck.inspection += env.now - truck.mark
            truck.mark = env.now
        self.lanes.release()
        if channel == RED:
            granted = self.bays.request(priority)
            if granted is not None:
                yield granted
                truck.queue += env.now - truck.mark
                truck.mark = env.now
            duration = max(a.inspection() for a in reds)
            if duration > 0:
                yield env.timeout(duration)
                truck.inspection += env.now - truck.mark
                truck.mark = env.now
            self.bays.release()
            truck.inspections += 1
            detected = False
            if truck.noncompliant:
                detection = max(a.detection for a in reds)
                detected = reds[0].u() < detection
                if detected:
                    truck.detected = True
        elif channel == YELLOW:
            truck.yellow += 1
        if self.warmup <= start < self.horizon:
            spent = env.now - start
            queued = truck.queue - queue0
            self.n += 1
            self.times.append(spent)
            self.queue_sum += queued
            g = truck.group
            self.group_n[g] += 1
            self.group_time[g] += spent
            self.group_queue[g] += queued
            if channel == YELLOW:
                self.yellow += 1
            elif channel == RED:
                self.red += 1
                if detected:
                    self.detections += 1
