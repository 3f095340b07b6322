"""When a control is open: weekly hours plus holidays, on the simulation clock (hours)."""
from __future__ import annotations

import bisect
import datetime as dt

from ..scenario.hours import WEEK, WeeklyHours


def week_hour(start: dt.datetime) -> float:
    """The hour of the week (Monday 00:00 = 0) at simulated hour 0."""
    return start.weekday() * 24 + start.hour + start.minute / 60 + start.second / 3600


class Calendar:
    """`next_open(t)`: the earliest time >= t at which the control is open."""

    __slots__ = ("always_open", "offset", "starts", "ends", "holidays")

    def __init__(self, hours: WeeklyHours, holidays: tuple[tuple[dt.date, dt.date], ...], start: dt.datetime):
        self.offset = week_hour(start)
        self.starts = [a for a, _ in hours.intervals]
        self.ends = [b for _, b in hours.intervals]
        midnight = dt.datetime.combine(start.date(), dt.time())
        origin = (start - midnight).total_seconds() / 3600
        spans = []
        for first, last in holidays:
            h0 = (first - start.date()).days * 24 - origin
            h1 = ((last - start.date()).days + 1) * 24 - origin
            if h1 > 0:
                spans.append((max(h0, 0.0), h1))
        self.holidays = sorted(spans)
        self.always_open = hours.always_open and not self.holidays

    def _in_holiday(self, t: float) -> float | None:
        for h0, h1 in self.holidays:
            if h0 <= t < h1:
                return h1
        return None

    def next_open(self, t: float) -> float:
        if self.always_open:
            return t
        for _ in range(10_000):
            end = self._in_holiday(t)
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
        raise RuntimeError("calendar never opens")  # unreachable: parse_hours rejects never-open hours

    def is_open(self, t: float) -> bool:
        return self.next_open(t) == t
