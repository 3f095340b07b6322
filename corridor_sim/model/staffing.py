"""Lanes that change with the clock: the staffed lanes of a control by weekday and hour."""
from __future__ import annotations

from typing import Generator

import simpy

from ..scenario.hours import WEEK, WeeklyHours, parse_hours
from .lanes import Pool


class LaneSchedule:
    """Staffed lanes as a step function of the hour of the week (Monday 00:00 = 0).

    `lanes` outside every shift; inside, the shift's lanes (the largest where shifts overlap).
    """

    def __init__(self, lanes: int, shifts: dict[str, int]):
        ranges: list[tuple[WeeklyHours, int]] = [(parse_hours(text), n) for text, n in shifts.items()]
        cuts = sorted({0.0, WEEK} | {x for hours, _ in ranges for a, b in hours.intervals for x in (a, b)})
        self.starts: list[float] = []
        self.lanes: list[int] = []
        for a, b in zip(cuts, cuts[1:]):
            middle = (a + b) / 2
            staffed = [n for hours, n in ranges if any(lo <= middle < hi for lo, hi in hours.intervals)]
            n = max(staffed) if staffed else lanes
            if not self.lanes or self.lanes[-1] != n:
                self.starts.append(a)
                self.lanes.append(n)
        self.most = max(self.lanes)

    @property
    def constant(self) -> bool:
        return len(self.lanes) == 1

    def at(self, week_hour: float) -> tuple[int, float]:
        """The lanes staffed at `week_hour` and the week hour of the next change."""
        i = max(k for k, start in enumerate(self.starts) if start <= week_hour)
        following = self.starts[i + 1] if i + 1 < len(self.starts) else WEEK + self.starts[0]
        return self.lanes[i], following


def staff(env: simpy.Environment, pool: Pool, schedule: LaneSchedule, offset: float) -> Generator:
    """Set the pool's staffed lanes at every change of the schedule (simulated hour t is week hour
    t + offset)."""
    while True:
        week = (env.now + offset) % WEEK
        lanes, following = schedule.at(week)
        pool.set_capacity(lanes)
        yield env.timeout(following - week)
