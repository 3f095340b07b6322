"""Non-intrusive inspection: scanners between a control's lanes and its inspection bays.

A truck the risk engine sends red, or a green truck drawn for a scan (`green_share`), leaves its
lane for the scanners: it queues for one [queue], is scanned [inspection], and goes on to the
bay only when the scan shows an anomaly (with probability `hit_rate` for a non-compliant truck,
`false_alarm` for a compliant one). A red truck whose scan shows nothing is released: a physical
inspection avoided, and a violation missed if it had one. Outside the scanners' hours a red
truck goes to the bay unscanned and a green one goes on.

The scanners serve their control's lanes (`serves: own_lanes`), or one site serves a country's
exit and entry lanes at the node (`both_directions`: the two controls with the same scanner
settings share the scanners and their busy hours; each keeps its own tallies and draws, and a
truck waiting for a scanner counts in its own control's queue length).

Where: `scanners` of a node, or of one country's control there (`nodes.<node>.controls`); the
measure gives each control that has them a station as its `screen`, the hook between a control's
lanes and its bays.

Draws: the stream ("scanners", node, country, direction), one row per truck keyed by its flow
and index (green-share draw, anomaly draw, scan time), taken for every truck that passes, so
a scenario without scanners draws nothing from it.
"""
from __future__ import annotations

from typing import Any, Generator

import numpy as np
import simpy

from ..scenario.schema import Scanners
from ..scenario.calendar import Calendar
from .customs import Channel
from .fifo import Busy, FifoServers, Waits
from .lanes import Pool, occupy
from .measure import Measure
from .rng import Streams
from .stats import Level
from .truck import Truck

GREEN, YELLOW, RED = Channel.GREEN, Channel.YELLOW, Channel.RED


class ScannerSite:
    """The scanners themselves and their busy hours: one control's, or two controls' (`shared`)."""

    def __init__(self, env: simpy.Environment, count: int, queue_level: Level, warmup: float, horizon: float,
                 shared: bool):
        self.count = count
        self.busy: Level | Busy = Level(warmup, horizon)
        self.pool = Pool(env, count, queue_level, self.busy)
        self.shared = shared
        self.window = (warmup, horizon)
        self.fifo: FifoServers | None = None  # first come, first served (`ScannerStation.use_fifo`)


