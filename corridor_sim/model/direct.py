"""Running a world without SimPy, where nothing in it needs SimPy's generality.

A world whose trucks only depart, drive and pass controls on the open path (`Control._pass_open`:
always open, constant lanes, no daily cap, no handling, no coupling, no scanners, no measure that
holds a truck or watches the clock) is a network of priority queues with delays between them.
Such a world is run here by one loop over a heap of (time, order, what, truck, visit) entries: a
truck's step is a function call, a wait is one heap entry, and nothing else is scheduled, where
SimPy would resume a generator through several events for each. The steps are those of
`World._journey`, `Control._pass_open` and `driving.drive`, taken in the same order, with the
same arithmetic on the clock and the same pools (`lanes.Pool`, given this loop's clock), so a
world gives every truck the same times to the last bit whichever way it runs (tests compare
the two on random worlds). Ferries, caravans, calendars, shifts, outages, scanners, traces and
the measures that act in time (permits, information exchange, audit) take SimPy's way.
"""
from __future__ import annotations

import heapq
from itertools import count
from typing import Any

from .control import Control
from .customs import Channel
from .driving import driven, rest_needed
from .truck import Component, Truck
from .world import CONTROL, DRIVE as DRIVE_STEP

GREEN, YELLOW, RED = Channel.GREEN, Channel.YELLOW, Channel.RED
QUEUE, DOCUMENT, INSPECTION = Component.QUEUE, Component.DOCUMENT, Component.INSPECTION

# what a heap entry resumes (the last two: at a control with first-come first-served servers)
DEPART, DRIVEN, LANE, DOCUMENTED, ASIDE, BAY, INSPECTED, FIFO_LANE, FIFO_BAY = range(9)


def runs_direct(world: Any) -> bool:
    """Whether `world` can run here: what it contains needs nothing of SimPy's."""
    if world.trace_all or world.scenario.caravans or world.ferries:
        return False
    for control in world.controls.values():
        if control.fifo_lanes is not None:  # shifts and outages worked out in advance, handling in the lane
            continue
        if (control.passage.__func__ is not Control._pass_open or control.staffing is not None
                or control.screen is not None or control.on_release is not None
                or any(a.adjust is not None for a in control.authorities)):
            return False
    return True


class Clock:
    """The loop's clock and heap, standing in for a SimPy environment in the pools."""

    __slots__ = ("now", "heap", "order")

    def __init__(self) -> None:
        self.now = 0.0
        self.heap: list[tuple] = []
        self.order = count()

    def event(self) -> "Grant":
        return Grant(self)

    def at(self, time: float, what: int, truck: Any, visit: Any) -> None:
        heapq.heappush(self.heap, (time, next(self.order), what, truck, visit))


class Grant:
    """A pool's promise of a server to a waiting truck: `succeed` resumes the truck now."""

    __slots__ = ("clock", "what", "truck", "visit")

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def succeed(self) -> None:
        self.clock.at(self.clock.now, self.what, self.truck, self.visit)


class Visit:
    """A truck at a control: where it is in its plan and what the control decided."""

    __slots__ = ("control", "pos", "start", "queue0", "priority", "aside", "channel", "inspection", "detection",
                 "u_detect", "detected")

    def __init__(self, control: Control, pos: int, start: float, queue0: float, priority: int) -> None:
        self.control = control
        self.pos = pos
        self.start = start
        self.queue0 = queue0
        self.priority = priority


