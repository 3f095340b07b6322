"""Background flows worked through outside the event loop, between the events of the others.

Most trucks of a real-scale corridor are background traffic that crosses one border: it drives
to a bcp, passes its exit and entry controls and is gone. Where those controls serve trucks
first come, first served (`fifo.py`), such a truck's start at each of them is known when it
arrives, so its journey needs neither SimPy nor a place in the world's event loop. The trucks of
these flows are kept on a heap of their own and moved on, in order of time, up to the clock:

- before a truck of the event loop takes a lane or a bay at a control they share, or leaves it;
- when a truck of the event loop sets off (its count at the controls it will pass decides
  when background flows stop after the horizon, `Source.stopped`);
- to the end, once the event loop is done.

So every server is taken in order of arrival, whichever kind of truck takes it, and each truck
gets the times the event loop would give it (tests compare the two on random worlds). The steps
and the clock arithmetic are those of `direct.py`; a truck's times are booked as it goes, since
nothing else books them in between.
"""
from __future__ import annotations

from heapq import heappop, heappush
from itertools import count
from typing import Any

from .customs import Channel
from .driving import driven, rest_needed
from .truck import Component, Truck
from .world import CONTROL, DRIVE as DRIVE_STEP

GREEN, YELLOW, RED = Channel.GREEN, Channel.YELLOW, Channel.RED
QUEUE = Component.QUEUE

# what a heap entry resumes
DEPART, DRIVEN, BAY, LEAVE = range(4)


def batch_plan(plan: list[tuple]) -> bool:
    """Whether a background truck on `plan` can go outside the event loop: it only drives and
    passes first-come first-served controls."""
    return all(kind == DRIVE_STEP or (kind == CONTROL and step.fifo_lanes is not None) for kind, step, _ in plan)


class Batch:
    """The background flows `sources` of `world`, moved on by `advance(until)`."""

    def __init__(self, world: Any, sources: list) -> None:
        self.world = world
        self.plans = world.plans
        self.rules = world.rules
        self.heap: list[tuple] = []
        self.order = count()
        self.running = 0   # trucks on their way
        self.last = 0.0    # when the last of them arrived
        self.departures = {source.group: source.times() for source in sources}
        self.sources = sources

    def start(self) -> None:
        """Draw each flow's first departure (in flow order, as the event loop does)."""
        for source in self.sources:
            self._next_departure(source, 0.0)

    def advance(self, until: float) -> None:
        """Take every step that comes before `until`."""
        heap = self.heap
        if not heap or heap[0][0] >= until:
            return
        while heap and heap[0][0] < until:
            now, _, what, truck, pos, visit = heappop(heap)
            if what == LEAVE:
                control = self.plans[truck.group][pos][1]
                start, queue0, channel, detected = visit
                control.tally(truck, start, queue0, now, channel, detected)
                self._advance(truck, pos + 1, now)
            elif what == DRIVEN:
                hours, rest, km = visit
                driven(truck, now, hours, rest, self.rules is not None)
                truck.km += km
                self._advance(truck, pos + 1, now)
            elif what == BAY:
                self._bay(truck, pos, visit, now)
            else:  # DEPART
                source, t = visit
                if source.stopped(t):
                    continue
                truck = source.truck(now)
                self.world.created += 1
                self.running += 1
                self._next_departure(source, now)
                self._advance(truck, 0, now)

    def finish(self, cap: float) -> int:
        """Everything before `cap`; how many trucks are still on their way."""
        self.advance(cap)
        return self.running

    def _push(self, time: float, what: int, truck: Truck | None, pos: int, visit: Any) -> None:
        heappush(self.heap, (time, next(self.order), what, truck, pos, visit))

    def _next_departure(self, source: Any, now: float) -> None:
        t = next(self.departures[source.group], None)
        if t is not None:
            self._push(now + (t - now), DEPART, None, 0, (source, t))

    def _advance(self, truck: Truck, pos: int, now: float) -> None:
        """The truck's steps from `pos` on, up to its first wait (`DirectRun._advance`)."""
        plan = self.plans[truck.group]
        while pos < len(plan):
            kind, step, arg = plan[pos]
            if kind == CONTROL:
                self._control(truck, step, pos, now)
                return
            if arg > 0:  # a drive
                hours = arg / step.value(truck.group, truck.index)
                if hours > 0:
                    if self.rules is None:
                        self._push(now + hours, DRIVEN, truck, pos, (hours, 0.0, arg))
                    else:
                        rest = rest_needed(truck, now, hours, self.rules)
                        self._push(now + (hours + rest), DRIVEN, truck, pos, (hours, rest, arg))
                    return
                truck.km += arg
            pos += 1
        self.running -= 1
        self.last = now
        self.world.arrived += 1

    def _control(self, truck: Truck, control: Any, pos: int, now: float) -> None:
        """Through the lane (and aside) at once; then to the bays, or out, in turn."""
        queue0 = truck.times[QUEUE]
        end, channel, inspection, detection, u_detect = control.fifo_lane(truck, now)
        if channel == RED:
            self._push(end, BAY, truck, pos, (now, queue0, inspection, detection, u_detect))
            return
        if channel == YELLOW:
            truck.yellow += 1
        self._leave(truck, pos, end, now, queue0, channel, False)

    def _bay(self, truck: Truck, pos: int, visit: tuple, now: float) -> None:
        start, queue0, inspection, detection, u_detect = visit
        end, detected = self.plans[truck.group][pos][1].fifo_bay(truck, now, inspection, detection, u_detect)
        self._leave(truck, pos, end, start, queue0, RED, detected)

    def _leave(self, truck: Truck, pos: int, end: float, start: float, queue0: float, channel: Channel,
               detected: bool) -> None:
        """Out of the control at `end`: in turn, so the tallies add up in order of time."""
        self._push(end, LEAVE, truck, pos, (start, queue0, channel, detected))