class ScannerStation:
    """One control's way to its scanners (a site of its own or a shared one), its draws and tallies."""

    def __init__(self, env: simpy.Environment, spec: Scanners, calendar: Calendar, streams: Streams,
                 groups: list[str], owner: tuple, site: ScannerSite, queue_level: Level):
        self.env = env
        self.site = site
        self.pool = site.pool
        # a shared site's pool keeps a queue level of its own: the wait counts in the control's too
        self.also_queue = queue_level if site.shared else None
        self.calendar = calendar
        self.hit_rate = spec.hit_rate
        self.false_alarm = spec.false_alarm
        self.green_share = spec.green_share
        scan = spec.scan

        def block(rng: np.random.Generator, n: int) -> list[list[float]]:
            u = rng.random((2, n)).tolist()
            return [u[0], u[1], scan.sample(rng, n).tolist()]

        self.draws = streams.per_truck(block, groups, "scanners", *owner)
        # trucks that reached the control in the counting window
        self.scans = 0
        self.anomalies = 0
        self.avoided = 0  # red selections a scan released without a physical inspection

    def wants(self, truck: Truck, channel: Channel) -> tuple[float, float] | None:
        """(anomaly draw, scan time) when `truck` goes to the scanners: red, or green and drawn."""
        draws, i = self.draws.locate(truck.group, truck.index)
        if channel == RED or (channel == GREEN and draws[0][i] < self.green_share):
            return draws[1][i], draws[2][i]
        return None

    def scan(self, truck: Truck, channel: Channel, row: tuple[float, float], priority: int,
             counted: bool) -> Generator[Any, Any, Channel]:
        """Scan `truck` if the scanners work now; returns its channel after: RED (to the bay) or GREEN."""
        env = self.env
        calendar = self.calendar
        if not calendar.always_open and calendar.next_open(env.now) > env.now:
            return channel
        u_anomaly, scan_time = row
        yield from occupy(self.pool, truck, priority, scan_time, self.also_queue)
        self.pool.release()
        truck.scans += 1
        return self._judge(truck.noncompliant, channel, u_anomaly, counted)

    def _judge(self, noncompliant: bool, channel: Channel, u_anomaly: float, counted: bool) -> Channel:
        """The channel after a scan: RED with an anomaly (to the bay), else GREEN; tallied if `counted`."""
        anomaly = u_anomaly < (self.hit_rate if noncompliant else self.false_alarm)
        if counted:
            self.scans += 1
            self.anomalies += anomaly
            self.avoided += channel == RED and not anomaly
        return RED if anomaly else GREEN

    def use_fifo(self, waits: Waits) -> None:
        """Serve trucks first come, first served (a control of the fifo engine; a site of its own):
        a truck's scan is worked out when it reaches the scanners, its wait counted in `waits`."""
        site = self.site
        if site.shared:
            raise ValueError("a shared scanner site is served by its pool")
        site.busy = Busy(*site.window)
        site.fifo = FifoServers(site.count, site.busy, waits)

    def take_scan(self, noncompliant: bool, channel: Channel, row: tuple[float, float], now: float,
                  counted: bool) -> tuple[float, float, Channel] | None:
        """`scan` on first-come first-served scanners for a truck that reaches them at `now`:
        when its scan starts, when it ends and its channel after; None when the scanners are not
        working then (the truck goes on with its channel). The same arithmetic as the pool's."""
        calendar = self.calendar
        if not calendar.always_open and calendar.next_open(now) > now:
            return None
        u_anomaly, scan_time = row
        servers = self.site.fifo
        assert servers is not None
        start = servers.start_of(now)
        servers.hold(start, scan_time)
        end = start + scan_time if scan_time > 0 else start
        return start, end, self._judge(noncompliant, channel, u_anomaly, counted)

    def utilisation(self, until: float) -> float:
        """Busy scanner-hours of the site over all its scanner-hours in the counting window."""
        return self.site.busy.mean(until) / self.site.count


class ScannerMeasure(Measure):
    """Scanners at the controls whose settings have them; their columns of the controls' records."""

    def __init__(self, world) -> None:
        self.stations: dict[str, ScannerStation] = {}  # by control name
        self.sites: dict[tuple, ScannerSite] = {}  # shared sites by node, country and settings

    def wire(self, world, control, authorities: list, key) -> None:
        spec = world.control_values(key)["scanners"]
        if spec is not None:
            start = world.scenario.clock.start
            calendar = control.calendar if spec.hours is None else Calendar(spec.hours, (), start)
            if spec.serves == "both_directions":
                site_key = (key.node, control.country, spec)
                site = self.sites.get(site_key)
                if site is None:
                    site = self.sites[site_key] = ScannerSite(world.env, spec.count, Level(world.warmup, world.horizon),
                                                              world.warmup, world.horizon, True)
            else:
                site = ScannerSite(world.env, spec.count, control.queue_level, world.warmup, world.horizon, False)
            station = ScannerStation(world.env, spec, calendar, world.streams, world.groups,
                                     (key.node, control.country, key.direction), site, control.queue_level)
            control.screen = self.stations[control.name] = station

    def features(self, control) -> set[str]:
        station = self.stations.get(control.name)
        if station is None:
            return set()
        return {"scanners", "shared_scanners"} if station.site.shared else {"scanners"}

    def control_fields(self, control, until: float) -> dict:
        station = self.stations.get(control.name)
        if station is None:
            return {}
        return {"scans": station.scans, "scan_anomalies": station.anomalies, "inspections_avoided": station.avoided,
                "scanner_utilisation": station.utilisation(until)}
