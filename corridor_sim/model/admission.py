"""Quotas a period: admission caps (e-queues) and road permits.

The Nur Zholy e-queue, for one, admitted at most 650 entries a day in November 2025; bilateral
road permits are so many a year. A truck above the period's quota books the next free slot,
first come first served, and waits for its period; the control books that wait (`booking` for
an admission cap, `permit` for a road permit).
"""
from __future__ import annotations

import datetime as dt
import math
from collections import deque
from typing import Generator

import simpy

from ..scenario.calendar import week_hour


class Periods:
    """Days (from midnight), weeks (from Monday 00:00), months or years of the scenario's clock,
    numbered from the one the clock starts in; times are hours from `start`."""

    def __init__(self, kind: str, start: dt.datetime):
        self.kind = kind
        self.start = start
        if kind == "day":
            self.offset, self.length = start.hour + start.minute / 60 + start.second / 3600, 24.0
        elif kind == "week":
            self.offset, self.length = week_hour(start), 168.0
        else:
            self.offset, self.length = 0.0, 0.0

    def index(self, t: float) -> int:
        if self.length:
            return math.floor((t + self.offset) / self.length + 1e-12)
        moment = self.start + dt.timedelta(hours=t)
        first = self.start
        if self.kind == "month":
            return (moment.year - first.year) * 12 + moment.month - first.month
        return moment.year - first.year

    def begins(self, k: int) -> float:
        """The hour period `k` begins."""
        if self.length:
            return k * self.length - self.offset
        first = self.start
        if self.kind == "month":
            months = first.month - 1 + k
            moment = dt.datetime(first.year + months // 12, months % 12 + 1, 1, tzinfo=first.tzinfo)
        else:
            moment = dt.datetime(first.year + k, 1, 1, tzinfo=first.tzinfo)
        return (moment - first).total_seconds() / 3600


class Quota:
    """At most `per_period` trucks a period; the rest wait, in order, for later periods."""

    def __init__(self, env: simpy.Environment, per_period: int, periods: Periods, first: int | None = None):
        self.env = env
        self.per_period = per_period
        self.periods = periods
        # the period the clock starts in: `first` left (default all), counted as already admitted
        self.period = periods.index(env.now)
        self.admitted = 0 if first is None else max(per_period - first, 0)  # trucks admitted in `period`
        self.waiting: deque[simpy.Event] = deque()

    def _roll(self) -> None:
        now = self.periods.index(self.env.now)
        if now != self.period:
            self.period, self.admitted = now, 0

    def request(self) -> simpy.Event | None:
        """None when the truck is admitted now; else an event that fires in its period."""
        self._roll()
        if not self.waiting and self.admitted < self.per_period:
            self._admit()
            return None
        event = self.env.event()
        self.waiting.append(event)
        if len(self.waiting) == 1:
            self.env.process(self._next_periods())
        return event

    def _admit(self) -> None:
        self.admitted += 1

    def _next_periods(self) -> Generator:
        """At the start of each period, admit its quota from the booking queue, in order."""
        while self.waiting:
            begins = self.periods.begins(self.periods.index(self.env.now) + 1)
            yield self.env.timeout(begins - self.env.now)
            self._roll()
            while self.waiting and self.admitted < self.per_period:
                self._admit()
                self.waiting.popleft().succeed()


class QuotaLine:
    """A `Quota` worked out without the event loop, for a first-come first-served control: its
    requests come in order of time, and each gets when it is admitted, the float at which the
    quota's booking process (`Quota._next_periods`) would admit it."""

    def __init__(self, per_period: int, periods: Periods, now: float, first: int | None = None):
        self.per_period = per_period
        self.periods = periods
        self.period = periods.index(now)
        self.admitted = 0 if first is None else max(per_period - first, 0)
        self.waiting = 0                  # trucks booked and not yet admitted
        self.wake: float | None = None    # when the booking process next wakes (None: it is not running)

    def _roll(self, t: float) -> None:
        now = self.periods.index(t)
        if now != self.period:
            self.period, self.admitted = now, 0

    def _wake(self, wake: float, period: int, admitted: int, waiting: int) -> tuple[int, int, int]:
        """The booking process wakes at `wake` (`Quota._next_periods`), the quota at `period` with
        `admitted` taken: the period then, the permits taken after, and how many of `waiting` it admits."""
        index = self.periods.index(wake)
        if index != period:
            period, admitted = index, 0
        taken = min(max(self.per_period - admitted, 0), waiting)
        return period, admitted + taken, taken

    def _next_wake(self, t: float) -> float:
        """As the booking process sleeps from `t` to the next period's start (a timeout's float)."""
        return t + (self.periods.begins(self.periods.index(t) + 1) - t)

    def admit(self, t: float) -> float:
        """A truck that asks at `t` (no earlier than the one before): when it is admitted."""
        while self.wake is not None and self.wake < t:  # the process's wakes before now, each admitting
            self.period, self.admitted, taken = self._wake(self.wake, self.period, self.admitted, self.waiting)
            self.waiting -= taken
            self.wake = self._next_wake(self.wake) if self.waiting else None
        self._roll(t)
        if not self.waiting and self.admitted < self.per_period:
            self.admitted += 1
            return t
        self.waiting += 1
        if self.wake is None:  # the process starts as the first truck waits
            self.wake = self._next_wake(t)
        # the wakes to come, each admitting its period's quota in order, up to this truck (the last in line)
        ahead, wake, period, admitted = self.waiting, self.wake, self.period, self.admitted
        while True:
            period, admitted, taken = self._wake(wake, period, admitted, ahead)
            if taken == ahead:
                return wake
            ahead -= taken
            wake = self._next_wake(wake)


def daily_admission(env: simpy.Environment, per_day: int, start: dt.datetime) -> Quota:
    """A control's daily admission cap; days start at midnight on the scenario's clock."""
    return Quota(env, per_day, Periods("day", start))
