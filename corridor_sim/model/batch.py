"""Background flows worked through outside the event loop, between the events of the others.

Most trucks of a real-scale corridor are background traffic that crosses one border: it drives
to a bcp, passes its exit and entry controls and is gone. Where those controls serve trucks
first come, first served (`fifo.py`), such a truck's start at each of them is known when it
arrives, so its journey needs neither SimPy nor a place in the world's event loop. These flows
are moved on, up to the clock:

- before a truck of the event loop takes a lane or a bay at a control they share, or leaves it;
- when a truck of the event loop sets off (its count at the controls it will pass decides
  when background flows stop after the horizon, `Source.stopped`);
- to the end, once the event loop is done.

Who a flow's trucks are and when they reach their first control depend on nothing else, so
they are drawn and worked out in numpy columns, as many as will depart (`columns.py`), as are
their verdicts at each control. What is left truck by truck is what depends on the others:
each control takes its arrivals before the clock in order of arrival (the FIFO recursion),
then its red trucks at the bays in order, then tallies its trucks in order of leaving and sends
each on to its next control. So every server is taken in order of arrival, whichever kind of
truck takes it, and each truck gets the times the event loop would give it (tests compare the
two on random worlds and on the bundled corridor).
"""
from __future__ import annotations

from collections import Counter
from heapq import heappop, heappush, heapreplace
from itertools import count
from typing import Any, Callable, Iterator

import numpy as np

from ..errors import SimulationError
from .classed import ClassServers
from .columns import Cohort, ColumnRun, _verdicts, per_truck_column
from .customs import Channel
from .driving import rest_needed
from .fifo import FifoServers
from .features import ONE_BY_ONE
from .plan import CONTROL, DRIVE as DRIVE_STEP, control_order
from .truck import Truck

GREEN, YELLOW, RED = int(Channel.GREEN), int(Channel.YELLOW), int(Channel.RED)
FIRST = 1024  # candidate departures drawn beyond the horizon at first, and at least as many whenever more are needed
INF = float("inf")


def batch_plan(plan: list[tuple]) -> bool:
    """Whether a background truck on `plan` can go outside the event loop: it only drives and
    passes first-come first-served controls."""
    return all(kind == DRIVE_STEP or (kind == CONTROL and step.fifo_lanes is not None) for kind, step, _ in plan)


def batch_order(world: Any, sources: list) -> list | None:
    """The controls the background flows `sources` pass, each after those its trucks pass before
    it; None if there is no such order (routes that pass them in both orders)."""
    return control_order([world.plans[source.group] for source in sources])


def out_of_lane(served: float, doc: float, handling: float, aside: float) -> float:
    """When a truck that took its lane at `served` is through it and aside: the steps and the
    float additions of `Control.fifo_lane` in its order (a check, handling, then aside)."""
    end = served + doc if doc > 0 else served
    if handling > 0:
        end = end + handling
    if aside > 0:
        end = end + aside
    return end


