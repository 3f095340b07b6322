"""First-come first-served servers, worked out when a truck arrives instead of event by event.

At a control whose lanes and bays serve every truck in order of arrival (no class goes first),
a truck that arrives at `a` is served from `max(a, the earliest time a
server is free)` (the multi-server FIFO recursion, a heap of the servers' free times;
`StaffedServers` when shifts and outages change their number). Its start is known when it
arrives: no event grants it a lane, and trucks that never meet SimPy (`batch.py`) can pass such
a control between other trucks' events. The start is the same float the event-by-event pool
(`lanes.Pool`) would grant it, so every truck's times are the same either way (tests compare the
two on random worlds).

The levels come from the spans themselves: busy hours are added when a service is known, and
the queue's level and peak follow its waits as they come (`Waits`). Their sums run in another
order than `stats.Level`'s, so they may differ in the last bits from the pool's.
"""
from __future__ import annotations

import math
from array import array
from heapq import heappop, heappush, heapreplace

import numpy as np

from .stats import Changes


class Busy:
    """Hours of service in the window [start, stop], added one span at a time (a `Level`'s `mean`)."""

    __slots__ = ("start", "stop", "area")

    def __init__(self, start: float, stop: float):
        self.start = start
        self.stop = stop
        self.area = 0.0

    def add(self, begin: float, end: float) -> None:
        low = begin if begin > self.start else self.start
        high = end if end < self.stop else self.stop
        if high > low:
            self.area += high - low

    def mean(self, end: float) -> float:
        """Time-average number busy over [start, min(end, stop)]."""
        high = min(end, self.stop)
        return self.area / (high - self.start) if high > self.start else 0.0


class Waits:
    """A control's queue (trucks waiting for a lane or a bay) from the spans of its waits, with
    a `Level`'s `mean`, `peak` and `series`.

    Waits are added in order of their beginning (each when its truck arrives), so the level and
    its peak follow with a heap of the ends still to come; only a world that records its queues
    keeps every span, for the series.
    """

    __slots__ = ("start", "stop", "area", "level", "top", "pending", "begins", "ends")

    def __init__(self, start: float, stop: float, record: bool = False):
        self.start = start
        self.stop = stop
        self.area = 0.0
        self.level = 0
        self.top = 0
        self.pending: list[float] = []  # the ends of the waits in progress (a heap)
        self.begins = array("d") if record else None
        self.ends = array("d") if record else None

    def add(self, begin: float, end: float) -> None:
        """A truck waits from `begin` (no earlier than the waits added before) to `end`."""
        self._ends_until(begin)
        self.level += 1
        if self.start <= begin <= self.stop and self.level > self.top:
            self.top = self.level
        heappush(self.pending, end)
        low = begin if begin > self.start else self.start
        high = end if end < self.stop else self.stop
        if high > low:
            self.area += high - low
        if self.begins is not None:
            self.begins.append(begin)
            self.ends.append(end)  # type: ignore[union-attr]

    def _ends_until(self, t: float) -> None:
        """The waits that end by `t` (before one that begins at `t`), each a change of the level."""
        pending = self.pending
        while pending and pending[0] <= t:
            end = heappop(pending)
            if self.start <= end <= self.stop and self.level > self.top:
                self.top = self.level
            self.level -= 1

    @property
    def peak(self) -> int:
        """The highest level at a change inside the window (before or after it), once the run is over."""
        self._ends_until(math.inf)
        return self.top

    def mean(self, end: float) -> float:
        """Time-average level over [start, stop]; `end`, the end of the run, is no earlier than stop."""
        self._ends_until(end)
        if end < self.stop:
            raise ValueError("the waits' mean is kept over the whole window")
        return self.area / (self.stop - self.start) if self.stop > self.start else 0.0

    @property
    def series(self) -> Changes | None:
        """(time, level) at every change (a wait that ends goes before one that begins at the
        same time), when the world records queues; else None."""
        if self.begins is None or self.ends is None:
            return None
        times = np.concatenate([np.frombuffer(self.ends), np.frombuffer(self.begins)])
        steps = np.concatenate([np.full(len(self.ends), -1), np.ones(len(self.begins), dtype=int)])  # type: ignore[arg-type]
        order = np.lexsort((steps, times))
        series = Changes()
        series.times.frombytes(times[order].astype(float).tobytes())
        series.levels.frombytes(np.cumsum(steps[order]).astype(np.dtype(series.levels.typecode)).tobytes())
        return series


