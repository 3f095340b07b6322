"""A control: one country's (or, joint, two countries') customs at a node, one direction."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Callable, Generator

import simpy

from ..scenario.dists import Dist
from ..scenario.schema import Outages
from .admission import daily_admission
from ..scenario.calendar import Calendar, week_hour
from .customs import Authority, Channel
from .events import wake_at
from .features import CLASSED, FIFO, EngineError
from .classed import ClassServers, WaitSpans
from .fifo import Busy, FifoServers, StaffedServers, Waits
from .lanes import Pool, occupy
from .priority import priority_table
from .rng import Streams
from .staffing import LaneSchedule, Staffing
from .stats import Changes, Level
from .truck import Component, Truck

CLOSED, QUEUE, DOCUMENT, INSPECTION = Component.CLOSED, Component.QUEUE, Component.DOCUMENT, Component.INSPECTION
BOOKING, PERMIT = Component.BOOKING, Component.PERMIT
GREEN, YELLOW, RED = Channel.GREEN, Channel.YELLOW, Channel.RED


@dataclass(frozen=True)
class ControlSettings:
    lanes: LaneSchedule
    inspection_bays: int
    calendar: Calendar
    handling: Dist
    outages: Outages | None
    start: dt.datetime  # simulated hour 0
    pull_aside: tuple[str, ...] = ()  # checks done with the truck parked aside, not in the lane
    admissions_per_day: int | None = None  # a daily cap on trucks admitted (an e-queue)


class Control:
    """Lanes, inspection bays, a calendar and one or two authorities; tallies what passes.

    `pass_truck`, on the pools, is the reference. Where the engine chosen for the world serves
    this control first come, first served (`features.py`: nothing here that the FIFO solver does
    not support), the world makes its lanes and bays FIFO servers (`use_fifo`, `fifo.py`): a
    truck's start is known when it arrives, and trucks outside the event loop (`batch.py`) can
    pass between the others.
    """

    def __init__(self, env: simpy.Environment, node: str, countries: tuple[str, ...], direction: str,
                 settings: ControlSettings, authorities: list[Authority], streams: Streams,
                 groups: list[str], warmup: float, horizon: float, record_queue: bool = False):
        self.env = env
        self.node = node
        self.country = "+".join(countries)
        self.direction = direction
        self.name = f"{node} {self.country} {direction}"
        self.calendar = settings.calendar
        self.warmup = warmup
        self.horizon = horizon
        self.queue_level = Level(warmup, horizon, Changes() if record_queue else None)
        self.busy_level = Level(warmup, horizon)
        self.bay_busy = Level(warmup, horizon)
        schedule, outages = settings.lanes, settings.outages
        self.most_lanes = schedule.most
        self.staffing: Staffing | None = None
        self.staffed_level: Level | None = None
        self._staff = (schedule, outages, streams, settings.start)
        self.shifts = not schedule.constant   # the lanes working change with the hour
        self.outages = outages is not None    # lanes go out of service
        if schedule.constant and outages is None:
            self.lanes = Pool(env, schedule.most, self.queue_level, self.busy_level)
        else:  # shifts or outages: the lanes working change with the clock
            self.staffed_level = Level(warmup, horizon)
            self.lanes = Pool(env, schedule.at(week_hour(settings.start) % 168.0)[0], self.queue_level,
                              self.busy_level, self.staffed_level)
            self.staffing = self._start_staffing(env, self.lanes)
        self.bays = Pool(env, settings.inspection_bays, self.queue_level, self.bay_busy)
        self.errors_aside = "error_correction" in settings.pull_aside
        self.yellow_aside = "yellow_check" in settings.pull_aside
        self.aside_checks = self.errors_aside or self.yellow_aside
        # physical handling in the lane; None when there is none (most controls)
        self.handling = None if settings.handling.is_fixed and settings.handling.mean() == 0 else \
            streams.per_truck_values(settings.handling, groups, "service", node, self.country, direction, "handling")
        self.admission = None if settings.admissions_per_day is None else \
            daily_admission(env, settings.admissions_per_day, settings.start)
        self.due = 0  # trucks of counted flows and caravans created that have still to pass here
        self.onward: Control | None = None  # a coupled exit side: the entry side it hands trucks to
        self.handed = False                 # a coupled entry side: trucks come from the exit side
        # a measure told of each release (truck, channel, detected, now): e.g. an information exchange (exchange.py)
        self.on_release: Callable[[Truck, int, bool, float], None] | None = None
        self.release_feature: tuple[Callable, str] | None = None  # the hook set by `set_on_release` and what it is
        # a measure that may hold a truck before the lane (a road permit, permits.py): truck -> generator
        self.before_lane: Callable[[Truck], Generator] | None = None
        self.before_lane_feature: tuple[Callable, str] | None = None  # the gate set by `set_before_lane`, and what it is
        # road permits (permits.py): the quota each flow's trucks take a permit of here (None: no permit)
        self.permit_quotas: list | None = None
        # a measure between the lanes and the bays (scanners, scanners.py): `wants(truck, channel)`
        # says whether it takes the truck, `scan(...)` takes it and gives its channel after
        self.screen = None
        # how a joint control's countries combine their verdicts (joint.py)
        self.combine: Callable[..., tuple[float, float, Channel, float, float, float]] | None = None
        # first[aeo][regime]: trucks of the classes that go first in the queues here (priority.py)
        self.first = priority_table()
        self.zone: Pool | None = None       # the neutral zone between the two (None: no room)
        self.authorities = authorities
        self.single = authorities[0] if len(authorities) == 1 else None
        # tallies of the trucks that arrive in the window [warm-up, horizon)
        self.n = 0
        self.times: list[float] = []
        self.queue_sum = 0.0
        self.closed_sum = 0.0
        self.yellow = 0
        self.red = 0
        self.detections = 0
        self.group_tally = [[0, 0.0, 0.0] for _ in groups]  # per flow: trucks, hours here, hours queueing
        # per flow, the counted trucks (those of the lead times) whenever they come: trucks, hours here
        self.counted_tally = [[0, 0.0] for _ in groups]
        # first-come first-served lanes and bays (use_fifo), and what brings the trucks outside
        # the event loop up to the clock before a truck of the loop takes them (batch.py)
        self.fifo_lanes: FifoServers | StaffedServers | ClassServers | None = None
        self.fifo_bays: FifoServers | ClassServers | None = None
        self.catch_up: Callable[[float], None] | None = None
        # where some trucks go first (classed.py): the trucks outside the loop started up to and at a time
        self.serve_through: Callable[[float], None] | None = None
        # where it keeps hours: the trucks outside the loop that came before a truck of the loop
        # (`arrived`) and ask for a lane when the control opens at `t`, started first (`open_through(t, arrived)`)
        self.open_through: Callable[[float, float], None] | None = None
        self.passage = self.pass_truck
        self.features: frozenset[str] = frozenset()  # what changes a truck's times here (the world's `Features`)

    def use_fifo(self, record_queue: bool, until: float) -> None:
        """Serve trucks by the FIFO recursion from now on (before the first truck comes); lanes
        that change in number are worked out up to `until`. Refused where a feature of the
        control is one the FIFO solver does not support (`features.FIFO`)."""
        lacks = self.features - FIFO.control
        if lacks:
            raise EngineError(f"the fifo engine does not support {', '.join(sorted(lacks))} (at {self.name})")
        # some trucks go first, or a verdict reads what other trucks met before it (an exchange's
        # alerts): starts made in order of time, when the clock gets there
        classed = bool(self.features & CLASSED)
        # taken by class, the queue is a level changed in order of time as the pools change it;
        # first come first served, it comes from the spans of the waits
        waits = Waits(self.warmup, self.horizon, record_queue)
        busy = self.busy_level = Busy(self.warmup, self.horizon)  # type: ignore[assignment]
        self.bay_busy = Busy(self.warmup, self.horizon)  # type: ignore[assignment]
        lanes = FifoServers(self.lanes.capacity, busy, waits) if self.staffing is None else \
            self._staffed_servers(busy, waits, until)
        bays = FifoServers(self.bays.capacity, self.bay_busy, waits)  # type: ignore[arg-type]
        if classed:
            spans = WaitSpans(self.warmup, self.horizon, record_queue)
            self.queue_level = spans  # type: ignore[assignment]
            self.fifo_lanes, self.fifo_bays = ClassServers(lanes, spans), ClassServers(bays, spans)
            self.passage = self._pass_classed
            return
        self.queue_level = waits  # type: ignore[assignment]
        self.fifo_lanes, self.fifo_bays = lanes, bays
        if self.screen is not None:  # scanners of its own, between the lanes and the bays
            self.screen.use_fifo(waits)
        self.passage = self._pass_fifo

    def set_before_lane(self, gate: Callable[[Truck], Generator], feature: str = "before_lane",
                        quotas: list | None = None) -> None:
        """Hold each truck in `gate` before the lane; `feature`: what it is, for the choice of
        engine (`features.FEATURES`); `quotas`: road permits, the quota each flow's trucks take a
        permit of (`permits.PermitQuota`, None: none), which the fifo engine works out itself."""
        self.before_lane = gate
        self.before_lane_feature = (gate, feature)
        self.permit_quotas = quotas

    def set_on_release(self, hook: Callable[[Truck, int, bool, float], None], feature: str = "release_hook") -> None:
        """Tell `hook` of each release; `feature`: what it is, for the choice of engine (`features.FEATURES`)."""
        self.on_release = hook
        self.release_feature = (hook, feature)

    def fifo_lane(self, truck: Truck, now: float) -> tuple[float, Channel, float, float, float]:
        """A truck at first-come first-served lanes at `now`: its verdict, and its spells in the
        lane (queue, check, handling) and aside booked as `pass_truck` books them. When it is
        ready for a bay or to leave, its channel, inspection time, detection probability and the
        uniform that decides detection."""
        lanes = self.fifo_lanes
        assert isinstance(lanes, (FifoServers, StaffedServers))
        served = lanes.start_of(now)  # which does not depend on how long the truck will take
        return self._in_lane(truck, now, served, lanes)

    def _in_lane(self, truck: Truck, now: float, served: float, lanes: FifoServers | StaffedServers | ClassServers
                 ) -> tuple[float, Channel, float, float, float]:
        """`fifo_lane` of a truck that came at `now` and starts at `served`."""
        if served > now:
            truck.book(QUEUE, served)
        ready = served  # when the officers start: the lane it got as the control closed waits for the opening
        if not self.calendar.always_open:
            opens = self.calendar.next_open(served)
            if opens > served:
                ready = served + (opens - served)  # as a timeout of `opens - now` ends
                truck.book(CLOSED, ready)
        if truck.trace is not None:  # the officers start on this truck (traced trucks only)
            truck.log(self.node, "service", ready)
        doc, aside, channel, inspection, detection, u_detect = self.verdict(truck, ready)
        handling = 0.0 if self.handling is None else self.handling.value(truck.group, truck.index)
        lanes.hold(served, doc, handling, ready)
        end = ready
        if doc > 0:
            end = ready + doc
            truck.book(DOCUMENT, end)
        if handling > 0:
            end = end + handling
            truck.book(INSPECTION, end)
        if aside > 0:
            end = end + aside
            truck.book(DOCUMENT, end)
        return end, channel, inspection, detection, u_detect

    def fifo_bay(self, truck: Truck, now: float, inspection: float, detection: float, u_detect: float
                 ) -> tuple[float, bool]:
        """A red truck at first-come first-served bays at `now`, its wait and inspection booked:
        when it leaves the bay, and whether the inspection found a violation."""
        bay = self.fifo_bays.take(now, inspection)  # type: ignore[union-attr]
        return self._in_bay(truck, now, bay, inspection, detection, u_detect)

    def _in_bay(self, truck: Truck, now: float, bay: float, inspection: float, detection: float, u_detect: float
                ) -> tuple[float, bool]:
        """`fifo_bay` of a truck that came at `now` and got its bay at `bay`."""
        end = now
        if bay > now:
            truck.book(QUEUE, bay)
            end = bay
        if inspection > 0:
            end = end + inspection
            truck.book(INSPECTION, end)
        truck.inspections += 1
        detected = truck.noncompliant and u_detect < detection
        if detected:
            truck.detected = True
        return end, detected

    def couple(self, entry: "Control", room: int) -> None:
        """Hand trucks to `entry` only when it can take them: room for `room` trucks between."""
        self.onward = entry
        entry.handed = True
        if room > 0:
            self.zone = entry.zone = Pool(self.env, room, Level(self.warmup, self.horizon),
                                          Level(self.warmup, self.horizon))

    def _leave(self, truck: Truck, priority: int) -> Generator:
        """A coupled exit side: wait for room in the neutral zone, or for the entry side's lane."""
        if self.zone is not None:
            granted = self.zone.request(priority)
        else:
            assert self.onward is not None  # a coupled exit side without a zone
            granted = self.onward.lanes.request(priority)
            truck.holds = self.onward.lanes
        if granted is not None:
            yield granted
            truck.book(QUEUE, self.env.now)

    def _start_staffing(self, env: simpy.Environment, pool: Pool) -> Staffing:
        """The shifts and outages of this control's lanes, as processes on `env` that set `pool`'s capacity."""
        schedule, outages, streams, start = self._staff
        staffing = Staffing(env, pool, schedule, week_hour(start), self.warmup, self.horizon)
        if outages is None:
            return staffing
        for o in outages.dated:
            begin = (o.from_ - start).total_seconds() / 3600
            end = (o.to - start).total_seconds() / 3600
            if end > 0:
                env.process(staffing.outage(max(begin, 0.0), end, o.lanes))
        spec = outages.random
        if spec is not None and spec.per_year > 0:
            months = set(spec.months)
            rate = spec.per_year / 8760.0 * 12 / len(months)  # all outages start in the listed months
            gap = streams.sampler(Dist("exponential", (1 / rate,)), "outages", self.name, "gap")
            duration = streams.sampler(spec.duration, "outages", self.name, "duration")
            env.process(staffing.random_outages(months, gap, duration, start, spec.lanes))
        return staffing

    def _staffed_servers(self, busy: Busy, waits: Waits, until: float) -> StaffedServers:
        """First-come first-served lanes whose number changes as the shifts and outages say. The
        changes depend on no truck, so they are worked out in advance up to `until`: the same
        processes, draws and clock arithmetic as on the world's clock, on a clock of their own."""
        env = simpy.Environment()
        self.staffed_level = Level(self.warmup, self.horizon, Changes())
        pool = Pool(env, self.lanes.capacity, Level(self.warmup, self.horizon), Level(self.warmup, self.horizon),
                    self.staffed_level)
        self.staffing = self._start_staffing(env, pool)
        env.run(until=until)
        times: list[float] = []
        counts: list[int] = []
        for t, n in zip(*(column.tolist() for column in self.staffed_level.series.arrays())):  # type: ignore[union-attr]
            if times and times[-1] == t:  # several changes at once: the last holds
                counts[-1] = n
            else:
                times.append(t)
                counts.append(n)
        self.staffed_level.series = None
        return StaffedServers(times, counts, busy, waits)

    def lane_floor(self, group: int, index: int, regime: int) -> float:
        """The least time truck `index` of flow `group` can hold a lane here for its check,
        whenever it is judged (`Authority.lane_floor`; nothing known at a joint control)."""
        if self.single is None:
            return 0.0
        return self.single.lane_floor(group, index, regime, self.errors_aside)

    def verdict(self, truck: Truck, now: float) -> tuple[float, float, Channel, float, float, float]:
        """The verdict on `truck`, the officers starting on it at `now`: time in the lane (document
        check, and error correction and yellow check unless they are done aside), time aside (in
        the parking area, after the lane), channel, inspection time, detection probability and the
        uniform that decides detection."""
        errors_aside, yellow_aside = self.errors_aside, self.yellow_aside
        if self.single is not None:
            a = self.single
            document, error, channel, yellow_check, inspection, u_detect = a.decide(truck, now)
            yellow = yellow_check if channel == YELLOW else 0.0
            if not (errors_aside or yellow_aside):  # most controls: everything in the lane
                return document + error + yellow, 0.0, channel, inspection, a.detection, u_detect
            lane = document + (0.0 if errors_aside else error) + (0.0 if yellow_aside else yellow)
            aside = (error if errors_aside else 0.0) + (yellow if yellow_aside else 0.0)
            return lane, aside, channel, inspection, a.detection, u_detect
        # several countries' officers at one stop: their rule (joint.py)
        return self.combine(self.authorities, truck, errors_aside, yellow_aside, now)  # type: ignore[misc]

    def _pass_fifo(self, truck: Truck) -> Generator:
        """`pass_truck` through first-come first-served lanes and bays (`use_fifo`): the truck
        wakes once at the end of its time in the lane and aside, and once at the end of a bay's,
        at the very times the pools would give it; a truck that waits for a road permit wakes when
        it gets one, and where the control keeps hours, one that comes while it is closed wakes
        when it opens, and asks for a lane then, as on the pools."""
        env = self.env
        start = env.now
        catch_up = self.catch_up
        if catch_up is not None:
            catch_up(start)
        queue0 = truck.times[QUEUE]
        closed0 = truck.times[CLOSED]
        truck.where = self.name
        asks = start  # when it asks for a lane: when it has a permit, or when the control opens
        quota = None if self.permit_quotas is None else self.permit_quotas[truck.group]
        if quota is not None:  # a road permit of its registration's quota, or a later period's
            asks = quota.take_at(start)
            if asks > start:
                yield wake_at(env, asks)  # when the quota's booking process admits it
                truck.book(PERMIT, asks)
                if self.open_through is not None:  # the trucks outside the loop booked before it go first
                    self.open_through(asks, start)
        if not self.calendar.always_open:
            opens = self.calendar.next_open(asks)
            if opens > asks:
                yield env.timeout(opens - asks)  # as `pass_truck` waits, to the same float
                asks = env.now
                truck.book(CLOSED, asks)
                if self.open_through is not None:  # the trucks outside the loop that waited longer go first
                    self.open_through(asks, start)
        now, channel, inspection, detection, u_detect = self.fifo_lane(truck, asks)
        screen = self.screen
        scan = None if screen is None else screen.wants(truck, channel)
        if now > asks:
            yield wake_at(env, now)
        if scan is not None:  # to the scanners; on to the bay only with an anomaly
            if catch_up is not None:
                catch_up(now)
            taken = screen.take_scan(truck.noncompliant, channel, scan, now, self.warmup <= start < self.horizon)
            if taken is not None:
                begin, end, channel = taken
                if begin > now:
                    truck.book(QUEUE, begin)
                if scan[1] > 0:
                    truck.book(INSPECTION, end)
                truck.scans += 1
                if end > now:
                    now = end
                    yield wake_at(env, now)
        detected = False
        if channel == RED:
            if catch_up is not None:
                catch_up(now)
            end, detected = self.fifo_bay(truck, now, inspection, detection, u_detect)
            if end > now:
                now = end
                yield wake_at(env, now)
        elif channel == YELLOW:
            truck.yellow += 1
        if catch_up is not None:
            catch_up(now)
        if self.on_release is not None:
            self.on_release(truck, channel, detected, now)
        self.tally(truck, start, queue0, now, channel, detected, truck.times[CLOSED] - closed0)

    def _pass_classed(self, truck: Truck) -> Generator:
        """`pass_truck` through lanes and bays taken by class (`use_fifo`, `classed.py`): a truck
        that has to wait sleeps until the earliest moment it could start and starts when, then,
        it is first in line; it wakes once more at the end of each spell, at the very times the
        pools would give it."""
        env = self.env
        start = env.now
        catch_up = self.catch_up
        if catch_up is not None:
            catch_up(start)
        queue0 = truck.times[QUEUE]
        truck.where = self.name
        priority = 0 if truck.prenotified or self.first[truck.aeo][truck.regime] else 1
        lanes, bays = self.fifo_lanes, self.fifo_bays
        assert isinstance(lanes, ClassServers) and isinstance(bays, ClassServers)
        if self.serve_through is not None:  # whoever starts now goes before a truck that comes now
            self.serve_through(start)
        served = start
        if not lanes.arrive(start, priority, 0.0, 0.0, truck):  # how long it holds the lane: known when it starts
            served = yield from self._await(lanes, truck, start)
        now, channel, inspection, detection, u_detect = self._in_lane(truck, start, served, lanes)
        if now > served:
            yield wake_at(env, now)
        detected = False
        if channel == RED:
            if catch_up is not None:
                catch_up(now)
            if self.serve_through is not None:
                self.serve_through(now)
            bay = now
            if not bays.arrive(now, priority, inspection, 0.0, truck):
                bay = yield from self._await(bays, truck, now)
            bays.hold(bay, inspection)
            end, detected = self._in_bay(truck, now, bay, inspection, detection, u_detect)
            if end > now:
                now = end
                yield wake_at(env, now)
        elif channel == YELLOW:
            truck.yellow += 1
        if catch_up is not None:
            catch_up(now)
        if self.on_release is not None:
            self.on_release(truck, channel, detected, now)
        self.tally(truck, start, queue0, now, channel, detected)

    def _await(self, servers: ClassServers, truck: Truck, now: float) -> Generator[simpy.Event, Any, float]:
        """A truck waiting in line at `servers` since `now`: when it starts (`classed.py`)."""
        env = self.env
        catch_up, through = self.catch_up, self.serve_through
        while True:
            bound = servers.bound(truck, now)
            if bound == math.inf:  # no server will ever work again: it waits for ever, as on the pools
                yield env.event()
            # (at the same time as now, after what else happens then: another truck first in line)
            yield wake_at(env, bound)
            now = bound
            if catch_up is not None:
                catch_up(now)
            if through is not None:
                through(now)
            if servers.ready(truck, now):
                servers.start(now)
                return now

    def tally(self, truck: Truck, start: float, queue0: float, now: float, channel: Channel, detected: bool,
              closed: float = 0.0) -> None:
        """A truck that came at `start` with `queue0` hours of queueing behind it leaves at `now`,
        `closed` of its hours here spent waiting for the control to open: counted if it came in
        the window."""
        if truck.counted:
            tally = self.counted_tally[truck.group]
            tally[0] += 1
            tally[1] += now - start
        if self.warmup <= start < self.horizon:
            self.tally_spans(truck.group, start, now, truck.times[QUEUE] - queue0, channel, detected, closed)

    def tally_spans(self, group: int, start: float, now: float, queued: float, channel: int, detected: bool,
                    closed: float = 0.0) -> None:
        """`tally` of a truck of flow `group` that queued `queued` hours here (batch.py keeps no Truck)."""
        if self.warmup <= start < self.horizon:
            spent = now - start
            self.n += 1
            self.times.append(spent)
            self.queue_sum += queued
            self.closed_sum += closed
            tally = self.group_tally[group]
            tally[0] += 1
            tally[1] += spent
            tally[2] += queued
            if channel != GREEN:
                self._tally_channel(channel, detected)

    def _tally_channel(self, channel: int, detected: bool) -> None:
        if channel == YELLOW:
            self.yellow += 1
        elif channel == RED:
            self.red += 1
            if detected:
                self.detections += 1

    def pass_truck(self, truck: Truck) -> Generator:
        env = self.env
        start = env.now
        queue0 = truck.times[QUEUE]
        closed0 = truck.times[CLOSED]
        truck.where = self.name
        if self.before_lane is not None:  # e.g. a road permit for the truck's country of registration
            yield from self.before_lane(truck)
        if self.admission is not None:  # the day's quota is full: wait in the e-queue for a slot
            booked = self.admission.request()
            if booked is not None:
                yield booked
                truck.book(BOOKING, env.now)
        calendar = self.calendar
        if not calendar.always_open:  # closed now (after any wait for a permit or a slot): wait for it to open
            asks = env.now
            opens = calendar.next_open(asks)
            if opens > asks:
                yield env.timeout(opens - asks)
                truck.book(CLOSED, env.now)
        priority = 0 if truck.prenotified or self.first[truck.aeo][truck.regime] else 1
        if truck.holds is self.lanes:  # taken from the exit side of a crossing without a neutral zone
            truck.holds = None
        else:
            granted = self.lanes.request(priority)
            if granted is not None:
                yield granted
                truck.book(QUEUE, env.now)
            if self.zone is not None and self.onward is None:  # entry side: the truck leaves the zone
                self.zone.release()
        if not calendar.always_open:  # it may have closed while the truck queued
            opens = calendar.next_open(env.now)
            if opens > env.now:
                yield env.timeout(opens - env.now)
                truck.book(CLOSED, env.now)
        if truck.trace is not None:  # the officers start on this truck (traced trucks only)
            truck.log(self.node, "service", env.now)
        doc, aside, channel, inspection, detection, u_detect = self.verdict(truck, env.now)
        scan = None if self.screen is None else self.screen.wants(truck, channel)
        detected = False
        if doc > 0:
            yield env.timeout(doc)
            truck.book(DOCUMENT, env.now)
        handling = 0.0 if self.handling is None else self.handling.value(truck.group, truck.index)
        if handling > 0:
            yield env.timeout(handling)
            truck.book(INSPECTION, env.now)
        coupled = self.onward is not None
        if channel == RED or scan is not None or aside > 0 or not coupled:
            self.lanes.release()
        else:  # coupled: the truck stays in the lane until the entry side can take it
            yield from self._leave(truck, priority)
            self.lanes.release()
        if aside > 0:  # pulled aside into the parking area: the lane is free for the next truck
            yield env.timeout(aside)
            truck.book(DOCUMENT, env.now)
            if coupled and channel != RED and scan is None:
                yield from self._leave(truck, priority)
        if scan is not None:  # to the scanners; back to the bay only with an anomaly
            channel = yield from self.screen.scan(truck, channel, scan, priority, self.warmup <= start < self.horizon)
            if coupled and channel != RED:
                yield from self._leave(truck, priority)
        if channel == RED:
            yield from occupy(self.bays, truck, priority, inspection)
            if coupled:  # the truck stays in the bay until the entry side can take it
                yield from self._leave(truck, priority)
            self.bays.release()
            truck.inspections += 1
            if truck.noncompliant and u_detect < detection:
                truck.detected = detected = True
        elif channel == YELLOW:
            truck.yellow += 1
        if self.on_release is not None:
            self.on_release(truck, channel, detected, env.now)
        self.tally(truck, start, queue0, env.now, channel, detected, truck.times[CLOSED] - closed0)

