"""First-come first-served servers, worked out when a truck arrives instead of event by event.

At a control whose lanes and bays serve every truck in order of arrival (no class goes first),
are always open and never change in number, a truck that arrives at `a` is served from
`max(a, the earliest time a server is free)` (the multi-server FIFO recursion, a heap of the
servers' free times). Its start is known when it arrives: no event grants it a lane, and trucks
that never meet SimPy (`batch.py`) can pass such a control between other trucks' events. The
start is the same float the event-by-event pool (`lanes.Pool`) would grant it, so every truck's
times are the same either way (tests compare the two on random worlds).

The levels are kept from the spans themselves: busy hours are added when a service is known,
and each wait is kept until the end, when the queue's mean, peak and series are worked out in
order of time (`Waits`). Their sums run in another order than `stats.Level`'s, so they may differ
in the last bits from the pool's.
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
    """A control's queue (trucks waiting for a lane or a bay) as the spans of its waits, with a
    `Level`'s `mean`, `peak` and `series` worked out from them when asked."""

    __slots__ = ("start", "stop", "record", "begins", "ends", "_peak", "_series")

    def __init__(self, start: float, stop: float, record: bool = False):
        self.start = start
        self.stop = stop
        self.record = record
        self.begins = array("d")
        self.ends = array("d")
        self._peak: int | None = None
        self._series: Changes | None = None

    def add(self, begin: float, end: float) -> None:
        """A truck waited from `begin` to `end`."""
        self.begins.append(begin)
        self.ends.append(end)
        self._peak = None

    def mean(self, end: float) -> float:
        high = min(end, self.stop)
        if high <= self.start:
            return 0.0
        begins = np.clip(np.frombuffer(self.begins), self.start, high)
        ends = np.clip(np.frombuffer(self.ends), self.start, high)
        return float((ends - begins).sum()) / (high - self.start)

    def _changes(self) -> tuple[np.ndarray, np.ndarray]:
        """Every change of the level in order of time (a wait that ends goes before one that
        begins at the same time), and the level after it."""
        times = np.concatenate([np.frombuffer(self.ends), np.frombuffer(self.begins)])
        steps = np.concatenate([np.full(len(self.ends), -1), np.ones(len(self.begins), dtype=int)])
        order = np.lexsort((steps, times))
        return times[order], np.cumsum(steps[order])

    @property
    def peak(self) -> int:
        """The highest level seen at a change inside the window (before or after it)."""
        if self._peak is None:
            times, levels = self._changes()
            inside = (times >= self.start) & (times <= self.stop)
            before = np.concatenate([[0], levels[:-1]])
            tops = np.maximum(levels, before)[inside]
            self._peak = int(tops.max()) if len(tops) else 0
        return self._peak

    @property
    def series(self) -> Changes | None:
        """(time, level) at every change, when the world records queues; else None."""
        if not self.record:
            return None
        if self._series is None or len(self._series) != 2 * len(self.begins):
            times, levels = self._changes()
            series = Changes()
            series.times.frombytes(times.astype(float).tobytes())
            series.levels.frombytes(levels.astype(np.dtype(series.levels.typecode)).tobytes())
            self._series = series
        return self._series


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
        free = self.free
        start = free[0]
        if start <= arrival:
            start = arrival
        else:
            self.waits.add(arrival, start)
        end = start + hours
        if more > 0:
            end = end + more
        heapreplace(free, end)
        self.busy.add(start, end)
        return start


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
        t = arrival if arrival > self.last else self.last
        times, counts, ends, k = self.times, self.counts, self.ends, self.k
        last_k = len(times) - 1
        while True:
            while k < last_k and times[k + 1] <= t:
                k += 1
            while ends and ends[0] <= t:
                heappop(ends)
            if len(ends) < counts[k]:
                break
            change = times[k + 1] if k < last_k else math.inf
            t = ends[0] if ends and ends[0] < change else change
            if t == math.inf:  # no server will ever work again: the truck never starts
                break
        self.k = k
        self.last = t
        if t > arrival:
            self.waits.add(arrival, t)
        end = t + hours
        if more > 0:
            end = end + more
        heappush(ends, end)
        self.busy.add(t, end)
        return t