class FifoServers:
    """`capacity` identical servers taken in order of arrival; `take` gives a truck its start."""

    __slots__ = ("free", "busy", "waits")

    def __init__(self, capacity: int, busy: Busy, waits: Waits):
        if capacity < 1:
            raise ValueError("FIFO servers need at least one server")
        self.free = [0.0] * capacity  # when each server is next free (a heap)
        self.busy = busy
        self.waits = waits

    def take(self, arrival: float, hours: float, more: float = 0.0) -> float:
        """A truck that arrives at `arrival` (no earlier than any truck before it) and holds a
        server for `hours`, then `more` (as two spells, added in turn): when its service starts."""
        start = self.start_of(arrival)
        self.hold(start, hours, more)
        return start

    def start_of(self, arrival: float) -> float:
        """`take` in two steps, for a truck whose time depends on when it starts: when a truck
        arriving at `arrival` starts (its wait counted), which does not depend on how long it
        will take; then `hold` the server it gets. Nothing may be taken in between."""
        start = self.free[0]
        if start <= arrival:
            return arrival
        self.waits.add(arrival, start)
        return start

    def hold(self, start: float, hours: float, more: float = 0.0, ready: float | None = None) -> None:
        """The server a truck got at `start` (`start_of`), held for `hours`, then `more`, from
        `ready` if it is later (a truck that got its lane as the control closed waits in it)."""
        end = (start if ready is None else ready) + hours
        if more > 0:
            end = end + more
        heapreplace(self.free, end)
        self.busy.add(start, end)

    # taken by class (classed.py): starts made in order of time, not of arrival

    def next_free(self, t: float) -> float:
        """The earliest time, no earlier than `t`, at which a server is free."""
        free = self.free[0]
        return free if free > t else t

    def settle(self, t: float) -> None:
        """Nothing to do: a truck starting at `t` takes the server free first."""

    def predict(self, t: float, holds: list[tuple[float, float]]) -> float:
        """When a truck starts, no earlier than `t`, after trucks that hold a server for `holds`
        (each `hold`'s two spells) start in turn before it, and no other truck comes."""
        free = self.free[:]
        for hours, more in holds:
            start = free[0] if free[0] > t else t
            end = start + hours
            if more > 0:
                end = end + more
            heapreplace(free, end)
            t = start
        return free[0] if free[0] > t else t


class StaffedServers:
    """`FifoServers` whose number changes with the clock (shifts, outages): `times[k]` on,
    `counts[k]` of them work. As with the pools (`lanes.Pool.set_capacity`), a server that
    closes finishes its truck and takes no new one; a truck starts at the first moment, no
    earlier than the truck before it, at which fewer trucks are in service than servers work."""

    __slots__ = ("times", "counts", "k", "ends", "last", "busy", "waits")

    def __init__(self, times: list[float], counts: list[int], busy: Busy, waits: Waits):
        self.times = times
        self.counts = counts
        self.k = 0
        self.ends: list[float] = []  # when the trucks in service (or served) leave their server (a heap)
        self.last = 0.0               # when the last truck started
        self.busy = busy
        self.waits = waits

    def take(self, arrival: float, hours: float, more: float = 0.0) -> float:
        start = self.start_of(arrival)
        self.hold(start, hours, more)
        return start

    def start_of(self, arrival: float) -> float:
        """As `FifoServers.start_of`."""
        t = arrival if arrival > self.last else self.last
        # (INF: no server will ever work again, the truck never starts)
        t, self.k = self._first_free(t, self.k, self.ends)
        self.last = t
        if t > arrival:
            self.waits.add(arrival, t)
        return t

    def hold(self, start: float, hours: float, more: float = 0.0, ready: float | None = None) -> None:
        """As `FifoServers.hold`."""
        end = (start if ready is None else ready) + hours
        if more > 0:
            end = end + more
        heappush(self.ends, end)
        self.busy.add(start, end)

    # taken by class (classed.py): starts made in order of time, not of arrival

    def next_free(self, t: float) -> float:
        """As `FifoServers.next_free` (`t` no earlier than in the calls before)."""
        return self._first_free(t, self.k, self.ends[:])[0]

    def settle(self, t: float) -> None:
        """The clock is at `t` (no earlier than before): the servers working now, the trucks gone."""
        times, ends, k = self.times, self.ends, self.k
        while k < len(times) - 1 and times[k + 1] <= t:
            k += 1
        while ends and ends[0] <= t:
            heappop(ends)
        self.k = k

    def predict(self, t: float, holds: list[tuple[float, float]]) -> float:
        """As `FifoServers.predict`."""
        ends, k = self.ends[:], self.k
        for hours, more in holds:
            t = self._first_free(t, k, ends)[0]
            if t == math.inf:
                return t
            end = t + hours
            if more > 0:
                end = end + more
            heappush(ends, end)
        return self._first_free(t, k, ends)[0]

    def _first_free(self, t: float, k: int, ends: list[float]) -> tuple[float, int]:
        """The first moment from `t` at which fewer trucks are in service (`ends`, a heap this
        pops) than servers work, searched from the `k`-th change on; and the change in force then."""
        times, counts = self.times, self.counts
        last_k = len(times) - 1
        while True:
            while k < last_k and times[k + 1] <= t:
                k += 1
            while ends and ends[0] <= t:
                heappop(ends)
            if len(ends) < counts[k]:
                return t, k
            change = times[k + 1] if k < last_k else math.inf
            t = ends[0] if ends and ends[0] < change else change
            if t == math.inf:
                return t, k