class DirectRun:
    """One replication of `world` run by the loop (`run`), leaving the world as SimPy would."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.clock = clock = Clock()
        for control in world.controls.values():  # the pools take this clock for SimPy's
            control.lanes.env = clock
            control.bays.env = clock
        self.plans = world.plans
        self.rules = world.rules
        self.watched = [source.counted for source in world.sources]

    def run(self, cap: float) -> None:
        """Every event before `cap`; the world's `finished_at` says whether all trucks arrived."""
        world = self.world
        heap = self.clock.heap
        clock = self.clock
        departures = []
        for source in world.event_sources:  # in flow order, as SimPy starts the arrival processes
            times = source.times()
            departures.append(times)
            self._next_departure(source, times, 0.0)
        pop = heapq.heappop
        advance = self._advance
        while heap and heap[0][0] < cap:
            now, _, what, truck, visit = pop(heap)
            clock.now = now
            if what == DOCUMENTED:  # the most frequent: a check in the lane is over
                truck.book(DOCUMENT, now)
                visit.control.lanes.release()
                self._after_lane(truck, visit, now)
            elif what == DEPART:
                source, t = visit
                if source.stopped(t):
                    world._source_finished(now)
                    continue
                world.catch_up(now)
                truck = source.truck(now)
                world._register(truck, source.counted)
                self._next_departure(source, departures[source.group], now)
                advance(truck, 0, now)
            elif what == DRIVEN:
                pos, hours, rest, km = visit
                driven(truck, now, hours, rest, self.rules is not None)
                truck.km += km
                advance(truck, pos + 1, now)
            elif what == LANE:
                truck.book(QUEUE, now)
                self._serve(truck, visit, now)
            elif what == ASIDE:
                truck.book(DOCUMENT, now)
                self._to_bay(truck, visit, now)
            elif what == BAY:
                truck.book(QUEUE, now)
                self._inspect(truck, visit, now)
            elif what == INSPECTED:
                truck.book(INSPECTION, now)
                self._inspected(truck, visit, now)
            elif what == FIFO_LANE:  # out of the lane and the parking area (booked on arrival)
                self._fifo_bay(truck, visit, now)
            else:  # FIFO_BAY: out of the bay (booked on arrival there)
                self._fifo_leave(truck, visit, now, visit.detected)

    def _next_departure(self, source: Any, times: Any, now: float) -> None:
        """Schedule the flow's next departure, or finish the flow (as `World._arrivals`)."""
        t = next(times, None)
        if t is None:
            self.world._source_finished(now)
            return
        self.clock.at(now + (t - now), DEPART, None, (source, t))

    def _advance(self, truck: Truck, pos: int, now: float) -> None:
        """Take the steps of the truck's plan from `pos` on, up to its first wait (`World._journey`)."""
        plan = self.plans[truck.group]
        while pos < len(plan):
            kind, step, arg = plan[pos]
            if kind == CONTROL:  # into its lanes, or into their queue
                truck.where = step.name
                if step.fifo_lanes is not None:
                    self._fifo_arrive(truck, step, pos, now)
                    return
                priority = 0 if truck.prenotified or step.first[truck.aeo][truck.regime] else 1
                visit = Visit(step, pos, now, truck.times[QUEUE], priority)
                granted = step.lanes.request(priority)
                if granted is None:
                    self._serve(truck, visit, now)
                else:
                    granted.what, granted.truck, granted.visit = LANE, truck, visit
                return
            if kind == DRIVE_STEP and arg > 0:
                truck.where = "driving"
                hours = arg / step.value(truck.group, truck.index)
                if hours > 0:
                    if self.rules is None:
                        self.clock.at(now + hours, DRIVEN, truck, (pos, hours, 0.0, arg))
                    else:
                        rest = rest_needed(truck, now, hours, self.rules)
                        self.clock.at(now + (hours + rest), DRIVEN, truck, (pos, hours, rest, arg))
                    return
                truck.km += arg
            pos += 1
        self.world._finish(truck, now)

    def _serve(self, truck: Truck, visit: Visit, now: float) -> None:
        control = visit.control
        doc, aside, channel, inspection, detection, u_detect = control.verdict(truck)
        visit.aside, visit.channel, visit.inspection, visit.detection, visit.u_detect = \
            aside, channel, inspection, detection, u_detect
        if doc > 0:
            clock = self.clock
            heapq.heappush(clock.heap, (now + doc, next(clock.order), DOCUMENTED, truck, visit))
            return
        control.lanes.release()
        self._after_lane(truck, visit, now)

    def _after_lane(self, truck: Truck, visit: Visit, now: float) -> None:
        if visit.aside > 0:
            self.clock.at(now + visit.aside, ASIDE, truck, visit)
            return
        self._to_bay(truck, visit, now)

    def _to_bay(self, truck: Truck, visit: Visit, now: float) -> None:
        if visit.channel == RED:
            granted = visit.control.bays.request(visit.priority)
            if granted is not None:
                granted.what, granted.truck, granted.visit = BAY, truck, visit
                return
            self._inspect(truck, visit, now)
            return
        if visit.channel == YELLOW:
            truck.yellow += 1
        self._leave(truck, visit, now, False)

    def _inspect(self, truck: Truck, visit: Visit, now: float) -> None:
        if visit.inspection > 0:
            self.clock.at(now + visit.inspection, INSPECTED, truck, visit)
            return
        self._inspected(truck, visit, now)

    def _inspected(self, truck: Truck, visit: Visit, now: float) -> None:
        visit.control.bays.release()
        truck.inspections += 1
        detected = False
        if truck.noncompliant and visit.u_detect < visit.detection:
            truck.detected = detected = True
        self._leave(truck, visit, now, detected)

    def _leave(self, truck: Truck, visit: Visit, now: float, detected: bool) -> None:
        control = visit.control
        control.tally(truck, visit.start, visit.queue0, now, visit.channel, detected)
        if self.watched[truck.group]:
            control.due -= 1
        self._advance(truck, visit.pos + 1, now)

    # --- a control with first-come first-served servers (Control._pass_fifo's steps) ---------

    def _fifo_arrive(self, truck: Truck, control: Control, pos: int, now: float) -> None:
        if control.catch_up is not None:
            control.catch_up(now)
        visit = Visit(control, pos, now, truck.times[QUEUE], 1)
        end, visit.channel, visit.inspection, visit.detection, visit.u_detect = control.fifo_lane(truck, now)
        if end > now:
            self.clock.at(end, FIFO_LANE, truck, visit)
            return
        self._fifo_bay(truck, visit, now)

    def _fifo_bay(self, truck: Truck, visit: Visit, now: float) -> None:
        if visit.channel == RED:
            control = visit.control
            if control.catch_up is not None:
                control.catch_up(now)
            end, visit.detected = control.fifo_bay(truck, now, visit.inspection, visit.detection, visit.u_detect)
            if end > now:
                self.clock.at(end, FIFO_BAY, truck, visit)
                return
            self._fifo_leave(truck, visit, now, visit.detected)
            return
        if visit.channel == YELLOW:
            truck.yellow += 1
        self._fifo_leave(truck, visit, now, False)

    def _fifo_leave(self, truck: Truck, visit: Visit, now: float, detected: bool) -> None:
        if visit.control.catch_up is not None:
            visit.control.catch_up(now)
        self._leave(truck, visit, now, detected)
