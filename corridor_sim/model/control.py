"""A control: one country's (or, joint, two countries') customs at a node, one direction."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generator

import simpy

from ..scenario.dists import Dist
from ..scenario.schema import REGIMES, CustomsPolicy
from .calendar import Calendar
from .lanes import Pool
from .rng import BLOCK, Streams
from .stats import Level
from .truck import Truck

GREEN, YELLOW, RED = 0, 1, 2


class Authority:
    """One country's officers at a control: document check and risk engine, with their draws.

    Every truck that passes takes exactly one row of draws (uniforms for the document error,
    the channel, e-TIR pre-clearing and detection, and a document time per regime, an error
    delay, a yellow-check and an inspection time), used or not. Rows are drawn in blocks, and
    the k-th truck at a control always gets the k-th row: a scenario change that alters a
    truck's regime, channel or priority shifts no later truck's draws (common random numbers).
    """

    __slots__ = ("country", "policy", "error_rate", "thresholds", "preclear", "detection", "recognises_aeo",
                 "priority_lane", "rng", "rows", "i")

    ROW_FIELDS = ("u_error", "u_channel", "u_preclear", "u_detect", *(f"document_{r}" for r in REGIMES),
                  "error_delay", "yellow_check", "inspection")

    def __init__(self, country: str, policy: CustomsPolicy, risk_classes: list[str], streams: Streams, owner: tuple):
        self.country = country
        self.policy = policy
        self.error_rate = [policy.document_error[r] for r in REGIMES]
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
        self.rng = streams.generator("customs", *owner)
        self.rows: list[tuple[float, ...]] = []
        self.i = 0

    def _refill(self) -> None:
        rng, policy = self.rng, self.policy
        u = rng.random((BLOCK, 4))
        columns = [u[:, 0], u[:, 1], u[:, 2], u[:, 3]]
        columns += [policy.document[r].sample(rng, BLOCK) for r in REGIMES]
        columns += [policy.error_delay.sample(rng, BLOCK), policy.yellow_check.sample(rng, BLOCK),
                    policy.inspection.sample(rng, BLOCK)]
        self.rows = list(zip(*(c.tolist() for c in columns)))
        self.i = 0

    def draw(self, truck: Truck) -> tuple[float, int, float, float, float]:
        """(document time incl. error correction, channel, yellow-check time, inspection time, u_detect)."""
        if self.i == len(self.rows):
            self._refill()
        row = self.rows[self.i]
        self.i += 1
        regime = truck.regime
        doc = row[4 + regime]
        if row[0] < self.error_rate[regime]:
            doc += row[7]
        red, red_or_yellow = self.thresholds[truck.risk][truck.aeo and self.recognises_aeo]
        u = row[1]
        if u < red:
            channel = RED
        elif u < red_or_yellow and not ((regime == 1 or truck.prenotified) and row[2] < self.preclear):
            channel = YELLOW
        else:
            channel = GREEN
        return doc, channel, row[8], row[9], row[3]


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

    def _draw(self, truck: Truck) -> tuple[float, int, float, float, float]:
        """Time in the lane (document check, error correction, yellow check), channel,
        inspection time, detection probability and the uniform that decides detection."""
        if self.single is not None:
            a = self.single
            doc, channel, yellow, inspection, u_detect = a.draw(truck)
            return (doc + yellow if channel == YELLOW else doc), channel, inspection, a.detection, u_detect
        # joint control: both countries' officers work together; the stop lasts as long as the
        # slower check, and the truck takes the more severe of the two channels only (a red truck
        # goes to one joint inspection, as long as the longer of the two; a yellow check the
        # other country asked for is not added to a red truck's stop)
        draws = [(a, *a.draw(truck)) for a in self.authorities]
        channel = max(d[2] for d in draws)
        doc = max(d[1] for d in draws)
        if channel == YELLOW:
            return doc + max(d[3] for d in draws if d[2] == YELLOW), YELLOW, 0.0, 0.0, 1.0
        if channel == RED:
            reds = [d for d in draws if d[2] == RED]
            return doc, RED, max(d[4] for d in reds), max(d[0].detection for d in reds), reds[0][5]
        return doc, GREEN, 0.0, 0.0, 1.0

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
        doc, channel, inspection, detection, u_detect = self._draw(truck)
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
            if inspection > 0:
                yield env.timeout(inspection)
                truck.inspection += env.now - truck.mark
                truck.mark = env.now
            self.bays.release()
            truck.inspections += 1
            detected = truck.noncompliant and u_detect < detection
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
