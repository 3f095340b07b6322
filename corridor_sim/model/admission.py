"""Admission caps and e-queues: at most N trucks a day admitted to a control.

The Nur Zholy e-queue, for one, admitted at most 650 entries a day in November 2025. A truck
above the day's cap books the next free slot, first come first served, and waits for its day;
that wait is its `booking` time.
"""
from __future__ import annotations

import math
from collections import deque
from typing import Generator

import simpy


class Admission:
    """Daily quota of trucks admitted to one control; days start at midnight on the local clock."""

    def __init__(self, env: simpy.Environment, per_day: int, hour_of_day_at_zero: float):
        self.env = env
        self.per_day = per_day
        self.offset = hour_of_day_at_zero
        self.day = -1
        self.admitted = 0             # trucks admitted on `day`
        self.waiting: deque[simpy.Event] = deque()
        self.busiest = 0              # the most trucks admitted on any one day

    def _today(self) -> int:
        return math.floor((self.env.now + self.offset) / 24.0 + 1e-12)

    def _roll(self) -> None:
        today = self._today()
        if today != self.day:
            self.day, self.admitted = today, 0

    def request(self) -> simpy.Event | None:
        """None when the truck is admitted now; else an event that fires on its day."""
        self._roll()
        if not self.waiting and self.admitted < self.per_day:
            self._admit()
            return None
        event = self.env.event()
        self.waiting.append(event)
        if len(self.waiting) == 1:
            self.env.process(self._next_days())
        return event

    def _admit(self) -> None:
        self.admitted += 1
        self.busiest = max(self.busiest, self.admitted)

    def _next_days(self) -> Generator:
        """At each midnight, admit the day's quota from the booking queue, in order."""
        while self.waiting:
            midnight = (self._today() + 1) * 24.0 - self.offset
            yield self.env.timeout(midnight - self.env.now)
            self._roll()
            while self.waiting and self.admitted < self.per_day:
                self._admit()
                self.waiting.popleft().succeed()