class Flow:
    """One background flow's trucks as columns: departures drawn ahead, and how many have left.

    Departures are drawn up to the horizon and `FIRST` beyond, then a quarter more whenever more
    are needed (after the horizon a flow goes on while counted trucks are due at its controls); the
    trucks drawn are worked out in columns up to their first control (`columns.Cohort`), and
    their verdicts at each control when the first of them gets there.
    """

    def __init__(self, batch: "Batch", source: Any) -> None:
        self.batch = batch
        self.source = source
        self.plan = batch.plans[source.group]
        self.first = next((i for i, (kind, _, _) in enumerate(self.plan) if kind == CONTROL), len(self.plan))
        self.draws = _flatten(source.candidate_blocks())
        self.rows = batch.world.streams.uniform_rows(4, "attributes", source.name)  # as `Source.truck` draws them
        self.raw: list[float] = []      # candidate departure times, as drawn
        self.departs: list[float] = []  # their times on the loop's clock
        self.reach: list[float] = []    # when each truck reaches its first control (or the end of its plan)
        self.noncompliant: list[bool] = []
        self.aeo: list[bool] = []       # the class of each truck: its AEO status and regime (index)
        self.regime: list[int] = []
        # where an information exchange records releases: truck -> (who released it last, when,
        # whether inspected and found compliant), as `exchange.ExchangeOut` writes them on a Truck
        self.cleared: dict[int, tuple[str, float, bool]] = {}
        # under driving rules, each truck's hours since a break and today, and when it last drove
        self.since_break: list[float] = []
        self.today: list[float] = []
        self.last_drive_end: list[float] = []
        self.cohorts: list[Cohort] = []  # the trucks drawn, a cohort for each draw
        self.verdicts: dict[int, tuple] = {}  # plan position -> the verdicts there, as lists
        self.speeds: dict[int, list[float]] = {}  # plan position -> each truck's speed on a later link
        self.left = 0                   # departures taken (trucks on their way or arrived)
        self.stopped = False
        self.ended = 0.0                # when it stopped: where the loop's `World._arrivals` would have ended
        self.next_at = INF              # when the next truck departs (kept by the batch)
        self.group = source.group
        self.steps = len(self.plan)
        # plan position of a control -> the arrivals of the control right after it, if one is
        self.after: list[list | None] = [
            batch.stops[id(self.plan[i + 1][1])].arrivals
            if kind == CONTROL and i + 1 < len(self.plan) and self.plan[i + 1][0] == CONTROL else None
            for i, (kind, _, _) in enumerate(self.plan)]
        self._draw(FIRST, source.horizon)

    def _draw(self, n: int, until: float = -INF) -> None:
        """Candidate departures up to `n`, or up to the first one at `until` or later if there
        are more (fewer if the flow's draws end), their trucks in columns."""
        k0 = len(self.raw)
        now = self.departs[-1] if self.departs else 0.0
        for t in self.draws:
            now = now + (t - now)  # the loop's clock: each departure scheduled from the one before
            self.raw.append(t)
            self.departs.append(now)
            if len(self.raw) >= n and t >= until:
                break
        k1 = len(self.raw)
        if k1 == k0:
            return
        rows = np.asarray([self.rows() for _ in range(k1 - k0)], dtype=float)
        cohort = Cohort(self.source, np.asarray(self.departs[k0:k1], dtype=float), rows, k0)
        self.batch.columns._to(cohort, self.plan, self.plan[self.first][1] if self.first < len(self.plan) else None)
        self.cohorts.append(cohort)
        self.reach += cohort.now.tolist()
        self.noncompliant += cohort.noncompliant.tolist()
        self.aeo += cohort.aeo.tolist()
        self.regime += cohort.regime.tolist()
        if cohort.since_break is not None and cohort.today is not None and cohort.last_drive_end is not None:
            self.since_break += cohort.since_break.tolist()
            self.today += cohort.today.tolist()
            self.last_drive_end += cohort.last_drive_end.tolist()
        elif self.batch.rules is not None:  # no drive before the first control
            self.since_break += [0.0] * cohort.n
            self.today += [0.0] * cohort.n
            self.last_drive_end += [-INF] * cohort.n

    def verdict(self, pos: int) -> tuple:
        """The verdicts at the control at `pos` of the plan, as lists (one truck at a time): time
        in the lane, aside, handling (or None), channel, inspection, whether a red truck's
        inspection finds a violation."""
        v = self.verdicts.get(pos)
        if v is None:
            v = self.verdicts[pos] = ([], [], None if self.plan[pos][1].handling is None else [], [], [], [])
        done = len(v[0])
        for cohort in self.cohorts:
            if cohort.first + cohort.n <= done:
                continue
            lane, aside, handling, channel, inspection, u_detect, detection = _verdicts(self.plan[pos][1], cohort)
            v[0].extend(lane.tolist())
            v[1].extend(aside.tolist())
            if handling is not None:
                v[2].extend(handling.tolist())
            v[3].extend(channel.tolist())
            v[4].extend(inspection.tolist())
            v[5].extend((cohort.noncompliant & (u_detect < detection)).tolist())
        return v

    def verdicts_up_to(self, pos: int, k: int) -> tuple:
        """`verdict(pos)` holding truck `k`'s (the columns worked out only when a truck is new there)."""
        v = self.verdicts.get(pos)
        if v is None or k >= len(v[0]):  # the first truck here, or one drawn since
            v = self.verdict(pos)
        return v

    def truck(self, k: int) -> Truck:
        """Truck `k` of the flow as a control's verdict and its measures' hooks read it (a
        background truck: never counted, no id of its own)."""
        for cohort in self.cohorts:
            j = k - cohort.first
            if 0 <= j < cohort.n:
                truck = Truck(0, self.group, k, 0.0, bool(cohort.aeo[j]), int(cohort.regime[j]), int(cohort.risk[j]),
                              bool(cohort.noncompliant[j]), False, False)
                cleared = self.cleared.get(k)
                if cleared is not None:
                    truck.cleared_by, truck.cleared_at, truck.clean = cleared
                return truck
        raise IndexError(f"truck {k} of {self.source.name} has not been drawn")

    def speed(self, pos: int) -> list[float]:
        """Each truck's speed on the link at `pos` of the plan (a link after a control)."""
        speeds = self.speeds.setdefault(pos, [])
        if len(speeds) < len(self.raw):
            table = self.plan[pos][1]
            speeds += per_truck_column(table, self.source.group, len(self.raw) - len(speeds), len(speeds)).tolist()
        return speeds

    def stop(self, at: float | None = None) -> None:
        """No more departures: the loop's arrivals of the flow would end at `at` (a departure
        found to come too late), or, found as the last truck left, when it left."""
        self.stopped = True
        self.ended = at if at is not None else self.departs[self.left - 1] if self.left else 0.0

    def next_departure(self) -> float:
        if self.stopped:
            return INF
        if self.left == len(self.raw):
            self._draw(len(self.raw) + max(FIRST, len(self.raw) // 4))
            if self.left == len(self.raw):  # no more draws (a flow without departures)
                self.stop()
                return INF
        return self.departs[self.left]


class Stop:
    """What the batch keeps at one control: its trucks waiting to reach the lanes, the bays, and
    to leave, each a heap in order of time."""

    __slots__ = ("control", "arrivals", "opening", "closed", "calendar", "quotas", "scans", "bays", "leaves",
                 "timed", "classed")

    def __init__(self, control: Any) -> None:
        self.control = control
        # where the control keeps hours: trucks that came while it was closed ask for a lane when it
        # opens, in order of that time (to the float) and then of arrival, as the pools' timeouts
        # fire; and the hours each waited for it to open, for its tally
        self.calendar = None if control.calendar.always_open else control.calendar
        # road permits: the quota each flow's trucks take a permit of here (None: none); a truck that
        # waits for one asks for a lane when it has it, in the same heap
        self.quotas = control.permit_quotas
        # (when it asks, when it came, seq, flow, truck, queue, position, hours closed)
        self.opening: list[tuple] = []
        self.closed: dict[tuple[int, int], float] = {}  # (flow, truck) -> hours closed
        # its verdict reads when the officers start on the truck (a release to audit is dated
        # then): judged one by one as each takes its lane, not ahead in columns
        self.timed = bool(control.features & ONE_BY_ONE)
        # some trucks go first: lanes and bays taken by class, a start made when the clock gets there
        self.classed = isinstance(control.fifo_lanes, ClassServers)
        # (time, seq, flow, truck, queue, position, start, queue0, channel, inspection, found, scan row)
        self.scans: list[tuple] = []
        self.arrivals: list[tuple] = []  # (time, seq, flow, truck, queue hours so far, position in plan)
        self.bays: list[tuple] = []      # (time, seq, flow, truck, queue, position, start, queue0, inspection, found)
        self.leaves: list[tuple] = []    # (time, seq, flow, truck, queue, position, start, queue0, channel, detected)


class Batch:
    """The background flows `sources` of `world`, moved on by `advance(until)`."""

    def __init__(self, world: Any, sources: list) -> None:
        self.world = world
        self.plans = world.plans
        self.rules = world.rules
        self.columns = ColumnRun(world)  # its drives: the columns' arithmetic
        self.sources = sources
        self.order = count()
        self.running = 0   # trucks on their way
        self.last = 0.0    # when the last of them arrived
        # the controls in an order that puts each after those its trucks pass before it
        # (`batch_order`): one pass over them takes every step before a time
        self.stops = {id(control): Stop(control) for control in batch_order(world, sources) or []}
        self.flows: list[Flow] = []  # drawn when the run starts (a world worked out in columns draws its own)

    def start(self) -> None:
        """Draw the flows' first departures; as the loop draws each flow's first departure before
        it starts, a first departure after the horizon, with no counted truck on its way yet, is none."""
        self.flows = [Flow(self, source) for source in self.sources]
        for flow in self.flows:
            self._check_next(flow)
            flow.next_at = flow.next_departure()

    def advance(self, until: float) -> None:
        """Take every step that comes before `until`."""
        for flow in self.flows:
            if flow.next_at < until:
                self._departures(flow, until)
        for stop in self.stops.values():
            if stop.classed:
                if (stop.arrivals and stop.arrivals[0][0] < until) or (stop.bays and stop.bays[0][0] < until) or \
                        stop.control.fifo_lanes.next_start() < until or stop.control.fifo_bays.next_start() < until:
                    self._serve_classed(stop, until)
            elif (stop.arrivals and stop.arrivals[0][0] < until) or (stop.bays and stop.bays[0][0] < until) or \
                    (stop.scans and stop.scans[0][0] < until) or (stop.opening and stop.opening[0][0] < until):
                self._serve(stop, until)
            if stop.leaves and stop.leaves[0][0] < until:
                self._leave(stop, until)

    def finish(self, cap: float) -> int:
        """Everything before `cap`; how many trucks are still on their way."""
        self.advance(cap)
        return self.running

    def places(self) -> Counter:
        """Where the trucks on their way are: the control each is at or heading for (by name)."""
        at: Counter = Counter()
        for stop in self.stops.values():
            n = len(stop.arrivals) + len(stop.opening) + len(stop.scans) + len(stop.bays) + len(stop.leaves)
            if n:
                at[stop.control.name] += n
        return at

    @property
    def ended(self) -> float:
        """When the last truck outside the loop arrived or the last of its flows stopped: the
        end of the run, as far as they go (the loop ends when both its trucks and its flows have)."""
        return max([self.last, *(flow.ended for flow in self.flows)])

    # --- steps ----------------------------------------------------------------------------------

    def _departures(self, flow: Flow, until: float) -> None:
        """The flow's departures before `until`: each truck on its way to its first control. After
        the horizon the flow stops at the first departure with no counted truck due at its
        controls (`Source.times` and the loop both ask; nothing changes that in between here)."""
        source, world = flow.source, self.world
        first = flow.first
        stop = self.stops[id(flow.plan[first][1])] if first < len(flow.plan) else None
        order = self.order
        departs, raw, reach = flow.departs, flow.raw, flow.reach
        k = began = flow.left
        while True:
            if k == len(raw):
                flow.left = k
                if flow.next_departure() == INF:  # draws more, or finds there are no more
                    break
                departs, raw, reach = flow.departs, flow.raw, flow.reach
            if departs[k] >= until:
                break
            if source.stopped(raw[k]):
                # the loop asks as it draws the departure (as the one before leaves), then at its
                # time: nothing has changed since the one before left here, if it left in this step
                flow.stop(departs[k] if k == began else departs[k - 1])
                break
            if stop is None:
                self._arrived(reach[k])
            else:
                heappush(stop.arrivals, (reach[k], next(order), flow, k, 0.0, first))
            k += 1
        taken = k - began
        flow.left = k
        source.index += taken
        world.next_id += taken
        world.created += taken
        world.outside += taken
        self.running += taken
        if taken and not flow.stopped:  # the draw of the next departure as the last one left
            self._check_next(flow)
        flow.next_at = flow.next_departure()

    def _check_next(self, flow: Flow) -> None:
        """`Source.times` draws the next departure as a truck leaves and ends the flow there if
        it comes after the horizon with no counted truck due at the flow's controls then."""
        if flow.next_departure() < INF and flow.source.stopped(flow.raw[flow.left]):
            flow.stop()

    def _serve(self, stop: Stop, until: float, before: float | None = None) -> None:
        """The control's lanes and bays before `until`, their arrivals in order of time (a bay's
        come from the lanes), so their waits reach the queue's level in order too; `before`: and
        the trucks that ask for a lane as the control opens at `until` that came before then."""
        control = stop.control
        lanes, bays = control.fifo_lanes, control.fifo_bays
        order = self.order
        arrivals, to_bay, leaves, opening = stop.arrivals, stop.bays, stop.leaves, stop.opening
        calendar = stop.calendar
        # lanes of a constant number: FifoServers.take written out (the same steps), as most are
        quotas = stop.quotas
        inline = type(lanes) is FifoServers and not stop.timed and calendar is None and quotas is None
        free: Any = lanes.free if inline else None
        busy: Any = lanes.busy if inline else None
        wait: Any = lanes.waits.add if inline else None
        opens, closes = (busy.start, busy.stop) if inline else (0.0, 0.0)
        while True:
            lane_next = arrivals[0][0] if arrivals else INF
            bay_next = to_bay[0][0] if to_bay else INF
            # a truck that asks for a lane now that it has its permit or the control is open goes
            # first, before arrivals, bays and scans at the same moment (a lane's step)
            if opening and opening[0][0] <= lane_next and opening[0][0] <= bay_next and \
                    (not stop.scans or opening[0][0] <= stop.scans[0][0]):
                t = opening[0][0]
                if not (t < until or (t == until and before is not None and opening[0][1] < before)):
                    return
                t, came, _, flow, k, q, pos, closed = heappop(opening)
                self._take_lane(stop, t, came, flow, k, q, pos, closed)
                continue
            if stop.scans and stop.scans[0][0] < lane_next and stop.scans[0][0] < bay_next:
                if stop.scans[0][0] >= until:
                    return
                self._scan(stop)
                continue
            if lane_next <= bay_next:
                if lane_next >= until:
                    return
                now, _, flow, k, q, pos = heappop(arrivals)
                if not inline:
                    quota = None if quotas is None else quotas[flow.group]
                    if quota is not None:
                        permitted = quota.take_at(now)
                        if permitted > now:  # it asks for a lane when it has its permit
                            heappush(opening, (permitted, now, next(order), flow, k, q, pos, 0.0))
                            continue
                    if calendar is not None:
                        ready = calendar.next_open(now)
                        if ready > now:  # closed: it asks for a lane when the control opens
                            t = now + (ready - now)  # as a timeout of the wait ends
                            heappush(opening, (t, now, next(order), flow, k, q, pos, t - now))
                            continue
                    self._take_lane(stop, now, now, flow, k, q, pos, 0.0)
                    continue
                v = flow.verdicts.get(pos)  # `Flow.verdicts_up_to` written out: the hot path
                if v is None or k >= len(v[0]):
                    v = flow.verdict(pos)
                doc = v[0][k]
                handling = 0.0 if v[2] is None else v[2][k]
                q0 = q
                served = free[0]
                if served <= now:
                    served = now
                else:
                    wait(now, served)
                    q = q + (served - now)
                end = served + doc  # (served itself when there is no check)
                if handling > 0:
                    end = end + handling
                heapreplace(free, end)
                low = served if served > opens else opens
                high = end if end < closes else closes
                if high > low:
                    busy.area += high - low
                aside = v[1][k]
                if aside > 0:
                    end = end + aside
                channel = v[3][k]
                if channel == RED:
                    heappush(to_bay, (end, next(order), flow, k, q, pos, now, q0, v[4][k], v[5][k]))
                else:
                    heappush(leaves, (end, next(order), flow, k, q, pos, now, q0, channel, False))
            else:
                if bay_next >= until:
                    return
                now, _, flow, k, q, pos, start, q0, inspection, detected = heappop(to_bay)
                bay = bays.take(now, inspection)
                end = now
                if bay > now:
                    q = q + (bay - now)
                    end = bay
                if inspection > 0:
                    end = end + inspection
                heappush(leaves, (end, next(order), flow, k, q, pos, start, q0, RED, detected))

    def opening(self, control: Any) -> Callable[[float, float], None]:
        """What brings the trucks outside the loop at `control` (which keeps hours) up to `t`, and
        starts those that ask for a lane as it opens at `t` and came before `arrived`: for a truck
        of the loop that came at `arrived` and asks then too (the pools take them in that order)."""
        stop = self.stops[id(control)]

        def through(t: float, arrived: float) -> None:
            self.advance(t)
            if stop.opening and stop.opening[0][0] == t:
                self._serve(stop, t, before=arrived)
        return through

    def through(self, control: Any) -> Callable[[float], None]:
        """What starts the trucks outside the loop at `control` (lanes taken by class) up to and at a
        time, for a truck of the loop that wakes then to see whether it is first in line."""
        stop = self.stops[id(control)]
        return lambda t: self._serve_classed(stop, t, through=True)

    def _serve_classed(self, stop: Stop, until: float, through: bool = False) -> None:
        """`_serve` where some trucks go first (`classed.py`): starts, and arrivals at the lanes and
        the bays, in order of time before `until` (`through`: and at it), a start before an arrival
        at the same moment (a truck through its lane lets the next one in before it asks for a
        bay, as on the pools). A start waits for the truck of the event loop first in line, which
        starts itself when the clock gets there."""
        control = stop.control
        lanes, bays, first = control.fifo_lanes, control.fifo_bays, control.first
        arrivals, to_bay = stop.arrivals, stop.bays
        while True:
            lane_next = arrivals[0][0] if arrivals else INF
            bay_next = to_bay[0][0] if to_bay else INF
            lane_start, bay_start = lanes.next_start(), bays.next_start()
            t = min(lane_next, bay_next, lane_start, bay_start)
            if t > until or (t == until and not through) or t == INF:
                return
            if lane_start == t or bay_start == t:
                servers = lanes if lane_start == t else bays
                if type(servers.head()) is not tuple:  # a truck of the loop: it starts itself at t
                    if t < until:
                        raise SimulationError(f"a truck of the event loop at {control.name} was not started at "
                                              f"{t} h, when it was first in line")
                    return
                _, _, arrived, _, _, item = servers.start(t)
                if servers is lanes:
                    self._lane_start(stop, arrived, t, *item)
                else:
                    self._bay_start(stop, arrived, t, item)
            elif lane_next == t:
                now, _, flow, k, q, pos = heappop(arrivals)
                priority = 0 if first[flow.aeo[k]][flow.regime[k]] else 1
                if stop.timed:  # judged when it starts: how long it holds the lane is not known yet, only its least
                    hours = control.lane_floor(flow.group, k, flow.regime[k])
                    more = 0.0 if control.handling is None else control.handling.value(flow.group, k)
                else:
                    v = flow.verdicts_up_to(pos, k)
                    hours, more = v[0][k], (0.0 if v[2] is None else v[2][k])
                if lanes.arrive(now, priority, hours, more, (flow, k, q, pos)):
                    self._lane_start(stop, now, now, flow, k, q, pos)
            else:
                now, _, flow, k, q, pos, start, q0, inspection, found = heappop(to_bay)
                priority = 0 if first[flow.aeo[k]][flow.regime[k]] else 1
                item = (flow, k, q, pos, start, q0, inspection, found)
                if bays.arrive(now, priority, inspection, 0.0, item):
                    self._bay_start(stop, now, now, item)

    def _lane_start(self, stop: Stop, now: float, served: float, flow: Flow, k: int, q: float, pos: int) -> None:
        """Truck `k` of `flow`, at the lanes of a classed stop since `now`, starts at `served`."""
        control = stop.control
        if stop.timed:
            truck = flow.truck(k)
            doc, aside, channel, inspection, detection, u_detect = control.verdict(truck, served)
            handling = 0.0 if control.handling is None else control.handling.value(flow.group, k)
            found = flow.noncompliant[k] and u_detect < detection
        else:
            v = flow.verdicts[pos]
            doc, aside, channel, inspection, found = v[0][k], v[1][k], v[3][k], v[4][k], v[5][k]
            handling = 0.0 if v[2] is None else v[2][k]
        control.fifo_lanes.hold(served, doc, handling)
        q0 = q
        if served > now:
            q = q + (served - now)
        self._onto(stop, out_of_lane(served, doc, handling, aside), flow, k, q, pos, now, q0, channel, inspection,
                   found)

    def _bay_start(self, stop: Stop, now: float, begun: float, item: tuple) -> None:
        """A red truck outside the loop, at the bays of a classed stop since `now`, starts at `begun`."""
        flow, k, q, pos, start, q0, inspection, found = item
        stop.control.fifo_bays.hold(begun, inspection)
        end = now
        if begun > now:
            q = q + (begun - now)
            end = begun
        if inspection > 0:
            end = end + inspection
        heappush(stop.leaves, (end, next(self.order), flow, k, q, pos, start, q0, RED, found))

    def _take_lane(self, stop: Stop, now: float, start: float, flow: Flow, k: int, q: float, pos: int,
                   closed: float) -> None:
        """Truck `k` of `flow`, which came at `start` and asks for a lane at `now` (later if it came
        while the control was closed, `closed` hours before), as `Control.fifo_lane` takes a truck
        of the event loop, the same steps; judged when it starts at a timed stop."""
        control = stop.control
        lanes = control.fifo_lanes
        served = lanes.start_of(now)
        ready = served  # when the officers start: a lane taken as the control closed waits for the opening
        calendar = stop.calendar
        if calendar is not None:
            opens = calendar.next_open(served)
            if opens > served:
                ready = served + (opens - served)
                closed += ready - served
            if closed > 0:
                stop.closed[flow.group, k] = closed
        truck = None
        if stop.timed:
            truck = flow.truck(k)
            doc, aside, channel, inspection, detection, u_detect = control.verdict(truck, ready)
            handling = 0.0 if control.handling is None else control.handling.value(flow.group, k)
            found = flow.noncompliant[k] and u_detect < detection  # were it inspected in a bay
        else:
            v = flow.verdicts_up_to(pos, k)
            doc, aside, channel, inspection, found = v[0][k], v[1][k], v[3][k], v[4][k], v[5][k]
            handling = 0.0 if v[2] is None else v[2][k]
        lanes.hold(served, doc, handling, ready)
        q0 = q
        if served > now:
            q = q + (served - now)
        end = out_of_lane(ready, doc, handling, aside)
        screen = control.screen
        scan = None if screen is None or truck is None else screen.wants(truck, channel)
        if scan is not None:  # to the scanners (`_scan`)
            heappush(stop.scans, (end, next(self.order), flow, k, q, pos, start, q0, channel, inspection, found, scan))
        else:
            self._onto(stop, end, flow, k, q, pos, start, q0, channel, inspection, found)

    def _onto(self, stop: Stop, end: float, flow: Flow, k: int, q: float, pos: int, start: float, q0: float,
              channel: int, inspection: float, found: bool) -> None:
        """A truck through the lanes (and scanners) at `end`: to a bay if red, else on its way."""
        if channel == RED:
            heappush(stop.bays, (end, next(self.order), flow, k, q, pos, start, q0, inspection, found))
        else:
            heappush(stop.leaves, (end, next(self.order), flow, k, q, pos, start, q0, int(channel), False))

    def _scan(self, stop: Stop) -> None:
        """The next truck at the control's scanners, as `Control._pass_fifo` takes them."""
        now, _, flow, k, q, pos, start, q0, channel, inspection, found, row = heappop(stop.scans)
        control = stop.control
        taken = control.screen.take_scan(flow.noncompliant[k], channel, row, now,
                                         control.warmup <= start < control.horizon)
        end = now
        if taken is not None:
            begin, end, channel = taken
            if begin > now:
                q = q + (begin - now)
        self._onto(stop, end, flow, k, q, pos, start, q0, channel, inspection, found)

    def _leave(self, stop: Stop, until: float) -> None:
        """The trucks that leave the control before `until`, in order: tallied, and on their way
        (most straight to the next control of their crossing, or to the end of their journey)."""
        leaves, control, order = stop.leaves, stop.control, self.order
        opens, closes, times, groups = control.warmup, control.horizon, control.times, control.group_tally
        released = control.on_release
        closed_by = stop.closed  # hours waiting for the control to open, where it keeps hours
        while leaves and leaves[0][0] < until:
            now, _, flow, k, q, pos, start, q0, channel, detected = heappop(leaves)
            closed = closed_by.pop((flow.group, k), 0.0) if closed_by else 0.0
            if released is not None:  # as `Control.pass_truck` tells it, before the tally
                told = _Released(flow.group, flow.cleared.get(k))
                released(told, channel, detected, now)  # type: ignore[arg-type]
                if told.cleared_by is not None:
                    flow.cleared[k] = (told.cleared_by, told.cleared_at, told.clean)
            if opens <= start < closes:  # Control.tally_spans written out (the same steps)
                spent = now - start
                queued = q - q0
                control.n += 1
                times.append(spent)
                control.queue_sum += queued
                control.closed_sum += closed
                tally = groups[flow.group]
                tally[0] += 1
                tally[1] += spent
                tally[2] += queued
                if channel != GREEN:
                    control._tally_channel(channel, detected)
            after = flow.after[pos]
            if after is not None:
                heappush(after, (now, next(order), flow, k, q, pos + 1))
            elif pos + 1 == flow.steps:
                self.running -= 1
                if now > self.last:
                    self.last = now
                self.world.arrived += 1
            else:
                self._onward(flow, k, q, pos + 1, now)

    def _onward(self, flow: Flow, k: int, q: float, pos: int, now: float) -> None:
        """A truck that left a control at `now`: its drives to the next control, or its arrival."""
        plan = flow.plan
        while pos < len(plan):
            kind, step, km = plan[pos]
            if kind == CONTROL:
                heappush(self.stops[id(step)].arrivals, (now, next(self.order), flow, k, q, pos))
                return
            if km > 0:
                hours = km / flow.speed(pos)[k]
                if hours > 0:
                    if self.rules is None:
                        now = now + hours
                    else:
                        probe = _Probe(flow.since_break[k], flow.today[k], flow.last_drive_end[k])
                        rest = rest_needed(probe, now, hours, self.rules)
                        now = now + (hours + rest)
                        flow.since_break[k], flow.today[k], flow.last_drive_end[k] = probe.since_break, probe.today, now
            pos += 1
        self._arrived(now)

    def _arrived(self, now: float) -> None:
        self.running -= 1
        if now > self.last:
            self.last = now
        self.world.arrived += 1


class _Released:
    """What a release hook (`exchange.ExchangeOut.released`) reads and writes of a truck."""

    __slots__ = ("group", "cleared_by", "cleared_at", "clean")

    def __init__(self, group: int, cleared: tuple[str, float, bool] | None) -> None:
        self.group = group
        self.cleared_by: str | None = None
        self.cleared_at = 0.0
        self.clean = False
        if cleared is not None:
            self.cleared_by, self.cleared_at, self.clean = cleared


class _Probe:
    """What `rest_needed` reads and writes of a truck."""

    __slots__ = ("since_break", "today", "last_drive_end")

    def __init__(self, since_break: float, today: float, last_drive_end: float) -> None:
        self.since_break, self.today, self.last_drive_end = since_break, today, last_drive_end


def _flatten(blocks: Iterator[np.ndarray]) -> Iterator[float]:
    for block in blocks:
        yield from block.tolist()
