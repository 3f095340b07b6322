"""Servers taken by class: the waiting truck of the first class goes first, first come first
served within a class, as `lanes.Pool` grants its servers (non-preemptive priority).

At a control where some trucks go first (recognised AEO trucks, a regime's green lane,
pre-notified caravans), a truck's start is not known when it arrives: a truck of a higher
class that comes later may overtake it. So starts are made in order of time, each when the
clock reaches it:

- trucks outside the event loop (`batch.py`) are started by the batch as it catches up to the
  clock: every arrival before the clock is known then, so every start before it is too;
- a truck of the event loop that has to wait sleeps until the earliest moment it could start
  (`bound`: the servers' free times and the trucks ahead of it, as if no other truck came),
  wakes, lets the batch catch up to that moment, and starts if it is then first in line with a
  server free, else sleeps again until its new bound. A bound is never later than the start, so
  no truck is ever started late.

The servers underneath are `fifo.FifoServers` or `fifo.StaffedServers` (when a server is free,
holding one). The queue's level comes from the spans of the waits, known as each truck starts
(`WaitSpans`): at the same moment a wait that ends goes before one that begins, as on the pools,
where a truck done in its lane lets the next one in before it asks for a bay.
"""
from __future__ import annotations

from array import array
from heapq import heappop, heappush
from typing import Any

import numpy as np

from .fifo import FifoServers, StaffedServers
from .stats import Changes

INF = float("inf")


class ClassServers:
    """`servers` taken by class; `queue` counts the trucks waiting for them.

    A waiting truck is an entry (priority, seq, arrival, hours, more, item): `hours` and `more`
    the spells it will hold a server for, when known before it starts (else 0, a lower bound),
    `item` what the owner needs to start it (a batch truck's tuple, or an event-loop `Truck`).
    """

    __slots__ = ("servers", "queue", "waiting", "seq", "last", "known")

    def __init__(self, servers: FifoServers | StaffedServers, queue: "WaitSpans"):
        self.servers = servers
        self.queue = queue
        queue.lines.append(self)
        self.waiting: list[tuple] = []  # a heap: by priority, then order of arrival
        self.seq = 0
        self.last = 0.0                 # the time of the last arrival or start
        self.known: float | None = None  # `next_start` until the line or the servers change

    @property
    def busy(self) -> Any:
        return self.servers.busy

    def arrive(self, now: float, priority: int, hours: float, more: float, item: Any) -> bool:
        """A truck arrives at `now`: True if it starts now (a server free and nobody waiting),
        else it waits."""
        self.last = now
        self.known = None
        if not self.waiting and self.servers.next_free(now) <= now:
            self.servers.settle(now)
            return True
        self.seq += 1
        heappush(self.waiting, (priority, self.seq, now, hours, more, item))
        return False

    def next_start(self) -> float:
        """When the first truck in line starts if no other truck comes first (INF if none waits)."""
        known = self.known
        if known is None:
            known = self.known = self.servers.next_free(self.last) if self.waiting else INF
        return known

    def head(self) -> Any:
        """The item of the first truck in line."""
        return self.waiting[0][5]

    def start(self, now: float) -> tuple:
        """The first truck in line starts at `now` (`next_start`): its entry. The owner then holds
        a server (`hold`) for the spells the verdict gives."""
        entry = heappop(self.waiting)
        self.queue.add(entry[2], now)
        self.last = now
        self.known = None
        self.servers.settle(now)
        return entry

    def hold(self, start: float, hours: float, more: float = 0.0, ready: float | None = None) -> None:
        self.servers.hold(start, hours, more, ready)
        self.known = None

    def ready(self, item: Any, now: float) -> bool:
        """Whether `item` is first in line with a server free at `now`."""
        return bool(self.waiting) and self.waiting[0][5] is item and self.servers.next_free(now) <= now

    def bound(self, item: Any, now: float) -> float:
        """The earliest time `item`, waiting, can start: the trucks ahead of it in line take the
        servers as they free, for the spells known of them (none for a truck not yet judged),
        and nobody else comes."""
        mine = next(entry for entry in self.waiting if entry[5] is item)
        ahead = sorted(entry for entry in self.waiting if entry[:2] < mine[:2])
        return self.servers.predict(max(now, self.last), [(entry[3], entry[4]) for entry in ahead])


class WaitSpans:
    """The queue of a control's classed lanes and bays from its waits, with a `Level`'s `mean`,
    `peak` and `series`, worked out once the run is over: waits end in order of time, not of
    beginning, so the level is summed from the spans, each end before a beginning at the same
    moment. Trucks still waiting then (`lines`) wait to the end."""

    __slots__ = ("start", "stop", "record", "begins", "ends", "lines", "_level")

    def __init__(self, start: float, stop: float, record: bool = False):
        self.start = start
        self.stop = stop
        self.record = record
        self.begins = array("d")
        self.ends = array("d")
        self.lines: list[ClassServers] = []
        self._level: tuple[np.ndarray, np.ndarray] | None = None

    def add(self, begin: float, end: float) -> None:
        """A truck waited from `begin` to `end` (a wait of no time is no wait)."""
        if end > begin:
            self.begins.append(begin)
            self.ends.append(end)

    def _changes(self) -> tuple[np.ndarray, np.ndarray]:
        """The times of the changes and the level after each, in order (ends first at a tie)."""
        if self._level is None:
            still = [entry[2] for line in self.lines for entry in line.waiting]
            begins = np.concatenate([np.frombuffer(self.begins), np.asarray(still, dtype=float)])
            ends = np.frombuffer(self.ends)
            times = np.concatenate([ends, begins])
            steps = np.concatenate([np.full(len(ends), -1, dtype=np.int64), np.ones(len(begins), dtype=np.int64)])
            order = np.lexsort((steps, times))
            self._level = times[order], np.cumsum(steps[order])
        return self._level

    def mean(self, end: float) -> float:
        """Time-average level over [start, min(end, stop)]."""
        high = min(end, self.stop)
        if high <= self.start:
            return 0.0
        begins = np.concatenate([np.frombuffer(self.begins),
                                 np.asarray([entry[2] for line in self.lines for entry in line.waiting], dtype=float)])
        ends = np.concatenate([np.frombuffer(self.ends), np.full(len(begins) - len(self.ends), np.inf)])
        span = np.minimum(ends, high) - np.maximum(begins, self.start)
        return float(span[span > 0].sum()) / (high - self.start)

    @property
    def peak(self) -> int:
        """The highest level at a change inside the window, before or after it."""
        times, levels = self._changes()
        inside = (times >= self.start) & (times <= self.stop)
        if not inside.any():
            return 0
        before = np.concatenate([[0], levels[:-1]])
        return int(max(levels[inside].max(), before[inside].max()))

    @property
    def series(self) -> Changes | None:
        """(time, level) at every change, when the world records queues; else None."""
        if not self.record:
            return None
        times, levels = self._changes()
        series = Changes()
        series.times.frombytes(times.astype(float).tobytes())
        series.levels.frombytes(levels.astype(np.dtype(series.levels.typecode)).tobytes())
        return series
