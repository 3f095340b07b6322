"""Streaming statistics: time-weighted levels and per-place tallies."""
from __future__ import annotations


class Level:
    """A piecewise-constant level (queue length, busy lanes) integrated over the window
    [start, stop] (the warm-up to the horizon): the drain after the horizon, when no new
    trucks come, would otherwise dilute utilisation and queue length."""

    __slots__ = ("start", "stop", "level", "last", "area", "peak", "series")

    def __init__(self, start: float, stop: float = float("inf"), series: list | None = None):
        self.start = start
        self.stop = stop
        self.level = 0
        self.last = start
        self.area = 0.0
        self.peak = 0
        self.series = series  # opt-in (time, level) record of every change

    def add(self, now: float, delta: int) -> None:
        """The level changes by `delta` at `now` (inlined: called four times per queued truck)."""
        level = self.level
        last = self.last
        start = self.start
        stop = self.stop
        low = last if last > start else start
        high = now if now < stop else stop
        if high > low:
            self.area += level * (high - low)
        if now > last:
            self.last = now
        new = level + delta
        self.level = new
        if start <= now <= stop:
            top = level if level > new else new
            if top > self.peak:
                self.peak = top
        if self.series is not None:
            self.series.append((now, new))

    def mean(self, end: float) -> float:
        """Time-average level over [start, min(end, stop)]."""
        high = min(end, self.stop)
        if high <= self.start:
            return 0.0
        low = self.last if self.last > self.start else self.start
        area = self.area + (self.level * (high - low) if high > low else 0.0)
        return area / (high - self.start)
