"""Streaming statistics: time-weighted levels and per-place tallies."""
from __future__ import annotations


class Level:
    """A piecewise-constant level (queue length, busy lanes) integrated over [start, now]."""

    __slots__ = ("start", "level", "last", "area", "peak", "series")

    def __init__(self, start: float, series: list | None = None):
        self.start = start
        self.level = 0
        self.last = 0.0
        self.area = 0.0
        self.peak = 0
        self.series = series  # opt-in (time, level) record of every change

    def add(self, now: float, delta: int) -> None:
        if now >= self.start:
            self.area += self.level * (now - (self.last if self.last > self.start else self.start))
            self.last = now
            if self.level > self.peak:
                self.peak = self.level
        self.level += delta
        if self.level > self.peak and now >= self.start:
            self.peak = self.level
        if self.series is not None:
            self.series.append((now, self.level))

    def mean(self, end: float) -> float:
        """Time-average level over [start, end]."""
        if end <= self.start:
            return 0.0
        area = self.area + self.level * (end - (self.last if self.last > self.start else self.start))
        return area / (end - self.start)
