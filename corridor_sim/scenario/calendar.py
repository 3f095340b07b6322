"""When a control is open: weekly hours plus holidays, on the simulation clock (hours)."""
from __future__ import annotations

import bisect
import datetime as dt

from .hours import WEEK, WeeklyHours


def week_hour(start: dt.datetime) -> float:
    """The hour of the week (Monday 00:00 = 0) at simulated hour 0."""
    return start.weekday() * 24 + start.hour + start.minute / 60 + start.second / 3600


class Calendar:
    """`next_open(t)`: the earliest time >= t at which the control is open."""

    __slots__ = ("always_open", "offset", "starts", "ends", "holiday_starts", "holiday_ends")

    def __init__(self, hours: WeeklyHours, holidays: tuple[tuple[dt.date, dt.date], ...], start: dt.datetime):
        self.offset = week_hour(start)
        self.starts = [a for a, _ in hours.intervals]
        self.ends = [b for _, b in hours.intervals]
        midnight = dt.datetime.combine(start.date(), dt.time())
        origin = (start - midnight).total_seconds() / 3600
        spans: list[list[float]] = []
        for h0, h1 in sorted(((first - start.date()).days * 24 - origin, ((last - start.date()).days + 1) * 24 - origin)
                             for first, last in holidays):
            if h1 <= 0:
                continue
            if spans and h0 <= spans[-1][1]:  # overlapping or back to back: one closure
                spans[-1][1] = max(spans[-1][1], h1)
            else:
                spans.append([max(h0, 0.0), h1])
        self.holiday_starts = [a for a, _ in spans]
        self.holiday_ends = [b for _, b in spans]
        self.always_open = hours.always_open and not spans

    def _holiday_end(self, t: float) -> float | None:
        """The end of the holiday that `t` falls in, or None."""
        i = bisect.bisect_right(self.holiday_starts, t) - 1
        return self.holiday_ends[i] if i >= 0 and t < self.holiday_ends[i] else None

    def next_open(self, t: float) -> float:
        if self.always_open:
            return t
        # each step moves past one holiday or to the next weekly opening, so this ends: after the
        # last holiday the weekly hours (never all closed) open within a week
        while True:
            end = self._holiday_end(t)
            if end is not None:
                t = end
                continue
            w = (t + self.offset) % WEEK
            i = bisect.bisect_right(self.starts, w) - 1
            if i >= 0 and w < self.ends[i]:
                return t
            if i + 1 < len(self.starts):
                t += self.starts[i + 1] - w
            else:
                t += WEEK - w + self.starts[0]

    def is_open(self, t: float) -> bool:
        return self.next_open(t) == t
