"""Lanes that change with the clock: the staffed lanes of a control by weekday and hour."""
from __future__ import annotations

import datetime as dt
from typing import Generator

import simpy

from ..scenario.hours import WEEK, WeeklyHours, parse_hours
from .events import first_after
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


class Staffing:
    """The lanes a control has working: the shift's lanes, cut to an outage's while one lasts.

    Changes happen at shift boundaries and when outages start or end; each is handed to the
    lane pool (`Pool.set_capacity`).
    """

    def __init__(self, env: simpy.Environment, pool: Pool, schedule: LaneSchedule, week_offset: float,
                 count_from: float = 0.0, count_to: float = float("inf")):
        self.env = env
        self.pool = pool
        self.schedule = schedule
        self.week_offset = week_offset
        self.staffed = schedule.at(week_offset % WEEK)[0]
        self.outage_lanes: list[int] = []  # the lanes left by each outage in progress
        self.outage_hours = 0.0            # hours with an outage in progress, inside [count_from, count_to)
        self.count_from = count_from  # outage hours are counted in [count_from, count_to)
        self.count_to = count_to
        self._since = 0.0
        if not schedule.constant:
            env.process(self._shifts())

    def _after(self, delay: float) -> simpy.Event:
        """A timeout of `delay` that goes before the trucks' events at the same moment: a change
        of the lanes working is in force for a truck that asks for a lane then (a shift that
        starts at 08:00 serves the trucks let in when the control opens at 08:00), as the
        first-come first-served lanes take it (`fifo.StaffedServers`)."""
        return first_after(self.env, delay)

    def working(self) -> int:
        return min([self.staffed, *self.outage_lanes])

    def _apply(self) -> None:
        self.pool.set_capacity(self.working())

    def _shifts(self) -> Generator:
        env = self.env
        while True:
            week = (env.now + self.week_offset) % WEEK
            self.staffed, following = self.schedule.at(week)
            self._apply()
            yield self._after(following - week)

    def outage(self, start: float, end: float, lanes: int) -> Generator:
        """One outage over [start, end): the control keeps at most `lanes` lanes working."""
        env = self.env
        if start > env.now:
            yield self._after(start - env.now)
        if not self.outage_lanes:
            self._since = env.now
        self.outage_lanes.append(lanes)
        self._apply()
        yield self._after(end - env.now)
        self.outage_lanes.remove(lanes)
        self._apply()
        if not self.outage_lanes:
            low, high = max(self._since, self.count_from), min(env.now, self.count_to)
            if high > low:
                self.outage_hours += high - low

    def hours_out(self, now: float) -> float:
        """Hours with an outage in progress within the counting window, up to `now`."""
        hours = self.outage_hours
        if self.outage_lanes:
            low, high = max(self._since, self.count_from), min(now, self.count_to)
            hours += max(high - low, 0.0)
        return hours

    def random_outages(self, months: set[int], gap, duration, start_date: dt.datetime, lanes: int) -> Generator:
        """Poisson outage starts at `per_year`, all in the listed months; each lasts `duration()`."""
        env = self.env
        t = 0.0
        while True:
            t += gap()
            yield self._after(t - env.now)
            if (start_date + dt.timedelta(hours=env.now)).month in months:
                env.process(self.outage(env.now, env.now + duration(), lanes))
