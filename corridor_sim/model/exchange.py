"""Information exchange between two countries' customs, the exporting side A and the importing side B.

Every control records on the truck who released it last, when, and whether it was physically
inspected and found compliant. At a control of B, a truck last released by A is checked with
what A's customs sent (`information_exchange: {"A -> B": ...}`):

- *enforcement alerts*: for `duration` hours after A found a violation on a truck of a flow, B's
  red probability for that flow's trucks is multiplied by `red_factor` (at most 1), with the
  truck's own channel draw, so a truck that was red stays red;
- *recognition of control results*: a truck A inspected and found compliant that B selects red
  is not inspected again with probability `recognition` (not under an alert);
- *pre-arrival risk assessment*: when the data are there (the truck reaches B at least `delay`
  hours after A released it), B's document check takes `document_factor` of its time and a
  share `preclear` of its yellow checks turns green, for any transit regime.

Draws: the stream ("exchange", node, country, direction), one row per truck keyed by its flow
and index, taken at every importing control, so a scenario without exchanges draws nothing.
"""
from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass

import numpy as np

from ..scenario.schema import InformationExchange
from .customs import Channel
from .measure import Measure
from .rng import Streams

GREEN, YELLOW, RED = Channel.GREEN, Channel.YELLOW, Channel.RED


@dataclass(frozen=True)
class ExchangeRecord:
    """One ordered pair over the counting window (trucks checked by the importing side in it)."""

    exporter: str
    importer: str
    trucks: int           # trucks checked by the importing side after the exporting side released them
    in_time: int          # of them, with the pre-arrival data there in time
    precleared: int       # yellow checks the pre-arrival assessment turned green
    recognised: int       # re-inspections avoided by recognising the exporting side's result
    alerts: int           # violations the exporting side found, each raising an alert
    alerted: int          # trucks checked under an alert
    alert_reds: int       # of them, sent red only because of the alert


class Link:
    """One ordered pair A -> B: its settings, the alerts in force by flow, and its tallies."""

    def __init__(self, exporter: str, importer: str, spec: InformationExchange, n_groups: int,
                 warmup: float, horizon: float):
        self.exporter = exporter
        self.importer = importer
        self.recognition = spec.recognition
        pre = spec.pre_arrival
        self.preclear = pre.preclear if pre is not None else None
        self.document_factor = pre.document_factor if pre is not None else 1.0
        self.delay = pre.delay if pre is not None else 0.0
        self.red_factor = spec.alerts.red_factor if spec.alerts is not None else None
        self.alert_hours = spec.alerts.duration if spec.alerts is not None else 0.0
        # per flow, when the exporting side found violations, in order: an alert is in force at a
        # time if one was found no later and `alert_hours` before at most; kept whole, not as a
        # latest end, so that trucks judged out of order of time (`batch.py`) see what was known then
        self.found: list[list[float]] = [[] for _ in range(n_groups)]
        self.warmup = warmup
        self.horizon = horizon
        self.tally = dict.fromkeys(("trucks", "in_time", "precleared", "recognised", "alerts", "alerted", "alert_reds"), 0)

    def alert(self, group: int, now: float) -> None:
        if self.red_factor is None:
            return
        found = self.found[group]
        if found and now >= found[-1]:
            found.append(now)
        else:
            insort(found, now)
        if self.warmup <= now < self.horizon:
            self.tally["alerts"] += 1

    def alerted(self, group: int, now: float) -> bool:
        """Whether an alert is in force for the flow's trucks at `now`."""
        found = self.found[group]
        i = bisect_right(found, now)
        return i > 0 and found[i - 1] + self.alert_hours > now

    def record(self) -> ExchangeRecord:
        return ExchangeRecord(exporter=self.exporter, importer=self.importer, **self.tally)


class ExchangeOut:
    """At any control of a scenario with exchanges: who released the truck last, and how."""

    __slots__ = ("country", "links")

    def __init__(self, country: str, links: list[Link]):
        self.country = country
        self.links = links  # the pairs this country exports in

    def released(self, truck, channel: Channel, detected: bool, now: float) -> None:
        truck.cleared_by = self.country
        truck.cleared_at = now
        truck.clean = channel == RED and not detected  # inspected and found compliant
        if detected:
            for link in self.links:
                link.alert(truck.group, now)


class ExchangeIn:
    """At one authority of an importing country: the decision adjusted by what came from upstream."""

    __slots__ = ("links", "draws")

    def __init__(self, links: dict[str, Link], streams: Streams, groups: list[str], owner: tuple):
        self.links = links  # exporter -> the pair exporter -> this country

        def block(rng: np.random.Generator, n: int) -> list[list[float]]:
            return rng.random((2, n)).tolist()

        self.draws = streams.per_truck(block, groups, "exchange", *owner)

    def adjust(self, truck, document: float, channel: Channel, u: float, red: float, now: float) -> tuple[float, Channel]:
        """(document time, channel) with the exchange's data; `u`, `red`: the channel draw and P(red);
        `now`: when the officers start on the truck."""
        draws, i = self.draws.locate(truck.group, truck.index)
        cleared_by = getattr(truck, "cleared_by", None)  # unset: no control released it yet
        link = self.links.get(cleared_by) if cleared_by is not None else None
        if link is None:
            return document, channel
        tally = link.tally
        counted = link.warmup <= now < link.horizon
        if counted:
            tally["trucks"] += 1
        alerted = link.red_factor is not None and link.alerted(truck.group, now)
        if alerted:
            assert link.red_factor is not None
            if counted:
                tally["alerted"] += 1
            if channel != RED and u < min(1.0, red * link.red_factor):
                channel = RED
                if counted:
                    tally["alert_reds"] += 1
        elif channel == RED and truck.clean and draws[0][i] < link.recognition:
            channel = GREEN
            if counted:
                tally["recognised"] += 1
        if link.preclear is not None and now - truck.cleared_at >= link.delay:
            document *= link.document_factor
            if counted:
                tally["in_time"] += 1
            if channel == YELLOW and draws[1][i] < link.preclear:
                channel = GREEN
                if counted:
                    tally["precleared"] += 1
        return document, channel


class ExchangeMeasure(Measure):
    """The exchanges of one replication: a link per ordered pair of countries; each control
    records who released a truck, and reads what the truck's last country sent."""

    table = "exchanges"

    def __init__(self, world) -> None:
        from ..scenario.schema import exchange_countries

        n_groups = len(world.scenario.traffic) + len(world.scenario.caravans)
        self.links = [Link(*exchange_countries(key), spec, n_groups, world.warmup, world.horizon)
                      for key, spec in world.scenario.information_exchange.items()]

    def wire(self, world, control, authorities: list, key) -> None:
        if not self.links:
            return
        if len(authorities) == 1:
            country = authorities[0].country
            control.set_on_release(ExchangeOut(country, [k for k in self.links if k.exporter == country]).released,
                                   "exchange_release")
        for authority in authorities:
            incoming = {k.exporter: k for k in self.links if k.importer == authority.country}
            if incoming:
                authority.add_adjuster(ExchangeIn(incoming, world.streams, world.groups,
                                                  (key.node, authority.country, key.direction)).adjust,
                                       "exchange_verdict", min(link.document_factor for link in incoming.values()))

    def features(self, control) -> set[str]:
        found = set()
        if control.on_release is not None and self.links:
            found.add("exchange_release")
        countries = {a.country for a in control.authorities}
        if any(link.importer in countries for link in self.links):
            found.add("exchange_verdict")
        return found

    def records(self) -> list[ExchangeRecord]:
        return [link.record() for link in self.links]

    def truck_columns(self, ids: np.ndarray) -> dict[str, np.ndarray]:
        return {}
